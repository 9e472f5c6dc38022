"""Exercise 02: Sobel edge filters (소벨 에지 필터).

An edge is where the brightness of an image changes quickly. The Sobel filters are two
hand-crafted 3x3 kernels that measure that change. Each is a difference (negative weights on
one side, positive on the other) smoothed across three rows or columns, the middle one
weighted 2 because it runs through the centre pixel, the one the response belongs to, and
its neighbours count less:

  - SOBEL_X measures the change from left to right, so it fires on a vertical edge. Its left
    column holds -1, -2, -1 (from top to bottom), its middle column zeros, its right column
    1, 2, 1.
  - SOBEL_Y measures the change from top to bottom, so it fires on a horizontal edge. It lays
    the same weights along the rows: -1, -2, -1 on top, zeros in the middle, 1, 2, 1 below.

Edges across x, edges along x. Some course notes call SOBEL_X a detector of "horizontal
edges". They name the direction the kernel differentiates in: x, horizontal, since it compares
the left column with the right one. The edge it finds runs across that direction: brightness
changing from left to right makes a line that runs up and down, a vertical edge. A change
along x is an edge across x. This exercise, the grader and the quiz name an edge by the way its
line runs (SOBEL_X: vertical edges); read "horizontal edges" in such notes as "the horizontal
gradient", the same kernel.

Slide each kernel over the image exactly as in ex01 (valid cross-correlation, no flip) to get
gx and gy, the rate of change along x (the columns) and along y (the rows). The strength of the
edge at each position is the length of the gradient vector (gx, gy), the L2 norm:

    magnitude = sqrt(gx**2 + gy**2)

Letters: H, W are the image's height and width. The kernels are 3x3 (F = 3) and there is no
padding (P = 0) and stride S = 1, so H_out = (H - F + 2P) // S + 1 = H - 2: gx, gy and the
magnitude are each (H - 2, W - 2).

Worked example: the 6x6 image of ex01, bright (10) in its three left columns and dark (0) in
its three right ones, has a vertical edge in the middle. Where SOBEL_X straddles the edge the
response is 10 * (-1 - 2 - 1) = -40 (the brightness falls from left to right), elsewhere 0:

    gx = [[0, -40, -40, 0]] * 4      gy = zeros (4, 4)      magnitude = [[0, 40, 40, 0]] * 4

Check your work with `grade ex02`; ask for a hint with `grade hint ex02`.
"""

import numpy as np

# The change from left to right: fires on a vertical edge.
# BEGIN SOLUTION
SOBEL_X = np.array([[-1, 0, 1],
                    [-2, 0, 2],
                    [-1, 0, 1]])
# END SOLUTION
# STUB: # TODO(ex02): write SOBEL_X as a 3x3 list of lists (or np.array). Which column holds the negative
# STUB: #   weights, and which row weighs 2?
# STUB: SOBEL_X = None

# The change from top to bottom: fires on a horizontal edge.
# BEGIN SOLUTION
SOBEL_Y = np.array([[-1, -2, -1],
                    [0, 0, 0],
                    [1, 2, 1]])
# END SOLUTION
# STUB: # TODO(ex02): write SOBEL_Y as a 3x3 list of lists (or np.array). How is it related to SOBEL_X?
# STUB: SOBEL_Y = None


def sobel_edges(image):
    """The horizontal and vertical gradients of a grey image and the strength of its edges.

    Parameters
    ----------
    image : ndarray of shape (H, W)
        A grey image, H >= 3 and W >= 3; may be an integer image (uint8, 0-255).

    Returns
    -------
    gx : ndarray of shape (H - 2, W - 2), floating point
        The valid cross-correlation of `image` with SOBEL_X (no flip).
    gy : ndarray of shape (H - 2, W - 2), floating point
        The valid cross-correlation of `image` with SOBEL_Y.
    magnitude : ndarray of shape (H - 2, W - 2), floating point
        sqrt(gx**2 + gy**2), cell by cell. Never negative.

    Raises
    ------
    ValueError
        If the image is not 2-D, or smaller than 3x3.

    Reference: about 20 lines: the loops of ex01 (each exercise file stands alone, so write
    them again or copy yours in), once per kernel, then one line for the magnitude.
    """
    # BEGIN SOLUTION
    image = np.asarray(image)
    if image.ndim != 2:
        raise ValueError(f"image must be 2-D (H, W), got {image.ndim}-D with shape {image.shape}")
    height, width = image.shape
    if height < 3 or width < 3:
        raise ValueError(f"image {image.shape} is smaller than the 3x3 Sobel kernels")
    # Output size from the formula with F = 3, P = 0 and S = 1.
    out_h, out_w = height - 2, width - 2
    # Compute in float64 so that uint8 pixels times negative weights neither wrap nor clip.
    image = image.astype(np.float64)
    kernel_x = np.asarray(SOBEL_X, dtype=np.float64)
    kernel_y = np.asarray(SOBEL_Y, dtype=np.float64)
    gx = np.zeros((out_h, out_w))
    gy = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            # The same 3x3 patch answers both questions: how it changes along x and along y.
            patch = image[i:i + 3, j:j + 3]
            gx[i, j] = np.sum(patch * kernel_x)
            gy[i, j] = np.sum(patch * kernel_y)
    # The length of the gradient vector (gx, gy): the L2 norm, not |gx| + |gy|.
    magnitude = np.sqrt(gx ** 2 + gy ** 2)
    return gx, gy, magnitude
    # END SOLUTION
    # STUB: # TODO(ex02): check the image is 2-D and at least 3x3, then slide each kernel over it as in
    # STUB: #   ex01 (how many positions fit along a row of W pixels?) and combine gx and gy into the
    # STUB: #   length of the gradient vector (is that |gx| + |gy|, or something else?).
    # STUB: raise NotImplementedError("ex02: sobel_edges is not implemented yet")
