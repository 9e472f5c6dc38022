import itertools
import numpy as np

_N = itertools.count()


def _weird(d_out, x, kernel):
    i = next(_N)
    n = x.shape
    menu = [
        None, "grads", 10 ** 400, float("nan"), True, {"dx": 1}, [[1, 2], [3]],
        (np.zeros(n), np.zeros(kernel.shape)),
        (np.zeros(n), np.zeros(kernel.shape), np.zeros(kernel.shape[-1]), np.zeros(1)),
        (np.full(n, np.nan), np.full(kernel.shape, np.inf), np.full(kernel.shape[-1], -np.inf)),
        (np.zeros(n, dtype=bool), np.zeros(kernel.shape, dtype=np.float16), np.zeros(kernel.shape[-1], dtype=np.uint64) - np.uint64(1)),
        (np.zeros((0,) + n[1:]), np.zeros((0,)), np.zeros(())),
        (np.full(n, 1e308), np.full(kernel.shape, -1e308), np.full(kernel.shape[-1], 1e308)),
        (1, 2, 3), ("a", "b", "c"), (None, None, None),
        ((np.zeros(n),), [np.zeros(2)], {"b": 1}),
        np.zeros(n, dtype=np.complex128),
        (np.zeros(10 ** 6), np.zeros(kernel.shape), np.zeros(kernel.shape[-1])),
        (np.zeros(n).astype("datetime64[s]"), np.zeros(kernel.shape), np.zeros(kernel.shape[-1])),
    ]
    return menu[i % len(menu)]


def conv_backward(d_out, x, kernel, strides=1, padding="valid"):
    return _weird(d_out, x, kernel)


def max_pool_backward(d_out, x, pool_size=(2, 2), strides=None, padding="valid"):
    r = _weird(d_out, x, np.zeros((1, 1, 1, 1)))
    return r[0] if isinstance(r, tuple) and len(r) == 3 else r
