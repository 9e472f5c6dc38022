import numpy as np
def max_pool2d(x, pool_size=(2, 2), strides=None, padding="valid"):
    n, h, w, c = x.shape
    return np.full((n, h // 2, w // 2, c), np.nan)
