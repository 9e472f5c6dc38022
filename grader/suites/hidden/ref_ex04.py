"""Reference answers for the ex04 hidden suite, written independently of solutions/.

Where the solution loops over kernel cells and multiplies strided slices, this reference
takes every window at once (`sliding_window_view`), keeps every S-th, and contracts windows
with the kernel in one `einsum`, in float64. Padding is explicit (top, bottom, left, right),
so the suite can also compute what common mistakes would give: the padding on the wrong side,
a flipped kernel, a stride ignored on one axis.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from grader.suites.hidden.ref_ex03 import same_pads


def pair(value) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else tuple(value)


def tf_pads(height: int, width: int, f_h: int, f_w: int, strides, padding: str) -> tuple[int, ...]:
    """(top, bottom, left, right) zeros that TensorFlow adds for `padding`."""
    if padding.lower() == "valid":
        return (0, 0, 0, 0)
    s_h, s_w = pair(strides)
    return (*same_pads(height, f_h, s_h), *same_pads(width, f_w, s_w))


def correlate(x: np.ndarray, kernel: np.ndarray, bias=None, strides=1,
              pads: tuple[int, int, int, int] = (0, 0, 0, 0)) -> np.ndarray:
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
    pads = tf_pads(x.shape[1], x.shape[2], kernel.shape[0], kernel.shape[1], strides, padding)
    return correlate(x, kernel, bias, strides, pads)


def output_hw(height: int, width: int, f_h: int, f_w: int, strides, padding: str) -> tuple[int, int]:
    """(H_out, W_out) by Keras' rules, counted from window starts."""
    s_h, s_w = pair(strides)
    if padding.lower() == "same":
        return math.ceil(height / s_h), math.ceil(width / s_w)
    return len(range(0, height - f_h + 1, s_h)), len(range(0, width - f_w + 1, s_w))


def course_example() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The course's 6x6x3 input and two 3x3x3 filters (with biases 1 and 0): a 4x4x2 output.

    Channel c of the input counts 0..35 row by row, plus 100 * c; filter 0 is all ones (it
    sums its 27 pixels), filter 1 takes the centre pixel of channel 0 minus that of channel 2.
    """
    x = (np.arange(36).reshape(6, 6)[:, :, None] + 100 * np.arange(3)).astype(np.float64)[None]
    kernel = np.zeros((3, 3, 3, 2))
    kernel[:, :, :, 0] = 1.0
    kernel[1, 1, 0, 1], kernel[1, 1, 2, 1] = 1.0, -1.0
    return x, kernel, np.array([1.0, 0.0])
