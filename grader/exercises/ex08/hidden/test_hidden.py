"""Hidden tests for ex08: conv_backward and max_pool_backward on strides, padding, batches,
ties, overlapping windows, uint8 inputs and bad arguments.

Expected gradients come from `ref_ex08` (NumPy, float64), which the project's own tests
check against TensorFlow's GradientTape on exactly the cases listed here (`CONV_CASES`,
`POOL_CASES`, `random_conv_case`), so grading needs no TensorFlow
(docs/design.md#quality-bars: it is imported only for ex07). Every case's values come from the
run's seed (`rng`, and hypothesis seeded from the run), so --seed replays them and a table of
answers from earlier gradings earns nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from grader.checks import (
    check_array,
    check_parts,
    check_unchanged,
    describe_call,
    expect_answer,
    expect_value_error,
)
from grader.exercises.ex08.hidden import reference as ref
from grader.exercises.ex08.hidden.diagnosis import check_conv_backward, check_pool_backward
from grader.exercises.hidden.cases import conv_cases, pool_cases
from grader.exercises.hidden.properties import run_property, show
from grader.exercises.hidden.windows import output_hw
from grader.i18n import N_

pytestmark = pytest.mark.exercise("ex08")


@dataclass(frozen=True)
class ConvCase:
    """x (N, H, W, C_in), kernel (F_h, F_w, C_out), strides, padding; d_out has the output's shape."""

    x_shape: tuple[int, int, int, int]
    kernel_shape: tuple[int, int, int]
    strides: int | tuple[int, int] = 1
    padding: str = "valid"

    def arrays(self, rng: np.random.Generator, dtype=np.float64):
        """(d_out, x, kernel) drawn from `rng`; a uint8 x holds pixels 0-255."""
        f_h, f_w, c_out = self.kernel_shape
        batch, height, width, c_in = self.x_shape
        if np.dtype(dtype) == np.uint8:
            x = rng.integers(0, 256, size=self.x_shape).astype(np.uint8)
        else:
            x = rng.normal(size=self.x_shape).astype(dtype)
        kernel = rng.normal(size=(f_h, f_w, c_in, c_out))
        out_h, out_w = output_hw(height, width, (f_h, f_w), self.strides, self.padding)
        return rng.normal(size=(batch, out_h, out_w, c_out)), x, kernel


@dataclass(frozen=True)
class PoolCase:
    """x (N, H, W, C) of small integers (so windows tie), pool size, strides, padding."""

    x_shape: tuple[int, int, int, int]
    pool_size: int | tuple[int, int] = (2, 2)
    strides: int | tuple[int, int] | None = None
    padding: str = "valid"
    low: int = -3
    high: int = 4

    def arrays(self, rng: np.random.Generator, dtype=np.float64):
        batch, height, width, channels = self.x_shape
        x = rng.integers(self.low, self.high, size=self.x_shape).astype(dtype)
        strides = self.pool_size if self.strides is None else self.strides
        out_h, out_w = output_hw(height, width, self.pool_size, strides, self.padding)
        return rng.normal(size=(batch, out_h, out_w, channels)), x


CONV_CASES = {
    "channels_batch": ConvCase((2, 6, 5, 3), (3, 3, 2)),
    "stride_2": ConvCase((1, 7, 7, 2), (3, 3, 2), 2),
    "stride_pair": ConvCase((2, 9, 8, 1), (2, 3, 3), (3, 2)),
    "stride_uncovered": ConvCase((1, 8, 9, 2), (3, 2, 2), (2, 3)),
    "same_odd": ConvCase((2, 5, 6, 2), (3, 3, 2), 1, "same"),
    "same_even": ConvCase((1, 6, 5, 1), (2, 4, 3), 1, "same"),
    "same_strided": ConvCase((1, 8, 7, 2), (3, 3, 2), 2, "SAME"),
    "same_stride_over_kernel": ConvCase((1, 9, 8, 1), (2, 1, 2), (4, 3), "same"),
    "uint8": ConvCase((1, 6, 6, 3), (3, 3, 2), (1, 2), "same"),
    "unchanged": ConvCase((2, 6, 6, 2), (3, 3, 2), 2, "same"),
}

