"""Exercise 06: output sizes and parameter counts (출력 크기와 파라미터 수).

Before building a CNN you should be able to say, for every layer, what shape comes out and
how many weights it learns. Letters: W is the input size along one axis (height or width),
F the kernel (or pool) size, S the stride, P the padding on each side, C the channels.

The output-size formula, word for word:

    W_out = (W - F + 2P) // S + 1

Examples from the course:
  - 32x32x3 input, ten 5x5 filters, stride 1, no padding: (32 - 5 + 0) // 1 + 1 = 28,
    so the output is 28x28x10.
  - 32x32x3 input, ten 3x3 filters, stride 1, padding 1: (32 - 3 + 2) // 1 + 1 = 32, so the
    output is 32x32x10 (not 16x16x10, as one version of the notes says).

Keras names two paddings. "valid" is P = 0: W_out = (W - F) // S + 1. "same" pads just enough
that W_out = ceil(W / S), whatever F is.

A conv layer with F_h x F_w kernels over C_in channels and K filters learns
F_h * F_w * C_in * K weights plus K biases. A Dense layer from n inputs to m units learns
n * m weights plus m biases. Pooling layers learn nothing.

Check your work with `grade ex06`; ask for a hint with `grade hint ex06`.
"""

import math


def conv_output_size(size, kernel_size, stride=1, padding=0):
    """The output size along one axis: (W - F + 2P) // S + 1.

    Parameters
    ----------
    size : int
        W, the input size (>= 1).
    kernel_size : int
        F, the kernel size (>= 1).
    stride : int, default 1
        S (>= 1).
    padding : int, default 0
        P, zeros added on *each* side (>= 0).

    Returns
    -------
    int
        W_out. Example: conv_output_size(32, 5) == 28; conv_output_size(32, 3, 1, 1) == 32.

    Raises
    ------
    ValueError
        If an argument is not a whole number in its range, or W_out would be < 1.

    Reference: about 8 lines (most of them checks).
    """
    # BEGIN SOLUTION
    for name, value, smallest in (("size", size, 1), ("kernel_size", kernel_size, 1),
                                  ("stride", stride, 1), ("padding", padding, 0)):
        _check_int(name, value, smallest)
    # Integer division: a window that would run past the edge does not count.
    out = (size - kernel_size + 2 * padding) // stride + 1
    if out < 1:
        raise ValueError(f"a {kernel_size}-wide kernel does not fit a {size}-wide input "
                         f"with padding {padding}")
    return out
    # END SOLUTION
    # STUB: # TODO(ex06): check the arguments (_check_int helps), apply the formula with //, refuse a result < 1.
    # STUB: raise NotImplementedError("ex06: conv_output_size is not implemented yet")


def conv_output_shape(input_shape, filters, kernel_size, strides=1, padding="valid"):
    """The (H, W, filters) a Keras Conv2D layer produces from an (H, W, C) input.

    Parameters
    ----------
    input_shape : tuple (H, W, C)
    filters : int
        K, the number of filters (the output's depth).
    kernel_size : int or (F_h, F_w)
    strides : int or (S_h, S_w), default 1
    padding : "valid" or "same" (any case), default "valid"

    Returns
    -------
    tuple of int (H_out, W_out, filters)
        As Keras' `Conv2D(...).compute_output_shape((None, H, W, C))[1:]`.
        Example: conv_output_shape((32, 32, 3), 10, 5) == (28, 28, 10).

    Raises
    ------
    ValueError
        For a shape that is not three positive ints, filters < 1, a stride < 1, an unknown
        padding, or a "valid" window larger than the input.

    Reference: about 8 lines, reusing conv_output_size for each axis.
    """
    # BEGIN SOLUTION
    height, width, _channels = _check_shape(input_shape)
    _check_int("filters", filters, 1)
    f_h, f_w = _pair("kernel_size", kernel_size)
    s_h, s_w = _pair("strides", strides)
    padding = _check_padding(padding)
    if padding == "same":
        # "same" pads just enough that each stride step starts inside the input.
        return (math.ceil(height / s_h), math.ceil(width / s_w), filters)
    # "valid" is P = 0 in the formula, one axis at a time.
    return (conv_output_size(height, f_h, s_h), conv_output_size(width, f_w, s_w), filters)
    # END SOLUTION
    # STUB: # TODO(ex06): unpack the shape, turn kernel_size and strides into pairs, then apply the padding rule to H and W.
    # STUB: raise NotImplementedError("ex06: conv_output_shape is not implemented yet")


