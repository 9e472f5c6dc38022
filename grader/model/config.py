"""A learner's Keras model read as data: allowlisted, shaped and counted, without Keras.

The worker sends a model as JSON text (`KerasModelData`, grader/jail/wire.py).
`read_model` parses it with `json` and, before anything is deserialised, checks every layer
class and setting against the allowlist (grader/model/allowlist.py) and the compile settings
(grader/model/compile.py). A Lambda layer, a custom layer, activation or loss, an array of
constants or a setting Keras does not document never gets past this module. What passes
becomes a `ModelSpec`: the input shape, one row per layer with its output shape, parameters
and working (names, dtypes, `trainable` and random seeds left out), the loss and the
optimiser. grader/model/judge.py rebuilds and trains a `ModelSpec` only.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass
from typing import Any

from grader.i18n import _
from grader.jail.wire import KerasModelData
from grader.model.allowlist import MODEL_CLASSES, ModelRejected, check_layer, text_of
from grader.model.compile import LossSpec, OptimizerSpec, read_compile_config
from grader.model.layers import MAX_EXTENT, LayerStep, Shape, describe, render_table
from grader.model.shapes import ChainError, follow_shapes
from grader.sanitise import clean

MAX_CONFIG_CHARS = 1 << 20  # a model description longer than this is not read
MAX_LAYERS = 64
MAX_INPUT_EXTENT = 1 << 16  # of any axis of a model's input
MAX_UNTUPLE_DEPTH = 16  # nesting of a layer entry that the grader unpacks


@dataclass(frozen=True)
class LayerRow:
    """One layer of the learner's model, as the grader understands it."""

    class_name: str
    config: dict  # allowlisted, without name and dtype: what the grader rebuilds from
    step: LayerStep

    @property
    def activation(self) -> str | None:
        value = self.config.get("activation")
        if self.class_name == "Softmax":
            return "softmax"
        if self.class_name == "ReLU":
            return "relu"
        return value if isinstance(value, str) else None

    @property
    def description(self) -> str:
        return describe(self.class_name, self.config)


@dataclass(frozen=True)
class ModelSpec:
    """A learner's model as data that passed the allowlist."""

    input_shape: Shape
    layers: tuple[LayerRow, ...]
    loss: LossSpec | None
    optimizer: OptimizerSpec | None
    compile_problem: str = ""  # why the compile settings cannot be used, if they cannot

    @property
    def output_shape(self) -> Shape:
        return self.layers[-1].step.output_shape if self.layers else self.input_shape

    @property
    def parameters(self) -> int:
        return sum(row.step.parameters for row in self.layers)

    @property
    def multiply_adds(self) -> int:
        return sum(row.step.multiply_adds for row in self.layers)

    @property
    def largest_feature_map(self) -> int:
        return max(
            [_size(self.input_shape)] + [_size(row.step.output_shape) for row in self.layers]
        )

    @property
    def class_names(self) -> list[str]:
        return [row.class_name for row in self.layers]

    def table(self, budget: int | None = None) -> str:
        """The layer-by-layer table, with the parameter budget on the total line if given."""
        return render_table(
            self.input_shape, [(row.description, row.step) for row in self.layers], budget
        )

    def to_payload(self) -> dict:
        """The spec as JSON-ready data, for the trainer process (`from_payload` reads it back)."""
        return {
            "input_shape": list(self.input_shape),
            "layers": [[row.class_name, row.config, asdict(row.step)] for row in self.layers],
            "loss": self.loss and asdict(self.loss),
            "optimizer": self.optimizer and asdict(self.optimizer),
            "compile_problem": self.compile_problem,
        }

    @classmethod
    def from_payload(cls, payload: dict) -> ModelSpec:
        """The spec again, from the trusted process's own payload (never from a learner)."""
        input_shape = tuple(payload["input_shape"])
        rows = [
            LayerRow(
                name, config, LayerStep(**{**step, "output_shape": tuple(step["output_shape"])})
            )
            for name, config, step in payload["layers"]
        ]
        loss, optimizer = payload["loss"], payload["optimizer"]
        return cls(
            input_shape=input_shape,
            layers=tuple(rows),
            loss=LossSpec(**loss) if loss else None,
            optimizer=OptimizerSpec(**optimizer) if optimizer else None,
            compile_problem=payload["compile_problem"],
        )

    def digest(self) -> str:
        """A fingerprint of what the grader would build and train (layer names left out)."""
        described = {
            "input": self.input_shape,
            "layers": [[row.class_name, row.config] for row in self.layers],
            "loss": self.loss and self.loss.key(),
            "optimizer": self.optimizer and self.optimizer.key(),
            "compile_problem": self.compile_problem,
        }
        return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()


