"""Hidden tests for ex06: random sizes against Keras' rules, uneven strides, bad arguments.

Random cases come from the run's seed (the `rng` fixture), so a report's seed replays them;
so do the generated cases of the property test (hypothesis, seeded from the run). The few
fixed cases show specific mistakes; each test that checks them also checks random cases, so
its points rest on those, and a table of answers from earlier gradings earns nothing. The
course's own examples are public (grader/exercises/ex06/test_public.py).
"""

import pytest

from grader.checks import (
    Misconception,
    check_exact,
    describe_call,
    expect_answer,
    expect_value_error,
    named_by,
)
from grader.exercises.ex06.hidden.diagnosis import (
    answer,
    check_pool_shape,
    check_shape,
    pool_misconceptions,
    size_misconceptions,
)
from grader.exercises.ex06.hidden.reference import (
    conv_params,
    conv_shape,
    dense_params,
    pool_shape,
    window_count,
)
from grader.exercises.hidden.cases import layer_shape_cases, output_size_cases, param_count_cases
from grader.exercises.hidden.properties import run_property
from grader.exercises.hidden.windows import pair
from grader.failures import LearnerFailure
from grader.i18n import N_

pytestmark = pytest.mark.exercise("ex06")


def check_size(learner, size, kernel, stride, padding):
    check_exact(
        learner.conv_output_size(size, kernel, stride, padding),
        window_count(size, kernel, stride, padding),
        call=describe_call("conv_output_size", size, kernel, stride, padding),
        misconceptions=size_misconceptions(size, kernel, stride, padding),
    )


def check_param_count(learner, kernel, in_channels, filters, use_bias) -> None:
    f_h, f_w = pair(kernel)
    weights = f_h * f_w * in_channels * filters
    misconceptions = [
        Misconception(N_("the bias is missing: one per filter"), weights),
        Misconception(N_("bias is counted even though use_bias=False"), weights + filters),
        Misconception(
            N_("the input channels are missing: each filter spans all C_in"),
            f_h * f_w * filters + (filters if use_bias else 0),
        ),
        Misconception(
            N_(
                "you gave each input channel of a filter its own bias; a filter has one "
                "bias, so K biases in all"
            ),
            weights + in_channels * filters,
        ),
    ]
    if isinstance(kernel, int):
        misconceptions.append(
            Misconception(
                N_(
                    "an int kernel_size F means an F x F kernel: F * F weights per input channel, not F"
                ),
                kernel * in_channels * filters + (filters if use_bias else 0),
            )
        )
    check_exact(
        answer(lambda: learner.conv2d_param_count(kernel, in_channels, filters, use_bias)),
        conv_params(kernel, in_channels, filters, use_bias),
        call=describe_call("conv2d_param_count", kernel, in_channels, filters, use_bias),
        misconceptions=misconceptions,
    )


@pytest.mark.points(0.5)
@pytest.mark.feedback(
    N_(
        "W_out = (W - F + 2P) // S + 1: conv_output_size(32, 5) is 28 and "
        "conv_output_size(32, 3, 1, 1) is 32."
    )
)
@pytest.mark.parametrize("case", [1, 2])
def test_conv_output_size_random(learner, rng, case):
    """conv_output_size: random sizes, kernels, strides and paddings"""
    for _repeat in range(6):
        kernel = int(rng.integers(1, 8))
        padding = int(rng.integers(0, 4))
        size = int(rng.integers(max(1, kernel - 2 * padding), 65))
        check_size(learner, size, kernel, int(rng.integers(1, 5)), padding)


@pytest.mark.points(1)
@pytest.mark.feedback(
    N_(
        "When the stride does not divide W - F + 2P, the last partial step is dropped: "
        "floor division //, then + 1."
    )
)
def test_conv_output_size_uneven_stride(learner, rng):
    """conv_output_size: strides that do not divide W - F + 2P evenly"""
    cases = [(7, 2, 2, 0), (10, 3, 4, 1), (227, 11, 4, 0), (5, 4, 3, 0)]
    while len(cases) < 10:
        kernel, padding, stride = (
            int(rng.integers(1, 8)),
            int(rng.integers(0, 3)),
            int(rng.integers(2, 6)),
        )
        size = int(rng.integers(max(1, kernel - 2 * padding), 65))
        if (size - kernel + 2 * padding) % stride:
            cases.append((size, kernel, stride, padding))
    for size, kernel, stride, padding in cases:
        check_size(learner, size, kernel, stride, padding)


