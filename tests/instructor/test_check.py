"""`grade check` checks the course and what it publishes, as their users meet them."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from grader.instructor import check as check_module


@pytest.mark.slow
def test_grade_check_grades_the_course_the_release_and_the_bundle(grade):
    """One exercise and one quiz prove the pipeline: the course's own solutions and stubs, the
    release scan, the release's grader and the Gradescope bundle (which grades the whole course:
    the bundle's full marks for every solution are tests/instructor/test_gradescope.py's, the
    release's tests/instructor/test_release.py's)."""
    run = grade("check", "ex01", "q01")
    assert run.exit_code == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    for artefact in (
        "solutions ex01",
        "exercises ex01",
        "solutions q01",
        "exercises q01",
        "release scan",
        "release/solutions",
        "release/exercises",
        "gradescope/solutions",
        "gradescope/exercises",
    ):
        assert any(line.startswith("ok") and artefact in line for line in lines), artefact
    course_items = {
        found[2]
        for line in lines
        if (found := re.match(r"(?:ok|BAD)\s+(solutions|exercises) (\S+)", line))
    }
    assert course_items == {"ex01", "q01"}, lines


def test_without_ids_check_grades_every_item_of_the_course_and_the_release(monkeypatch, catalogue):
    """`grade check` with no ID grades every item in the course and `--all` in the release."""
    graded = []

    def recording_grade(catalogue, ids, **options):
        graded.append(list(ids))
        return SimpleNamespace(exercises=[])

    monkeypatch.setattr(check_module, "grade", recording_grade)
    assert check_module.check_course(catalogue, None, echo=lambda line: None) == []
    assert graded == [list(catalogue.ids)] * 2
    launched = []

    def recording_run(command, **options):
        launched.append(command)
        raise _Stop

    monkeypatch.setattr(check_module, "publish", lambda catalogue, out: _Published(out))
    monkeypatch.setattr(check_module, "_scanned", lambda *args, **options: [])
    monkeypatch.setattr(check_module, "run_program", recording_run)
    with pytest.raises(_Stop):
        check_module.check_artefacts(catalogue, echo=lambda line: None)
    assert "--all" in launched[0]


class _Stop(Exception):
    """Ends check_artefacts at its first graded run, once its command line is known."""


class _Published:
    def __init__(self, out):
        self.student = out / "student"
        self.autograder_zip = out / "autograder.zip"


def test_a_broken_artefact_is_reported():
    """The artefact check can fail: no readable results, or an exit code that is not clean."""
    echoed = []
    problems = check_module._judge(echoed.append, "gradescope", "solutions", True, 0, "", "boom")
    assert problems == ["gradescope/solutions"] and echoed[0].startswith("BAD")
    assert check_module._judge(
        echoed.append,
        "release",
        "exercises",
        False,
        3,
        '{"exercises": [{"kind": "exercise", "score": 0, "max_score": 5}]}',
        "",
        exercises_only=True,
    ) == ["release/exercises"]  # exit 3 is no clean zero
    assert (
        check_module._judge(
            echoed.append,
            "release",
            "exercises",
            False,
            1,
            '{"exercises": [{"kind": "exercise", "score": 0, "max_score": 5}]}',
            "",
            exercises_only=True,
        )
        == []
    )


def test_a_course_whose_stubs_were_solved_is_reported_not_published(monkeypatch, catalogue):
    monkeypatch.setattr(
        "grader.instructor.publish.changed_files",
        lambda catalogue: [
            "exercises/ex01_convolution.py (convolve2d does more than raise NotImplementedError)"
        ],
    )
    echoed = []
    assert check_module.check_artefacts(catalogue, echo=echoed.append) == ["publish"]
    assert echoed[0].startswith("BAD  publish") and "exercises/ex01_convolution.py" in echoed[0]
