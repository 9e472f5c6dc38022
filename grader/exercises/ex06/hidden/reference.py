"""Reference answers for the ex06 hidden suite, written independently of solutions/.

Sizes are found by counting where a window can start (`len(range(...))`) rather than by the
closed formula the solution uses, so each checks the other; the project's own tests check
both against Keras' `compute_output_shape` and `count_params`.
"""

from __future__ import annotations

from grader.exercises.hidden.windows import pair


def window_count(size: int, window: int, stride: int, padding: int = 0) -> int:
    """How many windows fit along one axis after `padding` zeros on each side."""
    return len(range(0, size + 2 * padding - window + 1, stride))


def keras_size(size: int, window: int, stride: int, padding: str) -> int:
    """One axis of a Keras Conv2D/MaxPooling2D output under "valid" or "same" padding."""
    if padding.lower() == "same":
        return len(range(0, size, stride))  # every start inside the input: ceil(size / stride)
    return window_count(size, window, stride)


def conv_shape(input_shape, filters, kernel_size, strides=1, padding="valid") -> tuple:
    (height, width, _channels), (f_h, f_w), (s_h, s_w) = (
        input_shape,
        pair(kernel_size),
        pair(strides),
    )
    return (keras_size(height, f_h, s_h, padding), keras_size(width, f_w, s_w, padding), filters)


def pool_shape(input_shape, pool_size=(2, 2), strides=None, padding="valid") -> tuple:
    strides = pool_size if strides is None else strides
    return conv_shape(input_shape, input_shape[2], pool_size, strides, padding)


def conv_params(kernel_size, in_channels, filters, use_bias=True) -> int:
    f_h, f_w = pair(kernel_size)
    return f_h * f_w * in_channels * filters + (filters if use_bias else 0)


def dense_params(in_features, units, use_bias=True) -> int:
    return in_features * units + (units if use_bias else 0)
