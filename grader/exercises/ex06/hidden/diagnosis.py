"""What common mistakes in ex06's size and shape arithmetic give, so the feedback can name the one
that matches: a forgotten `+ 1`, padding counted once, TensorFlow's "same" taken for "valid",
the channels of the input kept, ... Each returns the wrong answers with their sentences.
`check_shape` and `check_pool_shape` judge a learner's call with them; where several 'same'
slips give its answer, a few more calls tell them apart (`same_slip_told_apart`).
"""

import math

from grader.checks import Misconception, check_exact, describe_call
from grader.exercises.ex06.hidden.reference import (
    conv_shape,
    pool_shape,
)
from grader.exercises.hidden import windows
from grader.exercises.hidden.told_apart import tell_apart
from grader.exercises.hidden.windows import hint_for_raised, pair
from grader.failures import LearnerFailure, LearnerRaised, NamedMistake
from grader.i18n import N_, _

STRIDE_IGNORED = N_("the stride is ignored")
SAME_IGNORES_STRIDE = N_("your 'same' output ignores the stride: Keras gives ceil(W / S)")
VALID_FOR_SAME = N_("you used the 'valid' rule where the padding is 'same'")
SAME_ROUNDED = N_("you rounded down: 'same' gives ceil(W / S), so a last partial step counts")
SAME_FORMULA = N_(
    "you used the formula with P = (F - 1) // 2, one short for an even kernel; "
    "Keras' 'same' gives ceil(W / S) whatever F is"
)


