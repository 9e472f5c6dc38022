"""The allowlist of ex07: which layers, which settings, and which values each setting may hold.

A learner's layer configuration is data the learner's code wrote, so nothing in it is taken
on trust. Every layer class has a schema: the settings it may have and, for each, the kind of
value (a whole number, one bounded number, a flag, a named choice, a short list of sizes, a
standard initialiser, regulariser or constraint with scalar settings). A setting the schema
does not name, code, a custom class, or a list of numbers where Keras takes a scalar is
refused, so no layer can carry constants (weights fitted in the worker) into the grader's
model. `name`, `dtype`, `trainable` and every `seed` are dropped: the grader names its own
layers, computes in float32, trains every weight and seeds every random start itself.
"""

from __future__ import annotations

from typing import Any

from grader.i18n import _
from grader.model.values import (
    Check,
    ModelRejected,
    choice,
    flag,
    none_only,
    number,
    optional,
    refuse,
    settings,
    show_value,
    sizes,
    text_of,
    whole,
)
from grader.sanitise import clean

MAX_DILATION = 4  # larger rates make TensorFlow pad far more than the checks count
ACTIVATIONS = frozenset(
    {
        "linear",
        "relu",
        "relu6",
        "leaky_relu",
        "elu",
        "selu",
        "gelu",
        "silu",
        "swish",
        "tanh",
        "sigmoid",
        "hard_sigmoid",
        "hard_silu",
        "hard_swish",
        "softmax",
        "log_softmax",
        "softplus",
        "softsign",
        "exponential",
        "mish",
    }
)


def activation(value: Any, where: str) -> Any:
    if value is None or (isinstance(value, str) and value in ACTIVATIONS):
        return value
    raise refuse(
        where,
        _(
            "uses the activation {value}: use one of Keras' named activations ('relu', "
            "'softmax', ...), not your own function"
        ).format(value=show_value(value)),
    )


def _objects(module: str, kind: str, schemas: dict[str, dict[str, Check]]) -> Check:
    """A standard Keras object (`{"module", "class_name", "config"}`) with scalar settings."""

    def check(value: Any, where: str) -> Any:
        if value is None:
            return None
        if isinstance(value, str) and value in NAMED.get(kind, {}):
            return value
        if (
            not isinstance(value, dict)
            or set(value) - {"module", "class_name", "config", "registered_name"}
            or value.get("module") != module
            or value.get("registered_name") is not None
            or text_of(value.get("class_name")) not in schemas
        ):
            name = (
                ".".join(
                    clean(part, 60, single_line=True)
                    for part in (value.get("module"), value.get("class_name"))
                    if part
                )
                if isinstance(value, dict)
                else show_value(value)
            )
            raise refuse(
                where,
                _(
                    "uses {name}, which is not a standard Keras {kind} the grader accepts ({names})"
                ).format(name=name, kind=kind, names=", ".join(sorted(schemas))),
            )
        constant = (
            (value.get("config") or {}).get("value")
            if isinstance(value.get("config"), dict)
            else None
        )
        if value["class_name"] == "Constant" and (
            isinstance(constant, bool) or not isinstance(constant, (int, float))
        ):
            raise refuse(
                where,
                _(
                    "initialises weights with an array (Constant): the grader trains every "
                    "model from fresh random weights"
                ),
            )
        config = settings(
            value.get("config") or {},
            schemas[value["class_name"]],
            f"{where} ({value['class_name']})",
        )
        return {
            "module": module,
            "class_name": value["class_name"],
            "config": config,
            "registered_name": None,
        }

    return check