def read_model(value: Any, call: str) -> ModelSpec:
    """The `ModelSpec` of what `call` returned, or `ModelRejected` saying why there is none.

    The configuration is the learner's data, so nothing in it may stop the grader: a shape of
    JSON that the checks below did not foresee is refused like any other bad model.
    """
    try:
        return _read_model(value, call)
    except ModelRejected:
        raise
    except Exception as error:
        raise ModelRejected(
            _(
                "the grader could not read the model's configuration ({error}: {message}); "
                "build it with keras.Sequential([...]) from keras.layers"
            ).format(error=type(error).__name__, message=_printable(error, 200))
        ) from None


def _read_model(value: Any, call: str) -> ModelSpec:
    if not isinstance(value, KerasModelData):
        raise ModelRejected(
            _(
                "{call} returned {kind}, not a Keras model: build the model with "
                "keras.Sequential([...]), compile it, and return it"
            ).format(call=call, kind=_kind(value))
        )
    config = _parse_json(value.config, _("the model's configuration"))
    if not isinstance(config, dict) or text_of(config.get("class_name")) not in MODEL_CLASSES:
        name = config.get("class_name") if isinstance(config, dict) else None
        raise ModelRejected(
            _(
                "{call} returned a {name} model: use keras.Sequential([...]) or "
                "keras.Model(inputs, outputs) over standard layers, not a subclass"
            ).format(call=call, name=_printable(name))
        )
    body = config.get("config")
    entries = body.get("layers") if isinstance(body, dict) else None
    if not isinstance(entries, list) or not 0 < len(entries) <= MAX_LAYERS:
        raise ModelRejected(
            _("the model must have between 1 and {count} layers").format(count=MAX_LAYERS)
        )
    entries = [
        dict(entry, config=check_layer(entry, index))
        for index, entry in enumerate(_untuple(entry) for entry in entries)
    ]
    assert isinstance(body, dict)  # else `entries` was refused above
    if config["class_name"] == "Sequential":
        chain = entries
    else:
        chain = _functional_chain(body, entries)
    input_shape, chain = _input_shape(chain, body)
    rows = _follow_shapes(input_shape, chain)
    compile_text = value.compile_config
    loss, optimizer, problem = (
        (None, None, "")
        if compile_text is None
        else read_compile_config(_parse_json(compile_text, _("the model's compile settings")))
    )
    return ModelSpec(
        input_shape=input_shape,
        layers=tuple(rows),
        loss=loss,
        optimizer=optimizer,
        compile_problem=problem,
    )


# ----------------------------------------------------------------------------- structure


def _functional_chain(body: dict, entries: list) -> list:
    """A functional model's layers, if they form one chain from the input to the output."""
    problem = ModelRejected(
        _(
            "the functional model is not a single chain of layers: the grader accepts "
            "one input, one output and each layer fed by the one before it "
            "(keras.Sequential([...]) makes that easy)"
        )
    )
    names = [text_of(entry.get("name")) for entry in entries]
    if (
        None in names
        or len(set(names)) != len(names)
        or entries[0].get("class_name") != "InputLayer"
    ):
        raise problem
    if (
        _single_node(body.get("input_layers")) != names[0]
        or _single_node(body.get("output_layers")) != names[-1]
    ):
        raise problem
    for previous, entry in zip(names, entries[1:]):
        nodes = entry.get("inbound_nodes")
        if not isinstance(nodes, list) or len(nodes) != 1 or not isinstance(nodes[0], dict):
            raise problem
        args, kwargs = nodes[0].get("args"), nodes[0].get("kwargs") or {}
        if (
            not isinstance(args, list)
            or len(args) != 1
            or not isinstance(kwargs, dict)
            or set(kwargs) - {"training", "mask"}
        ):
            raise problem
        tensor = args[0] if isinstance(args[0], dict) else {}
        tensor_config = tensor["config"] if isinstance(tensor.get("config"), dict) else {}
        history = tensor_config.get("keras_history")
        if (
            tensor.get("class_name") != "__keras_tensor__"
            or not isinstance(history, list)
            or history[:1] != [previous]
        ):
            raise problem
    return entries


