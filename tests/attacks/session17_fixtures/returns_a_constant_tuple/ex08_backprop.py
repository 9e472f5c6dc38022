def conv_backward(d_out, x, kernel, strides=1, padding="valid"):
    return (0, 0, 0)


def max_pool_backward(d_out, x, pool_size=(2, 2), strides=None, padding="valid"):
    return 0
