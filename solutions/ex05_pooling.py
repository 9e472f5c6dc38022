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
    # BEGIN SOLUTION
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"x must be a batch (N, H, W, C), got {x.ndim}-D with shape {x.shape}")
    batch, height, width, channels = x.shape
    f_h, f_w = _pair("pool_size", pool_size)
    # Keras: no strides means windows side by side, moving by their own size.
    s_h, s_w = _pair("strides", (f_h, f_w) if strides is None else strides)
    padding = _check_padding(padding)

    # Results are floating point (at least float32), so -inf is a value the padding can hold.
    dtype = np.result_type(x.dtype, np.float32)
    x = x.astype(dtype)  # a copy: the caller's array is never modified

    if padding == "same":
        # ceil(H / S) outputs; padding for the last window, the smaller half first.
        out_h, out_w = -(-height // s_h), -(-width // s_w)
        pad_h = max((out_h - 1) * s_h + f_h - height, 0)
        pad_w = max((out_w - 1) * s_w + f_w - width, 0)
        # -inf, not 0: a padded cell must never be the max, even of negative values.
        x = np.pad(x, ((0, 0), (pad_h // 2, pad_h - pad_h // 2),
                       (pad_w // 2, pad_w - pad_w // 2), (0, 0)), constant_values=-np.inf)
    else:
        if f_h > height or f_w > width:
            raise ValueError(f"pool {f_h}x{f_w} is larger than the input {height}x{width} "
                             "(use padding='same' or a smaller pool)")
        out_h, out_w = (height - f_h) // s_h + 1, (width - f_w) // s_w + 1

    # Start below every value, so the first cell of each window always replaces it.
    out = np.full((batch, out_h, out_w, channels), -np.inf, dtype=dtype)
    for a in range(f_h):
        for b in range(f_w):
            # Cell (a, b) of every window at once: rows a, a + S_h, ..., one strided slice.
            cell = x[:, a:a + (out_h - 1) * s_h + 1:s_h, b:b + (out_w - 1) * s_w + 1:s_w, :]
            np.maximum(out, cell, out=out)
    return out
    # END SOLUTION
    # STUB: # TODO(ex05): check x is 4-D, turn pool_size and strides into pairs (what does strides=None
    # STUB: #   mean?), pad for 'same', work out H_out and W_out, then take the max of each window. Which
    # STUB: #   axes does the max reduce over, and what padding value can never win it?
    # STUB: raise NotImplementedError("ex05: max_pool2d is not implemented yet")


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