POOL_CASES = {
    "defaults": PoolCase((2, 6, 6, 2)),
    "ties": PoolCase((1, 6, 6, 2), 2, low=0, high=2),
    "overlapping": PoolCase((2, 7, 7, 1), 3, 2),
    "overlapping_pair": PoolCase((1, 6, 8, 2), (3, 2), 1),
    "same_negative": PoolCase((1, 5, 7, 2), 2, 2, "same", low=-9, high=0),
    "same_pair": PoolCase((2, 7, 6, 1), (3, 2), (2, 3), "Same"),
    "uint8": PoolCase((1, 6, 6, 3), 3, 2, "same", low=0, high=256),
}


def random_conv_case(rng: np.random.Generator) -> ConvCase:
    """A random configuration: batch, channels, kernel, strides and padding all vary."""
    f_h, f_w = (int(size) for size in rng.integers(1, 4, size=2))
    height, width = int(rng.integers(f_h, 9)), int(rng.integers(f_w, 9))
    strides = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    return ConvCase(
        (int(rng.integers(1, 3)), height, width, int(rng.integers(1, 4))),
        (f_h, f_w, int(rng.integers(1, 4))),
        strides,
        str(rng.choice(["valid", "same"])),
    )


def check_conv_case(learner, rng, name: str) -> None:
    case = CONV_CASES[name]
    d_out, x, kernel = case.arrays(rng, np.uint8 if name == "uint8" else np.float64)
    check_conv_backward(learner, d_out, x, kernel, case.strides, case.padding)


def check_pool_case(learner, rng, name: str) -> None:
    case = POOL_CASES[name]
    d_out, x = case.arrays(rng, np.uint8 if name == "uint8" else np.float64)
    check_pool_backward(learner, d_out, x, case.pool_size, case.strides, case.padding)


@pytest.mark.points(0.5)
@pytest.mark.feedback(
    N_(
        "Every output cell sends d_out times the kernel back to the window it "
        "read; d_kernel and d_bias add up over every image and position."
    )
)
def test_conv_channels_and_batch(learner, rng):
    """conv_backward: three input channels, two filters, two images, stride 1"""
    check_conv_case(learner, rng, "channels_batch")


@pytest.mark.points(1)
@pytest.mark.feedback(
    N_(
        "Output (i, j) read the window at row i * S_h, column j * S_w: its "
        "gradient goes back there."
    )
)
def test_conv_strides(learner, rng):
    """conv_backward: stride 2, and strides (3, 2)"""
    check_conv_case(learner, rng, "stride_2")
    check_conv_case(learner, rng, "stride_pair")


@pytest.mark.points(1)
@pytest.mark.feedback(
    N_(
        "With strides, the last rows or columns may be read by no window: their "
        "gradient is 0, and d_x still has x's shape."
    )
)
def test_conv_rows_no_window_read(learner, rng):
    """conv_backward: strides that leave the last row and columns unread"""
    check_conv_case(learner, rng, "stride_uncovered")


@pytest.mark.points(1)
@pytest.mark.feedback(
    N_(
        "'same' padded the input before the windows slid: compute the gradient "
        "of the padded input, then crop the padding off."
    )
)
def test_conv_same_padding(learner, rng):
    """conv_backward: "same" padding with odd and even kernels (asymmetric padding)"""
    check_conv_case(learner, rng, "same_odd")
    check_conv_case(learner, rng, "same_even")


@pytest.mark.points(1)
@pytest.mark.feedback(
    N_(
        "'same' with a stride: pads max((H_out - 1) * S + F - H, 0), the smaller "
        "half on top, and the stride spaces the windows."
    )
)
def test_conv_same_strided(learner, rng):
    """conv_backward: "same" padding with strides, larger than the kernel too"""
    check_conv_case(learner, rng, "same_strided")
    check_conv_case(learner, rng, "same_stride_over_kernel")