SCALE = number(-1000.0, 1000.0)
AXES = sizes(-8, 8, allow_none=True)
INITIALISERS = {
    **{
        name: {"input_axes": AXES, "output_axes": AXES}
        for name in (
            "GlorotUniform",
            "GlorotNormal",
            "HeUniform",
            "HeNormal",
            "LecunUniform",
            "LecunNormal",
        )
    },
    "RandomUniform": {"minval": SCALE, "maxval": SCALE},
    "RandomNormal": {"mean": SCALE, "stddev": number(0.0, 1000.0)},
    "TruncatedNormal": {"mean": SCALE, "stddev": number(0.0, 1000.0)},
    "VarianceScaling": {
        "scale": number(0.0, 1000.0),
        "input_axes": AXES,
        "output_axes": AXES,
        "mode": choice("fan_in", "fan_out", "fan_avg"),
        "distribution": choice("truncated_normal", "untruncated_normal", "normal", "uniform"),
    },
    "Zeros": {},
    "Ones": {},
    "Identity": {"gain": SCALE},
    "Orthogonal": {"gain": SCALE},
    "Constant": {"value": SCALE},
}
REGULARISERS = {
    "L1": {"l1": number(0.0, 1.0)},
    "L2": {"l2": number(0.0, 1.0)},
    "L1L2": {"l1": number(0.0, 1.0), "l2": number(0.0, 1.0)},
}
CONSTRAINTS = {
    "MaxNorm": {"max_value": number(0.0, 1e6), "axis": AXES},
    "MinMaxNorm": {
        "min_value": number(0.0, 1e6),
        "max_value": number(0.0, 1e6),
        "rate": number(0.0, 1.0),
        "axis": AXES,
    },
    "NonNeg": {},
    "UnitNorm": {"axis": AXES},
}
NAMED = {
    "initialiser": {
        "glorot_uniform",
        "glorot_normal",
        "he_uniform",
        "he_normal",
        "lecun_uniform",
        "lecun_normal",
        "zeros",
        "ones",
        "random_uniform",
        "random_normal",
        "truncated_normal",
        "orthogonal",
        "identity",
        "variance_scaling",
    },
    "regulariser": {"l1", "l2", "l1l2"},
    "constraint": {"max_norm", "min_max_norm", "non_neg", "unit_norm"},
}
INITIALISER = _objects("keras.initializers", "initialiser", INITIALISERS)
REGULARISER = _objects("keras.regularizers", "regulariser", REGULARISERS)
CONSTRAINT = _objects("keras.constraints", "constraint", CONSTRAINTS)

WEIGHTS = {
    "use_bias": flag,
    "kernel_initializer": INITIALISER,
    "bias_initializer": INITIALISER,
    "kernel_regularizer": REGULARISER,
    "bias_regularizer": REGULARISER,
    "activity_regularizer": REGULARISER,
    "kernel_constraint": CONSTRAINT,
    "bias_constraint": CONSTRAINT,
    "activation": activation,
}


def channels_last(value: Any, where: str) -> Any:
    if value not in (None, "channels_last"):
        raise refuse(
            where,
            _("is {value}: the exercise is channels-last, (H, W, C) as Keras' default").format(
                value=show_value(value)
            ),
        )
    return value


