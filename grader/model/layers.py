"""The layers ex07 accepts, and what each does to a shape: output size, parameters, working.

For every allowlisted Keras layer class this module knows, without Keras, the output shape
(channels-last, batch axis left out), the number of parameters and the multiply-adds per
example, and it writes the working out the way the course teaches it: the output-size formula
`H_out = (H - F + 2P) // S + 1` for convolution and pooling, `F_h*F_w*C_in*C_out + C_out` for a
Conv2D's parameters. A configuration this module cannot follow raises `LayerError`, whose text
names the problem in the learner's terms.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

Shape = tuple[int, ...]
MAX_EXTENT = 1 << 20  # no axis of a feature map may be longer than this


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


def _int(config: dict, key: str, default: Any = None, low: int = 1) -> int:
    value = config.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= MAX_EXTENT:
        raise LayerError(f"{key} must be a whole number from {low} to {MAX_EXTENT}, not {value!r}")
    return value


def _pair(config: dict, key: str, default: Any = None) -> tuple[int, int]:
    """An int or an (h, w) pair, as Keras accepts for kernel_size, strides and pool_size."""
    value = config.get(key, default)
    if value is None:
        value = default
    if isinstance(value, int) and not isinstance(value, bool):
        value = [value, value]
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise LayerError(f"{key} must be a number or a pair of numbers, not {value!r}")
    first, second = (_int({key: item}, key) for item in value)
    return first, second


def _flag(config: dict, key: str, default: bool) -> bool:
    value = config.get(key, default)
    if not isinstance(value, bool):
        raise LayerError(f"{key} must be True or False, not {value!r}")
    return value


def _padding(config: dict) -> str:
    padding = config.get("padding", "valid")
    if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
        raise LayerError(f"padding must be 'valid' or 'same', not {padding!r}")
    return padding.lower()


def _image(shape: Shape, layer: str) -> tuple[int, int, int]:
    if len(shape) != 3:
        raise LayerError(f"{layer} needs a (H, W, C) feature map, but its input has shape {shape}"
                         + (": a Flatten or Dense layer came before it" if len(shape) == 1 else ""))
    return shape[0], shape[1], shape[2]


def _product(values: Shape) -> int:
    return math.prod(values)


def _count(value: int) -> str:
    return f"{value:,}"


def window_size(size: int, window: int, stride: int, padding: str) -> tuple[int, str]:
    """Output length of a sliding window along one axis, and the formula worked out."""
    if padding == "valid":
        out = (size - window) // stride + 1
        if size < window:
            raise LayerError(f"the {window}-wide window does not fit in {size} cells")
        return out, f"({size} - {window} + 2*0) // {stride} + 1 = {out}"
    out = -(-size // stride)
    total = max((out - 1) * stride + window - size, 0)
    if total % 2 == 0:
        return out, f"({size} - {window} + 2*{total // 2}) // {stride} + 1 = {out}"
    return out, f"'same': ceil({size} / {stride}) = {out} (padding {total // 2} + {total - total // 2})"


def _both_axes(height: tuple[int, str], width: tuple[int, str], same_rule: bool) -> str:
    if same_rule:
        return f"H, W: {height[1]}"
    return f"H: {height[1]}; W: {width[1]}"


# ----------------------------------------------------------------------------- layers


def _conv2d(config: dict, shape: Shape) -> LayerStep:
    height, width, channels = _image(shape, "Conv2D")
    filters = _int(config, "filters")
    k_h, k_w = _pair(config, "kernel_size")
    s_h, s_w = _pair(config, "strides", 1)
    d_h, d_w = _pair(config, "dilation_rate", 1)
    groups = _int(config, "groups", 1)
    use_bias = _flag(config, "use_bias", True)
    padding = _padding(config)
    if (s_h, s_w) != (1, 1) and (d_h, d_w) != (1, 1):
        raise LayerError("strides and dilation_rate cannot both be larger than 1")
    if channels % groups or filters % groups:
        raise LayerError(f"groups={groups} must divide both the {channels} input channels and "
                         f"the {filters} filters")
    span_h, span_w = (k_h - 1) * d_h + 1, (k_w - 1) * d_w + 1  # a dilated kernel's reach
    out_h = window_size(height, span_h, s_h, padding)
    out_w = window_size(width, span_w, s_w, padding)
    per_filter = channels // groups
    bias = filters if use_bias else 0
    parameters = k_h * k_w * per_filter * filters + bias
    bias_text = f" + {filters}" if use_bias else " (no bias)"
    working = (f"{_both_axes(out_h, out_w, (height, span_h, s_h) == (width, span_w, s_w))}; "
               f"{k_h}*{k_w}*{per_filter}*{filters}{bias_text} = {_count(parameters)}")
    return LayerStep((out_h[0], out_w[0], filters), parameters,
                     out_h[0] * out_w[0] * k_h * k_w * per_filter * filters, working)


def _pooling(config: dict, shape: Shape, name: str) -> LayerStep:
    height, width, channels = _image(shape, name)
    p_h, p_w = _pair(config, "pool_size", 2)
    s_h, s_w = _pair(config, "strides", [p_h, p_w])
    padding = _padding(config)
    out_h = window_size(height, p_h, s_h, padding)
    out_w = window_size(width, p_w, s_w, padding)
    working = _both_axes(out_h, out_w, (height, p_h, s_h) == (width, p_w, s_w))
    return LayerStep((out_h[0], out_w[0], channels), 0,
                     out_h[0] * out_w[0] * p_h * p_w * channels, working + "; no weights")


def _global_pooling(config: dict, shape: Shape, name: str) -> LayerStep:
    height, width, channels = _image(shape, name)
    keepdims = _flag(config, "keepdims", False)
    verb = "max" if "Max" in name else "mean"
    return LayerStep((1, 1, channels) if keepdims else (channels,), 0, height * width * channels,
                     f"the {verb} of each channel's {height}x{width} map")


def _flatten(config: dict, shape: Shape) -> LayerStep:
    size = _product(shape)
    return LayerStep((size,), 0, 0, f"{'*'.join(map(str, shape))} = {_count(size)}" if len(shape) > 1
                     else "already flat")


def _dense(config: dict, shape: Shape) -> LayerStep:
    units = _int(config, "units")
    use_bias = _flag(config, "use_bias", True)
    if config.get("lora_rank") or config.get("quantization_config"):
        raise LayerError("LoRA and quantised Dense layers are not part of this exercise")
    inputs = shape[-1]
    positions = _product(shape[:-1])
    parameters = inputs * units + (units if use_bias else 0)
    working = f"{_count(inputs)}*{units}" + (f" + {units}" if use_bias else " (no bias)")
    working += f" = {_count(parameters)}"
    if len(shape) > 1:
        working += f", applied at each of the {'x'.join(map(str, shape[:-1]))} positions (no Flatten before it)"
    return LayerStep((*shape[:-1], units), parameters, positions * inputs * units, working)


def _batch_normalization(config: dict, shape: Shape) -> LayerStep:
    axis = config.get("axis", -1)
    if isinstance(axis, list) and len(axis) == 1:
        axis = axis[0]
    if axis not in (-1, len(shape)) or _flag(config, "renorm", False) or \
            _flag(config, "synchronized", False):
        raise LayerError("BatchNormalization is followed here only over the channel axis "
                         "(axis=-1), without renorm")
    channels = shape[-1]
    kinds = 2 + _flag(config, "center", True) + _flag(config, "scale", True)
    parameters = kinds * channels
    return LayerStep(shape, parameters, _product(shape),
                     f"{kinds}*{channels} = {_count(parameters)} (scale, shift, moving mean and variance)")


def _zero_padding(config: dict, shape: Shape) -> LayerStep:
    height, width, channels = _image(shape, "ZeroPadding2D")
    padding = config.get("padding", 1)
    if isinstance(padding, int) and not isinstance(padding, bool):
        padding = [[padding, padding], [padding, padding]]
    elif isinstance(padding, list) and len(padding) == 2 and all(isinstance(p, int) for p in padding):
        padding = [[padding[0], padding[0]], [padding[1], padding[1]]]
    if not (isinstance(padding, list) and len(padding) == 2 and all(
            isinstance(pair, list) and len(pair) == 2 for pair in padding)):
        raise LayerError(f"padding must be a number, a pair or ((top, bottom), (left, right)), not {padding!r}")
    top, bottom, left, right = (_int({"padding": side}, "padding", low=0)
                                for pair in padding for side in pair)
    out_h, out_w = height + top + bottom, width + left + right
    return LayerStep((out_h, out_w, channels), 0, 0,
                     f"H: {height} + {top} + {bottom} = {out_h}; W: {width} + {left} + {right} = {out_w}")


def _reshape(config: dict, shape: Shape) -> LayerStep:
    target = config.get("target_shape")
    if not isinstance(target, list) or not target or not all(
            isinstance(v, int) and not isinstance(v, bool) and (v >= 1 or v == -1) for v in target) \
            or target.count(-1) > 1:
        raise LayerError(f"target_shape must be a list of sizes (one may be -1), not {target!r}")
    size, known = _product(shape), _product(tuple(v for v in target if v != -1))
    if size % known or (-1 not in target and size != known):
        raise LayerError(f"cannot reshape {shape} ({size} values) into {tuple(target)}")
    resolved = tuple(size // known if v == -1 else v for v in target)
    return LayerStep(resolved, 0, 0, f"{_count(size)} values rearranged")


def _unchanged(config: dict, shape: Shape) -> LayerStep:
    return LayerStep(shape, 0, _product(shape), "")


def _softmax(config: dict, shape: Shape) -> LayerStep:
    if config.get("axis", -1) not in (-1, len(shape)):
        raise LayerError("Softmax is followed here only over the last axis (axis=-1)")
    return LayerStep(shape, 0, _product(shape), "")


def _input(config: dict, shape: Shape) -> LayerStep:
    return LayerStep(shape)


LAYERS: dict[str, Callable[[dict, Shape], LayerStep]] = {
    "InputLayer": _input,
    "Conv2D": _conv2d,
    "MaxPooling2D": lambda config, shape: _pooling(config, shape, "MaxPooling2D"),
    "AveragePooling2D": lambda config, shape: _pooling(config, shape, "AveragePooling2D"),
    "GlobalMaxPooling2D": lambda config, shape: _global_pooling(config, shape, "GlobalMaxPooling2D"),
    "GlobalAveragePooling2D": lambda config, shape: _global_pooling(config, shape, "GlobalAveragePooling2D"),
    "Flatten": _flatten,
    "Dense": _dense,
    "Dropout": _unchanged,
    "SpatialDropout2D": _unchanged,
    "GaussianNoise": _unchanged,
    "GaussianDropout": _unchanged,
    "Activation": _unchanged,
    "ReLU": _unchanged,
    "LeakyReLU": _unchanged,
    "ELU": _unchanged,
    "Softmax": _softmax,
    "Rescaling": _unchanged,
    "BatchNormalization": _batch_normalization,
    "ZeroPadding2D": _zero_padding,
    "Reshape": _reshape,
}
"""Every layer class ex07 accepts (keras.layers.<name>), with its shape rule."""


def describe(class_name: str, config: dict) -> str:
    """A short description of a layer for the table: 'Conv2D 32, 3x3, same, relu'."""
    activation = config.get("activation")
    suffix = f", {activation}" if isinstance(activation, str) and activation != "linear" else ""
    try:
        if class_name == "Conv2D":
            k_h, k_w = _pair(config, "kernel_size")
            strides = _pair(config, "strides", 1)
            stride = f", stride {strides[0]}" if strides == (strides[0],) * 2 else f", strides {strides}"
            stride = "" if strides == (1, 1) else stride
            return f"Conv2D {config.get('filters')}, {k_h}x{k_w}{stride}, {_padding(config)}{suffix}"
        if class_name in ("MaxPooling2D", "AveragePooling2D"):
            p_h, p_w = _pair(config, "pool_size", 2)
            strides = _pair(config, "strides", [p_h, p_w])
            stride = "" if strides == (p_h, p_w) else f", stride {strides[0]}"
            return f"{class_name} {p_h}x{p_w}{stride}, {_padding(config)}"
        if class_name == "Dense":
            return f"Dense {config.get('units')}{suffix or ', linear'}"
        if class_name in ("Dropout", "SpatialDropout2D"):
            return f"{class_name} {config.get('rate')}"
        if class_name == "Activation":
            return f"Activation {activation}"
    except LayerError:
        pass
    return class_name


def render_table(input_shape: Shape, rows: list[tuple[str, LayerStep]], budget: int | None = None) -> str:
    """The layer-by-layer table: output shapes, parameters and the working, indented so that
    reports keep it as it is."""
    width = max([len("layer"), len("Input")] + [len(name) for name, _ in rows]) + 2
    shape_width = max([len("output shape"), len(str(input_shape))]
                      + [len(str(step.output_shape)) for _, step in rows]) + 2
    lines = [f"  {'#':>2}  {'layer':<{width}}{'output shape':<{shape_width}}{'params':>10}  working",
             f"  {'':>2}  {'Input':<{width}}{str(input_shape):<{shape_width}}{0:>10}"]
    for index, (name, step) in enumerate(rows, start=1):
        lines.append(f"  {index:>2}  {name:<{width}}{str(step.output_shape):<{shape_width}}"
                     f"{_count(step.parameters):>10}  {step.working}".rstrip())
    total = sum(step.parameters for _, step in rows)
    budget_text = f" (budget {_count(budget)})" if budget is not None else ""
    lines.append(f"  {'':>2}  {'total':<{width}}{'':<{shape_width}}{_count(total):>10}{budget_text}")
    return "\n".join(lines)
