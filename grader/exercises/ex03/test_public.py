"""Public tests for ex03: padding a tiny batch, and the course's "same" padding examples."""

import numpy as np
import pytest

from grader.checks import Misconception, check_array, check_exact, named_by
from grader.failures import LearnerFailure, LearnerRaised, NamedMistake
from grader.i18n import N_, _

pytestmark = pytest.mark.exercise("ex03")

TINY = np.array([[1, 2], [3, 4]], dtype=np.int64).reshape(1, 2, 2, 1)
TINY_PADDED = np.pad(TINY, ((0, 0), (1, 1), (1, 1), (0, 0)))


@pytest.mark.points(0.5)
@pytest.mark.feedback(
    N_(
        "Padding by 1 adds a row on the top and the bottom and a column on the left "
        "and the right: (1, 2, 2, 1) becomes (1, 4, 4, 1)."
    )
)
def test_pad_tiny_batch(learner):
    """zero_pad: a (1, 2, 2, 1) batch padded by 1 becomes (1, 4, 4, 1)"""
    try:
        got = learner.zero_pad(TINY, 1)
    except LearnerRaised as raised:
        if "remapped shapes" in raised.message:  # np.pad given two pairs for a 4-D x
            raise NamedMistake(
                raised.feedback
                + "\n"
                + _(
                    "np.pad takes one (before, after) pair per axis of x, four in all: ((0, 0), "
                    "(top, bottom), (left, right), (0, 0))"
                )
            ) from None
        raise
    check_array(
        got,
        TINY_PADDED,
        call="zero_pad(x (1, 2, 2, 1) int64, 1)",
        dtype=np.int64,
        reveal=True,
        misconceptions=[
            Misconception(
                N_(
                    "the border repeats the edge pixels (np.pad mode='edge'?): zero padding "
                    "adds zeros"
                ),
                np.pad(TINY, ((0, 0), (1, 1), (1, 1), (0, 0)), mode="edge"),
            )
        ],
        shape_feedback={
            (3, 4, 4, 3): N_("you padded the batch and channel axes too: only H and W get zeros"),
            (1, 3, 3, 1): N_("padding goes on both sides: P rows before and P rows after"),
        },
    )


@pytest.mark.points(0.5)
@pytest.mark.feedback(
    N_(
        "With stride 1 'same' keeps the size: total = F - 1 zeros, the smaller half "
        "(total // 2) before, the rest after."
    )
)
def test_same_padding_stride_1(learner):
    """same_padding: F=3 on 5 gives (1, 1); the even kernel F=4 gives (1, 2)"""
    check_exact(
        learner.same_padding(5, 3),
        (1, 1),
        call="same_padding(5, 3)",
        misconceptions=[
            Misconception(
                N_("that is the total, F - 1 = 2; split it into the zeros before and after"), (2, 2)
            ),
            Misconception(
                N_(
                    "that is the total number of zeros; return the pair (before, after), "
                    "before = total // 2"
                ),
                2,
            ),
        ],
    )
    check_exact(
        learner.same_padding(5, 4),
        (1, 2),
        call="same_padding(5, 4)",
        misconceptions=[
            Misconception(
                N_(
                    "the padding is on the wrong side: TensorFlow puts the smaller half before "
                    "(top/left) and the extra zero after"
                ),
                (2, 1),
            ),
            Misconception(even_split_mistake(learner), (1, 1)),
        ],
    )


def even_split_mistake(learner) -> str:
    """(1, 1) for F=4 on 5 comes from (F - 1) // 2 on each side or from total // 2 twice; the
    learner's same_padding(8, 3, 2) tells them apart: (1, 1) and (0, 0) respectively."""
    try:
        other = learner.same_padding(8, 3, 2)
    except LearnerFailure:
        other = None
    # named_by, never `==`: an array answer would make `==` an array, not a bool
    if named_by(other, [Misconception("both", (1, 1))]):
        return _(
            "you padded (F - 1) // 2 on each side; TensorFlow pads "
            "total = max((ceil(H / S) - 1) * S + F - H, 0), smaller half first"
        )
    if named_by(other, [Misconception("neither", (0, 0))]):
        return _("the odd zero is lost: after = total - before, not total // 2")
    return _("3 zeros in all do not split evenly: 1 before, 2 after")


@pytest.mark.points(0.5)
@pytest.mark.feedback(
    N_(
        "With stride 2 on H = 8 and F = 3: out = ceil(8 / 2) = 4, "
        "total = (4 - 1) * 2 + 3 - 8 = 1, so (0, 1)."
    )
)
def test_same_padding_stride_2(learner):
    """same_padding: H=8, F=3, S=2 gives (0, 1); H=7 gives (1, 1)"""
    check_exact(
        learner.same_padding(8, 3, 2),
        (0, 1),
        call="same_padding(8, 3, 2)",
        misconceptions=[
            Misconception(
                N_(
                    "the stride is ignored: with stride 2 only ceil(8 / 2) = 4 outputs are "
                    "needed, so less padding"
                ),
                (1, 1),
            ),
            Misconception(
                N_("the padding is on the wrong side: the smaller half goes before"), (1, 0)
            ),
        ],
    )
    check_exact(
        learner.same_padding(7, 3, 2),
        (1, 1),
        call="same_padding(7, 3, 2)",
        misconceptions=[
            Misconception(
                N_(
                    "you rounded the output size down (H // S); 'same' gives ceil(H / S) "
                    "outputs, so total = max((ceil(H / S) - 1) * S + F - H, 0)"
                ),
                (0, 0),
            )
        ],
    )
