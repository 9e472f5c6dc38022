"""Reference answers for the ex01 hidden suite, written independently of solutions/.

The valid cross-correlation here sums shifted slices of the image weighted by each kernel
cell, a different algorithm from the solution's loop over output cells, so the two check
each other. Everything is computed in float64.
"""

from __future__ import annotations

import numpy as np


def cross_correlate2d(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Valid cross-correlation of a 2-D image with a 2-D kernel, float64."""
    image = np.asarray(image, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    out_h = image.shape[0] - kernel.shape[0] + 1
    out_w = image.shape[1] - kernel.shape[1] + 1
    out = np.zeros((out_h, out_w))
    for a in range(kernel.shape[0]):
        for b in range(kernel.shape[1]):
            out += kernel[a, b] * image[a : a + out_h, b : b + out_w]
    return out


def wrapped_products(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """What a uint8 image times a uint8 kernel gives in uint8: each product modulo 256, then
    summed without wrapping (NumPy sums a uint8 array in a wider integer)."""
    image, kernel = np.asarray(image, dtype=np.int64), np.asarray(kernel, dtype=np.int64)
    out_h = image.shape[0] - kernel.shape[0] + 1
    out_w = image.shape[1] - kernel.shape[1] + 1
    out = np.zeros((out_h, out_w))
    for a in range(kernel.shape[0]):
        for b in range(kernel.shape[1]):
            out += np.mod(kernel[a, b] * image[a : a + out_h, b : b + out_w], 256)
    return out


def curve_detector() -> tuple[np.ndarray, np.ndarray]:
    """The course's 7x7 curve detector (30 along a curve) and a patch that follows the curve.

    Under the filter's six 30s the patch holds 50, 50, 50, 20, 50 and 0, so the response is
    (50 + 50 + 50 + 20 + 50 + 0) * 30 = 6600.
    """
    kernel = np.zeros((7, 7))
    for row, col in ((0, 5), (1, 4), (2, 3), (3, 3), (4, 3), (5, 3)):
        kernel[row, col] = 30
    patch = np.zeros((7, 7))
    for (row, col), value in zip(
        ((0, 5), (1, 4), (2, 3), (3, 3), (4, 3), (5, 2), (6, 2)), (50, 50, 50, 20, 50, 50, 50)
    ):
        patch[row, col] = value
    return patch, kernel
