"""Public tests for ex08: one upstream gradient at a time, where every answer is in plain sight.

A d_out with a single 1 asks "where did this one output come from?": its gradient is the
kernel laid on the window that output read (stride included), the kernel gradient is that
window of x, and max pooling sends it to the window's winner. Each expected value is written
out below from that reading of the chain rule. Two more tests check against a numerical
gradient, the way to test any backward pass: nudge each input by +-h and see how much
sum(d_out * forward) moves, on one row of 5 pixels where the forward pass is written out by
hand. The hidden suite adds general cases.
"""

import numpy as np
import pytest

from grader.checks import Misconception, check_array, check_parts
from grader.failures import NamedMistake
from grader.i18n import N_, _

pytestmark = pytest.mark.exercise("ex08")

KERNEL = np.arange(1.0, 10.0).reshape(3, 3, 1, 1)  # 1..9, so a flip shows
X4 = np.arange(16.0).reshape(1, 4, 4, 1)
X5 = np.arange(25.0).reshape(1, 5, 5, 1)


def impulse(shape, index) -> np.ndarray:
    d_out = np.zeros(shape)
    d_out[index] = 1.0
    return d_out


def placed(shape, top: int, left: int, kernel=KERNEL) -> np.ndarray:
    """Zeros of `shape` with the 3x3 kernel laid at (top, left)."""
    grid = np.zeros(shape)
    grid[0, top : top + 3, left : left + 3, 0] = kernel[:, :, 0, 0]
    return grid


def unpack(got, call, x_shape=None, kernel_shape=None):
    """(d_x, d_kernel, d_bias), with the parts' order and d_bias's form named first."""
    d_x, d_kernel, d_bias = check_parts(got, ("d_x", "d_kernel", "d_bias"), call=call)
    if kernel_shape != x_shape and np.shape(d_x) == kernel_shape and np.shape(d_kernel) == x_shape:
        raise NamedMistake(
            _(
                "{call}: d_x has the kernel's shape and d_kernel the input's: return "
                "the gradients in the order (d_x, d_kernel, d_bias)"
            ).format(call=call)
        )
    if np.ndim(d_bias) == 0 and not isinstance(d_bias, bool):
        raise NamedMistake(
            _(
                "{call}: d_bias is one number; it is summed over the channels too: "
                "one number per filter, shape (C_out,)"
            ).format(call=call)
        )
    return d_x, d_kernel, d_bias


# What assigning (=) instead of adding (+=) gives in d_x, where shares overlap: a window loop
# keeps the later window's share, a loop over kernel cells the later cell's slice.
OVERWRITTEN = N_(
    "d_x was assigned (=) where it must add (+=): a pixel that several windows (or kernel "
    "cells) read gets the sum of their shares, but yours keeps only the share written last"
)


@pytest.mark.points(0.5)
@pytest.mark.feedback(
    N_(
        "Output (1, 1) read x[1:4, 1:4] weighted by the kernel: a 1 in d_out there "
        "sends the kernel back onto that window, and that window becomes d_kernel."
    )
)
def test_conv_one_output(learner):
    """conv_backward: a single 1 in d_out sends the kernel back onto the window it read"""
    call = "conv_backward(d_out one 1 at (0, 1, 1, 0) of (1, 2, 2, 1), x (1, 4, 4, 1), kernel 1..9)"
    d_x, d_kernel, d_bias = unpack(
        learner.conv_backward(impulse((1, 2, 2, 1), (0, 1, 1, 0)), X4, KERNEL),
        call,
        X4.shape,
        KERNEL.shape,
    )
    overwritten = np.zeros(X4.shape)
    overwritten[0, 3, 3, 0] = 9.0  # kernel cell (2, 2)'s slice, written last, holds zeros but one
    check_array(
        d_x,
        placed(X4.shape, 1, 1),
        call=f"{call} d_x",
        floating=True,
        reveal=True,
        misconceptions=[
            Misconception(
                _(
                    "d_x holds the flipped kernel: the gradient goes back to x[i + a, j + b] "
                    "weighted by kernel[a, b] itself"
                ),
                placed(X4.shape, 1, 1, KERNEL[::-1, ::-1]),
            ),
            Misconception(OVERWRITTEN, overwritten),
        ],
        shape_feedback={(1, 2, 2, 1): _("d_x has x's shape (N, H, W, C_in), not d_out's")},
    )
    check_array(
        d_kernel,
        X4[0, 1:4, 1:4].reshape(3, 3, 1, 1),
        call=f"{call} d_kernel",
        floating=True,
        reveal=True,
    )
    check_array(
        d_bias,
        np.ones(1),
        call=f"{call} d_bias",
        floating=True,
        reveal=True,
        shape_feedback={
            (1, 1): _(
                "d_bias is not summed over the batch axis N: one number per filter, shape (C_out,)"
            )
        },
    )


