"""A small report for the renderers' tests: ex04 with one passed and one failed hidden test whose
name and feedback the test chooses (learner text to escape), and an untouched ex01."""

from __future__ import annotations

from grader.results import ExerciseResult, Report
from grader.results import TestResult as Case  # not a pytest test class


def sample_report(failed_name: str, feedback: str, seed: int) -> Report:
    tests = [
        Case("a 3x3 kernel", "passed", 2, 2, "public"),
        Case(failed_name, "failed", 0, 3, "hidden", feedback=feedback),
    ]
    return Report(
        [
            ExerciseResult("ex04", "Strided convolution layer", 5, tests),
            ExerciseResult(
                "ex01",
                "The convolution operation",
                10,
                [Case("stub", "failed", 0, 10, not_attempted=True, feedback="not attempted")],
            ),
        ],
        seed=seed,
        protection="namespaces",
    )
