"""Hidden tests for ex03: random batches and pads, dtypes, and TensorFlow's "same" rule.

Random cases come from the run's seed (the `rng` fixture), so a report's seed replays them;
so do the generated cases of the property tests (hypothesis, seeded from the run). The fixed
"same" cases show specific mistakes; each test that checks them also checks random cases, so
its points rest on those, and a table of answers from earlier gradings earns nothing.
"""

import numpy as np
import pytest

from grader.checks import (
    Misconception,
    check_array,
    check_exact,
    check_unchanged,
    describe_call,
    expect_answer,
    expect_value_error,
)
from grader.exercises.ex03.hidden.reference import pad_batch, same_pads
from grader.exercises.hidden.cases import pad_cases, same_padding_cases
from grader.exercises.hidden.properties import run_property, show
from grader.failures import LearnerRaised, NamedMistake
from grader.i18n import N_, _

pytestmark = pytest.mark.exercise("ex03")

# (size, kernel_size, stride) of the strided "same" cases: even and odd kernels, strides up
# to 4, totals that are odd or clamped to 0. Kernels never exceed the input:
# docs/design.md#array-conventions lets an implementation reject a window larger than the input.
SAME_FIXED_CASES = ((7, 4, 3), (6, 2, 2), (10, 5, 4), (9, 2, 3), (8, 1, 2), (3, 3, 2))


def random_batch(rng: np.random.Generator, dtype=np.float64) -> np.ndarray:
    shape = (
        int(rng.integers(1, 3)),
        int(rng.integers(1, 6)),
        int(rng.integers(1, 6)),
        int(rng.integers(1, 4)),
    )
    return rng.integers(1, 100, size=shape).astype(dtype)


def random_same_case(rng: np.random.Generator, max_stride: int) -> tuple[int, int, int]:
    """(size, kernel_size, stride) for the random "same" cases, the kernel no larger than the input."""
    kernel_size = int(rng.integers(1, 8))
    return int(rng.integers(kernel_size, 40)), kernel_size, int(rng.integers(1, max_stride + 1))


def pad_mistakes(x: np.ndarray, top: int, bottom: int, left: int, right: int):
    """Wrong answers (values) and wrong shapes that real mistakes in zero_pad produce."""
    misconceptions = [
        Misconception(
            N_(
                "the padding is on the wrong side: the first number of each pair goes "
                "before (top/left), the second after (bottom/right)"
            ),
            pad_batch(x, bottom, top, right, left),
        ),
        Misconception(
            N_("the top and bottom are swapped: ((top, bottom), (left, right))"),
            pad_batch(x, bottom, top, left, right),
        ),
        Misconception(
            N_("the left and right are swapped: ((top, bottom), (left, right))"),
            pad_batch(x, top, bottom, right, left),
        ),
        Misconception(
            N_("the border repeats the edge pixels (np.pad mode='edge'?): zero padding adds zeros"),
            np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), mode="edge"),
        ),
        Misconception(
            N_(
                "you read pad as ((top, left), (bottom, right)); it is ((top, bottom), "
                "(left, right)): the first pair pads H"
            ),
            pad_batch(x, top, left, bottom, right),
        ),
    ]
    batch, height, width, channels = x.shape
    shapes = {
        (batch, height + left + right, width + top + bottom, channels): N_(
            "the height got the width's padding: the first pair is (top, bottom), for H"
        ),
        (batch + top + bottom, height + left + right, width, channels): N_(
            "you padded the batch axis: of (N, H, W, C) only H and W get zeros"
        ),
        (batch + 2 * top, height + 2 * top, width + 2 * top, channels + 2 * top): N_(
            "you padded the batch and channel axes too: only H and W get zeros"
        ),
        (batch, height + top, width + left, channels): N_(
            "padding goes on both sides: zeros before and after"
        ),
        (batch, height + top + left, width + bottom + right, channels): N_(
            "you read pad as ((top, left), (bottom, right)); it is ((top, bottom), (left, right)): "
            "the first pair pads H"
        ),
    }
    return misconceptions, shapes


