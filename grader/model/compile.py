"""A learner's compile settings read as data: which loss, which optimiser, nothing executable.

`read_compile_config` takes the parsed `model.get_compile_config()` and names the loss (and
whether it takes integer labels) and the optimiser with its settings. Only standard Keras
optimisers and learning-rate schedules with plain-number settings are accepted for training;
the grader builds its own loss object from the name, so a custom loss is never deserialised.
Metrics are ignored: the grader measures accuracy itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from grader.i18n import _
from grader.model.values import (
    MAX_LIST,
    ModelRejected,
    flag,
    number,
    optional,
    refuse,
    settings,
    sizes,
    text_of,
    whole,
)
from grader.sanitise import clean

INTEGER_LABELS = "integer"
ONE_HOT_LABELS = "one_hot"
BINARY_LABELS = "binary"
OTHER_LOSS = "other"

LOSS_KINDS = {
    "sparse_categorical_crossentropy": INTEGER_LABELS,
    "categorical_crossentropy": ONE_HOT_LABELS,
    "categorical_focal_crossentropy": ONE_HOT_LABELS,
    "binary_crossentropy": BINARY_LABELS,
    "binary_focal_crossentropy": BINARY_LABELS,
}
LOSS_CLASSES = {
    "SparseCategoricalCrossentropy": "sparse_categorical_crossentropy",
    "CategoricalCrossentropy": "categorical_crossentropy",
    "CategoricalFocalCrossentropy": "categorical_focal_crossentropy",
    "BinaryCrossentropy": "binary_crossentropy",
    "BinaryFocalCrossentropy": "binary_focal_crossentropy",
    "MeanSquaredError": "mean_squared_error",
    "MeanAbsoluteError": "mean_absolute_error",
    "Hinge": "hinge",
    "CategoricalHinge": "categorical_hinge",
    "KLDivergence": "kl_divergence",
    "Poisson": "poisson",
}
REDUCTIONS = {"sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None}
OPTIMIZERS = {
    name.lower(): name
    for name in (
        "SGD",
        "Adam",
        "AdamW",
        "Adamax",
        "Nadam",
        "RMSprop",
        "Adagrad",
        "Adadelta",
        "Lion",
    )
}
SCHEDULES = {
    "ExponentialDecay",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "InverseTimeDecay",
    "CosineDecay",
    "CosineDecayRestarts",
}
MAX_SETTING_TEXT = 60
MAX_STEPS = 10**7
FLOAT32_ROUNDING = 1 - 1e-7  # Keras keeps a rate as float32: Adam(1e-5) reports 9.9999997e-06
LEARNING_RATE = number(1e-5 * FLOAT32_ROUNDING, 1e3)  # below, 20 epochs change nothing; above,
# nothing is learnt either
FRACTION = number(0.0, 0.9999)
CLIP = optional(number(1e-2, 1e6))
OPTIMIZER_SETTINGS = {
    "weight_decay": optional(number(0.0, 1.0)),
    "clipnorm": CLIP,
    "global_clipnorm": CLIP,
    "clipvalue": CLIP,
    "use_ema": flag,
    "ema_momentum": number(0.0, 0.999),
    "ema_overwrite_frequency": optional(whole(1, 1000)),
    "loss_scale_factor": optional(number(1e-3, 1e3)),
    "gradient_accumulation_steps": optional(whole(1, 4)),
    "momentum": FRACTION,
    "nesterov": flag,
    "beta_1": FRACTION,
    "beta_2": FRACTION,
    "epsilon": number(1e-10, 1.0),
    "amsgrad": flag,
    "rho": FRACTION,
    "centered": flag,
    "initial_accumulator_value": number(0.0, 10.0),
}
SCHEDULE_SETTINGS = {
    "initial_learning_rate": LEARNING_RATE,
    "decay_steps": whole(1, MAX_STEPS),
    "first_decay_steps": whole(1, MAX_STEPS),
    "decay_rate": number(0.0, 1.0),
    "staircase": flag,
    "end_learning_rate": number(0.0, 1e3),
    "power": number(0.0, 10.0),
    "cycle": flag,
    "alpha": number(0.0, 1.0),
    "warmup_target": optional(LEARNING_RATE),
    "warmup_steps": whole(0, MAX_STEPS),
    "t_mul": number(0.1, 10.0),
    "m_mul": number(0.1, 10.0),
    "boundaries": sizes(0, MAX_STEPS),
    "values": lambda value, where: _rates(value, where),
}


@dataclass(frozen=True)
class LossSpec:
    """The loss a learner compiled with, by name; `kind` says which labels it takes."""

    name: str
    kind: str
    from_logits: bool = False
    reduction: str | None = "sum_over_batch_size"
    problem: str = ""  # why the grader cannot train with it, beyond the kind of labels

    @property
    def takes_integer_labels(self) -> bool:
        return self.kind == INTEGER_LABELS

    def key(self) -> list:
        return [self.name, self.kind, self.from_logits, self.reduction, self.problem]


@dataclass(frozen=True)
class OptimizerSpec:
    """A standard Keras optimiser: its class and plain-number settings (learning rate included)."""

    class_name: str
    config: dict = field(default_factory=dict)

    @property
    def learning_rate(self) -> float | None:
        """The (initial) learning rate, or None if the optimiser's default is used."""
        rate = self.config.get("learning_rate")
        if isinstance(rate, dict):
            rate = (rate.get("config") or {}).get("initial_learning_rate")
        return (
            float(rate) if isinstance(rate, (int, float)) and not isinstance(rate, bool) else None
        )

    def describe(self) -> str:
        """`Adam`, or `SGD with learning rate 0.0001`, in the learner's language."""
        rate = self.learning_rate
        if rate is None:
            return self.class_name
        return _("{optimizer} with learning rate {rate:g}").format(
            optimizer=self.class_name, rate=rate
        )

    def key(self) -> list:
        return [self.class_name, json.loads(json.dumps(self.config, sort_keys=True))]


