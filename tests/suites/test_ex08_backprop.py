"""ex08 end to end: the solution and honest loops get full marks, the stub zero, and each
realistic buggy version (tests/fixtures/buggy/ex08_*.yaml) is named by its first failing test
(tests/suites/test_first_failure.py)."""

from __future__ import annotations

import pytest

from tests.conftest import SOLUTIONS
from tests.suites.contract import (
    assert_honest_loops_get_full_marks,
    assert_solution_gets_full_marks,
    assert_stub_is_not_attempted,
)


@pytest.mark.parametrize("seed", ["11", "4242"])
def test_solution_gets_full_marks(grade, seed):
    assert_solution_gets_full_marks(grade, "ex08", 20, seed)


def test_honest_loops_get_full_marks(grade):
    assert_honest_loops_get_full_marks(grade, "ex08")


def test_stub_scores_zero_as_not_attempted(grade):
    assert_stub_is_not_attempted(grade, "ex08")


def test_gradient_tape_is_a_forbidden_shortcut(make_submission, grade):
    """ex08 is not a TensorFlow exercise: a learner may not let GradientTape do the work."""
    source = (
        (SOLUTIONS / "ex08_backprop.py")
        .read_text(encoding="utf-8")
        .replace("import numpy as np\n", "import numpy as np\nimport tensorflow as tf\n", 1)
    )
    item = grade("ex08", "--submission", make_submission(ex08=source), "--format", "json").item(
        "ex08"
    )
    assert item["score"] == 0
    assert all("tensorflow" in test["feedback"].lower() for test in item["tests"])
