"""Exercise 08: the backward pass of convolution and max pooling (합성곱과 최대 풀링의 역전파).

Training a CNN needs, for every layer, the gradient of the loss with respect to the layer's
input and weights, given the gradient with respect to its output (backpropagation, 역전파).
Here you write those gradients for ex04's convolution layer and ex05's max pooling.

Letters as in ex04 and ex05: N is the batch size; H, W the input's height and width; C_in its
channels; F_h, F_w the kernel's (or pool window's) height and width; C_out the filters; S_h,
S_w the strides; P the padding. Shapes are channels-last, as in Keras:

    x      (N, H, W, C_in)     kernel (F_h, F_w, C_in, C_out)     d_out (N, H_out, W_out, C_out)
    d_x    (N, H, W, C_in)     d_kernel (F_h, F_w, C_in, C_out)   d_bias (C_out,)

`d_out[n, i, j, k]` is dL/d out[n, i, j, k] for some loss L; each function returns the
gradients of that same L. The forward pass of ex04 is

    out[n, i, j, k] = sum over a, b, c of xp[n, i*S_h + a, j*S_w + b, c] * kernel[a, b, c, k]
                      + bias[k]

where xp is x zero-padded by TensorFlow's rule ("valid": no padding; "same": total =
max((H_out - 1) * S_h + F_h - H, 0) rows, total // 2 on top, the rest at the bottom; the same
for the columns). So, by the chain rule, every output cell (i, j, k) sends its gradient back:

- to each input cell it read:  d_xp[n, i*S_h + a, j*S_w + b, c] += d_out[n, i, j, k] * kernel[a, b, c, k]
- to each weight it used:      d_kernel[a, b, c, k] += d_out[n, i, j, k] * xp[n, i*S_h + a, j*S_w + b, c]
- to its bias:                 d_bias[k] += d_out[n, i, j, k]

summed over every n, i, j (and k for d_xp). d_x is d_xp with the padding cropped off: a
padded zero is not an input. Written as one operation, d_xp is a "full" correlation of d_out,
with S - 1 zeros put between its cells (the stride dilates it), with the kernel flipped on
both spatial axes AND its channel axes swapped, kernel[::-1, ::-1].transpose(0, 1, 3, 2) of
shape (F_h, F_w, C_out, C_in): d_out's channels are the kernel's outputs, d_x's its inputs.
Rows or columns that no window read (when H - F_h is not a multiple of S_h) get 0.

Max pooling passes each window's gradient to the one cell that won the max and to no other;
where several cells tie, TensorFlow picks the first in row-major order (the top-most, then the
left-most). Windows that overlap (a stride smaller than the pool size) add their gradients.

Worked example, on the course's pooling example of ex05 (one 4x4 channel, 2x2 pool, stride
2; the maxima are 6, 8, 3 and 4):

    x  1  1  2  4                       d_x  0  0  0  0
       5  6  7  8     d_out  a  b            0  a  0  b
       3  2  1  0            c  d    ->      c  0  0  0
       1  2  3  4                            0  0  0  d

This is what `tf.GradientTape` gives for `tf.nn.conv2d(x, kernel, strides, padding.upper())
+ bias` and `tf.nn.max_pool2d(x, pool_size, strides, padding.upper())`.

Check your work with `grade ex08`; ask for a hint with `grade hint ex08`.
"""

import numpy as np


