import itertools
import numpy as np

_N = itertools.count()
_MENU = [10 ** 400, -1, True, 1.5, float("nan"), float("inf"), "8", [8], (8,), np.array(8), None,
         2 ** 63, -(2 ** 63), 1e308, (1, 2, 3), {"h": 1}, [[1]]]


def receptive_field(layers):
    return _MENU[next(_N) % len(_MENU)]


def conv2d_multiply_adds(input_shape, filters, kernel_size, strides=1, padding="valid"):
    return _MENU[next(_N) % len(_MENU)]


def pointwise_conv(x, kernel, bias=None):
    i = next(_N)
    n = x.shape[:3] + (kernel.shape[-1],)
    menu = [np.full(n, np.nan), np.full(n, 1e308), np.zeros(n, dtype=bool), np.zeros(n[:3]),
            np.zeros(n, dtype=np.float16) + np.float16(65504), np.zeros(n, dtype=np.complex64),
            np.zeros(n).astype("m8[s]"), _MENU[i % len(_MENU)]]
    return menu[i % len(menu)]
