"""ex02-ex05 that hand the work to TensorFlow or SciPy score zero, with feedback naming the ban."""

from __future__ import annotations

import pytest

from tests.conftest import SOLUTIONS, SUBMISSION_FIXTURES


@pytest.mark.parametrize(
    ("fixture", "exercise", "banned"),
    [
        ("uses_tensorflow", "ex04", "tensorflow"),
        ("uses_scipy", "ex02", "scipy.signal"),
        ("uses_scipy", "ex05", "scipy.ndimage"),
        ("uses_scipy_attribute", "ex05", "scipy.ndimage"),  # `import scipy`, then scipy.ndimage.*
    ],
)
def test_delegating_scores_zero_and_names_the_ban(
    grade, make_submission, fixture, exercise, banned
):
    folder = make_submission(**{exercise: SUBMISSION_FIXTURES / fixture, "ex03": SOLUTIONS})
    run = grade(exercise, "ex03", "--submission", folder, "--format", "json")
    item = run.item(exercise)
    assert item["score"] == 0, [t["name"] for t in item["tests"] if t["status"] == "passed"]
    for test in item["tests"]:
        assert banned in test["feedback"], test
        assert "NumPy" in test["feedback"], test
    assert run.item("ex03")["score"] == 10, "a banned import must not cost another exercise"
