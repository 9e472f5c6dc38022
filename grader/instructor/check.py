"""`grade check`: the instructor's self-check that the course grades what it should.

The reference solutions must score full marks and the untouched stubs zero, for every
exercise and quiz, under the same isolation a learner's run gets.
"""

from __future__ import annotations

from typing import Callable

from grader.course.catalogue import Catalogue
from grader.errors import InputError
from grader.grading.runner import IsolationSource, grade


def check_course(catalogue: Catalogue, isolation: IsolationSource, *,
                 echo: Callable[[str], None]) -> list[str]:
    """Grade solutions/ (want full marks) and exercises/ (want zero); the items that disagree."""
    problems = []
    for folder, want_full in ((catalogue.root / "solutions", True), (catalogue.root / "exercises", False)):
        if not folder.is_dir():
            raise InputError(f"{folder} does not exist; `grade check` runs in the course repository")
        report = grade(catalogue, catalogue.ids, submission=folder, isolation=isolation)
        for item in report.exercises:
            good = item.score >= item.max_score if want_full else item.score == 0
            expectation = "full marks" if want_full else "zero"
            echo(f"{'ok  ' if good else 'BAD '} {folder.name:<9} {item.id}  "
                 f"{item.score:g} / {item.max_score:g} (want {expectation})")
            if not good:
                problems.append(f"{folder.name}/{item.id}")
    return problems
