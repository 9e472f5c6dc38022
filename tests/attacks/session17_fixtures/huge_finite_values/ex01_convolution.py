"""Finite values near the float64 limit (matplotlib's ranges overflow on them: `grade --pictures`
once exited 3), inf and nan, float16 and uint64 extremes, an all-NaN pooling result."""
import numpy as np


def filter_response(patch, kernel):
    return float("nan")


def convolve2d(image, kernel):
    h, w = image.shape[0] - kernel.shape[0] + 1, image.shape[1] - kernel.shape[1] + 1
    out = np.full((h, w), 1.7e308)
    out[::2] = -1.7e308
    out[0, 0] = np.nan
    out[1, 1] = np.inf
    return out
