"""Exercise 03: zero padding (제로 패딩).

Without padding every convolution shrinks the image (a 3x3 kernel takes a 32x32 input to
30x30) and the pixels at the border are covered by fewer windows than those in the middle.
Zero padding adds a frame of zeros around the image first, P rows on the top and the bottom
and P columns on the left and the right, so the output-size formula becomes

    H_out = (H - F + 2P) // S + 1

Letters: N is the batch size, H, W the height and width, C the channels; F the kernel size,
S the stride, P the padding on each side. A batch is channels-last, (N, H, W, C), as in Keras:
padding touches only H and W. Padding a (1, 32, 32, 3) batch by P = 1 gives (1, 34, 34, 3),
and a 3x3 kernel then gives (34 - 3) // 1 + 1 = 32 again.

Keras calls that "same" padding: just enough zeros that H_out = ceil(H / S). TensorFlow's rule,
for one axis of size H, kernel F and stride S:

    out   = ceil(H / S)
    total = max((out - 1) * S + F - H, 0)      zeros needed for the last window to fit
    before = total // 2                        the smaller half, on the top (or left)
    after  = total - before                    the larger half, on the bottom (or right)

Worked examples: H = 5, F = 3, S = 1 gives out = 5, total = 2, so (1, 1): one row of zeros on
each side. An even kernel, F = 4 on H = 5 with S = 1, needs total = 3, so (1, 2): the extra
row goes to the bottom. With stride 2 on H = 8 and F = 3: out = 4, total = 3 * 2 + 3 - 8 = 1,
so (0, 1).

Check your work with `grade ex03`; ask for a hint with `grade hint ex03`.
"""

import numpy as np


def zero_pad(x, pad):
    """A copy of a batch with zeros added around the height and width of every image.

    Parameters
    ----------
    x : ndarray of shape (N, H, W, C)
        A batch of images; any numeric dtype (uint8 images included).
    pad : int or ((top, bottom), (left, right))
        An int P pads all four sides by P. A nested pair gives each side its own width,
        e.g. ((0, 1), (0, 1)) adds one row at the bottom and one column on the right.

    Returns
    -------
    ndarray of shape (N, H + top + bottom, W + left + right, C), the dtype of `x`
        Zeros around, `x` in the middle: out[:, top:top + H, left:left + W, :] equals x.
        Example: a (1, 2, 2, 1) batch padded by 1 becomes (1, 4, 4, 1).
        N and C never change; `x` itself is not modified.

    Raises
    ------
    ValueError
        If `x` is not 4-D, or `pad` is negative or not one of the two forms above.

    Reference: about 5 lines, one call to np.pad (its pad_width has one pair per axis).
    """
    # BEGIN SOLUTION
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"x must be a batch (N, H, W, C), got {x.ndim}-D with shape {x.shape}")
    (top, bottom), (left, right) = _pad_widths(pad)
    # One (before, after) pair per axis: the batch and the channels get none.
    return np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), mode="constant")
    # END SOLUTION
    # STUB: # TODO(ex03): check x is 4-D, get the four widths from _pad_widths(pad), then call np.pad.
    # STUB: #   Which two of the four axes get zeros, and what pair do the other two get?
    # STUB: raise NotImplementedError("ex03: zero_pad is not implemented yet")


def same_padding(size, kernel_size, stride=1):
    """How many zeros "same" padding adds before and after one axis, by TensorFlow's rule.

    Parameters
    ----------
    size : int
        H (or W), the input size along the axis (>= 1).
    kernel_size : int
        F, the kernel (or pool) size along the axis (>= 1).
    stride : int, default 1
        S (>= 1).

    Returns
    -------
    tuple of int (before, after)
        total = max((ceil(H / S) - 1) * S + F - H, 0); before = total // 2 goes on the top
        (left), after = total - before on the bottom (right).
        Examples: same_padding(5, 3) == (1, 1); same_padding(5, 4) == (1, 2);
        same_padding(8, 3, 2) == (0, 1).

    Raises
    ------
    ValueError
        If an argument is not an int in its range.

    Reference: about 7 lines.
    """
    # BEGIN SOLUTION
    _check_int("size", size, 1)
    _check_int("kernel_size", kernel_size, 1)
    _check_int("stride", stride, 1)
    # "same" means ceil(H / S) outputs, whatever the kernel size (integer ceiling division).
    out = -(-size // stride)
    # Zeros needed so that the last window, starting at (out - 1) * S, ends inside the padding.
    total = max((out - 1) * stride + kernel_size - size, 0)
    # The smaller half goes first (top or left), the larger half last.
    before = total // 2
    return before, total - before
    # END SOLUTION
    # STUB: # TODO(ex03): check the arguments with _check_int, then follow TensorFlow's rule in the module
    # STUB: #   docstring. How many outputs does 'same' give, and where does an odd extra row go?
    # STUB: raise NotImplementedError("ex03: same_padding is not implemented yet")


# Provided helpers: use them as they are; they turn bad arguments into clear ValueErrors.


def _check_int(name, value, smallest):
    """Raise ValueError unless `value` is an int (not a bool) >= `smallest`."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < smallest:
        raise ValueError(f"{name} must be an int >= {smallest}, got {value!r}")


def _pad_widths(pad):
    """((top, bottom), (left, right)) from an int P or such a nested pair, all ints >= 0.

    _pad_widths(1) == ((1, 1), (1, 1)); _pad_widths(((0, 1), (2, 3))) == ((0, 1), (2, 3)).
    """
    if isinstance(pad, (int, np.integer)) and not isinstance(pad, bool):
        _check_int("pad", pad, 0)
        return (int(pad), int(pad)), (int(pad), int(pad))
    try:
        (top, bottom), (left, right) = pad
    except (TypeError, ValueError):
        raise ValueError(f"pad must be an int or ((top, bottom), (left, right)), "
                         f"got {pad!r}") from None
    for width in (top, bottom, left, right):
        _check_int("pad", width, 0)
    return (int(top), int(bottom)), (int(left), int(right))
