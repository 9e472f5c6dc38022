"""Hidden tests for ex04: strides on each axis, "same" padding, bias, channels, uint8, errors.

They follow the public suite's ramp (channels, then filters and bias, the batch, the stride,
then padding), then mix everything: dtypes, random and generated cases, invalid arguments.

Every case comes from the run's seed: the arrays of each configuration from the `rng`
fixture, the generated cases of the property test from hypothesis, seeded from the run. A
report's seed replays them, and a table of answers from earlier gradings earns nothing. The
fixed configurations are listed in `FIXED_CASES` and the random ones drawn by `random_case`, so the
project's own tests can check the solution against TensorFlow on exactly these shapes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from grader.checks import (
    check_unchanged,
    describe_call,
    expect_answer,
    expect_value_error,
)
from grader.exercises.ex04.hidden import reference as ref
from grader.exercises.ex04.hidden.diagnosis import check_conv, judge_conv
from grader.exercises.hidden.cases import conv_cases
from grader.exercises.hidden.properties import run_property, show
from grader.i18n import N_

pytestmark = pytest.mark.exercise("ex04")


@dataclass(frozen=True)
class ConvCase:
    """One configuration: input (N, H, W, C_in), kernel (F_h, F_w, C_out), strides, padding."""

    x_shape: tuple[int, int, int, int]
    kernel_shape: tuple[int, int, int]
    strides: int | tuple[int, int] = 1
    padding: str = "valid"
    bias: bool = True

    def arrays(self, rng: np.random.Generator, dtype=np.float64):
        """(x, kernel, bias) drawn from `rng`; a uint8 x holds pixels 0-255."""
        f_h, f_w, c_out = self.kernel_shape
        if np.dtype(dtype) == np.uint8:
            x = rng.integers(0, 256, size=self.x_shape).astype(np.uint8)
        else:
            x = rng.normal(size=self.x_shape).astype(dtype)
        kernel = rng.normal(size=(f_h, f_w, self.x_shape[3], c_out))
        bias = rng.normal(size=c_out) if self.bias else None
        return x, kernel, bias


# Every fixed configuration the suite grades, by the test that uses it.
FIXED_CASES = {
    "stride_height": ConvCase((1, 9, 8, 2), (3, 3, 3), (2, 1)),
    "stride_width": ConvCase((2, 7, 10, 1), (2, 3, 2), (1, 3)),
    "stride_pair": ConvCase((1, 11, 9, 3), (3, 2, 2), (3, 2)),
    "exact_fit": ConvCase((1, 9, 9, 1), (3, 3, 2), 2),
    "exact_fit_pair": ConvCase((1, 10, 7, 2), (4, 3, 1), (3, 2)),
    "same_odd": ConvCase((2, 6, 7, 2), (3, 3, 3), 1, "same"),
    "same_even": ConvCase((1, 6, 5, 2), (2, 4, 2), 1, "same"),
    "same_even_square": ConvCase((2, 5, 5, 1), (4, 4, 2), 1, "same"),
    "same_strided": ConvCase((1, 8, 7, 2), (3, 3, 2), 2, "same"),
    "same_strided_pair": ConvCase((1, 10, 9, 1), (4, 2, 3), (3, 2), "same"),
    "same_upper": ConvCase((1, 7, 6, 2), (3, 2, 2), 2, "SAME"),
    "valid_mixed_case": ConvCase((1, 7, 6, 2), (3, 2, 2), 2, "Valid"),
    "bias": ConvCase((2, 6, 6, 2), (3, 3, 4), 1),
    "no_bias": ConvCase((1, 6, 6, 2), (3, 3, 2), 1, bias=False),
    "uint8": ConvCase((1, 8, 8, 3), (3, 3, 2), (1, 2), "same"),
    "channels": ConvCase((2, 6, 5, 4), (2, 2, 3), 1),
    "unchanged": ConvCase((1, 6, 6, 3), (3, 3, 2), 2, "same"),
    "batch": ConvCase((3, 6, 5, 2), (3, 2, 2), 1),
    "batch_same": ConvCase((2, 5, 6, 1), (2, 2, 2), 2, "same"),
    # Strides larger than the kernel: TensorFlow's total before max(..., 0) is -1 here.
    "same_stride_over_kernel": ConvCase((1, 11, 8, 2), (2, 1, 2), (4, 3), "same"),
    "same_stride_over_kernel_square": ConvCase((2, 8, 8, 1), (1, 1, 2), 3, "same"),
}


def random_case(rng: np.random.Generator) -> ConvCase:
    """A random "valid" configuration: batch, channels, kernel and strides all vary."""
    f_h, f_w = (int(size) for size in rng.integers(1, 5, size=2))
    height, width = int(rng.integers(f_h, 12)), int(rng.integers(f_w, 12))
    strides = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    return ConvCase(
        (int(rng.integers(1, 3)), height, width, int(rng.integers(1, 4))),
        (f_h, f_w, int(rng.integers(1, 5))),
        strides,
    )


def check_case(learner, rng, name: str) -> None:
    case = FIXED_CASES[name]
    dtype = np.uint8 if name == "uint8" else np.float64
    x, kernel, bias = case.arrays(rng, dtype)
    check_conv(learner, x, kernel, bias, case.strides, case.padding)


@pytest.mark.points(0.5)
@pytest.mark.feedback(
    N_(
        "One output channel is the sum over all C_in input channels of the window "
        "times the filter's weights for that channel."
    )
)
def test_sums_over_input_channels(learner, rng):
    """conv2d: each filter sums over all four input channels"""
    check_case(learner, rng, "channels")


@pytest.mark.points(1)
@pytest.mark.feedback(
    N_("bias[k] is added to every cell of output channel k; bias=None adds nothing.")
)
def test_bias(learner, rng):
    """conv2d: one bias per filter, and bias=None"""
    check_case(learner, rng, "bias")
    check_case(learner, rng, "no_bias")


@pytest.mark.points(1)
@pytest.mark.feedback(
    N_(
        "Each image of a batch is convolved on its own: sum over the window's F_h, "
        "F_w and C_in, never over N."
    )
)
def test_batch_of_images(learner, rng):
    """conv2d: a batch of three images (and of two, with "same"), each convolved on its own"""
    check_case(learner, rng, "batch")
    check_case(learner, rng, "batch_same")


@pytest.mark.points(0.5)
@pytest.mark.feedback(N_("strides=(2, 1) moves the window 2 rows down but 1 column across."))
def test_stride_height_only(learner, rng):
    """conv2d: stride 2 on the height only"""
    check_case(learner, rng, "stride_height")


@pytest.mark.points(0.5)
@pytest.mark.feedback(N_("strides=(1, 3) moves the window 1 row down but 3 columns across."))
def test_stride_width_only(learner, rng):
    """conv2d: stride 3 on the width only"""
    check_case(learner, rng, "stride_width")


@pytest.mark.points(1)
@pytest.mark.feedback(
    N_(
        "With strides (S_h, S_w) and an F_h x F_w kernel: H_out = (H - F_h) // S_h + 1 "
        "and W_out = (W - F_w) // S_w + 1."
    )
)
def test_stride_pair(learner, rng):
    """conv2d: a 3x2 kernel with strides (3, 2) on an 11x9 input"""
    check_case(learner, rng, "stride_pair")


@pytest.mark.points(0.5)
@pytest.mark.feedback(
    N_("When (H - F) is a multiple of S the last window ends exactly on the last row: it counts.")
)
def test_last_window_fits_exactly(learner, rng):
    """conv2d: the last window ends exactly on the last row and column"""
    check_case(learner, rng, "exact_fit")
    check_case(learner, rng, "exact_fit_pair")


@pytest.mark.points(1)
@pytest.mark.feedback(N_("'same' with stride 1 and a 3x3 kernel pads one zero on each side."))
def test_same_odd_kernel(learner, rng):
    """conv2d: "same" padding, 3x3 kernel, stride 1"""
    check_case(learner, rng, "same_odd")


@pytest.mark.points(1.5)
@pytest.mark.feedback(
    N_(
        "An even kernel needs an odd number of zeros: TensorFlow puts the extra one "
        "at the bottom (right)."
    )
)
def test_same_even_kernel(learner, rng):
    """conv2d: "same" padding with even kernels (2x4, 4x4): asymmetric padding"""
    check_case(learner, rng, "same_even")
    check_case(learner, rng, "same_even_square")


@pytest.mark.points(1.5)
@pytest.mark.feedback(
    N_(
        "With a stride, 'same' gives ceil(H / S) outputs and pads "
        "max((H_out - 1) * S + F - H, 0) zeros, the smaller half on top."
    )
)
def test_same_strided(learner, rng):
    """conv2d: "same" padding with strides 2 and (3, 2): asymmetric padding"""
    check_case(learner, rng, "same_strided")
    check_case(learner, rng, "same_strided_pair")


@pytest.mark.points(1)
@pytest.mark.feedback(
    N_(
        "With a stride larger than the kernel, 'same' may need no padding at all: "
        "the total is max((H_out - 1) * S + F - H, 0)."
    )
)
def test_same_stride_larger_than_kernel(learner, rng):
    """conv2d: "same" padding with strides larger than the kernel (no padding needed)"""
    check_case(learner, rng, "same_stride_over_kernel")
    check_case(learner, rng, "same_stride_over_kernel_square")


@pytest.mark.points(0.5)
def test_padding_any_case(learner, rng):
    """conv2d: padding "SAME" and "Valid" are accepted in any case"""
    check_case(learner, rng, "same_upper")
    check_case(learner, rng, "valid_mixed_case")


@pytest.mark.points(1)
@pytest.mark.feedback(N_("Images are often uint8 (0-255): sums of products leave that range."))
def test_uint8_input(learner, rng):
    """conv2d: a uint8 batch with signed weights does not overflow"""
    check_case(learner, rng, "uint8")


@pytest.mark.points(0.5)
def test_leaves_inputs_unchanged(learner, rng):
    """conv2d: x, the kernel and the bias are not modified"""
    case = FIXED_CASES["unchanged"]
    x, kernel, bias = case.arrays(rng)
    kwargs = {"strides": case.strides, "padding": case.padding}
    call = describe_call("conv2d", x, kernel, bias, **kwargs)
    got, after = learner.call_returning_args("conv2d", x, kernel, bias, **kwargs)
    judge_conv(learner, got, call, x, kernel, bias, case.strides, case.padding)
    check_unchanged([x, kernel, bias], after, call=call)


@pytest.mark.points(0.5)
@pytest.mark.parametrize("case", [1, 2])
def test_random_valid(learner, rng, case):
    """conv2d: random batches, channels, kernels and strides, "valid" padding"""
    for _repeat in range(2):
        config = random_case(rng)
        x, kernel, bias = config.arrays(rng)
        check_conv(learner, x, kernel, bias, config.strides)


def _describe_conv(case) -> str:
    x, kernel, bias, strides, padding = case
    lines = [
        describe_call("conv2d", x, kernel, bias=bias, strides=strides, padding=padding),
        show("x", x),
        show("kernel", kernel),
    ]
    return "\n".join(lines + ([show("bias", bias)] if bias is not None else []))


@pytest.mark.points(3)
def test_generated_cases(learner, run_seed):
    """conv2d: generated shapes, strides, paddings and dtypes against the reference"""
    run_property(
        conv_cases(),
        lambda case: check_conv(learner, *case),
        run_seed=run_seed,
        name="ex04.conv2d",
        describe=_describe_conv,
    )


@pytest.mark.points(1)
def test_invalid_arguments(learner, rng):
    """conv2d: wrong ndim, channel mismatch, bad bias, stride 0, unknown padding raise ValueError"""
    x, kernel = rng.normal(size=(1, 6, 6, 2)), rng.normal(size=(3, 3, 2, 2))
    cases = [
        ((x[0], kernel), {}, "a 3-D x"),
        ((x, kernel[:, :, :, 0]), {}, N_("a 3-D kernel")),
        (
            (x, rng.normal(size=(3, 3, 3, 2))),
            {},
            N_("a kernel for 3 input channels on a 2-channel x"),
        ),
        ((x, kernel), {"bias": np.ones(3)}, N_("3 biases for 2 filters")),
        ((x, kernel), {"strides": 0}, N_("stride 0")),
        ((x, kernel), {"strides": (1, 0)}, N_("a width stride of 0")),
        ((x, kernel), {"padding": "full"}, N_("an unknown padding")),
        ((x, rng.normal(size=(7, 3, 2, 2))), {}, N_("a 7-high kernel on a 6-high input")),
    ]
    for args, kwargs, problem in cases:
        expect_value_error(
            lambda: learner.conv2d(*args, **kwargs),
            describe_call("conv2d", *args, **kwargs),
            problem=problem,
        )
    bias = np.array([0.5, -1.0])
    expect_answer(
        lambda: learner.conv2d(x, kernel, bias, 2),
        describe_call("conv2d", x, kernel, bias, strides=2),
        ref.conv2d(x, kernel, bias, 2),
    )
