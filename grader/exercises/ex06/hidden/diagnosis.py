"""What common mistakes in ex06's size and shape arithmetic give, so the feedback can name the one
that matches: a forgotten `+ 1`, padding counted once, TensorFlow's "same" taken for "valid",
the channels of the input kept, ... Each returns the wrong answers with their sentences.
"""

import math

from grader.checks import (
    Misconception,
)
from grader.exercises.ex06.hidden.reference import (
    conv_shape,
    pool_shape,
)
from grader.exercises.hidden.windows import pair
from grader.i18n import N_

STRIDE_IGNORED = N_("the stride is ignored")


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
        Misconception(
            N_("your 'same' output ignores the stride: Keras gives ceil(W / S)"),
            (input_shape[0], input_shape[1], filters),
        ),
        Misconception(N_("you used the 'valid' rule where the padding is 'same'"), valid),
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
            Misconception(
                N_("you rounded down: 'same' gives ceil(W / S), so a last partial step counts"),
                (height // s_h, width // s_w, filters),
            ),
            Misconception(
                N_(
                    "you used the formula with P = (F - 1) // 2, one short for an even kernel; "
                    "Keras' 'same' gives ceil(W / S) whatever F is"
                ),
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
