"""Jupyter: `%load_ext grader` and `%grade` run in a real kernel (nbclient, headless), on the
course notebook that ships in the student release, in a copy of the learner's folder."""

from __future__ import annotations

import shutil

import nbformat
import pytest
from nbclient import NotebookClient

from grader.errors import InputError
from grader.learner.notebook import NotebookReport, parse_line, report_html
from tests.conftest import SOLUTIONS, STUBS

NOTEBOOK = STUBS / "course.ipynb"


def _outputs(cell) -> str:
    texts = []
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        texts.append(
            data.get("text/html", "") + data.get("text/plain", "") + output.get("text", "")
        )
    return "\n".join(texts)


@pytest.mark.slow
def test_the_course_notebook_grades_the_files_next_to_it_and_shows_pictures(tmp_path):
    folder = tmp_path / "exercises"
    shutil.copytree(STUBS, folder)
    shutil.copyfile(SOLUTIONS / "ex02_sobel.py", folder / "ex02_sobel.py")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        notebook, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    ).execute()
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert [cell.source for cell in code] == [
        "%load_ext grader",
        "%grade ex01",
        "%grade ex02 --lang ko",
    ]
    assert not any(output.get("output_type") == "error" for cell in code for output in cell.outputs)
    stub, solved = _outputs(code[1]), _outputs(code[2])
    assert "ex01 0 / 10" in stub and "not attempted" in stub
    assert "data:image/png;base64," in stub  # the stub's picture: the expected result alone
    assert "ex02 10 / 10" in solved and "합계" in solved and "ex02_sobel.png" in solved
    assert (folder / ".grade").exists() or any(folder.glob(".grade*"))  # progress remembered


def test_a_bad_line_is_one_line_of_html_not_a_traceback():
    from grader.learner.notebook import grade_magic

    answer = grade_magic("ex01 --colour red")
    assert answer.report is None and "--colour" in answer._repr_html_()
    assert "did you mean ex01" in grade_magic("ex1x").error
    with pytest.raises(InputError):
        parse_line("")
    assert parse_line("ex01 q01 --lang ko --no-pictures --seed 7")[1] | {"submission": None} == {
        "pictures": False,
        "allow_weak": False,
        "cells": False,
        "lang": "ko",
        "submission": None,
        "seed": 7,
    }


def test_the_html_escapes_learner_text(grade):
    from grader.results import ExerciseResult, Report, TestResult

    test = TestResult(
        name="convolve2d <b>",
        status="failed",
        score=0.0,
        max_score=1.0,
        visibility="public",
        feedback="printed:\n  | <script>alert(1)</script>",
    )
    report = Report(
        exercises=[ExerciseResult(id="ex01", title="Convolution", max_score=1.0, tests=[test])],
        seed=1,
        protection="namespaces",
    )
    shown = NotebookReport(report)._repr_html_()
    assert "<script>" not in shown and "&lt;script&gt;" in shown and "convolve2d &lt;b&gt;" in shown
    assert report_html(report, [("x.png", b"\x89PNG")]).count("<img") == 1


def test_the_notebook_ships_in_the_student_release(tmp_path):
    from grader.course.catalogue import COURSE_ROOT
    from grader.instructor.release import write_release

    release = write_release(COURSE_ROOT, tmp_path / "release")
    shipped = nbformat.read(release / "exercises" / "course.ipynb", as_version=4)
    assert any("%grade" in cell.source for cell in shipped.cells if cell.cell_type == "code")
    assert not any(cell.get("outputs") for cell in shipped.cells if cell.cell_type == "code")
