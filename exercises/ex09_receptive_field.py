"""Exercise 09: receptive fields, the cost of a layer, 1x1 convolutions (수용 영역, 연산량, 1x1 합성곱).

Three ideas that decide how a CNN is designed.

The receptive field (수용 영역) of a unit is the patch of the input it can see. One 3x3
convolution sees 3x3 pixels; a second 3x3 convolution on top sees 3x3 of the first one's
outputs, which together cover 5x5 pixels; a third covers 7x7. A stride (of a convolution or
a pooling layer) spaces the units of every later layer further apart on the input, so the
layers after it grow the field faster. Along one axis, for layers l = 1..L (first layer
first) with kernel (or pool) size F_l and stride S_l:

    r = 1 + sum over l of (F_l - 1) * (S_1 * S_2 * ... * S_(l-1))

where the product is 1 for the first layer (the "jump" between neighbouring units of the
input to layer l). Padding changes where the field sits, never its size.

The cost of a convolution layer is counted in multiply-adds (MACs): each of the H_out * W_out
* C_out output values is a sum of F_h * F_w * C_in products, so

    MACs = H_out * W_out * C_out * F_h * F_w * C_in

with H_out = (H - F_h + 2P) // S_h + 1 as in ex06 ("same": H_out = ceil(H / S_h)). The bias
adds are not counted. A 3x3 layer from 64 to 64 channels on 56x56 with padding "same" (56x56
outputs) costs 56 * 56 * 64 * 9 * 64 = 115,605,504 MACs; with the default "valid" (54x54
outputs), 54 * 54 * 64 * 9 * 64 = 107,495,424. With "same", the same layer on 28x28 costs
exactly a quarter of the first; with "valid" (26x26 outputs), a little less than a quarter.

A 1x1 convolution (점별 합성곱) looks at one pixel at a time, so it sees nothing of its
neighbours: what it does is mix the channels. Output channel k at each pixel is a weighted
sum of all C_in input channels at that pixel, with the same weights everywhere, like a Dense
layer applied at every pixel:

    out[n, i, j, k] = sum over c of x[n, i, j, c] * kernel[0, 0, c, k] + bias[k]

It changes the depth (C_in -> C_out) with only C_in * C_out weights (plus C_out biases),
where a 3x3 layer needs nine times as many, and it is how networks such as GoogLeNet and
ResNet shrink the channels before an expensive 3x3 layer.

Check your work with `grade ex09`; ask for a hint with `grade hint ex09`.
"""

import numpy as np


def receptive_field(layers):
    """The receptive field, along one axis, of one unit of the last layer of a stack.

    Parameters
    ----------
    layers : sequence of (F, S) pairs of ints
        The kernel (or pool) size and stride of each conv or pooling layer, first layer
        first: [(3, 1), (2, 2), (3, 1)] is a 3x3 conv, 2x2 pooling with stride 2, a 3x3 conv.

    Returns
    -------
    int
        r = 1 + sum over l of (F_l - 1) * (S_1 * ... * S_(l-1)), in input pixels; 1 for no
        layers (a pixel sees itself).
        Examples: [(3, 1), (3, 1)] gives 5; [(3, 1), (2, 2), (3, 1)] gives 8.

    Raises
    ------
    ValueError
        If a layer is not a pair of ints, or a size or stride is < 1.

    Reference: about 10 lines, one loop that keeps the jump (the product of the strides so far).
    """
    # TODO(ex09): loop over the layers, first layer first. How many input pixels apart are two
    #   neighbouring units of the layer's input (the jump), and how much does the layer add?
    raise NotImplementedError("ex09: receptive_field is not implemented yet")


def conv2d_multiply_adds(input_shape, filters, kernel_size, strides=1, padding="valid"):
    """The multiply-adds of one Keras Conv2D layer on one (H, W, C_in) input.

    Parameters
    ----------
    input_shape : tuple (H, W, C_in)
    filters : int
        C_out, the number of filters.
    kernel_size : int or (F_h, F_w)
    strides : int or (S_h, S_w), default 1
    padding : "valid" or "same" (any case), default "valid"

    Returns
    -------
    int
        H_out * W_out * C_out * F_h * F_w * C_in (bias adds not counted), with
        H_out = (H - F_h) // S_h + 1 for "valid" and ceil(H / S_h) for "same".
        Example: conv2d_multiply_adds((32, 32, 3), 16, 3, padding="same") == 442368.

    Raises
    ------
    ValueError
        For a shape that is not three ints >= 1, filters < 1, a size or stride < 1, an
        unknown padding, or a "valid" window larger than the input.

    Reference: about 10 lines: ex06's output size on each axis, then one product.
    """
    # TODO(ex09): check the arguments (the helpers below), work out H_out and W_out as in ex06,
    #   then count: how many output values are there, and how many products make each one?
    raise NotImplementedError("ex09: conv2d_multiply_adds is not implemented yet")


def pointwise_conv(x, kernel, bias=None):
    """A 1x1 convolution: at every pixel, a weighted mix of the input channels.

    Parameters
    ----------
    x : ndarray of shape (N, H, W, C_in)
        A batch of feature maps; may be integer images (uint8, 0-255).
    kernel : ndarray of shape (1, 1, C_in, C_out)
        The weights of a Keras Conv2D(C_out, 1) layer: kernel[0, 0, c, k] weighs input channel
        c for output channel k.
    bias : ndarray of shape (C_out,) or None, default None

    Returns
    -------
    ndarray of shape (N, H, W, C_out), floating point
        out[n, i, j, k] = sum over c of x[n, i, j, c] * kernel[0, 0, c, k] + bias[k].
        Example: an RGB image with kernel [0.299, 0.587, 0.114] (shape (1, 1, 3, 1)) gives its
        grey-scale version, (N, H, W, 1).

    Raises
    ------
    ValueError
        If x is not 4-D, the kernel is not (1, 1, C_in, C_out) for x's C_in, or the bias is
        not (C_out,).

    Reference: about 12 lines, most of them checks; one matrix product over the last axis.
    """
    # TODO(ex09): check the shapes, then mix the channels of every pixel. Which axis of x meets
    #   which axis of kernel[0, 0]?
    raise NotImplementedError("ex09: pointwise_conv is not implemented yet")


# Provided helpers: use them as they are; they turn bad arguments into clear ValueErrors.


def _pair(name, value):
    """An int or an (h, w) pair, as a pair of ints >= 1: _pair("strides", 2) == (2, 2)."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = (value, value)
    try:
        first, second = value
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an int or a pair, got {value!r}") from None
    for item in (first, second):
        if isinstance(item, bool) or not isinstance(item, (int, np.integer)) or item < 1:
            raise ValueError(f"{name} must be ints >= 1, got {value!r}")
    return int(first), int(second)


def _count(name, value):
    """An int >= 1 (not a bool, not a float)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be an int >= 1, got {value!r}")
    return int(value)


def _shape(input_shape):
    """(H, W, C) as three ints >= 1."""
    try:
        height, width, channels = input_shape
    except (TypeError, ValueError):
        raise ValueError(f"input_shape must be (H, W, C), got {input_shape!r}") from None
    return _count("H", height), _count("W", width), _count("C", channels)


def _check_padding(padding):
    """"valid" or "same" in lower case, whatever case it came in."""
    if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
    return padding.lower()
