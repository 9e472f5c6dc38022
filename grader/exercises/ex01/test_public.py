"""Public tests for ex01: the course's worked examples, expected values in plain sight."""

import numpy as np
import pytest

from grader.checks import Misconception, check_array, check_number
from grader.failures import LearnerFailure
from grader.i18n import N_, _

pytestmark = pytest.mark.exercise("ex01")

# The 7x7 curve detector of the course notes: 30 along a curve, 0 elsewhere.
CURVE_KERNEL = np.zeros((7, 7))
for _row, _col in ((0, 5), (1, 4), (2, 3), (3, 3), (4, 3), (5, 3)):
    CURVE_KERNEL[_row, _col] = 30
# A patch that follows the curve: 50, 50, 50, 20, 50 and 0 under the six 30s.
CURVE_PATCH = np.zeros((7, 7))
for (_row, _col), _value in zip(
    ((0, 5), (1, 4), (2, 3), (3, 3), (4, 3), (5, 2), (6, 2)), (50, 50, 50, 20, 50, 50, 50)
):
    CURVE_PATCH[_row, _col] = _value

# A 6x6 image, bright on the left and dark on the right, and a vertical-edge filter.
EDGE_IMAGE = np.array([[10, 10, 10, 0, 0, 0]] * 6)
EDGE_KERNEL = np.array([[1, 0, -1]] * 3)
EDGE_MAP = np.array([[0.0, 30.0, 30.0, 0.0]] * 4)


@pytest.mark.points(0.5)
@pytest.mark.feedback(
    N_("The response is sum(patch * kernel): 50*30 + 50*30 + 50*30 + 20*30 + 50*30.")
)
def test_curve_detector_gives_6600(learner):
    """filter_response: the curve detector over a curve gives 6600"""
    got = learner.filter_response(CURVE_PATCH, CURVE_KERNEL)
    check_number(
        got,
        6600.0,
        call=_("filter_response(curve patch, curve kernel)"),
        misconceptions=[
            Misconception(
                N_("you averaged the products; the response is their sum"),
                float(np.mean(CURVE_PATCH * CURVE_KERNEL)),
            ),
            Misconception(
                N_("you used a matrix product (@); the response multiplies cell by cell (*)"),
                float(np.sum(CURVE_PATCH @ CURVE_KERNEL)),
            ),
        ],
    )


@pytest.mark.points(1)
@pytest.mark.feedback(
    N_("A 6x6 image and a 3x3 kernel give a (6 - 3 + 1) x (6 - 3 + 1) = 4x4 map.")
)
def test_vertical_edge_example(learner):
    """convolve2d: the 6x6 vertical-edge example gives a 4x4 map with 30s on the edge"""
    got = learner.convolve2d(EDGE_IMAGE, EDGE_KERNEL)
    check_array(
        got,
        EDGE_MAP,
        call=_("convolve2d(6x6 edge image, 3x3 vertical-edge kernel)"),
        floating=True,
        reveal=True,
        misconceptions=edge_map_mistakes(learner, got),
    )


def edge_map_mistakes(learner, got) -> list[Misconception]:
    """What the usual slips give on the edge example, each worked out from the map itself."""
    one_short = EDGE_MAP.copy()
    one_short[-1, :], one_short[:, -1] = 0, 0
    found = [
        Misconception(
            N_(
                "your output is the negative of the expected one: you flipped "
                "the kernel (true convolution); Keras does not flip"
            ),
            -EDGE_MAP,
        ),
        Misconception(
            N_(
                "you averaged the products under the kernel; the response is their "
                "sum (np.sum, not np.mean)"
            ),
            EDGE_MAP / EDGE_KERNEL.size,
        ),
        Misconception(
            N_(
                "the last row and column of the output stayed 0: your loops "
                "stop one short; range(H - F_h + 1) positions fit"
            ),
            one_short,
        ),
        Misconception(
            N_(
                "your output is transposed: out[i, j] is the window whose "
                "top-left corner is image[i, j] (row i, column j), so the "
                "window is image[i:i + F_h, j:j + F_w]"
            ),
            EDGE_MAP.T,
        ),
    ]
    if reads_kernel_transposed(learner, got):
        found.append(
            Misconception(
                N_(
                    "your output matches the transposed kernel: "
                    "kernel[a, b] goes with image[i + a, j + b]"
                ),
                got,
            )
        )
    return found


def reads_kernel_transposed(learner, got) -> bool:
    """The transposed kernel (horizontal edges) gives 0 on this image, as any all-zero answer
    does; the evidence is another call: a kernel read as kernel[b, a] turns the transposed
    kernel back into the vertical-edge one, and so gives the edge map."""
    if not (isinstance(got, np.ndarray) and got.shape == EDGE_MAP.shape and not got.any()):
        return False
    try:
        again = learner.convolve2d(EDGE_IMAGE, EDGE_KERNEL.T)
    except LearnerFailure:
        return False
    return (
        isinstance(again, np.ndarray)
        and again.shape == EDGE_MAP.shape
        and np.allclose(again, EDGE_MAP)
    )
