"""A learner's broken ex01 scores 0 with feedback, while ex06 in the same run keeps full marks."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SOLUTIONS, SUBMISSION_FIXTURES, course_with_limits

BROKEN = {
    # fixture folder: (words the ex01 feedback must contain, expected ex01 status)
    "syntax_error": (["SyntaxError", "line 5"], "error"),
    "sys_exit_at_import": (["SystemExit", "while being imported"], "error"),
    "missing_function": (["has no convolve2d"], "partial"),
    "exception_in_call": (["ZeroDivisionError", "line 7"], "failed"),
    "wrong_return_type": (["returned", "generator"], "failed"),
}


@pytest.mark.parametrize("fixture", sorted(BROKEN))
def test_broken_ex01_keeps_ex06_score(grade, make_submission, fixture):
    words, status = BROKEN[fixture]
    folder = make_submission(ex01=SUBMISSION_FIXTURES / fixture, ex06=SOLUTIONS)
    run = grade("ex01", "ex06", "--submission", folder, "--format", "json")
    assert run.exit_code == 1, run.stderr
    ex01, ex06 = run.item("ex01"), run.item("ex06")
    assert ex06["score"] == ex06["max_score"] == 15
    assert ex01["status"] == status
    feedback = "\n".join(test["feedback"] for test in ex01["tests"])
    for word in words:
        assert word in feedback
    assert "Traceback" not in feedback
    if status == "error":
        assert ex01["score"] == 0


def test_missing_function_still_grades_the_other_one(grade, make_submission):
    folder = make_submission(ex01=SUBMISSION_FIXTURES / "missing_function")
    ex01 = grade("ex01", "--submission", folder, "--format", "json").item("ex01")
    by_name = {test["name"]: test for test in ex01["tests"]}
    assert by_name["filter_response: random patches of several shapes"]["status"] == "passed"
    assert all(
        test["score"] == 0 for test in ex01["tests"] if test["name"].startswith("convolve2d")
    )


@pytest.fixture
def quick_limits(tmp_path) -> Path:
    """A catalogue that gives up on a call after 1 s, so that hanging code costs seconds."""
    return course_with_limits(tmp_path, call_timeout=1.0, max_restarts=1)


def test_infinite_loop_times_out(grade, make_submission, quick_limits):
    folder = make_submission(ex01=SUBMISSION_FIXTURES / "infinite_loop", ex06=SOLUTIONS)
    run = grade(
        "--course", quick_limits, "ex01", "ex06", "--submission", folder, "--format", "json"
    )
    ex01 = run.item("ex01")
    statuses = {test["status"] for test in ex01["tests"] if test["name"].startswith("convolve2d")}
    assert statuses <= {"timeout", "error"} and "timeout" in statuses
    timed_out = next(test for test in ex01["tests"] if test["status"] == "timeout")
    assert "did not return within 1 s" in timed_out["feedback"]
    assert 0 < ex01["score"] < ex01["max_score"]  # filter_response still earns its points
    assert run.item("ex06")["score"] == 15
    assert run.json()["execution_time"] < 20


def test_honest_loops_get_full_marks(grade):
    run = grade(
        "ex01", "ex06", "--submission", SUBMISSION_FIXTURES / "honest_loops", "--format", "json"
    )
    assert run.exit_code == 0, [
        t["feedback"]
        for item in run.json()["exercises"]
        for t in item["tests"]
        if t["status"] != "passed"
    ]


SLOW_SOBEL = """import time

import numpy as np

SOBEL_X = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
SOBEL_Y = [[-1, -2, -1], [0, 0, 0], [1, 2, 1]]


def sobel_edges(image):
    time.sleep(0.4)  # honest, but slow: the exercise's time runs out before its last tests
    image = np.asarray(image, dtype=float)
    rows, cols = image.shape[0] - 2, image.shape[1] - 2
    gx = np.array([[np.sum(image[i:i + 3, j:j + 3] * SOBEL_X) for j in range(cols)] for i in range(rows)])
    gy = np.array([[np.sum(image[i:i + 3, j:j + 3] * SOBEL_Y) for j in range(cols)] for i in range(rows)])
    return gx, gy, np.sqrt(gx ** 2 + gy ** 2)
"""


def test_a_test_left_without_time_shows_no_case_it_never_ran(grade, tmp_path):
    """Once the exercise's time is used up, later tests are "not run": a generated-case test says
    so, without a "generated case that shows it" that never ran."""
    folder = tmp_path / "learner"
    folder.mkdir()
    (folder / "ex02_sobel.py").write_text(SLOW_SOBEL)
    course = course_with_limits(tmp_path, call_timeout=2.0, time_limit=3.0)
    ex02 = grade("--course", course, "ex02", "--submission", folder, "--format", "json").item(
        "ex02"
    )
    not_run = [test for test in ex02["tests"] if test["feedback"].startswith("not run")]
    assert not_run, [test["feedback"][:80] for test in ex02["tests"]]
    assert all("generated case" not in test["feedback"] for test in not_run)
    generated = next(test for test in ex02["tests"] if "generated" in test["name"])
    assert generated in not_run
