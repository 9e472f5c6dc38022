"""ex07's trusted reading of a model: the allowlist, the shape working and the compile settings.

Configurations here are written by hand in the format Keras 3 produces (`model.to_json()`),
so these tests need no TensorFlow: they show that refusal happens on plain JSON, before
anything could be deserialised.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest

from grader.course.catalogue import COURSE_ROOT
from grader.exercises.hidden.arithmetic import window_size
from grader.jail.wire import KerasModelData
from grader.model.compile import INTEGER_LABELS, ONE_HOT_LABELS, read_compile_config, read_loss
from grader.model.config import ModelRejected, read_model

FLOAT32 = {
    "module": "keras",
    "class_name": "DTypePolicy",
    "config": {"name": "float32"},
    "registered_name": None,
}
GLOROT = {
    "module": "keras.initializers",
    "class_name": "GlorotUniform",
    "config": {"seed": None},
    "registered_name": None,
}
ADAM = {
    "module": "keras.optimizers",
    "class_name": "Adam",
    "config": {"name": "adam", "learning_rate": 0.001, "beta_1": 0.9},
    "registered_name": None,
}
COMPILED = {"optimizer": ADAM, "loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]}


def layer(class_name: str, **config) -> dict:
    return {
        "module": "keras.layers",
        "class_name": class_name,
        "registered_name": None,
        "config": {"name": class_name.lower(), "trainable": True, "dtype": FLOAT32, **config},
    }


def input_layer(*shape: int) -> dict:
    return {
        "module": "keras.layers",
        "class_name": "InputLayer",
        "registered_name": None,
        "config": {"batch_shape": [None, *shape], "dtype": "float32", "name": "input_layer"},
    }


def conv(filters=32, kernel=3, padding="valid", strides=1, activation="relu", **extra) -> dict:
    settings = dict(
        filters=filters,
        kernel_size=[kernel, kernel],
        strides=[strides, strides],
        padding=padding,
        data_format="channels_last",
        dilation_rate=[1, 1],
        groups=1,
        activation=activation,
        use_bias=True,
        kernel_initializer=GLOROT,
    )
    return layer("Conv2D", **{**settings, **extra})


def digits_layers() -> list:
    return [
        input_layer(8, 8, 1),
        conv(),
        layer(
            "MaxPooling2D",
            pool_size=[2, 2],
            strides=[2, 2],
            padding="valid",
            data_format="channels_last",
        ),
        layer("Flatten", data_format="channels_last"),
        layer("Dense", units=10, activation="softmax", use_bias=True, kernel_initializer=GLOROT),
    ]


def model_data(layers=None, compile_config=COMPILED, class_name="Sequential") -> KerasModelData:
    config = {
        "module": "keras",
        "class_name": class_name,
        "config": {"name": "sequential", "layers": digits_layers() if layers is None else layers},
    }
    return KerasModelData(
        json.dumps(config), None if compile_config is None else json.dumps(compile_config)
    )


def read(layers=None, **kwargs):
    return read_model(model_data(layers, **kwargs), "build_model()")


def test_a_small_cnn_is_read_with_shapes_and_parameters():
    spec = read()
    assert spec.input_shape == (8, 8, 1) and spec.output_shape == (10,)
    assert [row.step.output_shape for row in spec.layers] == [(6, 6, 32), (3, 3, 32), (288,), (10,)]
    assert [row.step.parameters for row in spec.layers] == [320, 0, 0, 2890]
    assert spec.loss.kind == INTEGER_LABELS and spec.optimizer.class_name == "Adam"
    assert spec.optimizer.learning_rate == pytest.approx(0.001)


def test_the_table_works_out_the_output_size_formula():
    table = read().table(budget=50_000)
    assert "(8 - 3 + 2*0) // 1 + 1 = 6" in table  # the conv layer, valid padding
    assert "3*3*1*32 + 32 = 320" in table
    assert "(6 - 2 + 2*0) // 2 + 1 = 3" in table  # the pooling layer
    assert "3*3*32 = 288" in table and "288*10 + 10 = 2,890" in table
    assert "3,210 (budget 50,000)" in table
    assert all(line.startswith("  ") for line in table.splitlines())  # reports keep it unwrapped


@pytest.mark.parametrize(
    "size, window, stride, padding, expected, working",
    [
        (8, 3, 1, "same", 8, "(8 - 3 + 2*1) // 1 + 1 = 8"),
        (7, 3, 2, "valid", 3, "(7 - 3 + 2*0) // 2 + 1 = 3"),
        (8, 2, 2, "same", 4, "(8 - 2 + 2*0) // 2 + 1 = 4"),
        (7, 2, 2, "same", 4, "'same': ceil(7 / 2) = 4 (padding 0 + 1)"),
    ],
)
def test_window_size_follows_keras(size, window, stride, padding, expected, working):
    assert window_size(size, window, stride, padding) == (expected, working)


def test_names_do_not_change_the_fingerprint():
    renamed = digits_layers()
    renamed[1]["config"]["name"] = "conv2d_17"
    assert read(renamed).digest() == read().digest()
    wider = digits_layers()
    wider[1]["config"]["filters"] = 33
    assert read(wider).digest() != read().digest()


def test_dtype_and_trainable_are_the_graders_choice():
    frozen = digits_layers()
    frozen[1]["config"].update(
        trainable=False, dtype={**FLOAT32, "config": {"name": "mixed_float16"}}
    )
    spec = read(frozen)
    assert "trainable" not in spec.layers[0].config and "dtype" not in spec.layers[0].config
    assert spec.digest() == read().digest()


def test_learner_seeds_are_replaced_by_the_graders():
    seeded = digits_layers()
    seeded[1]["config"]["kernel_initializer"] = {**GLOROT, "config": {"seed": 1234}}
    seeded.insert(3, layer("Dropout", rate=0.25, seed=99))
    spec = read(seeded)
    assert "seed" not in spec.layers[0].config["kernel_initializer"]["config"]
    assert "seed" not in spec.layers[2].config
    unseeded = digits_layers()
    unseeded.insert(3, layer("Dropout", rate=0.25, seed=None))
    assert spec.digest() == read(unseeded).digest()


# ----------------------------------------------------------------------------- refusals


def with_layer(index: int, entry: dict) -> list:
    layers = digits_layers()
    layers.insert(index, entry)
    return layers


LAMBDA = {
    "module": "keras.layers",
    "class_name": "Lambda",
    "registered_name": None,
    "config": {
        "name": "lambda",
        "function": {"class_name": "__lambda__", "config": {"code": "4wEAAAAA", "defaults": None}},
    },
}


@pytest.mark.parametrize(
    "layers, words",
    [
        (with_layer(1, LAMBDA), "Lambda layer"),
        (
            with_layer(1, {**layer("MyLayer"), "module": None, "registered_name": "MyLayer"}),
            "custom layer",
        ),
        (with_layer(1, {**layer("Conv2D"), "module": "ex07_keras_cnn"}), "custom layer"),
        (with_layer(1, {**layer("Conv2D"), "registered_name": "Custom>Conv2D"}), "custom layer"),
        (with_layer(1, layer("LSTM", units=4)), "keras.layers.LSTM is not among"),
        (
            with_layer(
                1,
                {
                    "module": "keras",
                    "class_name": "Sequential",
                    "registered_name": None,
                    "config": {"layers": []},
                },
            ),
            "another model",
        ),
        (with_layer(2, conv(activation={"value": ["4wEAAAAA", None, None]})), "activation"),
        (with_layer(2, conv(activation="os.system")), "activation"),
        (
            with_layer(
                2,
                conv(
                    kernel_initializer={
                        "module": "my_module",
                        "class_name": "Evil",
                        "config": {},
                        "registered_name": None,
                    }
                ),
            ),
            "my_module.Evil",
        ),
        (
            with_layer(
                2,
                conv(
                    kernel_initializer={
                        "module": "keras.initializers",
                        "class_name": "Constant",
                        "config": {"value": [[0.5] * 3] * 3},
                        "registered_name": None,
                    }
                ),
            ),
            "fresh random weights",
        ),
        (
            with_layer(
                2,
                conv(
                    kernel_regularizer={
                        "module": "keras.regularizers",
                        "class_name": "L2",
                        "config": {"l2": 0.01},
                        "registered_name": "Mine>L2",
                    }
                ),
            ),
            "keras.regularizers.L2",
        ),
        (
            with_layer(2, conv(extra={"code": "print(1)"})),
            "'extra' that this exercise does not accept",
        ),
        (
            with_layer(
                2,
                conv(
                    bias_initializer={
                        "module": "keras.initializers",
                        "class_name": "Constant",
                        "config": {"value": [0.5, 0.25]},
                        "registered_name": None,
                    }
                ),
            ),
            "fresh random weights",
        ),
        (
            with_layer(2, layer("Rescaling", scale=[[0.5] * 8] * 8, offset=0.0)),
            "must be one number",
        ),
        (
            with_layer(2, conv(dilation_rate=64)),
            "dilation_rate: must be a whole number from 1 to 4",
        ),
        (
            with_layer(
                2,
                conv(
                    kernel_regularizer={
                        "module": "keras.regularizers",
                        "class_name": "OrthogonalRegularizer",
                        "config": {"factor": 0.01},
                        "registered_name": None,
                    }
                ),
            ),
            "OrthogonalRegularizer, which is not",
        ),
        (with_layer(2, conv(data_format="channels_first")), "channels-last"),
    ],
)
def test_off_the_allowlist_is_refused(layers, words):
    with pytest.raises(ModelRejected, match=words):
        read(layers)


@pytest.mark.parametrize(
    "value, words",
    [
        (None, "returned None"),
        ({"accuracy": 1.0}, "returned a dict, not a Keras model"),
        (KerasModelData("{not json", None), "not valid JSON"),
        (KerasModelData("[" * 100_000 + "]" * 100_000, None), "not valid JSON|longer than"),
        (
            KerasModelData(json.dumps({"class_name": "MyModel", "config": {}}), None),
            "MyModel model",
        ),
        (model_data([]), "between 1 and"),
        (model_data([input_layer(8, 8, 1)] + [layer("Dropout", rate=0.1)] * 100), "between 1 and"),
        (model_data(digits_layers()[1:]), "does not know its input shape"),
        (model_data([input_layer(None, None, 1)] + digits_layers()[1:]), "unknown or impossible"),
        (model_data([input_layer(8, 8, 1), conv(kernel=9)] + digits_layers()[2:]), "does not fit"),
    ],
)
def test_what_is_not_a_usable_model_is_refused_with_a_reason(value, words):
    with pytest.raises(ModelRejected, match=words):
        read_model(value, "build_model()")


def test_refusal_happens_without_importing_keras():
    """The allowlist is plain JSON work: a Lambda is refused in a process that never loads Keras."""
    script = (
        "import sys, json\n"
        "from grader.model.config import read_model, ModelRejected\n"
        "from tests.model.test_config import model_data, with_layer, LAMBDA\n"
        "try:\n"
        "    read_model(model_data(with_layer(1, LAMBDA)), 'build_model()')\n"
        "except ModelRejected as error:\n"
        "    print('refused:', error.feedback[:40])\n"
        "print(sorted(name for name in ('keras', 'tensorflow') if name in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=COURSE_ROOT, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "refused: the model has a Lambda layer" in result.stdout
    assert result.stdout.strip().endswith("[]")


# ----------------------------------------------------------------------------- functional models


def functional(layers: list, inputs=None, outputs=None) -> KerasModelData:
    previous = None
    entries = []
    for entry in copy.deepcopy(layers):
        entry["name"] = entry["config"]["name"]
        entry["inbound_nodes"] = (
            []
            if previous is None
            else [
                {
                    "args": [
                        {
                            "class_name": "__keras_tensor__",
                            "config": {
                                "shape": [None],
                                "dtype": "float32",
                                "keras_history": [previous, 0, 0],
                            },
                        }
                    ],
                    "kwargs": {},
                }
            ]
        )
        previous = entry["name"]
        entries.append(entry)
    body = {
        "name": "functional",
        "layers": entries,
        "input_layers": inputs or [[entries[0]["name"], 0, 0]],
        "output_layers": outputs or [[entries[-1]["name"], 0, 0]],
    }
    return KerasModelData(
        json.dumps(
            {"module": "keras.src.models.functional", "class_name": "Functional", "config": body}
        ),
        json.dumps(COMPILED),
    )


def test_a_functional_chain_reads_like_the_sequential_model():
    spec = read_model(functional(digits_layers()), "build_model()")
    assert spec.digest() == read().digest()


def test_a_functional_model_that_branches_is_refused():
    data = functional(digits_layers(), outputs=[["conv2d", 0, 0]])
    with pytest.raises(ModelRejected, match="single chain"):
        read_model(data, "build_model()")


# ----------------------------------------------------------------------------- compile settings


@pytest.mark.parametrize(
    "loss, kind, from_logits",
    [
        ("sparse_categorical_crossentropy", INTEGER_LABELS, False),
        (
            {
                "module": "keras.losses",
                "class_name": "SparseCategoricalCrossentropy",
                "config": {
                    "from_logits": True,
                    "reduction": "sum_over_batch_size",
                    "ignore_class": None,
                },
                "registered_name": None,
            },
            INTEGER_LABELS,
            True,
        ),
        (
            {
                "module": "builtins",
                "class_name": "function",
                "config": "sparse_categorical_crossentropy",
                "registered_name": "function",
            },
            INTEGER_LABELS,
            False,
        ),
        ("categorical_crossentropy", ONE_HOT_LABELS, False),
        (
            {
                "module": "keras.losses",
                "class_name": "CategoricalCrossentropy",
                "config": {"from_logits": False},
                "registered_name": None,
            },
            ONE_HOT_LABELS,
            False,
        ),
        (
            {
                "module": "builtins",
                "class_name": "function",
                "config": "my_loss",
                "registered_name": "function",
            },
            "other",
            False,
        ),
    ],
)
def test_losses_are_named_by_the_labels_they_take(loss, kind, from_logits):
    spec = read_loss(loss)
    assert (spec.kind, spec.from_logits) == (kind, from_logits)


@pytest.mark.parametrize(
    "optimizer, problem",
    [
        ("adam", ""),
        (
            {
                **ADAM,
                "config": {
                    "learning_rate": {
                        "module": "keras.optimizers.schedules",
                        "class_name": "ExponentialDecay",
                        "config": {
                            "initial_learning_rate": 0.01,
                            "decay_steps": 100,
                            "decay_rate": 0.9,
                        },
                        "registered_name": None,
                    }
                },
            },
            "",
        ),
        ({**ADAM, "class_name": "MyOptimizer"}, "not one the grader trains with"),
        ({**ADAM, "registered_name": "Custom>Adam"}, "not one the grader trains with"),
        (
            {
                **ADAM,
                "config": {
                    "learning_rate": {
                        "module": "my.schedules",
                        "class_name": "Evil",
                        "config": {},
                        "registered_name": None,
                    }
                },
            },
            "schedule",
        ),
        ({**ADAM, "config": {"learning_rate": 0.001, "beta_1": [0.9]}}, "must be one number"),
        (
            {**ADAM, "config": {"learning_rate": 0.0}},
            "learning_rate: must be one number from 1e-05",
        ),
        (
            {**ADAM, "config": {"learning_rate": 0.001, "gradient_accumulation_steps": 10_000}},
            "from 1 to 4",
        ),
        (
            {**ADAM, "config": {"learning_rate": 0.001, "use_ema": True, "ema_momentum": 1.0}},
            "ema_momentum",
        ),
        (None, "not compiled"),
    ],
)
def test_only_standard_optimisers_with_plain_settings_are_trained(optimizer, problem):
    _loss, spec, found = read_compile_config(
        {"optimizer": optimizer, "loss": "sparse_categorical_crossentropy"}
    )
    assert (problem in found) if problem else found == ""
    assert (spec is None) == bool(problem)


def test_an_uncompiled_model_has_no_loss():
    spec = read(compile_config=None)
    assert spec.loss is None and spec.optimizer is None


# ----------------------------------------------------------------------------- fetching


class FakeLearner:
    """Stands in for the worker proxy: returns (or raises) what a worker call would."""

    def __init__(self, outcome):
        self.outcome = outcome
        self.calls: list[dict] = []

    def build_model(self, **arguments):
        self.calls.append(arguments)
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


def test_fetch_model_passes_the_arguments_and_reads_the_answer():
    from grader.model.judge import fetch_model

    learner = FakeLearner(model_data())
    spec = fetch_model(learner, "build_model()", input_shape=(8, 8, 1), num_classes=10)
    assert learner.calls == [{"input_shape": (8, 8, 1), "num_classes": 10}]
    assert spec.output_shape == (10,)


def test_fetch_model_explains_a_model_that_is_not_data():
    from grader.failures import BadReturn
    from grader.model.judge import fetch_model

    learner = FakeLearner(
        BadReturn(
            "build_model returned a Mine, which is not data the grader can "
            "check (no config); return NumPy arrays, numbers or tuples"
        )
    )
    with pytest.raises(BadReturn) as raised:
        fetch_model(learner, "build_model()")
    assert raised.value.feedback.endswith("return the keras.Model itself, built from keras.layers")
    assert "NumPy" not in raised.value.feedback
    with pytest.raises(ModelRejected, match="is `return model` missing"):
        fetch_model(FakeLearner(None), "build_model()")


def test_the_smallest_allowed_learning_rate_survives_float32():
    """Keras keeps a learning rate as float32: Adam(1e-5) comes back as 9.9999997e-06, still allowed."""
    float32_rate = {**ADAM, "config": {"learning_rate": 9.999999747378752e-06}}
    loss, optimizer, problem = read_compile_config({**COMPILED, "optimizer": float32_rate})
    assert problem == "" and optimizer.learning_rate == pytest.approx(1e-5)
    _loss, _optimizer, too_small = read_compile_config(
        {**COMPILED, "optimizer": {**ADAM, "config": {"learning_rate": 9e-6}}}
    )
    assert "from 1e-05" in too_small
