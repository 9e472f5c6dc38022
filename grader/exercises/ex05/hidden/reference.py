"""Reference answers for the ex05 hidden suite, written independently of solutions/.

The solution pads with -inf and takes elementwise maxima of strided slices; this reference
visits each output cell and takes the max of its window *clipped to the input*, so padding
never enters unless a mistake is being modelled (`fill=0` is what zero padding gives). It also
computes what average pooling would give, for the suite's feedback.
"""

from __future__ import annotations

import numpy as np

from grader.exercises.hidden.windows import output_hw, pair, tf_pads


def pool(
    x: np.ndarray,
    pool_size=(2, 2),
    strides=None,
    padding="valid",
    *,
    pads: tuple[int, int, int, int] | None = None,
    out_hw: tuple[int, int] | None = None,
    reduce=np.max,
    fill: float | None = None,
) -> np.ndarray:
    """Pool every window of `x` with `reduce` over its cells inside the input, in float64.

    `pads` (top, bottom, left, right) and `out_hw` override TensorFlow's; with `fill`, a max
    over a window that hangs over the edge also sees that value (what padding with it gives).
    """
    x = np.asarray(x, dtype=np.float64)
    batch, height, width, channels = x.shape
    strides = pool_size if strides is None else strides
    (f_h, f_w), (s_h, s_w) = pair(pool_size), pair(strides)
    top, _bottom, left, _right = (
        pads if pads is not None else tf_pads(height, width, pool_size, strides, padding)
    )
    out_h, out_w = (
        out_hw if out_hw is not None else output_hw(height, width, pool_size, strides, padding)
    )
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