def conv_backward(d_out, x, kernel, strides=1, padding="valid"):
    """Gradients of ex04's convolution layer with respect to its input, kernel and bias.

    Parameters
    ----------
    d_out : ndarray of shape (N, H_out, W_out, C_out)
        dL/d out, the gradient of the loss with respect to the layer's output.
    x : ndarray of shape (N, H, W, C_in)
        The layer's input in the forward pass; may be integer images (uint8, 0-255).
    kernel : ndarray of shape (F_h, F_w, C_in, C_out)
        The layer's filters (the layout of a Keras Conv2D kernel).
    strides : int or (S_h, S_w), default 1
    padding : "valid" or "same" (any case), default "valid"

    Returns
    -------
    (d_x, d_kernel, d_bias), floating point
        d_x : ndarray of shape (N, H, W, C_in), dL/dx (the padding cropped off).
        d_kernel : ndarray of shape (F_h, F_w, C_in, C_out), dL/d kernel, summed over the batch.
        d_bias : ndarray of shape (C_out,), dL/d bias = d_out summed over N, H_out and W_out.
        H_out = (H - F_h + 2P) // S_h + 1 ("valid": P = 0; "same": H_out = ceil(H / S_h)).
        Example: d_out (1, 4, 4, 2), x (1, 6, 6, 3), kernel (3, 3, 3, 2) give d_x (1, 6, 6, 3),
        d_kernel (3, 3, 3, 2) and d_bias (2,).

    Raises
    ------
    ValueError
        If x, kernel or d_out is not 4-D, the channels of x and kernel differ, a stride is
        < 1, the padding is unknown, (with "valid") the kernel is larger than the input, or
        d_out is not the shape of the forward pass's output.

    Reference: about 40 lines, half of them checks and ex04's padding. Loop over the F_h * F_w
    kernel cells (a, b) as in ex04: each one's strided slice of the padded input gives
    d_kernel[a, b], and receives d_out @ kernel[a, b].T in the same slice of d_xp.
    """
    # TODO(ex08): check the shapes and work out ex04's padding and H_out, W_out; check d_out has
    #   the output's shape; then send each output's gradient back. Which input cells did output
    #   (i, j) read, with which weights? Where does the padding go at the end?
    raise NotImplementedError("ex08: conv_backward is not implemented yet")


def max_pool_backward(d_out, x, pool_size=(2, 2), strides=None, padding="valid"):
    """The gradient of ex05's max pooling with respect to its input.

    Parameters
    ----------
    d_out : ndarray of shape (N, H_out, W_out, C)
        dL/d out, the gradient of the loss with respect to the pooled output.
    x : ndarray of shape (N, H, W, C)
        The pooling's input in the forward pass; may be integer images (uint8, 0-255).
    pool_size : int or (F_h, F_w), default (2, 2)
    strides : int, (S_h, S_w) or None, default None (the pool size)
    padding : "valid" or "same" (any case), default "valid"

    Returns
    -------
    ndarray of shape (N, H, W, C), floating point
        dL/dx: each d_out[n, i, j, c] added to the one cell of its window that holds the max
        (the first in row-major order when several tie); every other cell gets 0.
        H_out = (H - F_h + 2P) // S_h + 1 ("valid": P = 0; "same": H_out = ceil(H / S_h)).
        Example: d_out (1, 2, 2, 1) and x (1, 4, 4, 1) with the defaults give (1, 4, 4, 1),
        as above.

    Raises
    ------
    ValueError
        If x or d_out is not 4-D, a pool size or stride is < 1, the padding is unknown,
        (with "valid") the window is larger than the input, or d_out is not the shape of the
        forward pass's output.

    Reference: about 30 lines, half of them checks and ex05's padding. Loop over the output
    cells (i, j): find where each window's max sits (np.argmax of the window reshaped per
    image and channel), and add d_out[:, i, j, :] there.
    """
    # TODO(ex08): check the shapes and work out ex05's padding and H_out, W_out; check d_out has
    #   the output's shape; then, for each window, which one cell gets d_out[:, i, j, :]? What
    #   happens to a cell that wins two overlapping windows?
    raise NotImplementedError("ex08: max_pool_backward is not implemented yet")


# Provided helpers: use them as they are; they turn bad arguments into clear ValueErrors.


def _pair(name, value):
    """An int or an (h, w) pair, as a pair of ints >= 1: _pair("strides", 2) == (2, 2)."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = (value, value)
    try:
        first, second = value
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an int or a pair (h, w), got {value!r}") from None
    for item in (first, second):
        if isinstance(item, bool) or not isinstance(item, (int, np.integer)) or item < 1:
            raise ValueError(f"{name} must be ints >= 1, got {value!r}")
    return int(first), int(second)


def _check_padding(padding):
    """"valid" or "same" in lower case, whatever case it came in."""
    if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
    return padding.lower()

