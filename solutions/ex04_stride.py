"""Exercise 04: a strided convolution layer (스트라이드 합성곱 층).

A convolution layer applies several filters to a batch of multi-channel images. Each filter
spans *all* input channels: a 3x3 filter over an RGB image is 3x3x3, and its response at one
position is one number, the sum over 3 * 3 * 3 products plus the filter's bias. Each filter
makes one channel of the output, so the output has as many channels as there are filters.

Letters: N is the batch size; H, W the input's height and width; C_in its channels; F_h, F_w
the kernel's height and width; C_out the number of filters; S_h, S_w the strides; P the
padding. Shapes are channels-last, as in Keras:

    x      (N, H, W, C_in)            kernel (F_h, F_w, C_in, C_out)      bias (C_out,)
    out    (N, H_out, W_out, C_out)

The stride is how far the window moves between outputs: S_h rows down, S_w columns across.
The output cell (i, j) of filter k looks at the window whose top-left corner is at row i * S_h,
column j * S_w:

    out[n, i, j, k] = sum over a, b, c of x[n, i*S_h + a, j*S_w + b, c] * kernel[a, b, c, k]
                      + bias[k]

"valid" padding adds no zeros (P = 0): H_out = (H - F_h + 2P) // S_h + 1 = (H - F_h) // S_h + 1,
and likewise W_out. "same" padding adds zeros by TensorFlow's rule of ex03 so that
H_out = ceil(H / S_h): total = max((H_out - 1) * S_h + F_h - H, 0) rows, the smaller half
(total // 2) on top and the rest at the bottom; the same for the columns, left and right.

Build it up one idea at a time; the public tests check the steps in this order:

1. One filter over three channels. The course's 6x6x3 input (one image, N = 1) and one
   3x3x3 filter, kernel (3, 3, 3, 1): at each position multiply the 3x3x3 window by the
   filter and sum all 27 products into ONE number. The filter fits (6 - 3) // 1 + 1 = 4 times
   along each axis, so the output is one 4x4 map, (1, 4, 4, 1): not one map per channel.
2. Several filters. Two 3x3x3 filters, kernel (3, 3, 3, 2), give two 4x4 maps stacked into a
   4x4x2 output, (1, 4, 4, 2); filter k's bias[k] is added to every cell of map k.
3. Stride. With stride 2 on a 7x7 input a 3x3 filter fits (7 - 3) // 2 + 1 = 3 times along
   each axis: a 3x3 output, its windows starting at rows and columns 0, 2, 4.
4. Padding. "same" pads first, then slides the window: with stride 1 and a 3x3 kernel, one
   zero on each side keeps a 4x4 input 4x4; with a stride, H_out = ceil(H / S_h) decides the
   padding (it may be uneven, or none at all).
5. The batch. Every image of x is convolved on its own: sum over F_h, F_w and C_in, never
   over N. The output keeps the batch axis, (N, H_out, W_out, C_out), even when N = 1.

This is what `tf.nn.conv2d(x, kernel, strides, padding.upper()) + bias` and a Keras `Conv2D`
layer compute (cross-correlation: the kernel is not flipped).

Check your work with `grade ex04`; ask for a hint with `grade hint ex04`.
"""

import numpy as np


