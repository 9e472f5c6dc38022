"""`grade watch` without a terminal: the loop over change sets, the short report, the next
exercise, a grader failure that must not end the session. (tests/test_terminal.py drives the
real command in a pseudo-terminal.)"""

from __future__ import annotations

import shutil

import click
import pytest

from grader.errors import GraderFailure, InputError
from grader.learner import watch as watch_module
from grader.learner.watch import short_report, watch
from grader.results import ExerciseResult, TestResult
from grader.sandbox.probe import IsolationProbe
from tests.conftest import SOLUTIONS, STUBS


def _run(catalogue, folder, item_id, changes):
    shown, clears = [], []
    with IsolationProbe() as isolation:
        code = watch(
            catalogue,
            item_id,
            submission=folder,
            isolation=isolation,
            echo=lambda line: shown.append(click.unstyle(line)),
            clear=lambda: clears.append(1),
            changes=changes,
        )
    return code, shown, clears


def test_each_change_grades_again_and_full_marks_name_the_next_exercise(tmp_path, catalogue):
    folder = tmp_path / "exercises"
    folder.mkdir()
    target = folder / "ex01_convolution.py"
    shutil.copyfile(STUBS / target.name, target)

    def saves():
        yield {("modified", str(target))}
        shutil.copyfile(SOLUTIONS / target.name, target)
        yield {("modified", str(target))}

    code, shown, clears = _run(catalogue, folder, "ex01", saves())
    assert code == 0 and len(clears) == 3  # graded at once, then after each save
    text = "\n".join(shown)
    assert text.count("ex01  0 / 10") == 2 and "ex01  10 / 10" in text
    assert "First failing test" in text and "not attempted" in text
    assert "ex01 has full marks!" in text and "Next: ex02" in text and "grade watch ex02" in text
    assert shown[-1].startswith("Stopped watching")


def test_ctrl_c_while_waiting_ends_with_zero(tmp_path, catalogue):
    def interrupted():
        raise KeyboardInterrupt
        yield  # pragma: no cover

    code, shown, _clears = _run(catalogue, SOLUTIONS, "ex06", interrupted())
    assert code == 0 and shown[-1].startswith("Stopped watching")


def test_a_grader_failure_is_one_line_and_the_watch_goes_on(tmp_path, catalogue, monkeypatch):
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        raise GraderFailure("a grading suite failed to load: boom")

    monkeypatch.setattr(watch_module, "grade", failing)
    code, shown, _clears = _run(catalogue, SOLUTIONS, "ex01", iter([{("modified", "x")}]))
    assert code == 0 and len(calls) == 2
    assert sum("boom" in line and "save the file to try again" in line for line in shown) == 2


def test_quizzes_are_refused_and_the_last_exercise_points_to_the_next_quiz(catalogue):
    with pytest.raises(InputError, match="grade quiz q01"):
        watch(catalogue, "q01", submission=SOLUTIONS, isolation=None, changes=[])
    last = [item for item in catalogue.in_order if item.kind == "exercise"][-1]
    result = ExerciseResult(
        id=last.id,
        title=last.title,
        max_score=1.0,
        tests=[
            TestResult(name="t", status="passed", score=1.0, max_score=1.0, visibility="public")
        ],
    )
    lines = [click.unstyle(line) for line in short_report(result, catalogue, SOLUTIONS / last.file)]
    assert any("full marks" in line for line in lines)
    assert "grade quiz q0" in lines[-1] or "grade watch ex" in lines[-1]  # the next in the order
