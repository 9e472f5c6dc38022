"""Public tests for ex04, one idea at a time, in the order the stub's docstring builds them up.

1. one 3x3x3 filter over the course's 6x6x3 input: a 4x4 map (each filter spans every channel);
2. two filters and a bias: 4x4x2 (one output channel per filter);
3. stride 2 on a 7x7 input: 3x3;
4. "same" padding: a 4x4 input stays 4x4.
Every expected value here is in plain sight, worked out in closed form below.
"""

import numpy as np
import pytest

from grader.checks import Misconception, check_array
from grader.exercises.mistakes import ALL_PADDING_AFTER
from grader.failures import LearnerRaised, NamedMistake
from grader.i18n import N_, _

pytestmark = pytest.mark.exercise("ex04")

# The course example: one 6x6x3 image whose channel c counts 0..35 row by row, plus 100 * c.
RAMP = np.arange(36, dtype=np.float64).reshape(6, 6)
COURSE_X = np.stack([RAMP + 100 * c for c in range(3)], axis=-1)[None]
# Two 3x3x3 filters: filter 0 sums all 27 pixels under it (bias 1); filter 1 takes the centre
# pixel of channel 0 minus that of channel 2 (bias 0).
COURSE_KERNEL = np.zeros((3, 3, 3, 2))
COURSE_KERNEL[:, :, :, 0] = 1.0
COURSE_KERNEL[1, 1, 0, 1], COURSE_KERNEL[1, 1, 2, 1] = 1.0, -1.0
COURSE_BIAS = np.array([1.0, 0.0])
# The window of output (i, j) is centred on RAMP[i + 1, j + 1] = 6i + j + 7; a 3x3 window of a
# ramp sums to 9 times its centre, so filter 0 gives 3 * 9 * (6i + j + 7) + 9 * 300 + 1.
_I, _J = np.indices((4, 4))
COURSE_OUT = np.stack([27.0 * (6 * _I + _J + 7) + 2701, np.full((4, 4), -200.0)], axis=-1)[None]
# What a filter that reads channel 0 only would give: 9 times the centre (plus 1), and the centre.
FIRST_CHANNEL_OUT = np.stack([9.0 * (6 * _I + _J + 7) + 1, 6.0 * _I + _J + 7], axis=-1)[None]
# Step 1, filter 0 alone and without its bias: one 4x4 map, however many channels went in.
ONE_FILTER_KERNEL = COURSE_KERNEL[:, :, :, :1]
ONE_FILTER_OUT = COURSE_OUT[..., :1] - 1

# Stride 2 on a 7x7 ramp (7r + c) with a 3x3 filter of ones: 9 times the centre of each window.
RAMP7 = np.arange(49, dtype=np.float64).reshape(1, 7, 7, 1)
_R, _C = np.meshgrid([1, 3, 5], [1, 3, 5], indexing="ij")
STRIDE2_OUT = (9.0 * (7 * _R + _C)).reshape(1, 3, 3, 1)

# "same" padding on a 4x4 image of ones: each output counts the real pixels under the window.
SAME_OUT = np.array(
    [[4, 6, 6, 4], [6, 9, 9, 6], [6, 9, 9, 6], [4, 6, 6, 4]], dtype=np.float64
).reshape(1, 4, 4, 1)

# What named mistakes give on these cases, each worked out in closed form as above.
# A 2x2 window (one row and column short) of channel c sums 4 * (6i + j) + 14 + 400c.
ONE_SHORT_OUT = (12.0 * (6 * _I + _J) + 1242)[None, ..., None]
# Stride 2 ignored while the windows move: output (i, j) reads the window at (i, j) anyway.
_R1, _C1 = np.meshgrid([1, 2, 3], [1, 2, 3], indexing="ij")
STRIDE_IGNORED_OUT = (9.0 * (7 * _R1 + _C1)).reshape(1, 3, 3, 1)
STRIDE_IGNORED_WIDTH_OUT = (9.0 * (7 * _R + _C1)).reshape(1, 3, 3, 1)
# Real pixels under each window along one axis when all the padding goes after, when row -1
# wraps to the last row (a negative index), or when the 2x2 'valid' output is padded instead.
ALL_AFTER_OUT = np.outer([3, 3, 2, 1], [3, 3, 2, 1]).astype(np.float64).reshape(1, 4, 4, 1)
WRAPPED_OUT = np.outer([3, 3, 3, 2], [3, 3, 3, 2]).astype(np.float64).reshape(1, 4, 4, 1)
OUTPUT_PADDED_OUT = np.pad(np.full((2, 2), 9.0), 1).reshape(1, 4, 4, 1)
INT_OR_PAIR = N_(
    "strides, pool_size and kernel_size may each be an int or an (h, w) pair: an int S means (S, S)"
)
KERNEL_LAYOUT = N_(
    "the kernel is (F_h, F_w, C_in, C_out): its third axis (C_in) meets x's channel axis, "
    "its last axis (C_out) gives the output's channels"
)