@pytest.mark.points(1)
def test_conv_output_size_invalid(learner, rng):
    """conv_output_size: a kernel that does not fit, stride 0, negative padding raise ValueError"""
    for args, problem in (
        ((4, 5, 1, 0), N_("the kernel does not fit")),
        ((8, 3, 0, 0), N_("stride 0")),
        ((8, 3, 1, -1), N_("negative padding")),
        ((0, 1, 1, 0), N_("size 0")),
    ):
        expect_value_error(
            lambda: learner.conv_output_size(*args),
            describe_call("conv_output_size", *args),
            problem=problem,
        )
    kernel, stride, padding = (
        int(rng.integers(1, 8)),
        int(rng.integers(1, 5)),
        int(rng.integers(0, 3)),
    )
    size = int(rng.integers(max(1, kernel - 2 * padding), 65))
    expect_answer(
        lambda: learner.conv_output_size(size, kernel, stride, padding),
        describe_call("conv_output_size", size, kernel, stride, padding),
        window_count(size, kernel, stride, padding),
    )


@pytest.mark.points(1)
@pytest.mark.feedback(
    N_(
        "Keras gives (H - F_h) // S_h + 1 rows for 'valid' and ceil(H / S_h) for "
        "'same' (the same for W), and one channel per filter: "
        "conv_output_shape((32, 32, 3), 10, 5) is (28, 28, 10)."
    )
)
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_conv_output_shape_random(learner, rng, padding):
    """conv_output_shape: random shapes, (h, w) kernels and strides, as Keras computes them"""
    for _repeat in range(5):
        kernel = (int(rng.integers(1, 6)), int(rng.integers(1, 6)))
        strides = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
        input_shape = (
            int(rng.integers(kernel[0], 40)),
            int(rng.integers(kernel[1], 40)),
            int(rng.integers(1, 8)),
        )
        filters = int(rng.integers(1, 65))
        case_padding = padding.upper() if rng.random() < 0.3 else padding
        check_shape(learner, input_shape, filters, kernel, strides, case_padding)


@pytest.mark.points(1)
@pytest.mark.feedback(
    N_(
        "With 'same' padding Keras pads just enough for ceil(W / S) outputs, "
        "even for an even kernel."
    )
)
def test_conv_output_shape_same_strided(learner, rng):
    """conv_output_shape: 'same' padding with strides > 1 and even kernels"""
    cases = [((7, 7, 1), 3, 2), ((8, 5, 2), 2, 2), ((28, 27, 3), 4, (3, 2))]
    for _repeat in range(4):
        kernel = (2 * int(rng.integers(1, 4)), 2 * int(rng.integers(1, 4)))
        input_shape = (
            int(rng.integers(kernel[0], 40)),
            int(rng.integers(kernel[1], 40)),
            int(rng.integers(1, 8)),
        )
        cases.append((input_shape, kernel, (int(rng.integers(2, 5)), int(rng.integers(2, 5)))))
    for input_shape, kernel, strides in cases:
        check_shape(learner, input_shape, int(rng.integers(1, 65)), kernel, strides, "same")


@pytest.mark.points(1)
@pytest.mark.feedback(N_("MaxPooling2D with strides=None moves by the pool size."))
def test_pool_output_shape_defaults(learner, rng):
    """pool_output_shape: default 2x2 pooling halves H and W (rounding down) and keeps C"""
    shapes = [(28, 28, 10), (7, 7, 3), (5, 8, 1)]
    shapes += [
        tuple(int(size) for size in rng.integers((2, 2, 1), (60, 60, 33))) for _repeat in range(4)
    ]
    honoured = strides_honoured(learner)
    for input_shape in shapes:
        check_exact(
            learner.pool_output_shape(input_shape),
            pool_shape(input_shape),
            call=describe_call("pool_output_shape", input_shape),
            misconceptions=pool_misconceptions(input_shape, (2, 2), None, "valid", honoured),
        )


def strides_honoured(learner) -> bool | None:
    """Whether the learner's pool_output_shape moves by strides it is given (None: unknown)."""
    try:
        got = learner.pool_output_shape((28, 28, 10), 2, 2)
    except LearnerFailure:
        return None
    # named_by, never `==`: an array answer would make `==` an array, not a bool
    return bool(named_by(got, [Misconception("strided", pool_shape((28, 28, 10), 2, 2))]))


