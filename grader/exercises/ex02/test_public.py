"""Public tests for ex02: the two Sobel kernels and the course's vertical-edge example."""

import numpy as np
import pytest

from grader.checks import Misconception, check_array, check_constant, check_parts
from grader.i18n import N_, _

pytestmark = pytest.mark.exercise("ex02")

SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float64)
SOBEL_Y = np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=np.float64)
PREWITT_X = np.array([[-1, 0, 1]] * 3, dtype=np.float64)

# The 6x6 image of ex01: bright (10) on the left half, dark (0) on the right half.
EDGE_IMAGE = np.array([[10, 10, 10, 0, 0, 0]] * 6)
EDGE_GX = np.array([[0.0, -40.0, -40.0, 0.0]] * 4)


def kernel_misconceptions(expected: np.ndarray, other: np.ndarray, other_name: str) -> list:
    return [
        Misconception(
            _("this is {name}: SOBEL_X and SOBEL_Y are swapped").format(name=other_name), other
        ),
        Misconception(
            N_(
                "the signs are reversed (negated kernel): the negative weights go on the "
                "left for SOBEL_X and on top for SOBEL_Y"
            ),
            -expected,
        ),
        Misconception(
            _("this is {name} with reversed signs: the kernels are swapped and negated").format(
                name=other_name
            ),
            -other,
        ),
        Misconception(
            N_("this is the Prewitt kernel: Sobel weights the middle row (column) 2"),
            PREWITT_X if expected is SOBEL_X else PREWITT_X.T,
        ),
    ]


@pytest.mark.points(0.5)
@pytest.mark.feedback(
    N_(
        "SOBEL_X has -1, -2, -1 in its left column and 1, 2, 1 in its right; "
        "SOBEL_Y has -1, -2, -1 on top and 1, 2, 1 at the bottom."
    )
)
def test_sobel_kernels(learner):
    """SOBEL_X and SOBEL_Y: the two 3x3 Sobel kernels"""
    check_constant(
        learner.get("SOBEL_X"),
        SOBEL_X,
        name="SOBEL_X",
        misconceptions=kernel_misconceptions(SOBEL_X, SOBEL_Y, "SOBEL_Y"),
    )
    check_constant(
        learner.get("SOBEL_Y"),
        SOBEL_Y,
        name="SOBEL_Y",
        misconceptions=kernel_misconceptions(SOBEL_Y, SOBEL_X, "SOBEL_X"),
    )


@pytest.mark.points(1)
@pytest.mark.feedback(
    N_(
        "Across the edge SOBEL_X gives 10 * (-1 - 2 - 1) = -40; nothing changes "
        "from top to bottom, so gy is 0 and the magnitude is |gx|."
    )
)
def test_vertical_edge_example(learner):
    """sobel_edges: the 6x6 vertical-edge example gives gx = -40 on the edge, gy = 0"""
    call = _("sobel_edges(6x6 vertical-edge image)")
    gx, gy, magnitude = check_parts(
        learner.sobel_edges(EDGE_IMAGE), ("gx", "gy", "magnitude"), call=call
    )
    check_array(
        gx,
        EDGE_GX,
        call=f"{call}, gx",
        floating=True,
        reveal=True,
        misconceptions=[
            Misconception(
                N_(
                    "gx has the wrong sign: either SOBEL_X is negated, or you flipped it (true "
                    "convolution; Keras does not flip the kernel), or you took its absolute "
                    "value (a gradient keeps its sign: -40 where the brightness falls)"
                ),
                -EDGE_GX,
            ),
            Misconception(
                N_(
                    "gx is all zeros, as the y gradient should be here: SOBEL_X and SOBEL_Y "
                    "are swapped, or you return (gy, gx, ...) instead of (gx, gy, magnitude); "
                    "or gx was clipped to 0..255 (a gradient can be negative)"
                ),
                np.zeros((4, 4)),
            ),
        ],
    )
    check_array(
        gy,
        np.zeros((4, 4)),
        call=f"{call}, gy",
        floating=True,
        reveal=True,
        misconceptions=[
            Misconception(N_("gy matches the x gradient: SOBEL_X and SOBEL_Y are swapped"), EDGE_GX)
        ],
    )
    check_array(
        magnitude,
        np.abs(EDGE_GX),
        call=f"{call}, magnitude",
        floating=True,
        reveal=True,
        misconceptions=[
            Misconception(
                N_("you forgot the square root: the magnitude is sqrt(gx**2 + gy**2)"), EDGE_GX**2
            )
        ],
    )
