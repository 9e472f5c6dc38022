"""Public tests for ex05: the course's 2x2 example, strides=None, channels pooled separately."""

import numpy as np
import pytest

from grader.checks import Misconception, check_array
from grader.failures import LearnerFailure, LearnerRaised, NamedMistake
from grader.i18n import N_, _

pytestmark = pytest.mark.exercise("ex05")

COURSE_X = np.array(
    [[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]], dtype=np.float64
).reshape(1, 4, 4, 1)
COURSE_OUT = np.array([[6, 8], [3, 4]], dtype=np.float64).reshape(1, 2, 2, 1)
COURSE_MEAN = np.array([[3.25, 5.25], [2, 2]]).reshape(1, 2, 2, 1)

# A 6x6 ramp 0..35 pooled 3x3: strides=None moves by 3, so two windows along each axis, whose
# largest values sit in their bottom-right corners (rows 2 and 5, columns 2 and 5).
RAMP6 = np.arange(36, dtype=np.float64).reshape(1, 6, 6, 1)
RAMP6_OUT = np.array([[14, 17], [32, 35]], dtype=np.float64).reshape(1, 2, 2, 1)

# Two channels with opposite signs: each keeps its own maximum.
TWO_CHANNELS = np.stack(
    [np.array([[1.0, 2.0], [3.0, 4.0]]), -np.array([[1.0, 2.0], [3.0, 4.0]])], axis=-1
)[None]
TWO_CHANNELS_OUT = np.array([4.0, -1.0]).reshape(1, 1, 1, 2)


@pytest.mark.points(0.75)
@pytest.mark.feedback(
    N_(
        "Each 2x2 block gives its largest value: max(1, 1, 5, 6) = 6, "
        "max(2, 4, 7, 8) = 8, max(3, 2, 1, 2) = 3, max(1, 0, 3, 4) = 4."
    )
)
def test_course_example(learner):
    """max_pool2d: the course's 4x4 example with 2x2 pooling and stride 2"""
    try:
        got = learner.max_pool2d(COURSE_X)
    except LearnerRaised as raised:
        if not pools_channels_first(learner):
            raise
        raise NamedMistake(raised.feedback + "\n" + _(CHANNELS_FIRST)) from None
    check_array(
        got,
        COURSE_OUT,
        call="max_pool2d(x (1, 4, 4, 1))",
        floating=True,
        reveal=True,
        misconceptions=[
            Misconception(
                N_(
                    "that is average pooling: max pooling keeps the largest value "
                    "of each window, not the mean"
                ),
                COURSE_MEAN,
            ),
            Misconception(
                N_(
                    "the stride is ignored on the height: the second row of windows "
                    "starts at row 2, not row 1"
                ),
                np.array([[6.0, 8.0], [6.0, 8.0]]).reshape(1, 2, 2, 1),
            ),
            Misconception(
                N_(
                    "the stride is ignored on the width: the second column of "
                    "windows starts at column 2, not column 1"
                ),
                np.array([[6.0, 7.0], [3.0, 3.0]]).reshape(1, 2, 2, 1),
            ),
            Misconception(
                N_("you summed each window; max pooling keeps its largest value"),
                4 * COURSE_MEAN,
            ),
            Misconception(
                N_("you took each window's minimum; max pooling keeps its largest value"),
                np.array([[1.0, 2.0], [1.0, 0.0]]).reshape(1, 2, 2, 1),
            ),
            Misconception(
                N_(
                    "your window is one row and one column short: range(F_h - 1) stops early; "
                    "the window covers rows i * S_h to i * S_h + F_h - 1, range(F_h) of them"
                ),
                COURSE_X[:, ::2, ::2, :],
            ),
        ],
        shape_feedback={(1, 3, 3, 1): one_cell_moves(learner)},
    )


CHANNELS_FIRST = N_(
    "you pooled over W and C: the batch is channels-last (N, H, W, C) as in "
    "Keras, so the window slides over axes 1 and 2"
)


def pools_channels_first(learner) -> bool:
    """Evidence for a function written for (N, C, H, W): the example laid out that way pools."""
    try:
        got = learner.max_pool2d(COURSE_X.transpose(0, 3, 1, 2))
    except LearnerFailure:
        return False
    expected = COURSE_OUT.transpose(0, 3, 1, 2)
    return (
        isinstance(got, np.ndarray) and got.shape == expected.shape and np.allclose(got, expected)
    )


def one_cell_moves(learner) -> str:
    """Windows that move one cell with strides=None: is None read as 1, or is every stride
    ignored? The learner's max_pool2d with strides=2 given tells them apart."""
    try:
        strided = learner.max_pool2d(COURSE_X, 2, 2)
    except LearnerFailure:
        strided = None
    if isinstance(strided, np.ndarray) and strided.shape == (1, 3, 3, 1):
        return _(
            "your windows moved one cell at a time whatever the strides: window (i, j) starts "
            "at row i * S_h and column j * S_w"
        )
    return _("strides=None means a stride equal to the pool size (2), not 1")


@pytest.mark.points(0.75)
@pytest.mark.feedback(
    N_(
        "With strides=None the windows move by the pool size: a 6x6 input pooled "
        "3x3 gives (6 - 3) // 3 + 1 = 2 windows along each axis."
    )
)
def test_strides_none_means_pool_size(learner):
    """max_pool2d: a 6x6 input with pool_size=3 and strides=None gives 2x2"""
    check_array(
        learner.max_pool2d(RAMP6, pool_size=3),
        RAMP6_OUT,
        call="max_pool2d(x (1, 6, 6, 1), pool_size=3)",
        floating=True,
        reveal=True,
        shape_feedback={
            (1, 4, 4, 1): N_("strides=None means a stride equal to the pool size (3), not 1")
        },
    )


@pytest.mark.points(0.75)
@pytest.mark.feedback(N_("Pooling works on each channel separately: the depth stays the same."))
def test_channels_pooled_separately(learner):
    """max_pool2d: each channel keeps its own maximum"""
    check_array(
        learner.max_pool2d(TWO_CHANNELS),
        TWO_CHANNELS_OUT,
        call="max_pool2d(x (1, 2, 2, 2))",
        floating=True,
        reveal=True,
        misconceptions=[
            Misconception(
                N_(
                    "you pooled across channels: take the max over each window's "
                    "H and W only, channel by channel"
                ),
                np.full((1, 1, 1, 2), 4.0),
            ),
            Misconception(
                N_(
                    "your max started from 0 (np.zeros): the max of negative values "
                    "is negative; start from -inf or the window's first cell"
                ),
                np.array([4.0, 0.0]).reshape(1, 1, 1, 2),
            ),
        ],
        shape_feedback={
            (1, 1, 1): N_(
                "the channel axis is missing: the output is "
                "(N, H_out, W_out, C), one max per channel"
            ),
            (1, 1, 1, 1): N_("you pooled across channels: the output keeps all C channels"),
        },
    )