@pytest.mark.points(0.5)
@pytest.mark.feedback(
    N_(
        "With stride 2, output (1, 1) read the window starting at row 2, column 2: "
        "its gradient goes back there."
    )
)
def test_conv_stride_2(learner):
    """conv_backward: with stride 2, output (1, 1) sends its gradient to the window at (2, 2)"""
    call = "conv_backward(d_out one 1 at (0, 1, 1, 0) of (1, 2, 2, 1), x (1, 5, 5, 1), kernel 1..9, strides=2)"
    d_x, d_kernel, _bias = unpack(
        learner.conv_backward(impulse((1, 2, 2, 1), (0, 1, 1, 0)), X5, KERNEL, strides=2),
        call,
        X5.shape,
        KERNEL.shape,
    )
    check_array(
        d_x,
        placed(X5.shape, 2, 2),
        call=f"{call} d_x",
        floating=True,
        reveal=True,
        misconceptions=[
            Misconception(
                _(
                    "the stride does not dilate the upstream gradient: output (i, j) read the "
                    "window at row i * S_h, column j * S_w, so its gradient goes back there"
                ),
                placed(X5.shape, 1, 1),
            )
        ],
    )
    check_array(
        d_kernel,
        X5[0, 2:5, 2:5].reshape(3, 3, 1, 1),
        call=f"{call} d_kernel",
        floating=True,
        reveal=True,
    )


@pytest.mark.points(0.5)
@pytest.mark.feedback(
    N_(
        "bias[k] was added to every cell of output channel k in every image: "
        "d_bias[k] sums d_out[..., k] over N, H_out and W_out."
    )
)
def test_conv_bias_gradient(learner):
    """conv_backward: d_bias sums d_out over the batch and every position"""
    # Image 0 sends 1 to filter 0 and 2 to filter 1 at each of its 9 positions, image 1 sends
    # 3 and 1: d_bias is 9 * (1 + 3) = 36 and 9 * (2 + 1) = 27.
    d_out = np.stack([np.ones((3, 3, 2)) * [1.0, 2.0], np.ones((3, 3, 2)) * [3.0, 1.0]])
    call = "conv_backward(d_out (2, 3, 3, 2): image 0 all [1, 2], image 1 all [3, 1], x (2, 5, 5, 1), kernel (3, 3, 1, 2))"
    got = learner.conv_backward(d_out, np.zeros((2, 5, 5, 1)), np.ones((3, 3, 1, 2)))
    d_bias = unpack(got, call, (2, 5, 5, 1), (3, 3, 1, 2))[2]
    check_array(
        d_bias,
        np.array([36.0, 27.0]),
        call=f"{call} d_bias",
        floating=True,
        reveal=True,
        misconceptions=[
            Misconception(
                _("d_bias is averaged: it is the sum of d_out over N, H_out and W_out"),
                np.array([2.0, 1.5]),
            ),
            Misconception(
                _(
                    "d_bias is averaged over the batch: the images' shares add up, they are "
                    "not averaged; sum d_out over N, H_out and W_out"
                ),
                np.array([18.0, 13.5]),
            ),
            Misconception(
                _("d_bias holds the first image only: sum over the batch axis N too"),
                np.array([9.0, 18.0]),
            ),
            Misconception(
                _("d_bias holds the last image only: sum over the batch axis N too"),
                np.array([27.0, 9.0]),
            ),
        ],
        shape_feedback={
            (2, 2): _(
                "d_bias is not summed over the batch axis N: one number per filter, shape (C_out,)"
            )
        },
    )


COURSE_X = np.array(
    [[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]], dtype=np.float64
).reshape(1, 4, 4, 1)
COURSE_D_OUT = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 2, 2, 1)
# The winners are 6 at (1, 1), 8 at (1, 3), 3 at (2, 0) and 4 at (3, 3).
COURSE_D_X = np.zeros((1, 4, 4, 1))
COURSE_D_X[0, 1, 1], COURSE_D_X[0, 1, 3], COURSE_D_X[0, 2, 0], COURSE_D_X[0, 3, 3] = 1, 2, 3, 4


@pytest.mark.points(0.5)
@pytest.mark.feedback(
    N_(
        "Only the cell that won a window's max changed the output: it gets d_out, "
        "every other cell of the window gets 0."
    )
)
def test_pool_course_example(learner):
    """max_pool_backward: the course's 4x4 example sends each gradient to its window's max"""
    got = learner.max_pool_backward(COURSE_D_OUT, COURSE_X)
    check_array(
        got,
        COURSE_D_X,
        call="max_pool_backward(d_out [[1, 2], [3, 4]], the course's 4x4 x)",
        floating=True,
        reveal=True,
        misconceptions=[
            Misconception(
                _(
                    "every cell of a window got the window's gradient: only the cell that won "
                    "the max gets d_out"
                ),
                COURSE_D_OUT.repeat(2, axis=1).repeat(2, axis=2),
            )
        ],
        shape_feedback={(1, 2, 2, 1): _("d_x has x's shape (N, H, W, C), not d_out's")},
    )


