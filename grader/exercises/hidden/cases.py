"""Hypothesis strategies for the property tests of ex02-ex06: arguments within the contract.

Shapes stay small (an honest loop answers each case in milliseconds, and a shrunk failure is
short enough to print), windows never exceed the input (docs/design.md#array-conventions lets an
implementation reject that), and values are small integers, so a shrunk example reads at a
glance. Images come as float64, float32, int64 or uint8 holding 0-255, so overflow and dtype
slips show.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

IMAGE_DTYPES = ("float64", "uint8", "int64", "float32")
MAX_SIDE = 7  # image height and width
PADDINGS = ("valid", "same", "SAME", "Valid")


def _values(draw, shape: tuple[int, ...], dtype: str, low: int = -5, high: int = 5) -> np.ndarray:
    """An array of integers from `low` to `high` (0-255 for uint8) stored in `dtype`.

    The cells come from a NumPy generator seeded by a drawn number, and the largest magnitude
    is drawn too: two choices per array instead of one per cell, so hypothesis generates and
    shrinks fast (towards a small seed and values in -1..1), while the cells stay random.
    """
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    if dtype == "uint8":
        top = draw(st.sampled_from((3, 255)))  # 255: sums and products leave the uint8 range
        return rng.integers(0, top + 1, size=shape).astype(np.uint8)
    top = draw(st.integers(1, high))
    return rng.integers(max(low, -top), top + 1, size=shape).astype(dtype)


def _side_pair(draw, low: int, high: int) -> tuple[int, int]:
    return draw(st.integers(low, high)), draw(st.integers(low, high))


def _strides(max_stride: int = 4) -> st.SearchStrategy:
    """An int or an (h, w) pair, as the exercises accept."""
    return st.one_of(
        st.integers(1, max_stride),
        st.tuples(st.integers(1, max_stride), st.integers(1, max_stride)),
    )


@st.composite
def sobel_images(draw) -> np.ndarray:
    """A 2-D image of at least 3x3 for ex02's sobel_edges."""
    return _values(
        draw, _side_pair(draw, 3, MAX_SIDE + 1), draw(st.sampled_from(IMAGE_DTYPES)), -9, 9
    )


@st.composite
def pad_cases(draw) -> tuple[np.ndarray, object]:
    """(x, pad) for ex03's zero_pad: any numeric dtype, an int or ((top, bottom), (left, right))."""
    shape = (draw(st.integers(1, 2)), *_side_pair(draw, 1, 4), draw(st.integers(1, 3)))
    dtype = draw(st.sampled_from(("uint8", "int32", "int64", "float32", "float64")))
    width = st.integers(0, 3)
    pad = draw(st.one_of(width, st.tuples(st.tuples(width, width), st.tuples(width, width))))
    return _values(draw, shape, dtype, 1, 9), pad


@st.composite
def same_padding_cases(draw) -> tuple[int, int, int]:
    """(size, kernel_size, stride) for ex03's same_padding, the kernel no larger than the input."""
    kernel_size = draw(st.integers(1, 8))
    return draw(st.integers(kernel_size, 40)), kernel_size, draw(st.integers(1, 6))


@st.composite
def conv_cases(draw) -> tuple:
    """(x, kernel, bias, strides, padding) for ex04's conv2d."""
    f_h, f_w = _side_pair(draw, 1, 4)
    height, width = draw(st.integers(f_h, MAX_SIDE)), draw(st.integers(f_w, MAX_SIDE))
    batch, c_in, c_out = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    x = _values(
        draw, (batch, height, width, c_in), draw(st.sampled_from(("float64", "uint8", "float32")))
    )
    kernel = _values(draw, (f_h, f_w, c_in, c_out), "float64", -3, 3)
    bias = _values(draw, (c_out,), "float64", -3, 3) if draw(st.booleans()) else None
    return x, kernel, bias, draw(_strides()), draw(st.sampled_from(PADDINGS))


@st.composite
def pool_cases(draw) -> tuple:
    """(x, pool_size, strides, padding) for ex05's max_pool2d; strides may be None."""
    pool = draw(st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    f_h, f_w = (pool, pool) if isinstance(pool, int) else pool
    height, width = draw(st.integers(f_h, MAX_SIDE)), draw(st.integers(f_w, MAX_SIDE))
    shape = (draw(st.integers(1, 2)), height, width, draw(st.integers(1, 3)))
    x = _values(draw, shape, draw(st.sampled_from(("float64", "uint8", "float32"))), -9, 9)
    strides = draw(st.one_of(st.none(), _strides()))
    return x, pool, strides, draw(st.sampled_from(PADDINGS))


@st.composite
def output_size_cases(draw) -> tuple[int, int, int, int]:
    """(size, kernel_size, stride, padding) for which ex06's conv_output_size is at least 1."""
    kernel_size, padding = draw(st.integers(1, 8)), draw(st.integers(0, 3))
    size = draw(st.integers(max(1, kernel_size - 2 * padding), 64))
    return size, kernel_size, draw(st.integers(1, 5)), padding


@st.composite
def layer_shape_cases(draw) -> tuple:
    """(input_shape, filters, kernel_size, strides, padding) for ex06's conv_output_shape."""
    kernel = draw(st.one_of(st.integers(1, 5), st.tuples(st.integers(1, 5), st.integers(1, 5))))
    f_h, f_w = (kernel, kernel) if isinstance(kernel, int) else kernel
    input_shape = (draw(st.integers(f_h, 40)), draw(st.integers(f_w, 40)), draw(st.integers(1, 8)))
    return (
        input_shape,
        draw(st.integers(1, 64)),
        kernel,
        draw(_strides()),
        draw(st.sampled_from(PADDINGS)),
    )


@st.composite
def param_count_cases(draw) -> tuple:
    """(kernel_size, in_channels, filters, use_bias) for ex06's conv2d_param_count."""
    kernel = draw(st.one_of(st.integers(1, 7), st.tuples(st.integers(1, 7), st.integers(1, 7))))
    return kernel, draw(st.integers(1, 64)), draw(st.integers(1, 128)), draw(st.booleans())