@pytest.mark.points(1)
@pytest.mark.feedback(
    N_(
        "A pooling window slides like a kernel of size pool_size (strides=None moves "
        "it by the pool size) and keeps the depth C."
    )
)
def test_pool_output_shape_random(learner, rng):
    """pool_output_shape: random pools, strides and paddings"""
    for _repeat in range(6):
        pool = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
        strides = None if rng.random() < 0.4 else (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
        padding = "same" if rng.random() < 0.5 else "valid"
        input_shape = (
            int(rng.integers(pool[0], 30)),
            int(rng.integers(pool[1], 30)),
            int(rng.integers(1, 17)),
        )
        check_pool_shape(learner, input_shape, pool, strides, padding)


@pytest.mark.points(1)
@pytest.mark.feedback(
    N_(
        "Each filter has F_h * F_w * C_in weights and one bias: "
        "conv2d_param_count(5, 3, 10) is 5 * 5 * 3 * 10 + 10 = 760."
    )
)
def test_conv2d_param_count(learner, rng):
    """conv2d_param_count: random layers, with and without bias, an int kernel size too"""
    for index in range(6):
        pair_of_sizes = (int(rng.integers(1, 8)), int(rng.integers(1, 8)))
        kernel = int(rng.integers(2, 8)) if index == 0 else pair_of_sizes
        in_channels, filters = int(rng.integers(2, 65)), int(rng.integers(1, 129))
        check_param_count(
            learner, kernel, in_channels, filters, bool(index == 0 or rng.random() < 0.7)
        )


@pytest.mark.points(1)
@pytest.mark.feedback(
    N_(
        "A dense layer has in_features * units weights and one bias per unit: "
        "dense_param_count(4096, 1) is 4097."
    )
)
def test_dense_param_count(learner, rng):
    """dense_param_count: random layers, with and without bias (64x64 grey = 4,096 inputs)"""
    without_bias = (int(rng.integers(1, 5000)), int(rng.integers(2, 300)), False)
    cases = [(4096, 1, True), (12288, 1, True), without_bias] + [
        (int(rng.integers(1, 5000)), int(rng.integers(1, 300)), bool(rng.random() < 0.7))
        for _repeat in range(3)
    ]
    for in_features, units, use_bias in cases:
        check_exact(
            learner.dense_param_count(in_features, units, use_bias),
            dense_params(in_features, units, use_bias),
            call=describe_call("dense_param_count", in_features, units, use_bias),
            misconceptions=[
                Misconception(N_("the bias is missing: one per unit"), in_features * units),
                Misconception(
                    N_("the biases are counted even though use_bias=False"),
                    in_features * units + units,
                ),
            ],
        )


@pytest.mark.points(2.25)
def test_generated_cases(learner, run_seed):
    """conv_output_size, conv_output_shape, conv2d_param_count: generated arguments"""
    for function, strategy, check in (
        ("conv_output_size", output_size_cases, check_size),
        ("conv_output_shape", layer_shape_cases, check_shape),
        ("conv2d_param_count", param_count_cases, check_param_count),
    ):
        run_property(
            strategy(),
            lambda case: check(learner, *case),
            run_seed=run_seed,
            name=f"ex06.{function}",
            describe=lambda case: describe_call(function, *case),
        )


@pytest.mark.points(0.5)
def test_shapes_invalid(learner, rng):
    """conv_output_shape and pool_output_shape: bad padding, stride 0 or a 2-D shape raise ValueError"""
    cases = [
        (
            lambda: learner.conv_output_shape((9, 9, 1), 4, 3, 1, "full"),
            "conv_output_shape((9, 9, 1), 4, 3, 1, 'full')",
            N_("an unknown padding"),
        ),
        (
            lambda: learner.conv_output_shape((9, 9, 1), 4, 3, 0),
            "conv_output_shape((9, 9, 1), 4, 3, 0)",
            N_("stride 0"),
        ),
        (
            lambda: learner.conv_output_shape((2, 9, 1), 4, 3),
            "conv_output_shape((2, 9, 1), 4, 3)",
            N_("a 3-high kernel on a 2-high input"),
        ),
        (
            lambda: learner.pool_output_shape((9, 9), 2),
            "pool_output_shape((9, 9), 2)",
            N_("a shape without channels"),
        ),
    ]
    for call, description, problem in cases:
        expect_value_error(call, description, problem=problem)
    kernel, strides, filters = (
        int(rng.integers(1, 6)),
        int(rng.integers(1, 4)),
        int(rng.integers(1, 65)),
    )
    input_shape = (
        int(rng.integers(kernel, 40)),
        int(rng.integers(kernel, 40)),
        int(rng.integers(1, 8)),
    )
    expect_answer(
        lambda: learner.conv_output_shape(input_shape, filters, kernel, strides),
        describe_call("conv_output_shape", input_shape, filters, kernel, strides),
        conv_shape(input_shape, filters, kernel, strides),
    )