@pytest.mark.points(0.5)
@pytest.mark.feedback(
    N_(
        "Where several cells tie for the max, the gradient goes to the first of "
        "them in row-major order, as TensorFlow does (np.argmax finds it)."
    )
)
def test_pool_tie(learner):
    """max_pool_backward: a window of equal values sends its gradient to its first cell only"""
    got = learner.max_pool_backward(np.full((1, 1, 1, 1), 5.0), np.zeros((1, 2, 2, 1)))
    expected = np.array([[5.0, 0.0], [0.0, 0.0]]).reshape(1, 2, 2, 1)
    check_array(
        got,
        expected,
        call="max_pool_backward(d_out [[5]], x zeros (1, 2, 2, 1))",
        floating=True,
        reveal=True,
        misconceptions=[
            Misconception(
                _(
                    "every tied maximum got the gradient: only one cell, the first in row-major "
                    "order, is taken as the max"
                ),
                np.full((1, 2, 2, 1), 5.0),
            )
        ],
    )


ROW = np.array([3.0, -1.0, 4.0, 1.0, -5.0]).reshape(1, 1, 5, 1)
ROW_KERNEL = np.array([2.0, -1.0, 0.5]).reshape(1, 3, 1, 1)
ROW_D_OUT = np.array([1.5, -2.0]).reshape(1, 1, 2, 1)
STEP = 1e-3  # the forward passes below are linear (or piecewise linear): exact up to rounding


def row_conv(x, kernel):
    """conv2d of a (1, 1, 5, 1) row with a (1, 3, 1, 1) kernel, stride 2: windows 0-2 and 2-4."""
    row, k = x[0, 0, :, 0], kernel[0, :, 0, 0]
    return np.array([row[0:3] @ k, row[2:5] @ k]).reshape(1, 1, 2, 1)


def row_pool(x):
    """max_pool2d of a (1, 1, 5, 1) row with pool (1, 3), stride 2: windows 0-2 and 2-4."""
    row = x[0, 0, :, 0]
    return np.array([row[0:3].max(), row[2:5].max()]).reshape(1, 1, 2, 1)


def numerical_gradient(loss, value: np.ndarray) -> np.ndarray:
    """(loss(value + h) - loss(value - h)) / 2h for each cell of `value`, one at a time."""
    gradient = np.zeros(value.shape)
    for index in np.ndindex(value.shape):
        up, down = value.copy(), value.copy()
        up[index] += STEP
        down[index] -= STEP
        gradient[index] = (loss(up) - loss(down)) / (2 * STEP)
    return gradient


@pytest.mark.points(0.5)
@pytest.mark.feedback(
    N_(
        "A numerical gradient nudges each input by +-h: your d_x and d_kernel "
        "must say how much sum(d_out * out) moves. Windows 0-2 and 2-4 share "
        "pixel 2, so it gets both shares."
    )
)
def test_conv_matches_a_numerical_gradient(learner):
    """conv_backward: matches a numerical gradient on a row of 5 pixels with stride 2"""
    call = "conv_backward(d_out [1.5, -2], x [3, -1, 4, 1, -5], kernel [2, -1, 0.5], strides=2)"
    d_x, d_kernel, _bias = unpack(
        learner.conv_backward(ROW_D_OUT, ROW, ROW_KERNEL, strides=2),
        call,
        ROW.shape,
        ROW_KERNEL.shape,
    )
    loss = lambda x, kernel: float(np.sum(ROW_D_OUT * row_conv(x, kernel)))
    check_array(
        d_x,
        numerical_gradient(lambda x: loss(x, ROW_KERNEL), ROW),
        call=f"{call} d_x",
        floating=True,
        reveal=True,
        # Pixel 2 keeps window 2-4's share (-2 * 2) or kernel cell 2's (1.5 * 0.5) alone.
        misconceptions=[
            Misconception(OVERWRITTEN, np.array([3.0, -1.5, value, 2.0, -1.0]).reshape(ROW.shape))
            for value in (-4.0, 0.75)
        ],
    )
    check_array(
        d_kernel,
        numerical_gradient(lambda k: loss(ROW, k), ROW_KERNEL),
        call=f"{call} d_kernel",
        floating=True,
        reveal=True,
    )


@pytest.mark.points(0.5)
@pytest.mark.feedback(
    N_(
        "A numerical gradient nudges each input by +-h: only a window's maximum "
        "moves the output. Pixel 2 (the 4) wins both overlapping windows, so it "
        "gets 1.5 - 2 = -0.5."
    )
)
def test_pool_matches_a_numerical_gradient(learner):
    """max_pool_backward: matches a numerical gradient on a row of 5 pixels, overlapping windows"""
    got = learner.max_pool_backward(ROW_D_OUT, ROW, pool_size=(1, 3), strides=2)
    check_array(
        got,
        numerical_gradient(lambda x: float(np.sum(ROW_D_OUT * row_pool(x))), ROW),
        call="max_pool_backward(d_out [1.5, -2], x [3, -1, 4, 1, -5], pool_size=(1, 3), strides=2)",
        floating=True,
        reveal=True,
        misconceptions=[
            Misconception(
                _(
                    "overlapping windows overwrite each other's gradient: the 4 wins both "
                    "windows, so it gets both shares; add (+=, np.add.at) instead of assigning"
                ),
                np.array([0.0, 0.0, -2.0, 0.0, 0.0]).reshape(ROW.shape),
            )
        ],
    )
