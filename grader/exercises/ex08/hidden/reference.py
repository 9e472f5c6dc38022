"""Reference answers for the ex08 hidden suite, written independently of solutions/.

Where the solution loops over kernel cells and scatters each one's share, this reference
writes the input gradient as one operation: the upstream gradient dilated by the strides
(S - 1 zeros between cells), padded by F - 1 all round, correlated with the flipped,
channel-transposed kernel, then cropped to the input; the kernel gradient correlates the
padded input with the dilated upstream gradient. Each step is a switch, so the suite can also
compute what the classic mistakes give (no flip, no dilation, no crop). Max pooling visits
each window clipped to the input and routes by a chosen rule. Everything is float64.
`tests/suites/test_ex08_references.py` checks both against TensorFlow's GradientTape.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from grader.exercises.hidden.windows import output_hw, pair, tf_pads

ROUTES = ("first", "last", "all_ties", "every_cell", "average")


def dilate(d_out: np.ndarray, strides) -> np.ndarray:
    """S_h - 1 zero rows and S_w - 1 zero columns between the cells of (N, H_out, W_out, C)."""
    s_h, s_w = pair(strides)
    batch, out_h, out_w, channels = d_out.shape
    dilated = np.zeros((batch, (out_h - 1) * s_h + 1, (out_w - 1) * s_w + 1, channels))
    dilated[:, ::s_h, ::s_w] = d_out
    return dilated


def _fit(array: np.ndarray, height: int, width: int) -> np.ndarray:
    """Zeros added at the bottom/right (or cells cut there) to make H and W `height`, `width`."""
    array = array[:, :height, :width]
    return np.pad(
        array, ((0, 0), (0, height - array.shape[1]), (0, width - array.shape[2]), (0, 0))
    )


def input_gradient(
    d_out, x_shape, kernel, strides=1, padding="valid", *, flip=True, dilated=True, crop=True
) -> np.ndarray:
    """dL/dx of conv2d; `flip`, `dilated`, `crop` False model the classic mistakes."""
    d_out, kernel = np.asarray(d_out, dtype=np.float64), np.asarray(kernel, dtype=np.float64)
    _batch, height, width, _channels = x_shape
    f_h, f_w = kernel.shape[:2]
    top, bottom, left, right = tf_pads(height, width, (f_h, f_w), strides, padding)
    spread = dilate(d_out, strides) if dilated else d_out
    spread = np.pad(spread, ((0, 0), (f_h - 1, f_h - 1), (f_w - 1, f_w - 1), (0, 0)))
    turned = (kernel[::-1, ::-1] if flip else kernel).transpose(
        0, 1, 3, 2
    )  # (F_h, F_w, C_out, C_in)
    windows = sliding_window_view(spread, (f_h, f_w), axis=(1, 2))  # (N, ., ., C_out, F_h, F_w)
    full = np.einsum("nijkab,abkc->nijc", windows, turned)
    padded = _fit(full, height + top + bottom, width + left + right)
    return padded[:, top : top + height, left : left + width] if crop else padded


def kernel_gradient(
    d_out,
    x,
    kernel_shape,
    strides=1,
    padding="valid",
    *,
    dilated=True,
    batch_summed=True,
    pads=None,
) -> np.ndarray:
    """dL/d kernel of conv2d: the padded input correlated with the dilated upstream gradient
    (`pads` (top, bottom, left, right) replaces TensorFlow's, to model misplaced padding)."""
    x, d_out = np.asarray(x, dtype=np.float64), np.asarray(d_out, dtype=np.float64)
    if not batch_summed:
        x, d_out = x[:1], d_out[:1]
    f_h, f_w = kernel_shape[:2]
    top, bottom, left, right = pads or tf_pads(x.shape[1], x.shape[2], (f_h, f_w), strides, padding)
    xp = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    spread = dilate(d_out, strides) if dilated else d_out
    span_h, span_w = spread.shape[1:3]
    if span_h + f_h - 1 > xp.shape[1] or span_w + f_w - 1 > xp.shape[2]:
        xp = _fit(xp, span_h + f_h - 1, span_w + f_w - 1)
    windows = sliding_window_view(xp, (span_h, span_w), axis=(1, 2))[:, :f_h, :f_w]
    return np.einsum("nabcij,nijk->abck", windows, spread)


def overwritten(d_out, padded_shape, kernel, strides, by_kernel_cell: bool) -> np.ndarray:
    """d_xp when each share is assigned instead of added: window by window in row-major order
    (`by_kernel_cell` False), or one strided slice per kernel cell (a, b) (True)."""
    d_out, kernel = np.asarray(d_out, dtype=np.float64), np.asarray(kernel, dtype=np.float64)
    (s_h, s_w), (f_h, f_w) = strides, kernel.shape[:2]
    out_h, out_w = d_out.shape[1:3]
    d_xp = np.zeros(padded_shape)
    if by_kernel_cell:
        for a in range(f_h):
            for b in range(f_w):
                rows = slice(a, a + (out_h - 1) * s_h + 1, s_h)
                cols = slice(b, b + (out_w - 1) * s_w + 1, s_w)
                d_xp[:, rows, cols] = d_out @ kernel[a, b].T
        return d_xp
    for i in range(out_h):
        for j in range(out_w):
            share = np.einsum("nk,abck->nabc", d_out[:, i, j], kernel)
            d_xp[:, i * s_h : i * s_h + f_h, j * s_w : j * s_w + f_w] = share
    return d_xp


def conv_backward(d_out, x, kernel, strides=1, padding="valid"):
    """(d_x, d_kernel, d_bias) of tf.nn.conv2d(x, kernel, strides, padding.upper()) + bias."""
    x, kernel = np.asarray(x), np.asarray(kernel)
    return (
        input_gradient(d_out, x.shape, kernel, strides, padding),
        kernel_gradient(d_out, x, kernel.shape, strides, padding),
        np.asarray(d_out, dtype=np.float64).sum(axis=(0, 1, 2)),
    )


def pool_backward(
    d_out,
    x,
    pool_size=(2, 2),
    strides=None,
    padding="valid",
    *,
    route="first",
    accumulate=True,
    pads=None,
    fill=None,
) -> np.ndarray:
    """dL/dx of max pooling, each window's gradient sent by `route`:

    "first" (TensorFlow: the first max in row-major order), "last", "all_ties" (every cell
    equal to the max), "every_cell", "average" (d / F_h F_w to each cell, as average pooling).
    `accumulate=False` lets a later window overwrite an earlier one's share instead of adding;
    with `fill` (what the padding holds), a window over the edge whose real cells are all below
    it loses its gradient to a padded cell.
    """
    x = np.asarray(x, dtype=np.float64)
    d_out = np.asarray(d_out, dtype=np.float64)
    batch, height, width, channels = x.shape
    strides = pool_size if strides is None else strides
    (f_h, f_w), (s_h, s_w) = pair(pool_size), pair(strides)
    top, _bottom, left, _right = (
        pads if pads is not None else tf_pads(height, width, pool_size, strides, padding)
    )
    out_h, out_w = output_hw(height, width, pool_size, strides, padding)
    d_x = np.zeros(x.shape)
    for i in range(min(out_h, d_out.shape[1])):
        r0, r1 = max(i * s_h - top, 0), min(i * s_h - top + f_h, height)
        for j in range(min(out_w, d_out.shape[2])):
            c0, c1 = max(j * s_w - left, 0), min(j * s_w - left + f_w, width)
            if r1 <= r0 or c1 <= c0:
                continue
            partial = (r1 - r0) * (c1 - c0) < f_h * f_w
            for n in range(batch):
                for c in range(channels):
                    window = x[n, r0:r1, c0:c1, c]
                    if fill is not None and partial and window.max() < fill:
                        continue  # a padded cell won, and the crop throws its gradient away
                    share = _route(window, d_out[n, i, j, c], route, f_h * f_w)
                    if accumulate:
                        d_x[n, r0:r1, c0:c1, c] += share
                    else:
                        target = d_x[n, r0:r1, c0:c1, c]
                        target[share != 0] = share[share != 0]
    return d_x


def _route(window: np.ndarray, gradient: float, route: str, cells: int) -> np.ndarray:
    """One window's share of `gradient`, cell by cell."""
    share = np.zeros(window.shape)
    if route == "every_cell":
        return share + gradient
    if route == "average":
        return share + gradient / cells
    winners = np.argwhere(window == window.max())
    if route == "all_ties":
        share[tuple(winners.T)] = gradient
    else:
        share[tuple(winners[0 if route == "first" else -1])] = gradient
    return share


def max_pool_backward(d_out, x, pool_size=(2, 2), strides=None, padding="valid") -> np.ndarray:
    """What tf.GradientTape gives for tf.nn.max_pool2d(x, pool_size, strides, padding.upper())."""
    return pool_backward(d_out, x, pool_size, strides, padding)
