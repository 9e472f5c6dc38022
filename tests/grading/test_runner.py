"""The run's manifest is derived from the suites it collects, before any test runs: a collected
test that does not report earns nothing, an exercise that cannot run still lists its tests, and
suites whose points disagree with the catalogue fail the grader, never the learner."""

from __future__ import annotations

import yaml

import grader.grading.runner as runner
from tests.conftest import SOLUTIONS, course_data


def test_a_collected_test_that_never_reports_is_a_failed_test(grade, monkeypatch):
    real = runner._run_pytest
    dropped = []

    def losing_one(*args, **kwargs):
        outcomes, manifest = real(*args, **kwargs)
        dropped.append(manifest[-1])
        outcomes.pop(manifest[-1].nodeid)  # the run lost this test's result
        return outcomes, manifest

    monkeypatch.setattr(runner, "_run_pytest", losing_one)
    run = grade("ex01", "--submission", SOLUTIONS, "--seed", "1", "--format", "json")
    assert run.exit_code == 1
    item = run.item("ex01")
    assert item["max_score"] == 10 and item["score"] == 10 - dropped[0].points
    lost = next(test for test in item["tests"] if test["score"] == 0)
    assert lost["status"] == "failed" and "did not report a result" in lost["feedback"]


def test_an_exercise_that_cannot_run_still_lists_every_test(grade, tmp_path):
    (tmp_path / "submission").mkdir()
    run = grade("ex01", "--submission", tmp_path / "submission", "--format", "json")
    item = run.item("ex01")
    assert run.exit_code == 1 and item["max_score"] == 10 and item["score"] == 0
    assert len(item["tests"]) > 10 and {test["visibility"] for test in item["tests"]} == {
        "public",
        "hidden",
    }


def test_suites_worth_other_points_than_the_catalogue_fail_the_grader(grade, tmp_path):
    data = course_data()
    data["exercises"][0]["points"] = 11  # ex01's suites are worth 10
    course = tmp_path / "course.yaml"
    course.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    run = grade("--course", course, "ex01", "--submission", SOLUTIONS)
    assert run.exit_code == 3
    assert "ex01: its tests are worth 10 points, the catalogue gives it 11" in run.stderr
