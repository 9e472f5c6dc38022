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


def _same(value, expected: np.ndarray) -> bool:
    """Whether a learner's value is an array equal to `expected` (no verdict: evidence only)."""
    try:
        return bool(np.allclose(np.asarray(value, dtype=np.float64), expected))
    except (TypeError, ValueError):
        return False


def _mirrored_gx(learner):
    """gx of the mirrored edge image (dark on the left), or None if it does not come back."""
    try:
        return learner.sobel_edges(EDGE_IMAGE[:, ::-1])[0]
    except Exception:  # evidence only: a failure here is judged elsewhere, not in this test
        return None


def gx_mistakes(learner, gy) -> list:
    """The one mistake behind a wrong gx of the edge example, told apart by the other evidence:
    the learner's constants, gy, and gx of the mirrored image (where the true gx is +40)."""
    negated_constant = _same(learner.get("SOBEL_X"), -SOBEL_X)
    if negated_constant:
        sign = N_(
            "gx has the wrong sign, and so does your SOBEL_X: the negative weights go in its "
            "left column"
        )
    elif _same(_mirrored_gx(learner), -EDGE_GX[:, ::-1]):
        sign = N_(
            "gx is never negative: you took its absolute value (the mirrored image gives +40 "
            "too); a gradient keeps its sign, -40 where the brightness falls"
        )
    else:
        sign = N_(
            "gx has the wrong sign although SOBEL_X is right: you flipped the kernel (true "
            "convolution; flipping SOBEL_X negates it); Keras does not flip, so lay the kernel "
            "on the patch as it is"
        )
    if _same(gy, EDGE_GX):
        zeros = (
            N_("gx is the y gradient and gy the x gradient: SOBEL_X and SOBEL_Y are swapped")
            if _same(learner.get("SOBEL_X"), SOBEL_Y)
            else N_(
                "gx is the y gradient and gy the x gradient: return (gx, gy, magnitude), "
                "with gx from SOBEL_X"
            )
        )
    else:
        zeros = N_(
            "gx is all zeros although the brightness falls across the edge: gx was clipped to "
            "0..255 (or to 0 and above); a gradient can be negative"
        )
    eighth = _(
        "{name} is divided by 8: some texts normalise the Sobel kernel, this exercise "
        "does not; use {kernel} as it is"
    ).format(name="gx", kernel="SOBEL_X")
    return [
        Misconception(sign, -EDGE_GX),
        Misconception(zeros, np.zeros((4, 4))),
        Misconception(eighth, EDGE_GX / 8),
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
        misconceptions=gx_mistakes(learner, gy),
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
            ),
            Misconception(
                N_(
                    "the magnitude was rescaled to 0..255 (divided by its maximum); return "
                    "sqrt(gx**2 + gy**2) itself"
                ),
                np.abs(EDGE_GX) * 255 / 40,
            ),
        ],
    )
