"""The layers ex07 accepts, as the grader describes them: one step per layer, and the table.

A `LayerStep` is what one layer does to a feature map (channels-last, batch axis left out): its
output shape, parameters and multiply-adds per example, and in the course repository the
working written out the way the course teaches it. Where the steps come from is
grader/model/shapes.py: the course's own arithmetic (grader/exercises/hidden/arithmetic.py, which the
student release leaves out, since it is the answer to ex06) or, in the release, Keras itself.
This module holds what both share: the checks of a layer's settings, the short description of a
layer and the layer-by-layer table. A configuration the grader cannot follow raises
`LayerError`, whose text names the problem in the learner's terms.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from grader.i18n import _, display_width, pad_to_width

Shape = tuple[int, ...]
MAX_EXTENT = 1 << 20  # no axis of a feature map may be longer than this
LAYER_CLASSES = (
    "InputLayer",
    "Conv2D",
    "MaxPooling2D",
    "AveragePooling2D",
    "GlobalMaxPooling2D",
    "GlobalAveragePooling2D",
    "Flatten",
    "Dense",
    "Dropout",
    "SpatialDropout2D",
    "GaussianNoise",
    "GaussianDropout",
    "Activation",
    "ReLU",
    "LeakyReLU",
    "ELU",
    "Softmax",
    "Rescaling",
    "BatchNormalization",
    "ZeroPadding2D",
    "Reshape",
)
"""Every layer class ex07 accepts (keras.layers.<name>)."""


class LayerError(ValueError):
    """A layer's configuration does not fit its input, or is not one this exercise follows."""


@dataclass(frozen=True)
class LayerStep:
    """What one layer does: its output shape, parameters, multiply-adds and the working."""

    output_shape: Shape
    parameters: int = 0
    multiply_adds: int = 0
    working: str = ""


# ----------------------------------------------------------------------------- helpers


def whole_number(config: dict, key: str, default: Any = None, low: int = 1) -> int:
    value = config.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= MAX_EXTENT:
        raise LayerError(
            _("{key} must be a whole number from {low} to {high}, not {value!r}").format(
                key=key, low=low, high=MAX_EXTENT, value=value
            )
        )
    return value


def number_pair(config: dict, key: str, default: Any = None) -> tuple[int, int]:
    """An int or an (h, w) pair, as Keras accepts for kernel_size, strides and pool_size."""
    value = config.get(key, default)
    if value is None:
        value = default
    if isinstance(value, int) and not isinstance(value, bool):
        value = [value, value]
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise LayerError(
            _("{key} must be a number or a pair of numbers, not {value!r}").format(
                key=key, value=value
            )
        )
    first, second = (whole_number({key: item}, key) for item in value)
    return first, second


def flag(config: dict, key: str, default: bool) -> bool:
    value = config.get(key, default)
    if not isinstance(value, bool):
        raise LayerError(
            _("{key} must be True or False, not {value!r}").format(key=key, value=value)
        )
    return value


def padding_of(config: dict) -> str:
    padding = config.get("padding", "valid")
    if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
        raise LayerError(
            _("padding must be 'valid' or 'same', not {padding!r}").format(padding=padding)
        )
    return padding.lower()


def product(values: Shape) -> int:
    return math.prod(values)


def count_text(value: int) -> str:
    return f"{value:,}"


def describe(class_name: str, config: dict) -> str:
    """A short description of a layer for the table: 'Conv2D 32, 3x3, same, relu'."""
    activation = config.get("activation")
    suffix = f", {activation}" if isinstance(activation, str) and activation != "linear" else ""
    try:
        if class_name == "Conv2D":
            k_h, k_w = number_pair(config, "kernel_size")
            strides = number_pair(config, "strides", 1)
            stride = (
                f", stride {strides[0]}" if strides == (strides[0],) * 2 else f", strides {strides}"
            )
            stride = "" if strides == (1, 1) else stride
            return (
                f"Conv2D {config.get('filters')}, {k_h}x{k_w}{stride}, {padding_of(config)}{suffix}"
            )
        if class_name in ("MaxPooling2D", "AveragePooling2D"):
            p_h, p_w = number_pair(config, "pool_size", 2)
            strides = number_pair(config, "strides", [p_h, p_w])
            stride = "" if strides == (p_h, p_w) else f", stride {strides[0]}"
            return f"{class_name} {p_h}x{p_w}{stride}, {padding_of(config)}"
        if class_name == "Dense":
            return f"Dense {config.get('units')}{suffix or ', linear'}"
        if class_name in ("Dropout", "SpatialDropout2D"):
            return f"{class_name} {config.get('rate')}"
        if class_name == "Activation":
            return f"Activation {activation}"
    except LayerError:
        pass
    return class_name


def render_table(
    input_shape: Shape, rows: list[tuple[str, LayerStep]], budget: int | None = None
) -> str:
    """The layer-by-layer table: output shapes and parameters, each row's working on the line
    below it (so that the table fits 80 columns), indented so that reports keep it as it is; its
    headings in the learner's language, aligned by display width."""
    layer, shape, params = _("layer"), _("output shape"), _("params")
    width = max([display_width(layer), len("Input")] + [len(name) for name, _step in rows]) + 2
    shape_width = (
        max(
            [display_width(shape), len(str(input_shape))]
            + [len(str(step.output_shape)) for _name, step in rows]
        )
        + 2
    )
    params_width = max(display_width(params), 8) + 2
    lines = [
        f"  {'#':>2}  {pad_to_width(layer, width)}{pad_to_width(shape, shape_width)}"
        f"{' ' * (params_width - display_width(params))}{params}",
        f"  {'':>2}  {'Input':<{width}}{str(input_shape):<{shape_width}}{0:>{params_width}}",
    ]
    for index, (name, step) in enumerate(rows, start=1):
        lines.append(
            f"  {index:>2}  {name:<{width}}{str(step.output_shape):<{shape_width}}"
            f"{count_text(step.parameters):>{params_width}}"
        )
        if step.working:  # none in the release
            lines.append(f"  {'':>2}    {step.working}")
    total = sum(step.parameters for _name, step in rows)
    budget_text = (
        " " + _("(budget {budget})").format(budget=count_text(budget)) if budget is not None else ""
    )
    lines.append(
        f"  {'':>2}  {pad_to_width(_('total'), width)}{'':<{shape_width}}"
        f"{count_text(total):>{params_width}}{budget_text}"
    )
    return "\n".join(lines)
