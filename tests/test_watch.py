"""`grade watch` without a terminal: the loop over change sets, the short report, the next
exercise, a grader failure that must not end the session. (tests/test_terminal.py drives the
real command in a pseudo-terminal.)"""

from __future__ import annotations

import re
import shutil

import click
import pytest

from grader.errors import GraderFailure, InputError
from grader.learner import watch as watch_module
from grader.learner.watch import short_report, watch
from grader.results import ExerciseResult, TestResult
from grader.sandbox.probe import IsolationProbe
from tests.conftest import SOLUTIONS, STUBS


def unwrapped(text: str) -> str:
    """`text` with the terminal's line breaks taken out (a long path breaks after a `/`)."""
    return re.sub(r"\n\s*", "", text)


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


NOTEBOOK_WORDS = {
    "en": ("not a Jupyter notebook", "save the file to try again", "has full marks!", "Next: ex02"),
    "ko": (
        "Jupyter 노트북이 아닙니다",
        "파일을 저장하면 다시 시도합니다",
        "만점입니다!",
        "다음: ex02",
    ),
}


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_notebook_is_graded_on_each_save_and_a_half_saved_one_is_one_line(
    tmp_path, catalogue, lang
):
    from grader.i18n import language
    from tests.notebooks.builders import write_notebook

    work = tmp_path / "work.ipynb"
    stub = (STUBS / "ex01_convolution.py").read_text(encoding="utf-8")
    solution = (SOLUTIONS / "ex01_convolution.py").read_text(encoding="utf-8")
    write_notebook(work, stub, "%timeit convolve2d(1, 2)\nx = 1 +")
    seen: list[list[str]] = []

    def saves(shown):
        seen.append(list(shown))
        work.write_text('{"cells": [', encoding="utf-8")  # a save caught half-way
        yield {("modified", str(work))}
        seen.append(list(shown))
        write_notebook(work, "print('exploring')", solution)
        yield {("modified", str(work))}
        seen.append(list(shown))

    unreadable, try_again, full, following = NOTEBOOK_WORDS[lang]
    shown: list[str] = []
    with language(lang), IsolationProbe() as isolation:
        code = watch(
            catalogue,
            "ex01",
            submission=work,
            isolation=isolation,
            echo=lambda line: shown.append(click.unstyle(line)),
            clear=shown.clear,
            changes=saves(shown),
        )
    first, half_saved, solved = ("\n".join(lines) for lines in seen)
    assert code == 0 and str(work) in unwrapped(shown[-1])  # "Stopped watching ..."
    assert (
        str(work) in unwrapped(first) and "ex01  0 / 10" in first and "%timeit" in first
    )  # a note
    assert half_saved.startswith(first)  # the last report stays, the problem comes under it
    problem = half_saved[len(first) :].strip()
    assert len(problem.splitlines()) <= 3 and "Traceback" not in problem  # wrapped to 80
    problem = " ".join(problem.split())
    assert unreadable in problem and try_again in problem and "work.ipynb" in problem
    assert "ex01  10 / 10" in solved and full in solved and following in solved
    assert f"grade watch ex02 --submission {work}" in solved


def test_what_is_watched_is_what_grade_reads(tmp_path, catalogue):
    from grader.learner.watch import watched_file

    folder = tmp_path / "exercises"
    folder.mkdir()
    (folder / "work.ipynb").write_text("{}", encoding="utf-8")
    (folder / ".ipynb_checkpoints").mkdir()
    alone = watched_file(catalogue, "ex01", folder)
    assert alone.names == ("work.ipynb",) and alone.shown == folder / "work.ipynb"
    (folder / "more.ipynb").write_text("{}", encoding="utf-8")
    several = watched_file(catalogue, "ex01", folder)
    assert several.names == ("more.ipynb", "work.ipynb") and several.shown.name == "*.ipynb"
    (folder / "ex01_convolution.py").write_text("", encoding="utf-8")
    assert watched_file(catalogue, "ex01", folder).names == ("ex01_convolution.py",)
    given = watched_file(catalogue, "ex01", folder / "more.ipynb")
    assert given.names == ("more.ipynb",) and given.notebook == folder / "more.ipynb"
    (tmp_path / "empty").mkdir()
    assert watched_file(catalogue, "ex01", tmp_path / "empty").names == ("ex01_convolution.py",)
    with pytest.raises(InputError, match="does not exist"):
        watched_file(catalogue, "ex01", tmp_path / "missing" / "work.ipynb")


def test_only_the_watched_names_in_the_folder_itself_count(tmp_path, catalogue):
    from grader.learner.watch import watched_file

    (tmp_path / "work.ipynb").write_text("{}", encoding="utf-8")
    watched = watched_file(catalogue, "ex01", tmp_path / "work.ipynb")
    assert watch_module.is_watched(watched, str(tmp_path / "work.ipynb"))
    assert not watch_module.is_watched(watched, str(tmp_path / "other.ipynb"))
    checkpoint = tmp_path / ".ipynb_checkpoints" / "work.ipynb"
    assert not watch_module.is_watched(watched, str(checkpoint))