IMAGE: dict[str, Check] = {"data_format": channels_last}
POOLING = {
    **IMAGE,
    "pool_size": sizes(1),
    "strides": sizes(1, allow_none=True),
    "padding": choice("valid", "same"),
}
RATE = {"rate": number(0.0, 0.99), "noise_shape": sizes(1, allow_none=True)}
LAYER_SETTINGS: dict[str, dict[str, Check]] = {
    "InputLayer": {
        "batch_shape": sizes(1, allow_none=True),
        "batch_input_shape": sizes(1, allow_none=True),
        "sparse": choice(False, None),
        "ragged": choice(False, None),
        "optional": choice(False),
    },
    "Conv2D": {
        **WEIGHTS,
        **IMAGE,
        "filters": whole(1),
        "kernel_size": sizes(1),
        "strides": sizes(1),
        "padding": choice("valid", "same"),
        "dilation_rate": sizes(1, MAX_DILATION),
        "groups": whole(1),
    },
    "Dense": {
        **WEIGHTS,
        "units": whole(1),
        "quantization_config": none_only,
        "lora_rank": none_only,
        "lora_alpha": none_only,
    },
    "MaxPooling2D": POOLING,
    "AveragePooling2D": POOLING,
    "GlobalMaxPooling2D": {**IMAGE, "keepdims": flag},
    "GlobalAveragePooling2D": {**IMAGE, "keepdims": flag},
    "Flatten": IMAGE,
    "Dropout": RATE,
    "SpatialDropout2D": {**IMAGE, "rate": number(0.0, 0.99)},
    "GaussianDropout": {"rate": number(0.0, 0.99)},
    "GaussianNoise": {"stddev": number(0.0, 10.0)},
    "Activation": {"activation": activation},
    "ReLU": {
        "max_value": optional(number(0.0, 1e6)),
        "negative_slope": number(0.0, 10.0),
        "threshold": number(-1e6, 1e6),
    },
    "LeakyReLU": {"negative_slope": number(0.0, 10.0), "alpha": number(0.0, 10.0)},
    "ELU": {"alpha": number(0.0, 10.0)},
    "Softmax": {"axis": sizes(-8, 8)},
    "Rescaling": {"scale": SCALE, "offset": SCALE},
    "BatchNormalization": {
        "axis": sizes(-8, 8),
        "momentum": number(0.0, 1.0),
        "epsilon": number(1e-12, 1.0),
        "center": flag,
        "scale": flag,
        "beta_initializer": INITIALISER,
        "gamma_initializer": INITIALISER,
        "moving_mean_initializer": INITIALISER,
        "moving_variance_initializer": INITIALISER,
        "beta_regularizer": REGULARISER,
        "gamma_regularizer": REGULARISER,
        "beta_constraint": CONSTRAINT,
        "gamma_constraint": CONSTRAINT,
        "renorm": choice(False),
        "renorm_clipping": none_only,
        "renorm_momentum": number(0.0, 1.0),
        "synchronized": choice(False),
    },
    "ZeroPadding2D": {**IMAGE, "padding": sizes(0, 1024)},
    "Reshape": {"target_shape": sizes(-1)},
}
"""Every layer class ex07 accepts (keras.layers.<name>) and the settings each may carry."""


MODEL_CLASSES = {"Sequential", "Functional", "Model"}


def check_layer(entry: Any, index: int) -> dict:
    """The cleaned configuration of layer `index` of a model, if its class and every setting are
    on the allowlist; `ModelRejected` naming the class or setting at fault if not."""
    if not isinstance(entry, dict) or not isinstance(entry.get("config"), dict):
        raise ModelRejected(
            _("layer {index} of the model's configuration is malformed").format(index=index)
        )
    class_name, module = text_of(entry.get("class_name")), entry.get("module")
    if class_name == "Lambda":
        raise ModelRejected(
            _(
                "the model has a Lambda layer: a Lambda layer carries code, and the grader "
                "builds models only from standard layers. Do the same with Conv2D, "
                "MaxPooling2D, Flatten, Dense, Dropout or Activation"
            )
        )
    if class_name in MODEL_CLASSES:
        raise ModelRejected(
            _(
                "layer {index} is another model ({name}): put its layers into the outer "
                "keras.Sequential([...]) directly"
            ).format(index=index, name=show_value(class_name))
        )
    if module != "keras.layers" or entry.get("registered_name") is not None:
        raise ModelRejected(
            _(
                "the model has a custom layer class {name}: the grader builds models only "
                "from standard keras.layers"
            ).format(name=show_value(class_name))
        )
    if class_name not in LAYER_SETTINGS:
        raise ModelRejected(
            _("keras.layers.{name} is not among the layers this exercise accepts ({names})").format(
                name=clean(class_name, 60, single_line=True),
                names=", ".join(sorted(set(LAYER_SETTINGS) - {"InputLayer"})),
            )
        )
    return settings(
        entry["config"],
        LAYER_SETTINGS[class_name],
        _("layer {index} ({name})").format(index=index, name=class_name),
    )
