"""The course's own arithmetic of each layer ex07 accepts: output size, parameters, working.

For every layer class in `LAYER_CLASSES` this module knows, without Keras, the output shape,
the number of parameters and the multiply-adds per example, and writes the working out the way
the course teaches it: the output-size formula `H_out = (H - F + 2P) // S + 1` for convolution
and pooling, `F_h*F_w*C_in*C_out + C_out` for a Conv2D's parameters. That is the answer to ex06,
so the student release leaves this module out (grader/instructor/release.py) and takes its
steps from Keras instead (grader/model/shapes.py).
"""

from __future__ import annotations

from collections.abc import Callable

from grader.i18n import _
from grader.model.layers import (
    LayerError,
    LayerStep,
    Shape,
    count_text,
    flag,
    number_pair,
    padding_of,
    product,
    whole_number,
)


def _image(shape: Shape, layer: str) -> tuple[int, int, int]:
    if len(shape) != 3:
        message = _("{layer} needs a (H, W, C) feature map, but its input has shape {shape}")
        after_flat = _(": a Flatten or Dense layer came before it") if len(shape) == 1 else ""
        raise LayerError(message.format(layer=layer, shape=shape) + after_flat)
    return shape[0], shape[1], shape[2]


def window_size(size: int, window: int, stride: int, padding: str) -> tuple[int, str]:
    """Output length of a sliding window along one axis, and the formula worked out."""
    if padding == "valid":
        out = (size - window) // stride + 1
        if size < window:
            raise LayerError(
                _("the {window}-wide window does not fit in {size} cells").format(
                    window=window, size=size
                )
            )
        return out, f"({size} - {window} + 2*0) // {stride} + 1 = {out}"
    out = -(-size // stride)
    total = max((out - 1) * stride + window - size, 0)
    if total % 2 == 0:
        return out, f"({size} - {window} + 2*{total // 2}) // {stride} + 1 = {out}"
    return (
        out,
        f"'same': ceil({size} / {stride}) = {out} "
        + _("(padding {before} + {after})").format(before=total // 2, after=total - total // 2),
    )


def _both_axes(height: tuple[int, str], width: tuple[int, str], same_rule: bool) -> str:
    if same_rule:
        return f"H, W: {height[1]}"
    return f"H: {height[1]}; W: {width[1]}"


# ----------------------------------------------------------------------------- layers


def _conv2d(config: dict, shape: Shape) -> LayerStep:
    height, width, channels = _image(shape, "Conv2D")
    filters = whole_number(config, "filters")
    k_h, k_w = number_pair(config, "kernel_size")
    s_h, s_w = number_pair(config, "strides", 1)
    d_h, d_w = number_pair(config, "dilation_rate", 1)
    groups = whole_number(config, "groups", 1)
    use_bias = flag(config, "use_bias", True)
    padding = padding_of(config)
    if (s_h, s_w) != (1, 1) and (d_h, d_w) != (1, 1):
        raise LayerError(_("strides and dilation_rate cannot both be larger than 1"))
    if channels % groups or filters % groups:
        raise LayerError(
            _(
                "groups={groups} must divide both the {channels} input channels and the {filters} "
                "filters"
            ).format(groups=groups, channels=channels, filters=filters)
        )
    span_h, span_w = (k_h - 1) * d_h + 1, (k_w - 1) * d_w + 1  # a dilated kernel's reach
    out_h = window_size(height, span_h, s_h, padding)
    out_w = window_size(width, span_w, s_w, padding)
    per_filter = channels // groups
    bias = filters if use_bias else 0
    parameters = k_h * k_w * per_filter * filters + bias
    bias_text = f" + {filters}" if use_bias else " " + _("(no bias)")
    working = (
        f"{_both_axes(out_h, out_w, (height, span_h, s_h) == (width, span_w, s_w))}; "
        f"{k_h}*{k_w}*{per_filter}*{filters}{bias_text} = {count_text(parameters)}"
    )
    return LayerStep(
        (out_h[0], out_w[0], filters),
        parameters,
        out_h[0] * out_w[0] * k_h * k_w * per_filter * filters,
        working,
    )


def _pooling(config: dict, shape: Shape, name: str) -> LayerStep:
    height, width, channels = _image(shape, name)
    p_h, p_w = number_pair(config, "pool_size", 2)
    s_h, s_w = number_pair(config, "strides", [p_h, p_w])
    padding = padding_of(config)
    out_h = window_size(height, p_h, s_h, padding)
    out_w = window_size(width, p_w, s_w, padding)
    working = _both_axes(out_h, out_w, (height, p_h, s_h) == (width, p_w, s_w))
    return LayerStep(
        (out_h[0], out_w[0], channels),
        0,
        out_h[0] * out_w[0] * p_h * p_w * channels,
        working + "; " + _("no weights"),
    )


def _global_pooling(config: dict, shape: Shape, name: str) -> LayerStep:
    height, width, channels = _image(shape, name)
    keepdims = flag(config, "keepdims", False)
    verb = "max" if "Max" in name else "mean"
    return LayerStep(
        (1, 1, channels) if keepdims else (channels,),
        0,
        height * width * channels,
        (
            _("the max of each channel's {size} map")
            if verb == "max"
            else _("the mean of each channel's {size} map")
        ).format(size=f"{height}x{width}"),
    )


def _flatten(config: dict, shape: Shape) -> LayerStep:
    size = product(shape)
    return LayerStep(
        (size,),
        0,
        0,
        f"{'*'.join(map(str, shape))} = {count_text(size)}"
        if len(shape) > 1
        else _("already flat"),
    )


def _dense(config: dict, shape: Shape) -> LayerStep:
    units = whole_number(config, "units")
    use_bias = flag(config, "use_bias", True)
    if config.get("lora_rank") or config.get("quantization_config"):
        raise LayerError(_("LoRA and quantised Dense layers are not part of this exercise"))
    inputs = shape[-1]
    positions = product(shape[:-1])
    parameters = inputs * units + (units if use_bias else 0)
    working = f"{count_text(inputs)}*{units}" + (
        f" + {units}" if use_bias else " " + _("(no bias)")
    )
    working += f" = {count_text(parameters)}"
    if len(shape) > 1:
        working += ", " + _(
            "applied at each of the {positions} positions (no Flatten before it)"
        ).format(positions="x".join(map(str, shape[:-1])))
    return LayerStep((*shape[:-1], units), parameters, positions * inputs * units, working)


def _batch_normalization(config: dict, shape: Shape) -> LayerStep:
    axis = config.get("axis", -1)
    if isinstance(axis, list) and len(axis) == 1:
        axis = axis[0]
    if (
        axis not in (-1, len(shape))
        or flag(config, "renorm", False)
        or flag(config, "synchronized", False)
    ):
        raise LayerError(
            _(
                "BatchNormalization is followed here only over the channel axis "
                "(axis=-1), without renorm"
            )
        )
    channels = shape[-1]
    kinds = 2 + flag(config, "center", True) + flag(config, "scale", True)
    parameters = kinds * channels
    return LayerStep(
        shape,
        parameters,
        product(shape),
        f"{kinds}*{channels} = {count_text(parameters)} "
        + _("(scale, shift, moving mean and variance)"),
    )


def _zero_padding(config: dict, shape: Shape) -> LayerStep:
    height, width, channels = _image(shape, "ZeroPadding2D")
    padding = config.get("padding", 1)
    if isinstance(padding, int) and not isinstance(padding, bool):
        padding = [[padding, padding], [padding, padding]]
    elif (
        isinstance(padding, list) and len(padding) == 2 and all(isinstance(p, int) for p in padding)
    ):
        padding = [[padding[0], padding[0]], [padding[1], padding[1]]]
    if not (
        isinstance(padding, list)
        and len(padding) == 2
        and all(isinstance(pair, list) and len(pair) == 2 for pair in padding)
    ):
        raise LayerError(
            _(
                "padding must be a number, a pair or ((top, bottom), (left, right)), not {padding}"
            ).format(padding=repr(padding))
        )
    top, bottom, left, right = (
        whole_number({"padding": side}, "padding", low=0) for pair in padding for side in pair
    )
    out_h, out_w = height + top + bottom, width + left + right
    return LayerStep(
        (out_h, out_w, channels),
        0,
        0,
        f"H: {height} + {top} + {bottom} = {out_h}; W: {width} + {left} + {right} = {out_w}",
    )


def _reshape(config: dict, shape: Shape) -> LayerStep:
    target = config.get("target_shape")
    if (
        not isinstance(target, list)
        or not target
        or not all(
            isinstance(v, int) and not isinstance(v, bool) and (v >= 1 or v == -1) for v in target
        )
        or target.count(-1) > 1
    ):
        raise LayerError(
            _("target_shape must be a list of sizes (one may be -1), not {target}").format(
                target=repr(target)
            )
        )
    size, known = product(shape), product(tuple(v for v in target if v != -1))
    if size % known or (-1 not in target and size != known):
        raise LayerError(
            _("cannot reshape {shape} ({size} values) into {target}").format(
                shape=shape, size=size, target=tuple(target)
            )
        )
    resolved = tuple(size // known if v == -1 else v for v in target)
    return LayerStep(resolved, 0, 0, _("{count} values rearranged").format(count=count_text(size)))


def _unchanged(config: dict, shape: Shape) -> LayerStep:
    return LayerStep(shape, 0, product(shape), "")


def _softmax(config: dict, shape: Shape) -> LayerStep:
    if config.get("axis", -1) not in (-1, len(shape)):
        raise LayerError(_("Softmax is followed here only over the last axis (axis=-1)"))
    return LayerStep(shape, 0, product(shape), "")


def _input(config: dict, shape: Shape) -> LayerStep:
    return LayerStep(shape)


LAYERS: dict[str, Callable[[dict, Shape], LayerStep]] = {
    "InputLayer": _input,
    "Conv2D": _conv2d,
    "MaxPooling2D": lambda config, shape: _pooling(config, shape, "MaxPooling2D"),
    "AveragePooling2D": lambda config, shape: _pooling(config, shape, "AveragePooling2D"),
    "GlobalMaxPooling2D": lambda config, shape: _global_pooling(
        config, shape, "GlobalMaxPooling2D"
    ),
    "GlobalAveragePooling2D": lambda config, shape: _global_pooling(
        config, shape, "GlobalAveragePooling2D"
    ),
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
"""The shape rule of every class in `LAYER_CLASSES`."""
