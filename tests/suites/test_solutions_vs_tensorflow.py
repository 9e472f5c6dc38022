"""The solutions against TensorFlow and Keras themselves, on the shapes the hidden suites use.

The hidden suites compare learners with independent NumPy references; these tests close the
loop by checking the solutions (which the suites check against those references) against
`tf.nn.conv2d`, `tf.pad`, `keras.layers.MaxPooling2D`, `compute_output_shape` and
`count_params`. Fixed cases come from each suite's `FIXED_CASES`, random ones from its own
case generator over many seeds. TensorFlow takes seconds to import, so all of this is slow.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import warnings
from types import ModuleType

import numpy as np
import pytest

from tests.conftest import SOLUTIONS

# The suites' grading marks (points, feedback, exercise) are registered by the grader's own
# pytest run, not by this one; importing the suites for their case tables is all we do here.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", pytest.PytestUnknownMarkWarning)
    import grader.exercises.ex02.hidden.test_hidden as suite_ex02
    import grader.exercises.ex03.hidden.test_hidden as suite_ex03
    import grader.exercises.ex04.hidden.test_hidden as suite_ex04
    import grader.exercises.ex05.hidden.test_hidden as suite_ex05

pytestmark = pytest.mark.slow

RANDOM_SEEDS = range(25)
RELATIVE_TOLERANCE = 1e-5  # docs/design.md#array-conventions


@pytest.fixture(scope="module")
def tf():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return pytest.importorskip("tensorflow")


@pytest.fixture(scope="module")
def keras(tf):
    return pytest.importorskip("keras")


def solution(file_name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        file_name.removesuffix(".py"), SOLUTIONS / file_name
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assert_close(got: np.ndarray, expected: np.ndarray) -> None:
    assert got.shape == expected.shape
    scale = max(1.0, float(np.max(np.abs(expected)))) if expected.size else 1.0
    np.testing.assert_allclose(
        got, expected, rtol=RELATIVE_TOLERANCE, atol=RELATIVE_TOLERANCE * scale
    )


def tf_conv(tf, x, kernel, bias=None, strides=1, padding="valid") -> np.ndarray:
    """tf.nn.conv2d(x, kernel, strides, padding.upper()) + bias, in float64."""
    s_h, s_w = (strides, strides) if isinstance(strides, int) else strides
    out = tf.nn.conv2d(
        np.asarray(x, np.float64), np.asarray(kernel, np.float64), [1, s_h, s_w, 1], padding.upper()
    ).numpy()
    return out if bias is None else out + bias


# ------------------------------------------------------------------ ex01 and ex02


def test_ex01_convolve2d_matches_tf(tf):
    ex01 = solution("ex01_convolution.py")
    for seed in RANDOM_SEEDS:
        rng = np.random.default_rng(seed)
        height, width = rng.integers(5, 13, size=2)
        f_h, f_w = rng.integers(1, 6, size=2)
        image, kernel = rng.normal(size=(height, width)), rng.normal(size=(f_h, f_w))
        expected = tf_conv(tf, image[None, :, :, None], kernel[:, :, None, None])[0, :, :, 0]
        assert_close(ex01.convolve2d(image, kernel), expected)


def test_ex02_sobel_matches_tf(tf):
    ex02 = solution("ex02_sobel.py")
    images = [suite_ex02.random_image(np.random.default_rng(seed)) for seed in RANDOM_SEEDS]
    images.append(np.random.default_rng(0).integers(0, 256, size=(9, 8)).astype(np.uint8))
    kernels = np.stack([ex02.SOBEL_X, ex02.SOBEL_Y], axis=-1)[:, :, None, :]
    for image in images:
        gx, gy, magnitude = ex02.sobel_edges(image)
        expected = tf_conv(tf, image[None, :, :, None], kernels)[0]
        assert_close(gx, expected[..., 0])
        assert_close(gy, expected[..., 1])
        assert_close(magnitude, tf.norm(expected, axis=-1).numpy())


# ------------------------------------------------------------------ ex03


def test_ex03_zero_pad_matches_tf_pad(tf):
    ex03 = solution("ex03_padding.py")
    rng = np.random.default_rng(3)
    for pad, dtype in itertools.product(
        [0, 1, 2, ((0, 2), (3, 1)), ((2, 0), (0, 1))], [np.uint8, np.int32, np.float32, np.float64]
    ):
        x = suite_ex03.random_batch(rng, dtype)
        (top, bottom), (left, right) = ((pad, pad), (pad, pad)) if isinstance(pad, int) else pad
        expected = tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]).numpy()
        got = ex03.zero_pad(x, pad)
        assert got.dtype == expected.dtype == x.dtype
        np.testing.assert_array_equal(got, expected)


def test_ex03_same_padding_is_what_tf_pads(tf):
    """'valid' convolution of the padded input equals TensorFlow's 'same' convolution."""
    ex03 = solution("ex03_padding.py")
    cases = list(suite_ex03.SAME_FIXED_CASES)
    for seed in RANDOM_SEEDS:
        rng = np.random.default_rng(seed)
        cases += [suite_ex03.random_same_case(rng, 1), suite_ex03.random_same_case(rng, 4)]
    rng = np.random.default_rng(0)
    for size, kernel_size, stride in cases:
        x = rng.normal(size=(1, size, 1, 1))
        kernel = rng.normal(size=(kernel_size, 1, 1, 1))
        before, after = ex03.same_padding(size, kernel_size, stride)
        padded = np.pad(x, ((0, 0), (before, after), (0, 0), (0, 0)))
        assert_close(
            tf_conv(tf, padded, kernel, strides=(stride, 1)),
            tf_conv(tf, x, kernel, strides=(stride, 1), padding="same"),
        )