def conv(learner, *args, **kwargs):
    """learner.conv2d(...), with the mistake named when the error itself points at one."""
    try:
        return learner.conv2d(*args, **kwargs)
    except LearnerRaised as raised:
        if any(part in raised.message for part in ("non-iterable int", "'int' object is not")):
            raise NamedMistake(f"{raised.feedback}\n{_(INT_OR_PAIR)}") from None
        if "mismatch" in raised.message or "not aligned" in raised.message:
            raise NamedMistake(f"{raised.feedback}\n{_(KERNEL_LAYOUT)}") from None
        raise


@pytest.mark.points(0.75)
@pytest.mark.feedback(
    N_(
        "Step 1: one 3x3x3 filter over a 6x6x3 input gives ONE 4x4 map: the "
        "response at a position is the sum over all 3 * 3 * 3 products, channels "
        "included, and (6 - 3) // 1 + 1 = 4."
    )
)
def test_one_filter_over_three_channels(learner):
    """conv2d: step 1, one 3x3x3 filter over the course's 6x6x3 input gives 4x4"""
    got = conv(learner, COURSE_X, ONE_FILTER_KERNEL)
    check_array(
        got,
        ONE_FILTER_OUT,
        call="conv2d(x (1, 6, 6, 3), kernel (3, 3, 3, 1))",
        floating=True,
        reveal=True,
        misconceptions=[
            Misconception(
                N_(
                    "only the first input channel is used: the filter sums over "
                    "all 3 channels of the window"
                ),
                FIRST_CHANNEL_OUT[..., :1] - 1,
            ),
            Misconception(
                N_(
                    "you averaged the products in each window; a filter's response is "
                    "their sum (np.sum, not np.mean)"
                ),
                ONE_FILTER_OUT / 27,
            ),
            Misconception(
                N_(
                    "your window is one row and one column short: range(F_h - 1) stops early; "
                    "the window covers rows i * S_h to i * S_h + F_h - 1, range(F_h) of them"
                ),
                ONE_SHORT_OUT,
            ),
        ],
        shape_feedback={
            (1, 4, 4, 3): N_(
                "each input channel got a map of its own: one filter sums the "
                "products of all 3 channels into one number per position, so "
                "one filter gives one output channel"
            ),
            (1, 4, 4): N_(
                "the output's channel axis is missing: with one filter it is (N, H_out, W_out, 1)"
            ),
            (4, 4, 1): N_("the batch axis is missing: the output is (N, H_out, W_out, C_out)"),
            (1, 6, 6, 1): N_("without padding the output shrinks: (6 - 3) // 1 + 1 = 4"),
        },
    )