@pytest.mark.points(0.5)
def test_conv_uint8_input(learner, rng):
    """conv_backward: a uint8 input gives float gradients"""
    check_conv_case(learner, rng, "uint8")


@pytest.mark.points(0.5)
def test_conv_leaves_inputs_unchanged(learner, rng):
    """conv_backward: d_out, x and the kernel are not modified"""
    case = CONV_CASES["unchanged"]
    d_out, x, kernel = case.arrays(rng)
    kwargs = {"strides": case.strides, "padding": case.padding}
    call = describe_call("conv_backward", d_out, x, kernel, **kwargs)
    got, after = learner.call_returning_args("conv_backward", d_out, x, kernel, **kwargs)
    # The answer is judged too, as in every exercise: `return (0, 0, 0)` modifies nothing either.
    parts = check_parts(got, ("d_x", "d_kernel", "d_bias"), call=call)
    for part, name, expected in zip(
        parts,
        ("d_x", "d_kernel", "d_bias"),
        ref.conv_backward(d_out, x, kernel, case.strides, case.padding),
    ):
        check_array(part, expected, call=f"{call} {name}", floating=True)
    check_unchanged([d_out, x, kernel], after, call=call)


@pytest.mark.points(0.75)
@pytest.mark.parametrize("case", [1, 2])
def test_conv_random(learner, rng, case):
    """conv_backward: random shapes, strides and paddings"""
    for _repeat in range(2):
        config = random_conv_case(rng)
        d_out, x, kernel = config.arrays(rng)
        check_conv_backward(learner, d_out, x, kernel, config.strides, config.padding)


def _with_d_out(case: tuple) -> tuple:
    """(d_out, x, kernel, strides, padding) from ex04's generated (x, kernel, bias, strides, padding)."""
    x, kernel, _bias, strides, padding = case
    out_h, out_w = output_hw(x.shape[1], x.shape[2], kernel.shape[:2], strides, padding)
    values = np.random.default_rng(x.size + kernel.size).integers(
        -3, 4, size=(x.shape[0], out_h, out_w, kernel.shape[3])
    )
    return values.astype(np.float64), x, kernel, strides, padding


def _describe(case: tuple) -> str:
    d_out, x, kernel, strides, padding = _with_d_out(case)
    return "\n".join(
        [
            describe_call("conv_backward", d_out, x, kernel, strides=strides, padding=padding),
            show("d_out", d_out),
            show("x", x),
            show("kernel", kernel),
        ]
    )


@pytest.mark.points(2.5)
def test_conv_generated_cases(learner, run_seed):
    """conv_backward: generated shapes, strides, paddings and dtypes against the reference"""
    run_property(
        conv_cases(),
        lambda case: check_conv_backward(learner, *_with_d_out(case)),
        run_seed=run_seed,
        name="ex08.conv_backward",
        describe=_describe,
    )


@pytest.mark.points(0.5)
@pytest.mark.feedback(
    N_("Max pooling's gradient goes to the one cell of each window that held the max.")
)
def test_pool_defaults(learner, rng):
    """max_pool_backward: 2x2 windows, stride 2, two images and channels"""
    check_pool_case(learner, rng, "defaults")


@pytest.mark.points(1)
@pytest.mark.feedback(
    N_(
        "Where cells tie for the max, TensorFlow sends the gradient to the first "
        "of them in row-major order."
    )
)
def test_pool_ties(learner, rng):
    """max_pool_backward: windows whose maximum is tied"""
    check_pool_case(learner, rng, "ties")


@pytest.mark.points(1)
@pytest.mark.feedback(
    N_(
        "With a stride smaller than the window, windows overlap: a cell that "
        "wins several of them gets the sum of their gradients."
    )
)
def test_pool_overlapping_windows(learner, rng):
    """max_pool_backward: overlapping windows (3x3 stride 2, and 3x2 stride 1)"""
    check_pool_case(learner, rng, "overlapping")
    check_pool_case(learner, rng, "overlapping_pair")


