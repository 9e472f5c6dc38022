"""ex02-ex05 end to end: solutions and honest loops get full marks, stubs get zero, and no
test can be passed by doing nothing or by raising ValueError everywhere."""

from __future__ import annotations

import pytest

from tests.conftest import SOLUTIONS, STUBS, SUBMISSION_FIXTURES

EXERCISES = ("ex02", "ex03", "ex04", "ex05")
HONEST_LOOPS_SECONDS = 10  # far inside the 30 s each exercise may use


def failures(run) -> list[str]:
    return [
        f"{item['id']}: {test['name']}: {test['feedback']}"
        for item in run.json()["exercises"]
        for test in item["tests"]
        if test["status"] != "passed"
    ]


@pytest.mark.parametrize("seed", ["11", "4242"])
def test_solutions_get_full_marks(grade, seed):
    run = grade(*EXERCISES, "--submission", SOLUTIONS, "--format", "json", "--seed", seed)
    assert run.exit_code == 0, failures(run)
    assert run.json()["score"] == 10 + 10 + 20 + 15


def test_honest_loops_get_full_marks_quickly(grade):
    run = grade(
        *EXERCISES, "--submission", SUBMISSION_FIXTURES / "honest_loops", "--format", "json"
    )
    assert run.exit_code == 0, failures(run)
    assert run.json()["execution_time"] < HONEST_LOOPS_SECONDS


def test_stubs_score_zero_as_not_attempted(grade):
    run = grade(*EXERCISES, "--submission", STUBS, "--format", "json")
    assert run.exit_code == 1
    for item in run.json()["exercises"]:
        assert item["score"] == 0 and item["status"] == "not_attempted", item["id"]
        for test in item["tests"]:
            assert test["feedback"].startswith("not attempted"), (item["id"], test)
            assert "Traceback" not in test["feedback"]


def test_raising_value_error_everywhere_earns_nothing(grade, make_submission):
    """The stubs with ValueError in place of NotImplementedError: every ValueError test also
    needs a correct answer to a valid call, so this scores zero."""
    files = {}
    for exercise_id, name in (
        ("ex02", "ex02_sobel.py"),
        ("ex03", "ex03_padding.py"),
        ("ex04", "ex04_stride.py"),
        ("ex05", "ex05_pooling.py"),
    ):
        files[exercise_id] = (
            (STUBS / name)
            .read_text(encoding="utf-8")
            .replace("raise NotImplementedError(", "raise ValueError(")
        )
    run = grade(*EXERCISES, "--submission", make_submission(**files), "--format", "json")
    for item in run.json()["exercises"]:
        passed = [test["name"] for test in item["tests"] if test["status"] == "passed"]
        assert item["score"] == 0, (item["id"], passed)


def test_sobel_constants_alone_earn_only_their_point(grade, make_submission):
    """Kernels right but sobel_edges not written: the constants test is the only one passed."""
    source = (STUBS / "ex02_sobel.py").read_text(encoding="utf-8")
    source = source.replace("SOBEL_X = None", "SOBEL_X = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]")
    source = source.replace("SOBEL_Y = None", "SOBEL_Y = [[-1, -2, -1], [0, 0, 0], [1, 2, 1]]")
    item = grade("ex02", "--submission", make_submission(ex02=source), "--format", "json").item(
        "ex02"
    )
    passed = [test["name"] for test in item["tests"] if test["status"] == "passed"]
    assert passed == ["SOBEL_X and SOBEL_Y: the two 3x3 Sobel kernels"]
    assert item["score"] == 0.5 and item["status"] == "partial"


def test_an_unused_reference_to_a_banned_module_zeroes_the_exercise(grade, make_submission):
    """A correct ex05 that reaches scipy.ndimage through an alias, even in dead code, gets 0."""
    source = (SOLUTIONS / "ex05_pooling.py").read_text(encoding="utf-8") + (
        "\n\nimport scipy as sp\n\n\ndef _faster(x):\n    return sp.ndimage.maximum_filter(x, 2)\n"
    )
    item = grade("ex05", "--submission", make_submission(ex05=source), "--format", "json").item(
        "ex05"
    )
    assert item["score"] == 0
    assert all("uses scipy.ndimage" in test["feedback"] for test in item["tests"])


def test_feedback_never_prints_a_hidden_array_in_full(grade, make_submission):
    """A wrong ex04 learns where its output differs, not what the hidden expected output holds."""
    source = (
        (SOLUTIONS / "ex04_stride.py")
        .read_text(encoding="utf-8")
        .replace("out += under @ kernel[a, b]", "out += under @ kernel[a, b] * 1.5")
    )
    item = grade("ex04", "--submission", make_submission(ex04=source), "--format", "json").item(
        "ex04"
    )
    hidden = [
        test
        for test in item["tests"]
        if test["visibility"] == "hidden" and test["status"] != "passed"
    ]
    assert hidden
    for test in hidden:
        assert "expected:\n" not in test["feedback"] and len(test["feedback"]) < 800, test
