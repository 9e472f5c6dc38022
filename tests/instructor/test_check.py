"""`grade check` checks the course and what it publishes, as their users meet them."""

from __future__ import annotations

import pytest

from grader.instructor import check as check_module


@pytest.mark.slow
def test_grade_check_grades_the_course_the_release_and_the_bundle(grade):
    run = grade("check")
    assert run.exit_code == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    for artefact in (
        "release scan",
        "release/solutions",
        "release/exercises",
        "gradescope/solutions",
        "gradescope/exercises",
    ):
        assert any(line.startswith("ok") and artefact in line for line in lines), artefact


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