@pytest.mark.points(0.5)
@pytest.mark.feedback(
    N_(
        "'same' pads so that a padded cell never wins the max: every gradient "
        "lands on a real cell, and d_x has x's shape."
    )
)
def test_pool_same_padding(learner, rng):
    """max_pool_backward: "same" padding over negative values, and with strides (2, 3)"""
    check_pool_case(learner, rng, "same_negative")
    check_pool_case(learner, rng, "same_pair")


@pytest.mark.points(0.5)
def test_pool_uint8_input(learner, rng):
    """max_pool_backward: a uint8 input gives a float gradient"""
    check_pool_case(learner, rng, "uint8")


def _pool_with_d_out(case: tuple) -> tuple:
    """(d_out, x, pool_size, strides, padding) from ex05's generated (x, pool, strides, padding)."""
    x, pool_size, strides, padding = case
    out_h, out_w = output_hw(
        x.shape[1], x.shape[2], pool_size, pool_size if strides is None else strides, padding
    )
    values = np.random.default_rng(x.size).integers(
        -3, 4, size=(x.shape[0], out_h, out_w, x.shape[3])
    )
    return values.astype(np.float64), x, pool_size, strides, padding


def _describe_pool(case: tuple) -> str:
    d_out, x, pool_size, strides, padding = _pool_with_d_out(case)
    return "\n".join(
        [
            describe_call(
                "max_pool_backward", d_out, x, pool_size=pool_size, strides=strides, padding=padding
            ),
            show("d_out", d_out),
            show("x", x),
        ]
    )


@pytest.mark.points(2.5)
def test_pool_generated_cases(learner, run_seed):
    """max_pool_backward: generated shapes, windows, strides, paddings and dtypes (ties too)"""
    run_property(
        pool_cases(),
        lambda case: check_pool_backward(learner, *_pool_with_d_out(case)),
        run_seed=run_seed,
        name="ex08.max_pool_backward",
        describe=_describe_pool,
    )


@pytest.mark.points(1)
def test_invalid_arguments(learner, rng):
    """conv_backward and max_pool_backward: wrong ndim, channels, d_out shape, stride 0 raise ValueError"""
    x, kernel = rng.normal(size=(1, 6, 6, 2)), rng.normal(size=(3, 3, 2, 2))
    d_out = rng.normal(size=(1, 4, 4, 2))
    conv = [
        ((d_out, x[0], kernel), {}, "a 3-D x"),
        (
            (d_out, x, rng.normal(size=(3, 3, 3, 2))),
            {},
            "a kernel for 3 input channels on a 2-channel x",
        ),
        ((d_out[:, :3], x, kernel), {}, "a d_out of the wrong shape"),
        ((d_out, x, kernel), {"strides": 0}, "stride 0"),
        ((d_out, x, kernel), {"padding": "full"}, "an unknown padding"),
    ]
    for args, kwargs, problem in conv:
        expect_value_error(
            lambda: learner.conv_backward(*args, **kwargs),
            describe_call("conv_backward", *args, **kwargs),
            problem=problem,
        )
    pooled = rng.normal(size=(1, 3, 3, 2))
    pool = [
        ((pooled, x[0]), {}, "a 3-D x"),
        ((pooled[:, :2], x), {}, "a d_out of the wrong shape"),
        ((pooled, x), {"pool_size": 0}, "a pool size of 0"),
        ((pooled, x), {"padding": "full"}, "an unknown padding"),
    ]
    for args, kwargs, problem in pool:
        expect_value_error(
            lambda: learner.max_pool_backward(*args, **kwargs),
            describe_call("max_pool_backward", *args, **kwargs),
            problem=problem,
        )
    expect_answer(
        lambda: learner.max_pool_backward(pooled, x),
        describe_call("max_pool_backward", pooled, x),
        ref.max_pool_backward(pooled, x),
    )