def conv2d(x, kernel, bias=None, strides=1, padding="valid"):
    """The forward pass of a convolution layer: many channels, many filters, any stride.

    Parameters
    ----------
    x : ndarray of shape (N, H, W, C_in)
        A batch of images; may be integer images (uint8, 0-255).
    kernel : ndarray of shape (F_h, F_w, C_in, C_out)
        C_out filters, each F_h x F_w x C_in (the layout of a Keras Conv2D kernel).
    bias : ndarray of shape (C_out,) or None, default None
        One number per filter, added to every cell of that filter's output; None adds nothing.
    strides : int or (S_h, S_w), default 1
        How far the window moves down and across; an int moves both ways by the same amount.
    padding : "valid" or "same" (any case), default "valid"

    Returns
    -------
    ndarray of shape (N, H_out, W_out, C_out), floating point
        "valid": H_out = (H - F_h) // S_h + 1, W_out = (W - F_w) // S_w + 1.
        "same":  H_out = ceil(H / S_h),        W_out = ceil(W / S_w).
        Example: x (1, 6, 6, 3) and kernel (3, 3, 3, 2) give (1, 4, 4, 2).
        Equal to tf.nn.conv2d(x, kernel, strides, padding.upper()) + bias.

    Raises
    ------
    ValueError
        If x or kernel is not 4-D, their channels differ, bias is not (C_out,), a stride is
        < 1, the padding is unknown, or (with "valid") the kernel is larger than the input.

    Reference: about 40 lines, half of them checks. Loop over the output positions (i, j),
    or, shorter and faster, over the F_h * F_w kernel cells (a, b), each time taking a strided
    slice of x.
    """
    # BEGIN SOLUTION
    x = np.asarray(x)
    kernel = np.asarray(kernel)
    if x.ndim != 4 or kernel.ndim != 4:
        raise ValueError(f"x must be (N, H, W, C_in) and kernel (F_h, F_w, C_in, C_out), "
                         f"got shapes {x.shape} and {kernel.shape}")
    batch, height, width, c_in = x.shape
    f_h, f_w, kernel_c_in, c_out = kernel.shape
    if kernel_c_in != c_in:
        raise ValueError(f"kernel {kernel.shape} expects {kernel_c_in} input channels, "
                         f"x {x.shape} has {c_in}")
    if min(f_h, f_w, c_out) < 1:
        raise ValueError(f"kernel {kernel.shape} has an empty axis")
    if bias is not None:
        bias = np.asarray(bias)
        if bias.shape != (c_out,):
            raise ValueError(f"bias must have shape ({c_out},), one per filter, got {bias.shape}")
    s_h, s_w = _pair("strides", strides)
    padding = _check_padding(padding)

    # Compute in floating point: float32 for float32 inputs, float64 where an input needs it.
    dtype = np.result_type(x.dtype, kernel.dtype, np.float32)
    x = x.astype(dtype)  # a copy: the caller's array is never modified
    kernel = kernel.astype(dtype)

    if padding == "same":
        # ceil(H / S) outputs; zeros for the last window to fit, the smaller half first.
        out_h, out_w = -(-height // s_h), -(-width // s_w)
        pad_h = max((out_h - 1) * s_h + f_h - height, 0)
        pad_w = max((out_w - 1) * s_w + f_w - width, 0)
        x = np.pad(x, ((0, 0), (pad_h // 2, pad_h - pad_h // 2),
                       (pad_w // 2, pad_w - pad_w // 2), (0, 0)))
    else:
        if f_h > height or f_w > width:
            raise ValueError(f"kernel {f_h}x{f_w} is larger than the input {height}x{width} "
                             "(use padding='same' or a smaller kernel)")
        out_h, out_w = (height - f_h) // s_h + 1, (width - f_w) // s_w + 1

    out = np.zeros((batch, out_h, out_w, c_out), dtype=dtype)
    for a in range(f_h):
        for b in range(f_w):
            # The pixel under kernel cell (a, b) for every output position: rows a, a + S_h, ...
            under = x[:, a:a + (out_h - 1) * s_h + 1:s_h, b:b + (out_w - 1) * s_w + 1:s_w, :]
            # (N, H_out, W_out, C_in) @ (C_in, C_out): weigh and sum over the input channels.
            out += under @ kernel[a, b]
    if bias is not None:
        # One bias per filter, broadcast over every position of its output channel.
        out += bias.astype(dtype)
    return out
    # END SOLUTION
    # STUB: # TODO(ex04): check the shapes, unpack (N, H, W, C_in) and (F_h, F_w, C_in, C_out), pad for
    # STUB: #   'same', work out H_out and W_out, then fill the output. Where does the window of output
    # STUB: #   cell (i, j) start for strides (S_h, S_w), and which axes does one filter sum over?
    # STUB: raise NotImplementedError("ex04: conv2d is not implemented yet")


# Provided helpers: use them as they are; they turn bad arguments into clear ValueErrors.


def _pair(name, value):
    """An int or an (h, w) pair, as a pair of ints >= 1: _pair("strides", 2) == (2, 2)."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = (value, value)
    try:
        first, second = value
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an int or a pair (h, w), got {value!r}") from None
    for item in (first, second):
        if isinstance(item, bool) or not isinstance(item, (int, np.integer)) or item < 1:
            raise ValueError(f"{name} must be ints >= 1, got {value!r}")
    return int(first), int(second)


def _check_padding(padding):
    """"valid" or "same" in lower case, whatever case it came in."""
    if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
    return padding.lower()