def check_pad(learner, x: np.ndarray, pad) -> None:
    (top, bottom), (left, right) = ((pad, pad), (pad, pad)) if isinstance(pad, int) else pad
    misconceptions, shapes = pad_mistakes(x, top, bottom, left, right)
    try:
        got = learner.zero_pad(x, pad)
    except LearnerRaised as raised:
        if "remapped shapes" in raised.message:
            raise NamedMistake(
                raised.feedback
                + "\n"
                + _(
                    "np.pad takes one (before, after) pair per axis of x, four in all: ((0, 0), (top, bottom), "
                    "(left, right), (0, 0))"
                )
            ) from None
        if not isinstance(pad, int):
            raise NamedMistake(
                raised.feedback
                + "\n"
                + _(
                    "pad may be an int P or a nested pair ((top, bottom), (left, right)): unpack the pair, "
                    "(top, bottom), (left, right) = pad"
                )
            ) from None
        raise
    check_array(
        got,
        pad_batch(x, top, bottom, left, right),
        call=describe_call("zero_pad", x, pad),
        dtype=x.dtype,
        misconceptions=misconceptions,
        shape_feedback=shapes,
    )


def same_mistakes(size: int, kernel_size: int, stride: int) -> list[Misconception]:
    before, after = same_pads(size, kernel_size, stride)
    total = before + after
    unclamped = (-(-size // stride) - 1) * stride + kernel_size - size
    valid = -(-(size - kernel_size + 1) // stride)  # windows inside the input, rounded up
    return [
        Misconception(
            N_(
                "the padding is on the wrong side: TensorFlow puts the smaller half before "
                "(top/left) and the larger half after"
            ),
            (after, before),
        ),
        Misconception(
            N_(
                "the stride is ignored: with stride S 'same' gives ceil(H / S) outputs, "
                "which need less padding"
            ),
            same_pads(size, kernel_size, 1),
        ),
        Misconception(
            N_(
                "you padded (F - 1) // 2 on each side; TensorFlow pads "
                "total = max((ceil(H / S) - 1) * S + F - H, 0), smaller half first"
            ),
            ((kernel_size - 1) // 2, (kernel_size - 1) // 2),
        ),
        Misconception(
            N_("that is the total padding on both sides; return (before, after)"), (total, total)
        ),
        Misconception(
            N_("the padding went negative: take max(..., 0), a window never needs negative zeros"),
            (unclamped // 2, unclamped - unclamped // 2),
        ),
        Misconception(
            N_(
                "you rounded the output size down (H // S); 'same' gives ceil(H / S) "
                "outputs, so total = max((ceil(H / S) - 1) * S + F - H, 0)"
            ),
            _split(max((size // stride - 1) * stride + kernel_size - size, 0)),
        ),
        Misconception(
            N_("you split the total with /: before = total // 2 (an int), after = total - before"),
            (total / 2, total / 2),
        ),
        Misconception(
            N_(
                "that is the total number of zeros; return the pair (before, after), "
                "before = total // 2"
            ),
            total,
        ),
        Misconception(
            N_("the odd zero is lost: after = total - before, not total // 2"),
            (total // 2, total // 2),
        ),
        Misconception(
            N_(
                "that pads for the 'valid' number of windows; 'same' has ceil(H / S) "
                "outputs, so total = max((ceil(H / S) - 1) * S + F - H, 0)"
            ),
            _split(max((valid - 1) * stride + kernel_size - size, 0)),
        ),
    ]


def _split(total: int) -> tuple[int, int]:
    return total // 2, total - total // 2


def check_same(learner, size: int, kernel_size: int, stride: int) -> None:
    check_exact(
        learner.same_padding(size, kernel_size, stride),
        same_pads(size, kernel_size, stride),
        call=describe_call("same_padding", size, kernel_size, stride),
        misconceptions=same_mistakes(size, kernel_size, stride),
    )


@pytest.mark.points(0.5)
def test_pad_random_int(learner, rng):
    """zero_pad: random batches with several channels, padded by an int"""
    for pad in (1, 2, 0, int(rng.integers(1, 4))):
        check_pad(learner, random_batch(rng), pad)


@pytest.mark.points(1)
@pytest.mark.feedback(N_("((top, bottom), (left, right)): each side gets its own width."))
def test_pad_each_side(learner, rng):
    """zero_pad: ((top, bottom), (left, right)) pads each side by its own width"""
    for pad in (((0, 2), (3, 1)), ((2, 0), (0, 1)), ((1, 3), (2, 2))):
        check_pad(learner, random_batch(rng), pad)


@pytest.mark.points(1)
def test_pad_keeps_dtype(learner, rng):
    """zero_pad: uint8, int32 and float32 batches keep their dtype"""
    for dtype in (np.uint8, np.int32, np.float32):
        check_pad(learner, random_batch(rng, dtype), ((1, 2), (2, 1)))


@pytest.mark.points(0.5)
def test_pad_leaves_input_unchanged(learner, rng):
    """zero_pad: the batch is not modified"""
    x = random_batch(rng, np.uint8)
    call = describe_call("zero_pad", x, 2)
    got, after = learner.call_returning_args("zero_pad", x, 2)
    check_array(got, pad_batch(x, 2, 2, 2, 2), call=call, dtype=np.uint8)
    check_unchanged([x], after, call=call)


@pytest.mark.points(0.5)
def test_pad_invalid(learner, rng):
    """zero_pad: a 3-D batch, a negative pad or a malformed pad raise ValueError"""
    cases = [
        ((rng.normal(size=(4, 4, 3)), 1), "a 3-D x"),
        ((rng.normal(size=(1, 4, 4, 1)), -1), N_("a negative pad")),
        ((rng.normal(size=(1, 4, 4, 1)), ((1, -2), (0, 0))), N_("a negative bottom pad")),
        ((rng.normal(size=(1, 4, 4, 1)), (1, 2, 3)), N_("three numbers instead of two pairs")),
    ]
    for (x, pad), problem in cases:
        expect_value_error(
            lambda: learner.zero_pad(x, pad), describe_call("zero_pad", x, pad), problem=problem
        )
    x = random_batch(rng)
    expect_answer(
        lambda: learner.zero_pad(x, 1), describe_call("zero_pad", x, 1), pad_batch(x, 1, 1, 1, 1)
    )


@pytest.mark.points(1)
@pytest.mark.feedback(
    N_("With stride 1, 'same' needs total = F - 1 zeros: the smaller half before.")
)
def test_same_padding_stride_1(learner, rng):
    """same_padding: random sizes and kernels, stride 1"""
    for size, kernel_size in ((5, 3), (6, 2), (7, 4), (4, 1)):
        check_same(learner, size, kernel_size, 1)
    for _repeat in range(6):
        size, kernel_size, _stride = random_same_case(rng, 1)
        check_same(learner, size, kernel_size, 1)


@pytest.mark.points(1.5)
@pytest.mark.feedback(
    N_(
        "total = max((ceil(H / S) - 1) * S + F - H, 0): with a stride the total can "
        "be odd, or 0 when the stride is larger than the kernel. For example, "
        "same_padding(8, 3, 2) is (0, 1)."
    )
)
def test_same_padding_strided(learner, rng):
    """same_padding: strides from 2 to 4, even kernels, no padding needed"""
    for case in SAME_FIXED_CASES:
        check_same(learner, *case)
    for _repeat in range(6):
        check_same(learner, *random_same_case(rng, 4))


@pytest.mark.points(0.5)
def test_same_padding_invalid(learner, rng):
    """same_padding: size 0, kernel 0 or stride 0 raise ValueError"""
    for args, problem in (
        ((0, 3, 1), N_("size 0")),
        ((5, 0, 1), N_("kernel size 0")),
        ((5, 3, 0), N_("stride 0")),
        ((5, 3, -1), N_("a negative stride")),
    ):
        expect_value_error(
            lambda: learner.same_padding(*args),
            describe_call("same_padding", *args),
            problem=problem,
        )
    case = random_same_case(rng, 4)
    expect_answer(
        lambda: learner.same_padding(*case), describe_call("same_padding", *case), same_pads(*case)
    )


@pytest.mark.points(2)
def test_generated_cases(learner, run_seed):
    """zero_pad and same_padding: generated batches, dtypes, pads, sizes and strides"""
    run_property(
        pad_cases(),
        lambda case: check_pad(learner, *case),
        run_seed=run_seed,
        name="ex03.zero_pad",
        describe=lambda case: "\n".join([describe_call("zero_pad", *case), show("x", case[0])]),
    )
    run_property(
        same_padding_cases(),
        lambda case: check_same(learner, *case),
        run_seed=run_seed,
        name="ex03.same_padding",
        describe=lambda case: describe_call("same_padding", *case),
    )
