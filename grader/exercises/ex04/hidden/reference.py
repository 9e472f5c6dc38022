"""Reference answers for the ex04 hidden suite, written independently of solutions/.

Where the solution loops over kernel cells and multiplies strided slices, this reference
takes every window at once (`sliding_window_view`), keeps every S-th, and contracts windows
with the kernel in one `einsum`, in float64. Padding is explicit (top, bottom, left, right),
so the suite can also compute what common mistakes would give: the padding on the wrong side,
a flipped kernel, a stride ignored on one axis.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from grader.exercises.hidden.windows import pair, tf_pads


def correlate(
    x: np.ndarray,
    kernel: np.ndarray,
    bias=None,
    strides=1,
    pads: tuple[int, int, int, int] = (0, 0, 0, 0),
) -> np.ndarray:
    """Strided multi-channel cross-correlation of a zero-padded batch, float64."""
    x = np.asarray(x, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    top, bottom, left, right = pads
    x = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    s_h, s_w = pair(strides)
    f_h, f_w = kernel.shape[:2]
    windows = sliding_window_view(x, (f_h, f_w), axis=(1, 2))[:, ::s_h, ::s_w]
    # windows: (N, H_out, W_out, C_in, F_h, F_w); kernel: (F_h, F_w, C_in, C_out)
    out = np.einsum("nijcab,abck->nijk", windows, kernel)
    if bias is not None:
        out = out + np.asarray(bias, dtype=np.float64)
    return out


def conv2d(x: np.ndarray, kernel: np.ndarray, bias=None, strides=1, padding="valid") -> np.ndarray:
    """What tf.nn.conv2d(x, kernel, strides, padding.upper()) + bias gives, in float64."""
    pads = tf_pads(x.shape[1], x.shape[2], kernel.shape[:2], strides, padding)
    return correlate(x, kernel, bias, strides, pads)
