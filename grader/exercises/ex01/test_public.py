"""Public tests for ex01: the course's worked examples, expected values in plain sight."""

import numpy as np
import pytest

from grader.checks import Misconception, check_array, check_number
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
        misconceptions=[
            Misconception(
                N_(
                    "your output is the negative of the expected one: you flipped "
                    "the kernel (true convolution); Keras does not flip"
                ),
                -EDGE_MAP,
            )
        ],
    )
