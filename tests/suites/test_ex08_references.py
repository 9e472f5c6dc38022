"""ex08's hidden reference against a numerical gradient (NumPy) and TensorFlow's GradientTape.

The hidden suite grades against `ref_ex08` without TensorFlow; these tests close the loop on
exactly the suite's cases (`CONV_CASES`, `POOL_CASES`, `random_conv_case` over many seeds):
central differences of ex04's and ex05's forward references, and GradientTape (slow). The
solution is checked against GradientTape too, and each mistake candidate is shown to differ
from the right answer somewhere, so none of the named mistakes is a no-op.
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest

from grader.exercises.ex04.hidden import reference as ref_ex04
from grader.exercises.ex05.hidden import reference as ref_ex05
from grader.exercises.ex08.hidden import reference as ref_ex08
from grader.exercises.ex08.hidden.diagnosis import input_mistakes, kernel_mistakes, pool_mistakes
from grader.exercises.hidden.windows import pair
from tests.suites.test_solutions_vs_tensorflow import assert_close, solution

with warnings.catch_warnings():
    warnings.simplefilter("ignore", pytest.PytestUnknownMarkWarning)
    import grader.exercises.ex08.hidden.test_hidden as suite

RANDOM_SEEDS = range(20)
STEP = 1e-3  # central differences of a (piecewise) linear function are exact up to rounding


def numerical_gradient(forward, value: np.ndarray, d_out: np.ndarray) -> np.ndarray:
    """d/d value of sum(d_out * forward(value)), one cell at a time."""
    gradient = np.zeros(value.shape)
    for index in np.ndindex(value.shape):
        up, down = value.copy(), value.copy()
        up[index] += STEP
        down[index] -= STEP
        gradient[index] = np.sum(d_out * (forward(up) - forward(down))) / (2 * STEP)
    return gradient


def conv_cases():
    rng = np.random.default_rng(0)
    for name, case in suite.CONV_CASES.items():
        yield name, case, *case.arrays(rng)
    for seed in RANDOM_SEEDS:
        rng = np.random.default_rng(seed)
        case = suite.random_conv_case(rng)
        yield f"random {seed}", case, *case.arrays(rng)


def pool_cases():
    rng = np.random.default_rng(0)
    for name, case in suite.POOL_CASES.items():
        yield name, case, *case.arrays(rng)


@pytest.mark.parametrize("name", [*suite.CONV_CASES, "random 0", "random 7"])
def test_conv_reference_matches_a_numerical_gradient(name):
    _name, case, d_out, x, kernel = next(item for item in conv_cases() if item[0] == name)
    x = x.astype(np.float64)

    def forward(x_, k_):
        return ref_ex04.conv2d(x_, k_, None, case.strides, case.padding)

    d_x, d_kernel, d_bias = ref_ex08.conv_backward(d_out, x, kernel, case.strides, case.padding)
    assert_close(d_x, numerical_gradient(lambda v: forward(v, kernel), x, d_out))
    assert_close(d_kernel, numerical_gradient(lambda v: forward(x, v), kernel, d_out))
    assert_close(
        d_bias,
        numerical_gradient(
            lambda v: ref_ex04.conv2d(x, kernel, v, case.strides, case.padding),
            np.zeros(kernel.shape[3]),
            d_out,
        ),
    )


@pytest.mark.parametrize("name", [name for name in suite.POOL_CASES if name != "ties"])
def test_pool_reference_matches_a_numerical_gradient(name):
    case = suite.POOL_CASES[name]
    d_out, _x = case.arrays(np.random.default_rng(1))
    # Distinct values, so that no nudge changes which cell wins a window.
    x = np.random.default_rng(2).permutation(np.prod(case.x_shape)).reshape(case.x_shape) - 40.0

    def forward(v):
        return ref_ex05.max_pool(v, case.pool_size, case.strides, case.padding)

    assert_close(
        ref_ex08.max_pool_backward(d_out, x, case.pool_size, case.strides, case.padding),
        numerical_gradient(forward, x, d_out),
    )


def test_every_named_mistake_differs_from_the_right_answer_somewhere():
    differs: dict[str, bool] = {}
    for _name, case, d_out, x, kernel in conv_cases():
        right = ref_ex08.conv_backward(d_out, x, kernel, case.strides, case.padding)
        found, _shapes = input_mistakes(d_out, x, kernel, case.strides, case.padding)
        for mistake in found:
            same = np.shape(mistake.candidate) == right[0].shape and np.allclose(
                mistake.candidate, right[0]
            )
            differs[mistake.feedback[:40]] = differs.get(mistake.feedback[:40], False) or not same
        for mistake in kernel_mistakes(d_out, x, kernel, case.strides, case.padding):
            differs[mistake.feedback[:40]] = differs.get(
                mistake.feedback[:40], False
            ) or not np.allclose(mistake.candidate, right[1])
    for _name, case, d_out, x in pool_cases():
        right = ref_ex08.max_pool_backward(d_out, x, case.pool_size, case.strides, case.padding)
        for mistake in pool_mistakes(d_out, x, case.pool_size, case.strides, case.padding):
            differs[mistake.feedback[:40]] = differs.get(
                mistake.feedback[:40], False
            ) or not np.allclose(mistake.candidate, right)
    assert len(differs) >= 12 and all(differs.values()), differs


@pytest.fixture(scope="module")
def tf():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return pytest.importorskip("tensorflow")


def tape_conv(tf, d_out, x, kernel, strides, padding):
    x_t, kernel_t = tf.constant(x, tf.float64), tf.constant(kernel, tf.float64)
    bias_t = tf.constant(np.zeros(kernel.shape[3]), tf.float64)
    with tf.GradientTape() as tape:
        tape.watch([x_t, kernel_t, bias_t])
        out = tf.nn.conv2d(x_t, kernel_t, pair(strides), padding.upper()) + bias_t
        loss = tf.reduce_sum(out * d_out)
    return [value.numpy() for value in tape.gradient(loss, [x_t, kernel_t, bias_t])]


@pytest.mark.slow
def test_conv_reference_and_solution_match_gradient_tape(tf):
    ex08 = solution("ex08_backprop.py")
    for _name, case, d_out, x, kernel in conv_cases():
        expected = tape_conv(tf, d_out, x.astype(np.float64), kernel, case.strides, case.padding)
        for got in (
            ref_ex08.conv_backward(d_out, x, kernel, case.strides, case.padding),
            ex08.conv_backward(d_out, x, kernel, case.strides, case.padding),
        ):
            for part, want in zip(got, expected):
                assert_close(part, want)


@pytest.mark.slow
def test_pool_reference_and_solution_match_gradient_tape(tf):
    ex08 = solution("ex08_backprop.py")
    for _name, case, d_out, x in pool_cases():
        strides = case.pool_size if case.strides is None else case.strides
        x_t = tf.constant(x, tf.float64)
        with tf.GradientTape() as tape:
            tape.watch(x_t)
            loss = tf.reduce_sum(
                tf.nn.max_pool2d(x_t, pair(case.pool_size), pair(strides), case.padding.upper())
                * d_out
            )
        expected = tape.gradient(loss, x_t).numpy()
        args = (d_out, x, case.pool_size, case.strides, case.padding)
        assert_close(ref_ex08.max_pool_backward(*args), expected)
        assert_close(ex08.max_pool_backward(*args), expected)
