"""The check helpers that the suites use (grader/checks.py)."""

from __future__ import annotations

import numpy as np
import pytest

from grader.failures import GradingFailure, NotAttempted
from grader.checks import Misconception, check_constant, check_parts

SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=float)


def test_check_parts_accepts_tuples_and_lists():
    assert check_parts([1, 2, 3], ("a", "b", "c"), call="f()") == (1, 2, 3)
    assert check_parts((1, 2), ("a", "b"), call="f()") == (1, 2)


@pytest.mark.parametrize("value", [np.zeros((3, 4, 4)), (1, 2), None, "abc"])
def test_check_parts_rejects_other_shapes(value):
    with pytest.raises(GradingFailure, match=r"expected a tuple of 3 \(gx, gy, magnitude\)"):
        check_parts(value, ("gx", "gy", "magnitude"), call="sobel_edges(x)")


def test_check_constant_takes_a_nested_list():
    got = check_constant([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], SOBEL_X, name="SOBEL_X")
    assert got.shape == (3, 3)


def test_check_constant_names_a_misconception_and_the_stub():
    with pytest.raises(NotAttempted, match="SOBEL_X is still None"):
        check_constant(None, SOBEL_X, name="SOBEL_X")
    with pytest.raises(GradingFailure, match="swapped"):
        check_constant(SOBEL_X.T.tolist(), SOBEL_X, name="SOBEL_X",
                       misconceptions=[Misconception("swapped", SOBEL_X.T)])
    with pytest.raises(GradingFailure, match="not a grid of numbers"):
        check_constant([[1, 2], [3]], SOBEL_X, name="SOBEL_X")


def test_every_helper_counts_the_result_it_judges_pass_or_fail():
    """A grading test passes only on evidence (grader/evidence.py): each helper counts one judged
    learner result, whether the result is right or wrong (a helper's pass always counts: a
    failure is a verdict anyway)."""
    from grader import evidence
    from grader.checks import (check_array, check_exact, check_number, check_unchanged, expect_answer,
                               expect_value_error)
    from grader.failures import LearnerRaised

    def raises_value_error():
        raise LearnerRaised("raised ValueError", "ValueError", "bad", value_error=True)

    judgements = [
        lambda: check_array(SOBEL_X, SOBEL_X, call="f()"),
        lambda: check_array(SOBEL_X.T, SOBEL_X, call="f()"),
        lambda: check_number(6600, 6600.0, call="f()"),
        lambda: check_exact((4, 4), (4, 4), call="f()"),
        lambda: check_exact(4.0, 4, call="f()"),
        lambda: check_parts((1, 2), ("a", "b"), call="f()"),
        lambda: check_constant(SOBEL_X.tolist(), SOBEL_X, name="SOBEL_X"),
        lambda: check_unchanged([SOBEL_X], [SOBEL_X], call="f()"),
        lambda: expect_value_error(raises_value_error, "f()", problem="a bad argument"),
        lambda: expect_answer(lambda: SOBEL_X, "f()", SOBEL_X),
    ]
    for number, judge in enumerate(judgements):
        with evidence.judging("hidden") as record:
            try:
                judge()
            except GradingFailure:
                pass
        assert record.judged >= 1, f"judgement #{number} was not counted"
    with evidence.judging("hidden") as record:
        with pytest.raises(NotAttempted):
            check_constant(None, SOBEL_X, name="SOBEL_X")  # a stub's None: nothing to judge
    assert record.judged == 0