def size_misconceptions(size, kernel, stride, padding):
    """The wrong sizes that common slips in (W - F + 2P) // S + 1 produce."""
    top = size - kernel + 2 * padding
    return [
        Misconception(
            N_("you used true division /; sizes need integer division //"), top / stride + 1
        ),
        Misconception(N_("you forgot the + 1 (the first window's position counts)"), top // stride),
        Misconception(
            N_("padding is added on both sides: use 2P, not P"),
            (size - kernel + padding) // stride + 1,
        ),
        Misconception(
            N_("you rounded up: a window that would run past the edge does not count"),
            math.ceil(top / stride) + 1,
        ),
        Misconception(
            N_("you rounded to the nearest int: use floor division //"), round(top / stride) + 1
        ),
        Misconception(N_("the stride is ignored: divide W - F + 2P by S"), top + 1),
        Misconception(
            N_("the padding is ignored: P zeros on each side add 2P"), (size - kernel) // stride + 1
        ),
    ]


def shape_misconceptions(input_shape, filters, kernel_size, strides, padding):
    valid = conv_shape(input_shape, filters, kernel_size, strides, "valid")
    same = conv_shape(input_shape, filters, kernel_size, strides, "same")
    unstrided = conv_shape(input_shape, filters, kernel_size, 1, padding)
    expected = conv_shape(input_shape, filters, kernel_size, strides, padding)
    (height, width, _channels), (f_h, f_w), (s_h, s_w) = (
        input_shape,
        pair(kernel_size),
        pair(strides),
    )
    found = [
        Misconception(SAME_IGNORES_STRIDE, (input_shape[0], input_shape[1], filters)),
        Misconception(VALID_FOR_SAME, valid),
        Misconception(N_("you used the 'same' rule where the padding is 'valid'"), same),
        Misconception(STRIDE_IGNORED, unstrided),
        Misconception(
            N_("the depth of the output is the number of filters, not the input's channels"),
            conv_shape(input_shape, input_shape[2], kernel_size, strides, padding),
        ),
        Misconception(
            N_(
                "your shape is channels-first (filters, H, W); Keras is channels-last: "
                "(H_out, W_out, filters)"
            ),
            (expected[2], expected[0], expected[1]),
        ),
        Misconception(
            N_("you used true division /; sizes need integer division //"),
            ((height - f_h) / s_h + 1, (width - f_w) / s_w + 1, filters),
        ),
        Misconception(
            N_(
                "W_out equals H_out: is the width computed from H? A non-square input has its own W"
            ),
            (expected[0], expected[0], expected[2]),
        ),
    ]
    if padding.lower() == "same":
        found += [
            Misconception(SAME_ROUNDED, (height // s_h, width // s_w, filters)),
            Misconception(
                SAME_FORMULA,
                (
                    (height - f_h + 2 * ((f_h - 1) // 2)) // s_h + 1,
                    (width - f_w + 2 * ((f_w - 1) // 2)) // s_w + 1,
                    filters,
                ),
            ),
        ]
    return found


def pool_misconceptions(input_shape, pool_size, strides, padding, strides_honoured=None):
    """`strides_honoured`: whether the learner's function moves by strides it is given (known
    from another call), which tells "strides=None read as 1" from "every stride ignored"."""
    expected = pool_shape(input_shape, pool_size, strides, padding)
    found = [Misconception(N_("pooling keeps the depth C"), (expected[0], expected[1], 1))]
    if strides is None and strides_honoured is not False:
        found.append(
            Misconception(
                N_("strides=None means a stride equal to the pool size, not 1"),
                pool_shape(input_shape, pool_size, 1, padding),
            )
        )
    moves = pool_size if strides is None else strides
    found += shape_misconceptions(input_shape, input_shape[2], pool_size, moves, padding)
    if strides is None and strides_honoured:
        found = [found_one for found_one in found if found_one.feedback != STRIDE_IGNORED]
    return found


def same_slip_told_apart(misconceptions, got, expected, height_of) -> list[Misconception]:
    """The misconceptions of a 'same' case, narrowed by a few more calls where several slips
    give `got` (grader/exercises/hidden/told_apart.py). `height_of(H, F, S, padding)`: the
    learner's H_out for an HxH input and an FxF window (None if the call failed).

    Rounding down, P = (F - 1) // 2 and the 'valid' rule: the two calls of
    `windows.same_size_evidence`. The stride ignored by 'same' only, or everywhere (both keep H
    with 'same'): 5x5, F=3, S=2 with 'valid' gives 2 when 'valid' moves by the stride, 3 when not.
    """
    sizes = {"rounded": SAME_ROUNDED, "padded": SAME_FORMULA, "valid": VALID_FOR_SAME}
    misconceptions = tell_apart(
        misconceptions,
        got,
        expected,
        sizes.values(),
        lambda: sizes.get(
            windows.same_size_evidence(lambda h, f, s: height_of(h, f, s, "same")) or ""
        ),
    )
    strided = {2: SAME_IGNORES_STRIDE, 3: STRIDE_IGNORED}
    return tell_apart(
        misconceptions,
        got,
        expected,
        strided.values(),
        lambda: strided.get(height_of(5, 3, 2, "valid")),
    )


def answer(call, padding=None):
    """`call()`, with a hint added when a valid call raised for a reason the message shows."""
    try:
        return call()
    except LearnerRaised as raised:
        hint = hint_for_raised(raised.message, padding)
        if hint:
            raise NamedMistake(f"{raised.feedback}\n{_(hint)}") from None
        raise


def check_shape(learner, input_shape, filters, kernel_size, strides, padding) -> None:
    expected_padding = padding.lower()
    got = answer(
        lambda: learner.conv_output_shape(input_shape, filters, kernel_size, strides, padding),
        padding,
    )
    expected = conv_shape(input_shape, filters, kernel_size, strides, expected_padding)
    misconceptions = shape_misconceptions(
        input_shape, filters, kernel_size, strides, expected_padding
    )
    if expected_padding == "same":
        misconceptions = same_slip_told_apart(
            misconceptions,
            got,
            expected,
            lambda h, f, s, pad: height_of(learner.conv_output_shape, (h, h, 1), 1, f, s, pad),
        )
    check_exact(
        got,
        expected,
        call=describe_call(
            "conv_output_shape", input_shape, filters, kernel_size, strides, padding
        ),
        misconceptions=misconceptions,
    )


def height_of(function, *args) -> int | None:
    """H_out in the learner's `function(*args)` (None if the call failed or gave no int)."""
    try:
        got = function(*args)
    except LearnerFailure:
        return None
    first = got[0] if isinstance(got, (tuple, list)) and got else None
    return first if isinstance(first, int) and not isinstance(first, bool) else None


def check_pool_shape(learner, input_shape, pool_size=(2, 2), strides=None, padding="valid") -> None:
    got = answer(
        lambda: learner.pool_output_shape(input_shape, pool_size, strides, padding), padding
    )
    expected = pool_shape(input_shape, pool_size, strides, padding.lower())
    misconceptions = pool_misconceptions(input_shape, pool_size, strides, padding.lower())
    if padding.lower() == "same":
        misconceptions = same_slip_told_apart(
            misconceptions,
            got,
            expected,
            lambda h, f, s, pad: height_of(learner.pool_output_shape, (h, h, 1), f, s, pad),
        )
    check_exact(
        got,
        expected,
        call=describe_call("pool_output_shape", input_shape, pool_size, strides, padding),
        misconceptions=misconceptions,
    )
