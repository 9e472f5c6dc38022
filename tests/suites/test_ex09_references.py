"""ex09's hidden reference (and the solution) against Keras itself, on the suite's cases.

- receptive field: a stack of Keras Conv2D layers with all-ones kernels, one per (F, S); the
  gradient of one output unit with respect to the input is non-zero exactly on its field;
- multiply-adds: Keras' output shape times the layer's weights (`count_params` minus biases);
- 1x1 convolution: a Keras Conv2D(C_out, 1) holding the same kernel and bias.
TensorFlow takes seconds to import, so this is slow.
"""

from __future__ import annotations

import math
import os
import warnings

import numpy as np
import pytest

from grader.exercises.ex09.hidden import reference as ref_ex09
from tests.suites.test_solutions_vs_tensorflow import assert_close, solution

with warnings.catch_warnings():
    warnings.simplefilter("ignore", pytest.PytestUnknownMarkWarning)
    import grader.exercises.ex09.hidden.test_hidden as suite

pytestmark = pytest.mark.slow
RANDOM_SEEDS = range(12)


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    pytest.importorskip("tensorflow")
    return pytest.importorskip("keras")


def keras_field(keras, layers) -> int:
    """The rows of a long 1-column input that one middle output unit depends on."""
    import tensorflow as tf

    jump = math.prod(stride for _size, stride in layers)
    length = 4 * ref_ex09.receptive_field(layers) + 4 * jump
    model = keras.Sequential(
        [keras.Input((length, 1, 1))]
        + [
            keras.layers.Conv2D(
                1, (size, 1), strides=(stride, 1), use_bias=False, kernel_initializer="ones"
            )
            for size, stride in layers
        ]
    )
    x = tf.Variable(np.ones((1, length, 1, 1), dtype=np.float32))
    with tf.GradientTape() as tape:
        out = model(x)
        unit = out[0, out.shape[1] // 2, 0, 0]
    rows = np.flatnonzero(tape.gradient(unit, x).numpy()[0, :, 0, 0])
    return int(rows[-1] - rows[0] + 1)


def layer_stacks():
    yield from suite.FIELD_CASES.values()
    for seed in RANDOM_SEEDS:
        rng = np.random.default_rng(seed)
        yield from (
            suite.random_layers(rng),
            suite.random_unstrided(rng),
            suite.random_strided(rng),
        )


def test_receptive_field_matches_keras_gradients(keras):
    ex09 = solution("ex09_receptive_field.py")
    for layers in layer_stacks():
        expected = keras_field(keras, layers)
        assert ref_ex09.receptive_field(layers) == expected == ex09.receptive_field(layers), layers


def test_multiply_adds_match_keras_shapes_and_weights(keras):
    ex09 = solution("ex09_receptive_field.py")
    cases = list(suite.COST_CASES.values())
    cases += [suite.random_cost_case(np.random.default_rng(seed)) for seed in RANDOM_SEEDS]
    for input_shape, filters, kernel, *rest in cases:
        strides, padding = (rest + [1, "valid"][len(rest) :])[:2]
        layer = keras.layers.Conv2D(filters, kernel, strides=strides, padding=padding.lower())
        layer.build((None, *input_shape))
        _batch, out_h, out_w, _channels = layer.compute_output_shape((None, *input_shape))
        expected = out_h * out_w * (layer.count_params() - filters)
        assert ref_ex09.multiply_adds(input_shape, filters, kernel, strides, padding) == expected
        assert ex09.conv2d_multiply_adds(input_shape, filters, kernel, strides, padding) == expected


def test_pointwise_conv_matches_a_keras_1x1_layer(keras):
    ex09 = solution("ex09_receptive_field.py")
    rng = np.random.default_rng(3)
    for c_in, c_out in ((3, 3), (4, 2), (1, 5)):
        x = rng.normal(size=(2, 4, 5, c_in))
        kernel, bias = rng.normal(size=(1, 1, c_in, c_out)), rng.normal(size=c_out)
        layer = keras.layers.Conv2D(c_out, 1, dtype="float64")
        layer.build(x.shape)
        layer.set_weights([kernel, bias])
        expected = np.asarray(layer(x))
        assert_close(ref_ex09.pointwise_conv(x, kernel, bias), expected)
        assert_close(ex09.pointwise_conv(x, kernel, bias), expected)