def pool_output_shape(input_shape, pool_size=(2, 2), strides=None, padding="valid"):
    """The (H, W, C) a Keras MaxPooling2D layer produces from an (H, W, C) input.

    Parameters
    ----------
    input_shape : tuple (H, W, C)
    pool_size : int or (F_h, F_w), default (2, 2)
    strides : int, (S_h, S_w) or None, default None
        None means the same as `pool_size` (windows side by side, not overlapping).
    padding : "valid" or "same" (any case), default "valid"

    Returns
    -------
    tuple of int (H_out, W_out, C)
        Pooling keeps the depth. Example: pool_output_shape((28, 28, 10)) == (14, 14, 10).

    Raises
    ------
    ValueError
        As for `conv_output_shape`.

    Reference: about 3 lines: pooling is shaped like a conv with C filters.
    """
    # BEGIN SOLUTION
    _height, _width, channels = _check_shape(input_shape)
    # A pooling window slides like a kernel, keeps the depth, and by default strides by its size.
    strides = pool_size if strides is None else strides
    return conv_output_shape(input_shape, channels, pool_size, strides, padding)
    # END SOLUTION
    # STUB: # TODO(ex06): pooling keeps the depth C; when strides is None, the stride is the pool size.
    # STUB: raise NotImplementedError("ex06: pool_output_shape is not implemented yet")


def conv2d_param_count(kernel_size, in_channels, filters, use_bias=True):
    """The number of weights a Conv2D layer learns, as Keras' `count_params()` says.

    Parameters
    ----------
    kernel_size : int or (F_h, F_w)
    in_channels : int
        C_in, the depth of the input.
    filters : int
        K, the number of filters.
    use_bias : bool, default True

    Returns
    -------
    int
        F_h * F_w * C_in * K + (K if use_bias else 0).
        Example: ten 5x5 filters over 3 channels learn 5*5*3*10 + 10 = 760.

    Raises
    ------
    ValueError
        If a size or count is not a positive int.

    Reference: about 4 lines.
    """
    # BEGIN SOLUTION
    f_h, f_w = _pair("kernel_size", kernel_size)
    _check_int("in_channels", in_channels, 1)
    _check_int("filters", filters, 1)
    # One F_h x F_w x C_in block of weights per filter, plus one bias per filter.
    return f_h * f_w * in_channels * filters + (filters if use_bias else 0)
    # END SOLUTION
    # STUB: # TODO(ex06): one F_h x F_w x C_in block of weights per filter, plus one bias per filter.
    # STUB: raise NotImplementedError("ex06: conv2d_param_count is not implemented yet")


def dense_param_count(in_features, units, use_bias=True):
    """The number of weights a Dense layer learns, as Keras' `count_params()` says.

    Parameters
    ----------
    in_features : int
        n, the length of the input vector (e.g. 64 * 64 = 4096 for a flattened grey image).
    units : int
        m, the number of units.
    use_bias : bool, default True

    Returns
    -------
    int
        n * m + (m if use_bias else 0). Example: dense_param_count(4096, 1) == 4097.

    Raises
    ------
    ValueError
        If a count is not a positive int.

    Reference: about 3 lines.
    """
    # BEGIN SOLUTION
    _check_int("in_features", in_features, 1)
    _check_int("units", units, 1)
    return in_features * units + (units if use_bias else 0)
    # END SOLUTION
    # STUB: # TODO(ex06): one weight per (input, unit) pair, plus one bias per unit.
    # STUB: raise NotImplementedError("ex06: dense_param_count is not implemented yet")


# Provided helpers: use them as they are; they turn bad arguments into clear ValueErrors.


def _check_int(name, value, smallest):
    """Raise ValueError unless `value` is an int (not a bool) >= `smallest`."""
    if isinstance(value, bool) or not isinstance(value, int) or value < smallest:
        raise ValueError(f"{name} must be an int >= {smallest}, got {value!r}")


def _pair(name, value):
    """An int or an (h, w) pair, as a pair of positive ints: _pair("strides", 2) == (2, 2)."""
    pair = (value, value) if isinstance(value, int) and not isinstance(value, bool) else tuple(value)
    if len(pair) != 2:
        raise ValueError(f"{name} must be an int or a pair (h, w), got {value!r}")
    for item in pair:
        _check_int(name, item, 1)
    return pair


def _check_shape(input_shape):
    """An (H, W, C) shape as a tuple of three positive ints."""
    shape = tuple(input_shape)
    if len(shape) != 3:
        raise ValueError(f"input_shape must be (H, W, C), got {input_shape!r}")
    for item in shape:
        _check_int("input_shape", item, 1)
    return shape


def _check_padding(padding):
    """"valid" or "same" in lower case, whatever case it came in."""
    if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
    return padding.lower()
