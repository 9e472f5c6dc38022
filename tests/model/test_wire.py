"""ex07 on the wire: a Keras model leaves the worker as its configuration, never as weights."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import numpy as np
import pytest

from grader.course.catalogue import COURSE_ROOT
from grader.jail import wire
from tests.conftest import SOLUTIONS


def round_trip(value):
    blobs: list = []
    node = wire.encode_value(value, blobs)
    header, received = wire.read_message(io.BytesIO(wire.pack_message({"value": node}, blobs)).read)
    return wire.decode_value(header["value"], received)


def keys_of(node) -> set:
    if isinstance(node, dict):
        return set(node).union(*(keys_of(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(keys_of(value) for value in node))
    return set()


def without_names(node):
    if isinstance(node, dict):
        return {key: without_names(value) for key, value in node.items() if key != "name"}
    if isinstance(node, list):
        return [without_names(value) for value in node]
    return node


def test_model_data_survives_the_wire():
    data = wire.KerasModelData('{"class_name": "Sequential"}', None)
    assert round_trip(data) == data
    assert round_trip((data, 3)) == (data, 3)


@pytest.mark.parametrize(
    "content",
    [
        {"config": 3, "compile_config": None},
        {"config": "{}", "compile_config": ["adam"]},
        {"config": "{}"},
        {"config": "{}", "compile_config": None, "weights": "AAAA"},
    ],
)
def test_malformed_model_data_is_a_protocol_error(content):
    with pytest.raises(wire.ProtocolError, match="malformed Keras model"):
        wire.decode_value({"__keras_model__": content}, [])


def test_encoding_never_imports_keras():
    """An object that is not data is refused without loading Keras (ex01-ex06 workers ban it)."""
    script = (
        "import sys\nfrom grader.jail import wire\n"
        "try:\n    wire.encode_value(object(), [])\nexcept wire.ProtocolError as error:\n"
        "    print('refused:', error)\n"
        "print(sorted(name for name in ('keras', 'tensorflow') if name in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=COURSE_ROOT, timeout=60
    )
    assert "refused: a value of type object cannot be sent" in result.stdout, result.stderr
    assert result.stdout.strip().endswith("[]")


@pytest.fixture(scope="module")
def keras():
    from grader.model.trainer import keras_module

    return keras_module()


def solution_model(**arguments):
    sys.path.insert(0, str(SOLUTIONS))
    try:
        import ex07_keras_cnn
    finally:
        sys.path.remove(str(SOLUTIONS))
    return ex07_keras_cnn.build_model(**arguments)


@pytest.mark.slow
def test_a_model_becomes_its_configuration(keras):
    model = solution_model()
    data = round_trip(model)
    assert isinstance(data, wire.KerasModelData)
    config = json.loads(data.config)
    assert config["class_name"] == "Sequential"
    assert json.loads(data.compile_config)["loss"] == "sparse_categorical_crossentropy"
    assert "weights" not in keys_of(config) and len(data.config) < 20_000  # 35,914 weights


@pytest.mark.slow
def test_trained_or_loaded_weights_do_not_travel(keras):
    """Whatever the learner does to the weights, the grader receives the same description."""
    fresh, changed = solution_model(), solution_model()
    changed.set_weights([np.full_like(weights, 0.5) for weights in changed.get_weights()])
    changed.fit(np.zeros((4, 8, 8, 1), np.float32), np.zeros(4, np.int64), epochs=1, verbose=0)
    fresh_data, changed_data = round_trip(fresh), round_trip(changed)
    # Only the auto-generated names (sequential_1, adam_2, ...) differ between the two.
    assert without_names(json.loads(fresh_data.config)) == without_names(
        json.loads(changed_data.config)
    )
    assert fresh_data.compile_config is not None
    assert without_names(json.loads(fresh_data.compile_config)) == without_names(
        json.loads(changed_data.compile_config)
    )


@pytest.mark.slow
def test_an_uncompiled_model_has_no_compile_config(keras):
    model = keras.Sequential(
        [keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(10)]
    )
    assert round_trip(model).compile_config is None


@pytest.mark.slow
def test_a_subclassed_model_is_refused_with_advice(keras):
    class Mine(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(10)

        def call(self, inputs):
            return self.dense(inputs)

        def get_config(self):
            raise NotImplementedError("no config")

    with pytest.raises(wire.ProtocolError, match="keras.Sequential"):
        wire.encode_value(Mine(), [])
