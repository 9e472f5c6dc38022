"""Reference answers for the ex02 hidden suite, written independently of solutions/.

The Sobel kernels are separable: SOBEL_X is the column (1, 2, 1) times the row (-1, 0, 1), and
SOBEL_Y its transpose. So gx here is a difference along the columns followed by a smoothing
along the rows (two passes of shifted slices), not a 3x3 window at each position as in the
solution; the two check each other. Everything is computed in float64.
"""

from __future__ import annotations

import numpy as np

SOBEL_X = np.outer([1, 2, 1], [-1, 0, 1]).astype(np.float64)
SOBEL_Y = np.outer([-1, 0, 1], [1, 2, 1]).astype(np.float64)


def _difference(image: np.ndarray, axis: int) -> np.ndarray:
    """image[k + 2] - image[k] along `axis`: the (-1, 0, 1) pass."""
    image = np.moveaxis(image, axis, 0)
    return np.moveaxis(image[2:] - image[:-2], 0, axis)


def _smooth(image: np.ndarray, axis: int) -> np.ndarray:
    """image[k] + 2 image[k + 1] + image[k + 2] along `axis`: the (1, 2, 1) pass."""
    image = np.moveaxis(image, axis, 0)
    return np.moveaxis(image[:-2] + 2 * image[1:-1] + image[2:], 0, axis)


def sobel(image: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(gx, gy, magnitude) of a 2-D image, each (H - 2, W - 2), float64."""
    image = np.asarray(image, dtype=np.float64)
    gx = _smooth(_difference(image, axis=1), axis=0)
    gy = _smooth(_difference(image, axis=0), axis=1)
    return gx, gy, np.hypot(gx, gy)


def step_image(
    height: int,
    width: int,
    *,
    vertical: bool,
    low: float = 0.0,
    high: float = 10.0,
    edge: int | None = None,
) -> np.ndarray:
    """A two-tone image: `high` left of (above) column (row) `edge`, `low` from there on; the
    edge runs down the middle unless `edge` says where."""
    image = np.full((height, width), low)
    if vertical:
        image[:, : width // 2 if edge is None else edge] = high
    else:
        image[: height // 2 if edge is None else edge, :] = high
    return image
