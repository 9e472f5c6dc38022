"""Hidden tests for ex05: pool shapes and strides, "same" padding over negatives, uint8, errors.

Every case comes from the run's seed: the arrays of each configuration from the `rng`
fixture, the generated cases of the property test from hypothesis, seeded from the run. A
report's seed replays them, and a table of answers from earlier gradings earns nothing. The
fixed configurations are listed in `FIXED_CASES` and the random ones drawn by `random_case`, so the
project's own tests can check the solution against Keras on exactly these shapes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from grader.checks import (
    check_array,
    check_unchanged,
    describe_call,
    expect_answer,
    expect_value_error,
)
from grader.exercises.ex05.hidden import reference as ref
from grader.exercises.ex05.hidden.diagnosis import check_pool, pool_mistakes
from grader.exercises.hidden.cases import pool_cases
from grader.exercises.hidden.properties import run_property, show
from grader.i18n import N_

pytestmark = pytest.mark.exercise("ex05")


@dataclass(frozen=True)
class PoolCase:
    """One configuration: input (N, H, W, C), pool size, strides (None: the pool size), padding."""

    x_shape: tuple[int, int, int, int]
    pool_size: int | tuple[int, int] = (2, 2)
    strides: int | tuple[int, int] | None = None
    padding: str = "valid"
    values: str = "normal"  # "normal", "negative" (every value < 0) or "uint8"

    def array(self, rng: np.random.Generator) -> np.ndarray:
        if self.values == "uint8":
            return rng.integers(0, 256, size=self.x_shape).astype(np.uint8)
        x = rng.normal(size=self.x_shape)
        return -1.0 - np.abs(x) if self.values == "negative" else x

    def kwargs(self) -> dict:
        return {"pool_size": self.pool_size, "strides": self.strides, "padding": self.padding}


FIXED_CASES = {
    "pool_pair": PoolCase((2, 7, 9, 2), (2, 3)),
    "stride_height": PoolCase((1, 8, 6, 3), 2, (2, 1)),
    "stride_width": PoolCase((2, 6, 9, 1), (3, 2), (1, 2)),
    "overlapping": PoolCase((1, 9, 9, 2), 3, 2),
    "exact_fit": PoolCase((1, 10, 7, 2), (4, 3), (3, 2)),
    "negative_valid": PoolCase((2, 6, 6, 3), 2, None, "valid", "negative"),
    "negative_same": PoolCase((1, 5, 7, 2), 2, None, "same", "negative"),
    "negative_same_strided": PoolCase((2, 7, 6, 1), 3, 2, "same", "negative"),
    "same_even": PoolCase((1, 8, 9, 2), (2, 4), (2, 3), "same"),
    "same_stride_1": PoolCase((1, 6, 5, 3), (2, 3), 1, "SAME"),
    "uint8": PoolCase((1, 6, 6, 3), 2, None, "valid", "uint8"),
    "unchanged": PoolCase((2, 5, 5, 2), 2, 1, "same"),
    "batch": PoolCase((3, 6, 6, 2), 2),
    "batch_same": PoolCase((2, 5, 7, 1), 3, 2, "same", "negative"),
    # Strides larger than the pool: TensorFlow's total before max(..., 0) is -1 here.
    "same_stride_over_pool": PoolCase((1, 11, 8, 2), (2, 1), (4, 3), "same"),
    "same_stride_over_pool_square": PoolCase((2, 8, 8, 1), 2, 4, "same", "negative"),
}


def random_case(rng: np.random.Generator) -> PoolCase:
    """A random "valid" configuration; a third of them leave strides=None."""
    f_h, f_w = (int(size) for size in rng.integers(1, 4, size=2))
    strides = None if rng.random() < 0.34 else (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    shape = (
        int(rng.integers(1, 3)),
        int(rng.integers(f_h, 11)),
        int(rng.integers(f_w, 11)),
        int(rng.integers(1, 5)),
    )
    return PoolCase(shape, (f_h, f_w), strides)


def check_case(learner, rng, name: str) -> None:
    case = FIXED_CASES[name]
    check_pool(learner, case.array(rng), **case.kwargs())


@pytest.mark.points(0.5)
@pytest.mark.parametrize("case", [1, 2])
def test_random_valid(learner, rng, case):
    """max_pool2d: random batches, channels, pools and strides, "valid" padding"""
    for _repeat in range(2):
        config = random_case(rng)
        check_pool(learner, config.array(rng), **config.kwargs())


@pytest.mark.points(0.5)
@pytest.mark.feedback(
    N_(
        "pool_size=(2, 3) is 2 rows by 3 columns; with strides=None it also moves "
        "2 rows down and 3 columns across."
    )
)
def test_pool_pair(learner, rng):
    """max_pool2d: a 2x3 pool with strides=None"""
    check_case(learner, rng, "pool_pair")


@pytest.mark.points(0.5)
@pytest.mark.feedback(N_("strides=(2, 1) moves the window 2 rows down but 1 column across."))
def test_stride_height_only(learner, rng):
    """max_pool2d: stride 2 on the height only"""
    check_case(learner, rng, "stride_height")


@pytest.mark.points(0.5)
@pytest.mark.feedback(N_("strides=(1, 2) moves the window 1 row down but 2 columns across."))
def test_stride_width_only(learner, rng):
    """max_pool2d: stride 2 on the width only"""
    check_case(learner, rng, "stride_width")


@pytest.mark.points(1)
@pytest.mark.feedback(
    N_(
        "When (H - F) is a multiple of S the last window ends exactly on the last "
        "row: it counts. Windows may also overlap (3x3 with stride 2)."
    )
)
def test_overlapping_and_exact_fit(learner, rng):
    """max_pool2d: overlapping 3x3 windows with stride 2, and a last window that fits exactly"""
    check_case(learner, rng, "overlapping")
    check_case(learner, rng, "exact_fit")


@pytest.mark.points(0.5)
@pytest.mark.feedback(N_("The max of negative values is negative: do not start the max from 0."))
def test_all_negative(learner, rng):
    """max_pool2d: every value negative"""
    check_case(learner, rng, "negative_valid")


@pytest.mark.points(1.5)
@pytest.mark.feedback(
    N_(
        "'same' pooling pads with -inf in effect: a padded cell never wins, even "
        "where every real value is negative."
    )
)
def test_same_all_negative(learner, rng):
    """max_pool2d: "same" padding over negative values never lets a padded cell win"""
    check_case(learner, rng, "negative_same")
    check_case(learner, rng, "negative_same_strided")


@pytest.mark.points(1.5)
@pytest.mark.feedback(
    N_(
        "'same' gives ceil(H / S) outputs and pads max((H_out - 1) * S + F - H, 0), "
        "the smaller half on the top/left."
    )
)
def test_same_asymmetric(learner, rng):
    """max_pool2d: "same" padding with even pools and strides > 1: asymmetric padding"""
    check_case(learner, rng, "same_even")
    check_case(learner, rng, "same_stride_1")


@pytest.mark.points(0.5)
@pytest.mark.feedback(N_("Pooling returns floating point, even for a uint8 image."))
def test_uint8_input(learner, rng):
    """max_pool2d: a uint8 batch gives a floating result"""
    check_case(learner, rng, "uint8")


@pytest.mark.points(0.5)
def test_leaves_input_unchanged(learner, rng):
    """max_pool2d: the batch is not modified"""
    case = FIXED_CASES["unchanged"]
    x = case.array(rng)
    call = describe_call("max_pool2d", x, **case.kwargs())
    got, after = learner.call_returning_args("max_pool2d", x, **case.kwargs())
    misconceptions, shapes = pool_mistakes(x, case.pool_size, case.strides, case.padding)
    check_array(
        got,
        ref.max_pool(x, case.pool_size, case.strides, case.padding),
        call=call,
        floating=True,
        misconceptions=misconceptions,
        shape_feedback=shapes,
    )
    check_unchanged([x], after, call=call)


@pytest.mark.points(1)
@pytest.mark.feedback(
    N_("Each image of a batch is pooled on its own: reduce the window's H and W, never N.")
)
def test_batch_of_images(learner, rng):
    """max_pool2d: a batch of three images (and of two, with "same"), each pooled on its own"""
    check_case(learner, rng, "batch")
    check_case(learner, rng, "batch_same")


@pytest.mark.points(1)
@pytest.mark.feedback(
    N_(
        "With a stride larger than the pool, 'same' may need no padding at all: "
        "the total is max((H_out - 1) * S + F - H, 0)."
    )
)
def test_same_stride_larger_than_pool(learner, rng):
    """max_pool2d: "same" padding with strides larger than the pool (no padding needed)"""
    check_case(learner, rng, "same_stride_over_pool")
    check_case(learner, rng, "same_stride_over_pool_square")


def _describe_pool(case) -> str:
    x, pool_size, strides, padding = case
    return "\n".join(
        [
            describe_call("max_pool2d", x, pool_size=pool_size, strides=strides, padding=padding),
            show("x", x),
        ]
    )


@pytest.mark.points(2.25)
def test_generated_cases(learner, run_seed):
    """max_pool2d: generated shapes, pools, strides, paddings and dtypes against the reference"""
    run_property(
        pool_cases(),
        lambda case: check_pool(learner, *case),
        run_seed=run_seed,
        name="ex05.max_pool2d",
        describe=_describe_pool,
    )


@pytest.mark.points(0.5)
def test_invalid_arguments(learner, rng):
    """max_pool2d: a 3-D x, pool or stride 0, unknown padding, a pool larger than x raise ValueError"""
    x = rng.normal(size=(1, 4, 5, 2))
    cases = [
        ((x[0],), {}, "a 3-D x"),
        ((x,), {"pool_size": 0}, N_("pool size 0")),
        ((x,), {"pool_size": (2, 0)}, N_("a pool 0 wide")),
        ((x,), {"strides": 0}, N_("stride 0")),
        ((x,), {"padding": "full"}, N_("an unknown padding")),
        ((x,), {"pool_size": (5, 2)}, N_("a 5-high pool on a 4-high input")),
    ]
    for args, kwargs, problem in cases:
        expect_value_error(
            lambda: learner.max_pool2d(*args, **kwargs),
            describe_call("max_pool2d", *args, **kwargs),
            problem=problem,
        )
    expect_answer(
        lambda: learner.max_pool2d(x, 2, 1),
        describe_call("max_pool2d", x, 2, 1),
        ref.max_pool(x, 2, 1),
    )
