"""What a learner's child grading gives, and how the batch keeps it: could-not-check, incomplete.

The children are real `grade --all` processes; where a test needs an outcome the current grader
does not produce by itself (contract 2: a child that exits 3 with a report listing "unchecked"
tests), it rewrites the real child's report before the batch reads it.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from grader.errors import EXIT_GRADER_FAILED
from grader.instructor import tasks
from tests.instructor.classes import rows_of, small_class


@pytest.fixture
def rewritten_reports(monkeypatch):
    """`rewrite(function)`: every child's report passes through `function(report) -> report or
    None` (None: exit as the child did), and the child then exits 3 when the report lists
    unchecked tests, as contract 2 says `grade` does."""
    real = tasks.run_grader

    def install(function):
        def run_grader(arguments, **options):
            result = real(arguments, **options)
            path = arguments[arguments.index("--output") + 1]
            with open(path, encoding="utf-8") as stream:
                report = function(json.load(stream))
            with open(path, "w", encoding="utf-8") as stream:
                json.dump(report, stream)
            return (
                replace(result, exit_code=EXIT_GRADER_FAILED) if report.get("unchecked") else result
            )

        monkeypatch.setattr(tasks, "run_grader", run_grader)

    return install


def cannot_check_ex01(report: dict) -> dict:
    """ex01's first test could not be checked: status error, 0 points, and listed as unchecked."""
    item = next(item for item in report["exercises"] if item["id"] == "ex01")
    test = item["tests"][0]
    lost = test["score"]
    test.update(
        status="error", score=0.0, feedback="could not check: the grader's worker never answered"
    )
    item["score"] -= lost
    item["status"] = (
        "partial" if item["score"] > 0 else "error"
    )  # as the grader would say, or the checks refuse it
    report["score"] -= lost
    report["unchecked"] = [f"ex01: {test['name']}"]
    return report


@pytest.mark.slow
def test_a_child_that_could_not_check_tests_is_not_graded_and_is_regraded(
    grade, tmp_path, rewritten_reports
):
    learners = small_class(tmp_path / "class")
    out = tmp_path / "out"
    rewritten_reports(cannot_check_ex01)
    run = grade("batch", learners, "--out", out, "--seed", "5", "--workers", "1")
    assert run.exit_code == 3, run.stdout + run.stderr
    rows = rows_of(out)
    for name in ("alice", "bob", "carol"):
        assert rows[name]["status"] == "not graded: the grader could not check 1 test", rows[name]
        assert (
            rows[name]["total"] == "" and rows[name]["ex01"] == ""
        )  # the partial report never counts
    problem = json.loads((out / "problems" / "alice.json").read_text())
    assert problem["report"]["unchecked"] and problem["report"]["exercises"]
    rewritten_reports(lambda report: report)  # the grader can check everything again
    rerun = grade("batch", learners, "--out", out, "--seed", "5", "--workers", "1")
    assert rerun.exit_code == 1 and "unchanged" not in rerun.stdout
    assert rows_of(out)["alice"]["status"] == "graded" and rows_of(out)["alice"]["ex01"] == "10"
    assert not (out / "problems" / "alice.json").exists() and list(
        (out / "history").glob("alice.*.json")
    )


def test_a_report_missing_some_of_the_courses_items_is_incomplete(
    grade, tmp_path, rewritten_reports
):
    def drop_the_quizzes(report: dict) -> dict:
        quizzes = [item for item in report["exercises"] if item["id"].startswith("q")]
        report["exercises"] = [
            item for item in report["exercises"] if not item["id"].startswith("q")
        ]
        report["score"] -= sum(item["score"] for item in quizzes)
        report["max_score"] -= sum(item["max_score"] for item in quizzes)
        return report

    learners = small_class(tmp_path / "class")
    out = tmp_path / "out"
    rewritten_reports(drop_the_quizzes)
    run = grade("batch", learners, "--out", out, "--seed", "5", "--workers", "1")
    assert run.exit_code == 1, run.stdout + run.stderr
    status = rows_of(out)["alice"]["status"]
    assert status.startswith("incomplete: no result for q01") and status != "graded"


def test_a_report_that_fails_its_checks_is_the_graders_failure(grade, tmp_path, rewritten_reports):
    def inflate(report: dict) -> dict:
        report["exercises"][0]["score"] = 1000
        return report

    learners = small_class(tmp_path / "class")
    rewritten_reports(inflate)
    run = grade("batch", learners, "--out", tmp_path / "out", "--seed", "5", "--workers", "1")
    assert run.exit_code == 3
    assert rows_of(tmp_path / "out")["bob"]["status"].startswith(
        "not graded: the grader's report failed its checks"
    )
