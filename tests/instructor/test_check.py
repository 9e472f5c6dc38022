"""`grade check` checks the course and what it publishes, as their users meet them."""

from __future__ import annotations

import pytest

from grader.instructor import check as check_module


@pytest.mark.slow
def test_grade_check_grades_the_course_the_release_and_the_bundle(grade):
    run = grade("check")
    assert run.exit_code == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    for artefact in ("release/solutions", "release/exercises", "gradescope/solutions",
                     "gradescope/exercises"):
        assert any(line.startswith("ok") and artefact in line for line in lines), artefact


def test_a_broken_artefact_is_reported():
    """The artefact check can fail: no readable results, or an exit code that is not clean."""
    echoed = []
    problems = check_module._judge(echoed.append, "gradescope", "solutions", True, 0, "", "boom")
    assert problems == ["gradescope/solutions"] and echoed[0].startswith("BAD")
    assert check_module._judge(echoed.append, "release", "exercises", False, 3,
                               '{"exercises": [{"kind": "exercise", "score": 0, "max_score": 5}]}',
                               "", exercises_only=True) == ["release/exercises"]  # exit 3 is no clean zero
    assert check_module._judge(echoed.append, "release", "exercises", False, 1,
                               '{"exercises": [{"kind": "exercise", "score": 0, "max_score": 5}]}',
                               "", exercises_only=True) == []
