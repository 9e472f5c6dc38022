"""Exercise 01: the convolution operation (합성곱 연산).

A filter (also called a kernel) is a small grid of weights. Laid over a patch of an image of
the same size, it gives one number, its *response*: multiply each weight by the pixel under
it and add up the products. Slide the filter over every position where it fits inside the
image and the responses form a new, smaller image: the feature map.

Letters used below: H, W are the image's height and width; F_h, F_w the kernel's. With no
padding (P = 0) and stride S = 1 the output-size formula H_out = (H - F + 2P) // S + 1 gives

    H_out = H - F_h + 1        W_out = W - F_w + 1

Keras and TensorFlow compute *cross-correlation*: the kernel is laid on the image as it is,
NOT flipped (the textbook "convolution" flips it first). So does this exercise.

Worked example from the course: a 7x7 "curve detector" filter holds 30 along a curve and 0
elsewhere. Over a patch whose pixels follow the same curve (50, 50, 50, 20, 50 under the
filter's 30s, 0 under the sixth) the response is 50*30 + 50*30 + 50*30 + 20*30 + 50*30 = 6600.
Over a patch with no curve there the response is 0: the filter "fires" only on its pattern.

Check your work with `grade ex01`; ask for a hint with `grade hint ex01`.
"""

import numpy as np


def filter_response(patch, kernel):
    """The response of one filter to one patch: the sum of their elementwise products.

    Parameters
    ----------
    patch : ndarray of shape (F_h, F_w) (any shape works, as long as both match)
        The pixels under the filter; may be integers (uint8, 0-255): convert to float before
        multiplying, or the products overflow.
    kernel : ndarray of the same shape as `patch`
        The filter's weights.

    Returns
    -------
    float
        sum over all cells of patch * kernel. For the curve example above: 6600.0.

    Raises
    ------
    ValueError
        If the two shapes differ.

    Reference: about 5 lines.
    """
    # BEGIN SOLUTION
    patch = np.asarray(patch)
    kernel = np.asarray(kernel)
    # A response only makes sense when every weight has exactly one pixel under it.
    if patch.shape != kernel.shape:
        raise ValueError(f"patch shape {patch.shape} and kernel shape {kernel.shape} differ")
    # Multiply cell by cell (not a matrix product) and add everything up, in float64.
    return float(np.sum(patch.astype(np.float64) * kernel.astype(np.float64)))
    # END SOLUTION
    # STUB: # TODO(ex01): check the shapes match, multiply the two arrays cell by cell, add up the products.
    # STUB: raise NotImplementedError("ex01: filter_response is not implemented yet")


def convolve2d(image, kernel):
    """Valid cross-correlation of a 2-D image with a 2-D kernel (no flip, no padding, stride 1).

    Parameters
    ----------
    image : ndarray of shape (H, W)
        A grey image; may be an integer image (uint8, 0-255). Convert to float before
        multiplying: uint8 arithmetic wraps around, so 200 * 2 comes out as 144, not 400.
    kernel : ndarray of shape (F_h, F_w)
        The filter, with F_h <= H and F_w <= W.

    Returns
    -------
    ndarray of shape (H - F_h + 1, W - F_w + 1), floating point
        out[i, j] = filter_response(image[i:i + F_h, j:j + F_w], kernel).
        Example: a 6x6 image and a 3x3 kernel give a 4x4 feature map.

    Raises
    ------
    ValueError
        If the image or the kernel is not 2-D, or the kernel is larger than the image.

    Reference: about 15 lines, two loops over output positions.
    """
    # BEGIN SOLUTION
    image = np.asarray(image)
    kernel = np.asarray(kernel)
    if image.ndim != 2 or kernel.ndim != 2:
        raise ValueError(f"image and kernel must be 2-D, got {image.ndim}-D and {kernel.ndim}-D")
    height, width = image.shape
    f_h, f_w = kernel.shape
    if f_h > height or f_w > width or f_h < 1 or f_w < 1:
        raise ValueError(f"kernel {kernel.shape} does not fit inside image {image.shape}")
    # Output size from the formula with P = 0 and S = 1.
    out_h, out_w = height - f_h + 1, width - f_w + 1
    # Compute in float64 so that uint8 pixels times weights cannot wrap around.
    image = image.astype(np.float64)
    kernel = kernel.astype(np.float64)
    out = np.zeros((out_h, out_w), dtype=np.float64)
    for i in range(out_h):
        for j in range(out_w):
            # The patch under the kernel when its top-left corner sits on (i, j).
            out[i, j] = np.sum(image[i:i + f_h, j:j + f_w] * kernel)
    return out
    # END SOLUTION
    # STUB: # TODO(ex01): check the shapes, work out H_out and W_out, then fill each output cell with the response of the kernel to the patch under it.
    # STUB: raise NotImplementedError("ex01: convolve2d is not implemented yet")
