"""Exercise 05: max pooling (최대 풀링).

Max pooling shrinks a feature map by keeping, from each window, only its largest value: "was
this feature found anywhere around here?". It learns no weights, and it works on each channel
separately, so the depth stays the same.

Letters: N is the batch size; H, W the height and width; C the channels; F_h, F_w the pool
size; S_h, S_w the strides. Shapes are channels-last, as in Keras:

    x    (N, H, W, C)                out  (N, H_out, W_out, C)
    out[n, i, j, c] = max of x[n, i*S_h : i*S_h + F_h, j*S_w : j*S_w + F_w, c]

With `strides=None` the windows move by their own size (S = F) and sit side by side without
overlapping, as Keras' MaxPooling2D does. "valid" padding keeps only windows that fit inside
the input: H_out = (H - F_h + 2P) // S_h + 1 with P = 0. "same" padding gives
H_out = ceil(H / S_h) by TensorFlow's rule of ex03: total = max((H_out - 1) * S_h + F_h - H, 0)
padded rows, total // 2 on top and the rest at the bottom (and likewise the columns). A padded
cell must never win the max, even where every real value is negative: pad with -inf, not 0.

Worked example from the course: 2x2 max pooling with stride 2 on one 4x4 channel

    1  1  2  4
    5  6  7  8          6  8
    3  2  1  0    ->    3  4
    1  2  3  4

Each 2x2 block gives its largest value; the output is (4 - 2) // 2 + 1 = 2 by 2. A (1, 28, 28,
10) batch pooled the same way becomes (1, 14, 14, 10).

This is what `keras.layers.MaxPooling2D(pool_size, strides, padding)` computes.

Check your work with `grade ex05`; ask for a hint with `grade hint ex05`.
"""

import numpy as np


def max_pool2d(x, pool_size=(2, 2), strides=None, padding="valid"):
    """The largest value of each window, channel by channel.

    Parameters
    ----------
    x : ndarray of shape (N, H, W, C)
        A batch of feature maps; may be integer images (uint8, 0-255). Pool per image and
        per channel: each window's max is taken over its F_h x F_w cells only, never across
        N or C.
    pool_size : int or (F_h, F_w), default (2, 2)
        The window's height and width; an int is a square window.
    strides : int, (S_h, S_w) or None, default None
        How far the window moves down and across; None means the pool size.
    padding : "valid" or "same" (any case), default "valid"

    Returns
    -------
    ndarray of shape (N, H_out, W_out, C), floating point
        "valid": H_out = (H - F_h) // S_h + 1, W_out = (W - F_w) // S_w + 1.
        "same":  H_out = ceil(H / S_h),        W_out = ceil(W / S_w).
        Example: x (1, 4, 4, 1) with the defaults gives (1, 2, 2, 1), as above.
        Equal to keras.layers.MaxPooling2D(pool_size, strides, padding)(x).

    Raises
    ------
    ValueError
        If x is not 4-D, a pool size or stride is < 1, the padding is unknown, or (with
        "valid") the window is larger than the input.

    Reference: about 25 lines, a third of them checks. Loop over the output positions (i, j),
    or, shorter and faster, over the F_h * F_w cells (a, b) of the window, each time taking a
    strided slice of x.
    """
    # TODO(ex05): check x is 4-D, turn pool_size and strides into pairs (what does strides=None
    #   mean?), pad for 'same', work out H_out and W_out, then take the max of each window. Which
    #   axes does the max reduce over, and what padding value can never win it?
    raise NotImplementedError("ex05: max_pool2d is not implemented yet")


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