# ------------------------------------------------------------------ ex04


def conv_cases():
    for name, case in suite_ex04.FIXED_CASES.items():
        yield name, case, (np.uint8 if name == "uint8" else np.float64)
    for seed in RANDOM_SEEDS:
        yield f"random-{seed}", suite_ex04.random_case(np.random.default_rng(seed)), np.float64


@pytest.mark.parametrize(
    ("name", "case", "dtype"), [pytest.param(*case, id=case[0]) for case in conv_cases()]
)
def test_ex04_conv2d_matches_tf(tf, name, case, dtype):
    ex04 = solution("ex04_stride.py")
    x, kernel, bias = case.arrays(np.random.default_rng(len(name)), dtype)
    got = ex04.conv2d(x, kernel, bias, case.strides, case.padding)
    assert_close(got, tf_conv(tf, x, kernel, bias, case.strides, case.padding))


def test_ex04_conv2d_matches_keras_conv2d_layer(keras):
    """The same kernel and bias in a Keras Conv2D layer give the same output."""
    ex04 = solution("ex04_stride.py")
    for name in ("same_strided_pair", "same_even", "stride_pair"):
        case = suite_ex04.FIXED_CASES[name]
        x, kernel, bias = case.arrays(np.random.default_rng(7))
        layer = keras.layers.Conv2D(
            kernel.shape[3],
            kernel.shape[:2],
            strides=case.strides,
            padding=case.padding.lower(),
            dtype="float64",
        )
        layer.build(x.shape)
        layer.set_weights([kernel, bias])
        assert_close(ex04.conv2d(x, kernel, bias, case.strides, case.padding), np.asarray(layer(x)))


# ------------------------------------------------------------------ ex05


def pool_cases():
    yield from suite_ex05.FIXED_CASES.items()
    for seed in RANDOM_SEEDS:
        yield f"random-{seed}", suite_ex05.random_case(np.random.default_rng(seed))


@pytest.mark.parametrize(
    ("name", "case"), [pytest.param(*case, id=case[0]) for case in pool_cases()]
)
def test_ex05_max_pool2d_matches_keras(keras, name, case):
    ex05 = solution("ex05_pooling.py")
    x = case.array(np.random.default_rng(len(name)))
    layer = keras.layers.MaxPooling2D(case.pool_size, case.strides, case.padding.lower())
    expected = np.asarray(layer(x.astype(np.float32)))
    got = ex05.max_pool2d(x, case.pool_size, case.strides, case.padding)
    assert_close(got, expected)
    assert got.dtype.kind == "f"


def test_ex05_max_pool2d_matches_tf_max_pool(tf):
    ex05 = solution("ex05_pooling.py")
    x = np.random.default_rng(5).normal(size=(2, 9, 8, 3)).astype(np.float32)
    for pool, strides, padding in (
        ((2, 2), (2, 2), "VALID"),
        ((3, 3), (2, 2), "SAME"),
        ((2, 4), (2, 3), "SAME"),
        ((3, 2), (1, 2), "VALID"),
    ):
        expected = tf.nn.max_pool2d(x, pool, strides, padding).numpy()
        assert_close(ex05.max_pool2d(x, pool, strides, padding), expected)


# ------------------------------------------------------------------ ex06


def test_ex06_shapes_match_compute_output_shape(keras):
    ex06 = solution("ex06_output_size.py")
    for seed in RANDOM_SEEDS:
        rng = np.random.default_rng(seed)
        kernel = (int(rng.integers(1, 6)), int(rng.integers(1, 6)))
        strides = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
        input_shape = (
            int(rng.integers(kernel[0], 40)),
            int(rng.integers(kernel[1], 40)),
            int(rng.integers(1, 8)),
        )
        filters = int(rng.integers(1, 65))
        for padding in ("valid", "same"):
            layer = keras.layers.Conv2D(filters, kernel, strides=strides, padding=padding)
            expected = tuple(layer.compute_output_shape((None, *input_shape))[1:])
            assert (
                ex06.conv_output_shape(input_shape, filters, kernel, strides, padding) == expected
            )
            pool_strides = None if seed % 3 == 0 else strides
            pooling = keras.layers.MaxPooling2D(kernel, pool_strides, padding)
            expected = tuple(pooling.compute_output_shape((None, *input_shape))[1:])
            assert ex06.pool_output_shape(input_shape, kernel, pool_strides, padding) == expected


def test_ex06_param_counts_match_count_params(keras):
    ex06 = solution("ex06_output_size.py")
    for seed in RANDOM_SEEDS:
        rng = np.random.default_rng(seed)
        kernel = (int(rng.integers(1, 8)), int(rng.integers(1, 8)))
        in_channels, filters = int(rng.integers(1, 65)), int(rng.integers(1, 129))
        use_bias = bool(seed % 2)
        conv = keras.layers.Conv2D(filters, kernel, use_bias=use_bias)
        conv.build((None, 16, 16, in_channels))
        assert (
            ex06.conv2d_param_count(kernel, in_channels, filters, use_bias) == conv.count_params()
        )
        in_features, units = int(rng.integers(1, 5000)), int(rng.integers(1, 300))
        dense = keras.layers.Dense(units, use_bias=use_bias)
        dense.build((None, in_features))
        assert ex06.dense_param_count(in_features, units, use_bias) == dense.count_params()
