"""ex09 end to end: the solution and honest loops get full marks, the stub zero, and each
realistic buggy version (tests/fixtures/buggy/ex09_*.yaml) is named by its first failing test
(tests/suites/test_first_failure.py)."""

from __future__ import annotations

import pytest

from tests.suites.contract import (
    assert_honest_loops_get_full_marks,
    assert_solution_gets_full_marks,
    assert_stub_is_not_attempted,
)


@pytest.mark.parametrize("seed", ["11", "4242"])
def test_solution_gets_full_marks(grade, seed):
    assert_solution_gets_full_marks(grade, "ex09", 15, seed)


def test_honest_loops_get_full_marks(grade):
    assert_honest_loops_get_full_marks(grade, "ex09")


def test_stub_scores_zero_as_not_attempted(grade):
    assert_stub_is_not_attempted(grade, "ex09")