def read_compile_config(data: Any) -> tuple[LossSpec | None, OptimizerSpec | None, str]:
    """(loss, optimiser, problem) from a parsed compile config; problem is '' if trainable."""
    if not isinstance(data, dict):
        return None, None, _("the compile settings are not readable")
    loss = read_loss(data.get("loss"))
    optimizer, problem = read_optimizer(data.get("optimizer"))
    return loss, optimizer, problem


def read_loss(node: Any) -> LossSpec | None:
    """The loss named by a serialised loss: a name, a loss class, or a Keras loss function."""
    if node is None:
        return None
    if isinstance(node, str):
        name = LOSS_CLASSES.get(node, node)
        return LossSpec(_short(name), LOSS_KINDS.get(name, OTHER_LOSS))
    if isinstance(node, dict):
        module, class_name, config = (
            node.get("module"),
            text_of(node.get("class_name")),
            node.get("config"),
        )
        if (
            module == "keras.losses"
            and class_name in LOSS_CLASSES
            and isinstance(config, dict)
            and node.get("registered_name") is None
        ):
            return _loss_object(LOSS_CLASSES[class_name], config)
        if (
            module in ("builtins", "keras.losses")
            and class_name == "function"
            and isinstance(config, str)
            and config in LOSS_KINDS
        ):
            return LossSpec(config, LOSS_KINDS[config])
        return LossSpec(
            _("a custom loss ({name})").format(
                name=_short(class_name if class_name != "function" else config)
            ),
            OTHER_LOSS,
        )
    if isinstance(node, list):
        return LossSpec(_("several losses"), OTHER_LOSS)
    return LossSpec(_short(node), OTHER_LOSS)


def _loss_object(name: str, config: dict) -> LossSpec:
    from_logits = config.get("from_logits", False)
    reduction = config.get("reduction", "sum_over_batch_size")
    problem = ""
    if not isinstance(from_logits, bool):
        problem, from_logits = _("from_logits must be True or False"), False
    if not (reduction is None or text_of(reduction) in REDUCTIONS):
        problem, reduction = (
            _("the reduction {reduction!r} is not a standard one").format(
                reduction=_short(reduction)
            ),
            None,
        )
    if config.get("ignore_class") is not None:
        problem = _("ignore_class would leave one digit out of training")
    if (
        config.get("label_smoothing") not in (None, 0, 0.0)
        and name == "sparse_categorical_crossentropy"
    ):
        problem = _("label_smoothing is not supported by the grader for integer labels")
    return LossSpec(
        name,
        LOSS_KINDS.get(name, OTHER_LOSS),
        from_logits=from_logits,
        reduction=reduction,
        problem=problem,
    )


def read_optimizer(node: Any) -> tuple[OptimizerSpec | None, str]:
    """A standard optimiser with plain settings, or (None, why not)."""
    if node is None:
        return None, _("the model is not compiled with an optimiser")
    if isinstance(node, str):
        class_name = OPTIMIZERS.get(node.lower())
        if class_name is None:
            return None, _("{name!r} is not a standard Keras optimiser").format(name=_short(node))
        return OptimizerSpec(class_name), ""
    if not isinstance(node, dict):
        return None, _("the optimiser setting is not readable")
    class_name, config = text_of(node.get("class_name")), node.get("config")
    if (
        node.get("module") != "keras.optimizers"
        or class_name is None
        or class_name not in OPTIMIZERS.values()
        or node.get("registered_name") is not None
        or not isinstance(config, dict)
    ):
        return None, _("the optimiser {name} is not one the grader trains with ({names})").format(
            name=_short(class_name), names=", ".join(sorted(OPTIMIZERS.values()))
        )
    schema = {**OPTIMIZER_SETTINGS, "learning_rate": _learning_rate}
    try:
        cleaned = settings(config, schema, f"the optimiser {class_name}")
    except ModelRejected as error:
        return None, error.feedback
    return OptimizerSpec(class_name, cleaned), ""


def _learning_rate(value: Any, where: str) -> Any:
    """A learning rate in a range where 20 epochs can train, or a standard schedule."""
    if not isinstance(value, dict):
        return LEARNING_RATE(value, where)
    config = value.get("config")
    if (
        value.get("module") != "keras.optimizers.schedules"
        or text_of(value.get("class_name")) not in SCHEDULES
        or value.get("registered_name") is not None
        or not isinstance(config, dict)
    ):
        raise refuse(
            where,
            _("the schedule {name} is not one of Keras' standard schedules ({names})").format(
                name=_short(value.get("class_name")), names=", ".join(sorted(SCHEDULES))
            ),
        )
    return {
        "module": "keras.optimizers.schedules",
        "class_name": value["class_name"],
        "config": settings(config, SCHEDULE_SETTINGS, f"{where} ({value['class_name']})"),
        "registered_name": None,
    }


def _rates(value: Any, where: str) -> list:
    """PiecewiseConstantDecay's values: a short list of learning rates."""
    if not isinstance(value, list) or not 0 < len(value) <= MAX_LIST + 1:
        raise refuse(
            where, _("must be a list of at most {count} learning rates").format(count=MAX_LIST + 1)
        )
    return [LEARNING_RATE(item, where) for item in value]


def _short(value: Any) -> str:
    return clean(value, MAX_SETTING_TEXT, single_line=True)
