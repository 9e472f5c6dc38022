"""`grade --debug`: a grader failure's traceback after its one line; without it, the line alone."""

from __future__ import annotations

import pytest

from tests.conftest import SOLUTIONS


@pytest.fixture
def grading_explodes(monkeypatch):
    """A grader bug: grading raises an exception nobody foresaw, quoting text with escapes."""
    import grader.cli.commands

    def explode_deep_inside(*args, **kwargs):
        raise RuntimeError("disk on fire \x1b]0;owned\x07")

    monkeypatch.setattr(grader.cli.commands, "grade", explode_deep_inside)


def test_debug_shows_the_failures_traceback_after_the_one_line(grade, grading_explodes):
    run = grade("--debug", "ex01", "--submission", SOLUTIONS)
    assert run.exit_code == 3
    lines = run.stderr.splitlines()
    assert lines[0] == "Error: internal error: RuntimeError: disk on fire \\x1b]0;owned\\x07"
    assert lines[1] == "Traceback (most recent call last):"
    assert "in explode_deep_inside" in run.stderr  # where the bug is, not only where it was caught
    assert (
        "The above exception was the direct cause" in run.stderr and "GraderFailure" in run.stderr
    )
    assert "\x1b" not in run.stderr and "\x07" not in run.stderr
    assert "Traceback" not in run.stdout


def test_without_debug_the_failure_is_one_line_even_after_a_debug_run(grade, grading_explodes):
    grade("--debug", "ex01", "--submission", SOLUTIONS)
    run = grade("ex01", "--submission", SOLUTIONS)
    assert run.exit_code == 3
    assert run.stderr.strip().splitlines() == [
        "Error: internal error: RuntimeError: disk on fire \\x1b]0;owned\\x07"
    ]


def test_debug_works_for_every_command(grade, tmp_path, monkeypatch):
    import grader.instructor.batch as batch

    def fails(folder, out_dir=None):
        raise ValueError("the class folder cannot be read")

    monkeypatch.setattr(batch, "find_learners", fails)
    (tmp_path / "class").mkdir()
    run = grade("--debug", "batch", tmp_path / "class", "--out", tmp_path / "out")
    assert run.exit_code == 3
    assert "internal error: ValueError" in run.stderr and "in fails" in run.stderr


def test_debug_leaves_usage_errors_and_successful_runs_as_they_are(grade):
    usage = grade("--debug", "ex99")
    assert usage.exit_code == 2 and "Traceback" not in usage.stderr
    graded = grade("--debug", "ex06", "--submission", SOLUTIONS, "--seed", "3")
    assert graded.exit_code == 0 and graded.stderr == ""
