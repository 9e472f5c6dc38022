"""Reference answers for the ex05 hidden suite, written independently of solutions/.

The solution pads with -inf and takes elementwise maxima of strided slices; this reference
visits each output cell and takes the max of its window *clipped to the input*, so padding
never enters unless a mistake is being modelled (`fill=0` is what zero padding gives). It also
computes what average pooling would give, for the suite's feedback.
"""

from __future__ import annotations

import math

import numpy as np

from grader.suites.hidden.ref_ex03 import same_pads


def pair(value) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else tuple(value)


def pool_pads(height: int, width: int, pool_size, strides, padding: str) -> tuple[int, ...]:
    """(top, bottom, left, right) cells TensorFlow's "same" padding adds around the input."""
    if padding.lower() == "valid":
        return (0, 0, 0, 0)
    (f_h, f_w), (s_h, s_w) = pair(pool_size), pair(strides)
    return (*same_pads(height, f_h, s_h), *same_pads(width, f_w, s_w))


def output_hw(height: int, width: int, pool_size, strides, padding: str) -> tuple[int, int]:
    (f_h, f_w), (s_h, s_w) = pair(pool_size), pair(strides)
    if padding.lower() == "same":
        return math.ceil(height / s_h), math.ceil(width / s_w)
    return (height - f_h) // s_h + 1, (width - f_w) // s_w + 1


def pool(x: np.ndarray, pool_size=(2, 2), strides=None, padding="valid", *,
         pads: tuple[int, int, int, int] | None = None, out_hw: tuple[int, int] | None = None,
         reduce=np.max, fill: float | None = None) -> np.ndarray:
    """Pool every window of `x` with `reduce` over its cells inside the input, in float64.

    `pads` (top, bottom, left, right) and `out_hw` override TensorFlow's; with `fill`, a max
    over a window that hangs over the edge also sees that value (what padding with it gives).
    """
    x = np.asarray(x, dtype=np.float64)
    batch, height, width, channels = x.shape
    strides = pool_size if strides is None else strides
    (f_h, f_w), (s_h, s_w) = pair(pool_size), pair(strides)
    top, _, left, _ = pads if pads is not None else pool_pads(height, width, pool_size, strides, padding)
    out_h, out_w = out_hw if out_hw is not None else output_hw(height, width, pool_size, strides, padding)
    out = np.full((batch, out_h, out_w, channels), np.nan)
    for i in range(out_h):
        rows = slice(max(i * s_h - top, 0), min(i * s_h - top + f_h, height))
        for j in range(out_w):
            cols = slice(max(j * s_w - left, 0), min(j * s_w - left + f_w, width))
            if rows.stop <= rows.start or cols.stop <= cols.start:
                continue  # a window wholly outside the input (only in a modelled mistake)
            out[:, i, j, :] = reduce(x[:, rows, cols, :], axis=(1, 2))
            inside = (rows.stop - rows.start) * (cols.stop - cols.start)
            if fill is not None and inside < f_h * f_w:
                out[:, i, j, :] = np.maximum(out[:, i, j, :], fill)
    return out


def max_pool(x: np.ndarray, pool_size=(2, 2), strides=None, padding="valid") -> np.ndarray:
    """What keras.layers.MaxPooling2D(pool_size, strides, padding)(x) gives, in float64."""
    return pool(x, pool_size, strides, padding)


COURSE_CHANNEL = np.array([[1, 1, 2, 4],
                           [5, 6, 7, 8],
                           [3, 2, 1, 0],
                           [1, 2, 3, 4]], dtype=np.float64)
COURSE_POOLED = np.array([[6, 8],
                          [3, 4]], dtype=np.float64)
