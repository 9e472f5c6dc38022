"""Reference answers for the ex09 hidden suite, written independently of solutions/.

The solution grows the receptive field from the input up (keeping the jump); this reference
walks down from one output unit (r = S * r + F - S, last layer first), counts multiply-adds
from ex06's reference output shape (`conv_shape`) and the window volume, and applies a 1x1 convolution with
`einsum`. `wrong_fields`, `wrong_costs` and `wrong_mixes` compute what common mistakes give,
for the feedback. `tests/suites/test_ex09_references.py` checks all three against Keras.
"""

from __future__ import annotations

import math

import numpy as np

from grader.exercises.ex06.hidden.reference import conv_shape
from grader.exercises.hidden.windows import pair


def receptive_field(layers) -> int:
    """Input pixels one last-layer unit sees, along one axis."""
    field = 1
    for size, stride in reversed(list(layers)):
        field = stride * field + size - stride
    return field


def multiply_adds(input_shape, filters, kernel_size, strides=1, padding="valid") -> int:
    """H_out * W_out * C_out * F_h * F_w * C_in of a Conv2D layer."""
    out_h, out_w, _channels = conv_shape(input_shape, filters, kernel_size, strides, padding)
    f_h, f_w = pair(kernel_size)
    return out_h * out_w * filters * f_h * f_w * input_shape[2]


def pointwise_conv(x, kernel, bias=None) -> np.ndarray:
    """Keras' Conv2D(C_out, 1) on x, in float64."""
    out = np.einsum(
        "nijc,ck->nijk", np.asarray(x, dtype=np.float64), np.asarray(kernel, dtype=np.float64)[0, 0]
    )
    return out if bias is None else out + np.asarray(bias, dtype=np.float64)


def wrong_fields(layers) -> dict[str, int]:
    """What common receptive-field mistakes return, by mistake."""
    layers = list(layers)
    strides = [stride for _size, stride in layers]
    jumps_after = [math.prod(strides[: index + 1]) for index in range(len(layers))]
    jumps = [math.prod(strides[:index]) for index in range(len(layers))]
    return {
        "strides_ignored": 1 + sum(size - 1 for size, _stride in layers),
        "own_stride": 1
        + sum((size - 1) * jump for (size, _stride), jump in zip(layers, jumps_after)),
        "kernel_sum": sum(size for size, _stride in layers),
        "kernel_product": math.prod(size for size, _stride in layers),
        "no_minus_one": sum(size * jump for (size, _stride), jump in zip(layers, jumps)),
        "wrong_order": receptive_field(list(reversed(layers))),
    }


def wrong_costs(input_shape, filters, kernel_size, strides=1, padding="valid") -> dict[str, int]:
    """What common multiply-add mistakes return, by mistake."""
    height, width, c_in = input_shape
    out_h, out_w, _channels = conv_shape(input_shape, filters, kernel_size, strides, padding)
    f_h, f_w = pair(kernel_size)
    window = f_h * f_w * c_in
    return {
        "no_input_channels": out_h * out_w * filters * f_h * f_w,
        "input_size": height * width * filters * window,
        "weights_only": filters * window,
        "parameters": filters * (window + 1),
        "bias_counted": out_h * out_w * filters * (window + 1),
        "no_filters": out_h * out_w * window,
        "multiplies_and_adds": 2 * out_h * out_w * filters * window,
        "flops": out_h * out_w * filters * (2 * window - 1),
        "square_kernel": out_h * out_w * filters * f_h * f_h * c_in if f_h != f_w else None,
        "square_kernel_w": out_h * out_w * filters * f_w * f_w * c_in if f_h != f_w else None,
    }


def wrong_mixes(x, kernel, bias=None) -> dict[str, np.ndarray]:
    """What common 1x1-convolution mistakes return, by mistake (only those that apply)."""
    x, kernel = np.asarray(x, dtype=np.float64), np.asarray(kernel, dtype=np.float64)
    c_in, c_out = kernel.shape[2:]
    found = {}
    if bias is not None and np.any(bias):
        found["bias_ignored"] = pointwise_conv(x, kernel)
    if c_in == c_out:
        diagonal = np.diagonal(kernel[0, 0])
        found["no_mixing"] = x * diagonal + (
            0 if bias is None else np.asarray(bias, dtype=np.float64)
        )
        found["transposed"] = pointwise_conv(x, kernel.transpose(0, 1, 3, 2), bias)
    return found