@pytest.mark.points(0.75)
@pytest.mark.feedback(
    N_(
        "Step 2: each filter spans all 3 input channels and gives one output "
        "channel, plus its own bias: 6x6x3 with two 3x3x3 filters is "
        "(6 - 3) // 1 + 1 = 4, so 4x4x2."
    )
)
def test_course_example(learner):
    """conv2d: step 2, the course's 6x6x3 input with two 3x3x3 filters and a bias gives 4x4x2"""
    got = conv(learner, COURSE_X, COURSE_KERNEL, COURSE_BIAS)
    without_bias = COURSE_OUT - COURSE_BIAS
    check_array(
        got,
        COURSE_OUT,
        call="conv2d(x (1, 6, 6, 3), kernel (3, 3, 3, 2), bias [1, 0])",
        floating=True,
        reveal=True,
        misconceptions=[
            Misconception(
                N_("the bias is ignored: add bias[k] to every cell of output channel k"),
                without_bias,
            ),
            Misconception(
                N_(
                    "only the first input channel is used: each filter sums over "
                    "all 3 channels of the window"
                ),
                FIRST_CHANNEL_OUT,
            ),
            Misconception(
                N_(
                    "the bias is added to every product in the window (F_h * F_w "
                    "* C_in times); add bias[k] once to each output cell, after "
                    "the sum"
                ),
                without_bias + 27 * COURSE_BIAS,
            ),
            Misconception(
                N_(
                    "the bias is added once per input channel; add bias[k] once "
                    "to each output cell, after summing over all C_in channels"
                ),
                without_bias + 3 * COURSE_BIAS,
            ),
            Misconception(
                N_(
                    "each filter's output adds to the previous filter's: reset the "
                    "sum to 0 for every output channel k"
                ),
                np.cumsum(without_bias, axis=3) + COURSE_BIAS,
            ),
        ],
        shape_feedback={
            (1, 4, 4, 3): N_(
                "the output has one channel per filter (C_out = 2), not one per input channel"
            ),
            (4, 4, 2): N_("the batch axis is missing: the output is (N, H_out, W_out, C_out)"),
            (1, 6, 6, 2): N_("without padding the output shrinks: (6 - 3) // 1 + 1 = 4"),
        },
    )


@pytest.mark.points(0.75)
@pytest.mark.feedback(
    N_(
        "Step 3: with stride 2 the window starts at rows 0, 2, 4 and columns 0, 2, 4: "
        "(7 - 3) // 2 + 1 = 3 positions along each axis."
    )
)
def test_stride_2(learner):
    """conv2d: step 3, stride 2 on a 7x7 input with a 3x3 filter gives 3x3"""
    got = conv(learner, RAMP7, np.ones((3, 3, 1, 1)), strides=2)
    check_array(
        got,
        STRIDE2_OUT,
        call="conv2d(x (1, 7, 7, 1), ones (3, 3, 1, 1), strides=2)",
        floating=True,
        reveal=True,
        misconceptions=[
            Misconception(
                N_(
                    "the stride is ignored: the output has the strided size, but "
                    "window (i, j) must start at row i * S_h and column j * S_w, "
                    "not at (i, j)"
                ),
                STRIDE_IGNORED_OUT,
            ),
            Misconception(
                N_("the stride is ignored on the width: window j must start at column j * S_w"),
                STRIDE_IGNORED_WIDTH_OUT,
            ),
        ],
        shape_feedback={
            (1, 5, 5, 1): N_(
                "the stride is ignored: with stride 1 you get 5x5, with stride 2 "
                "(7 - 3) // 2 + 1 = 3"
            ),
            (1, 2, 2, 1): N_("one window short on each axis: is the last window dropped?"),
        },
    )


@pytest.mark.points(0.75)
@pytest.mark.feedback(
    N_(
        "Step 4: 'same' pads one zero on each side for a 3x3 kernel, so a 4x4 input "
        "gives 4x4; border windows see some zeros."
    )
)
def test_same_padding(learner):
    """conv2d: step 4, "same" padding keeps a 4x4 input 4x4"""
    got = conv(learner, np.ones((1, 4, 4, 1)), np.ones((3, 3, 1, 1)), padding="same")
    check_array(
        got,
        SAME_OUT,
        call="conv2d(ones (1, 4, 4, 1), ones (3, 3, 1, 1), padding='same')",
        floating=True,
        reveal=True,
        misconceptions=[
            Misconception(
                ALL_PADDING_AFTER,
                ALL_AFTER_OUT,
            ),
            Misconception(
                N_(
                    "negative indices wrapped around: a window over the top/left padding read row -1, "
                    "which Python takes from the bottom; skip cells outside 0 <= row < H and 0 <= col < W"
                ),
                WRAPPED_OUT,
            ),
            Misconception(
                N_(
                    "you padded the output instead of the input: 'same' adds "
                    "zeros around x before the windows slide, so the border "
                    "windows see real pixels and zeros"
                ),
                OUTPUT_PADDED_OUT,
            ),
        ],
        shape_feedback={(1, 2, 2, 1): N_("you did not pad: 'same' keeps H_out = ceil(H / S)")},
    )