def _single_node(value: Any) -> Any:
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], list):
        value = value[0]
    return value[0] if isinstance(value, list) and len(value) == 3 else None


def _input_shape(chain: list, body: dict) -> tuple[Shape, list]:
    """The model's input shape (without the batch axis) and the layers after the input."""
    if chain[0].get("class_name") == "InputLayer":
        config = chain[0]["config"]
        shape = config.get("batch_shape", config.get("batch_input_shape"))
        chain = chain[1:]
    else:
        shape = body.get("build_input_shape")
    if shape is None:
        raise ModelRejected(
            _(
                "the model does not know its input shape: start it with "
                "keras.Input(shape=input_shape)"
            )
        )
    if (
        not isinstance(shape, list)
        or len(shape) < 2
        or not all(
            isinstance(size, int) and not isinstance(size, bool) and 0 < size <= MAX_INPUT_EXTENT
            for size in shape[1:]
        )
    ):
        raise ModelRejected(
            _(
                "the model's input shape {shape} has an unknown or impossible size: pass "
                "input_shape to keras.Input(shape=input_shape)"
            ).format(shape=_shape_text(shape))
        )
    if not chain:
        raise ModelRejected(_("the model has no layers after its input"))
    return tuple(shape[1:]), chain


def _follow_shapes(input_shape: Shape, chain: list) -> list[LayerRow]:
    if any(entry["class_name"] == "InputLayer" for entry in chain):
        raise ModelRejected(_("the model has a second Input in the middle: one input only"))
    pairs = [(entry["class_name"], entry["config"]) for entry in chain]
    try:
        steps = follow_shapes(input_shape, pairs)
    except ChainError as error:
        raise ModelRejected(
            _("layer {index} ({name}) gets an input of shape {shape}: {problem}").format(
                index=error.index,
                name=pairs[error.index - 1][0],
                shape=error.given,
                problem=_(str(error)),
            )
        ) from None
    for index, ((class_name, _config), step) in enumerate(zip(pairs, steps), start=1):
        if not all(0 < size <= MAX_EXTENT for size in step.output_shape):
            raise ModelRejected(
                _("layer {index} ({name}) would output shape {shape}").format(
                    index=index, name=class_name, shape=step.output_shape
                )
            )
    return [LayerRow(class_name, config, step) for (class_name, config), step in zip(pairs, steps)]


# ----------------------------------------------------------------------------- helpers


def _parse_json(text: str, what: str) -> Any:
    if len(text) > MAX_CONFIG_CHARS:
        raise ModelRejected(
            _("{what} is longer than {count:,} characters").format(
                what=what, count=MAX_CONFIG_CHARS
            )
        )
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise ModelRejected(_("{what} is not valid JSON").format(what=what)) from None


def _untuple(value: Any, depth: int = 0) -> Any:
    """Keras writes some tuples as {"class_name": "__tuple__", "config": {"value": [...]}}."""
    if depth > MAX_UNTUPLE_DEPTH:
        raise ModelRejected(_("the model's configuration is nested too deeply"))
    if isinstance(value, dict) and value.get("class_name") == "__tuple__":
        inner = value["config"] if isinstance(value.get("config"), dict) else {}
        return [_untuple(item, depth + 1) for item in inner.get("value", []) or []]
    if isinstance(value, list):
        return [_untuple(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {key: _untuple(item, depth + 1) for key, item in value.items()}
    return value


def _size(shape: Shape) -> int:
    return math.prod(shape)


def _shape_text(shape: Any) -> str:
    if isinstance(shape, list):
        return (
            "("
            + ", ".join("None" if size is None else _printable(size) for size in shape[1:])
            + ")"
        )
    return _printable(shape)


def _kind(value: Any) -> str:
    if value is None:
        return _("None (is `return model` missing?)")
    return f"a {type(value).__name__}"


def _printable(value: Any, limit: int = 60) -> str:
    return clean(value, limit, single_line=True)
