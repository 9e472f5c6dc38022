"""What a grading run produced: `TestResult`, `ExerciseResult` and `Report`, with `to_dict()`.

Every output format (text, JSON, Gradescope, JUnit) renders the same `Report`; scores are
computed here once and never again by a renderer. Test names and feedback are sanitised when a
result is made (grader/sanitise.py), so no learner text can break a report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from grader.sanitise import clean

FEEDBACK_LIMIT = 20_000  # characters of one test's feedback (an ex07 layer table fits easily)
NAME_LIMIT = 300


@dataclass
class TestResult:
    """One graded test: points earned out of `max_score`, and feedback a learner can act on."""

    __test__ = False  # not a pytest test class, though its name starts with "Test"

    name: str
    status: str
    score: float
    max_score: float
    visibility: str = "hidden"
    feedback: str = ""
    not_attempted: bool = False
    duration: float = 0.0
    unchecked: bool = (
        False  # the grader could not check it: its failure, not the learner's (status "error")
    )

    def __post_init__(self) -> None:
        self.name = clean(self.name, NAME_LIMIT, single_line=True)
        self.feedback = clean(self.feedback, FEEDBACK_LIMIT)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "score": self.score,
            "max_score": self.max_score,
            "visibility": self.visibility,
            "feedback": self.feedback,
        }


@dataclass
class ExerciseResult:
    """One exercise or quiz: its tests and the status that sums them up."""

    id: str
    title: str
    max_score: float
    tests: list[TestResult] = field(default_factory=list)
    kind: str = "exercise"
    note: str = ""
    # When learners see each test on Gradescope, by the test's own visibility (course.yaml).
    gradescope_visibility: dict[str, str] = field(
        default_factory=lambda: {"public": "visible", "hidden": "after_due_date"}
    )

    @property
    def score(self) -> float:
        return round(sum(test.score for test in self.tests), 6)

    @property
    def status(self) -> str:
        """passed, partial, failed, error, timeout or not_attempted, from the tests' outcomes."""
        if self.max_score and self.score >= self.max_score:
            return "passed"
        if self.score > 0:
            return "partial"
        if self.tests and all(test.not_attempted for test in self.tests):
            return "not_attempted"
        statuses = {test.status for test in self.tests}
        if statuses == {"error"}:
            return "error"
        if "timeout" in statuses:
            return "timeout"
        return "failed"

    def to_dict(self) -> dict[str, Any]:
        data = {
            "id": self.id,
            "title": self.title,
            "kind": self.kind,
            "score": self.score,
            "max_score": self.max_score,
            "status": self.status,
            "tests": [test.to_dict() for test in self.tests],
        }
        if self.note:
            data["note"] = self.note
        return data


@dataclass
class Report:
    """A whole grading run: what was graded, with which seed, under which protection."""

    exercises: list[ExerciseResult]
    seed: int
    protection: str
    protection_note: str = ""
    execution_time: float = 0.0
    submission: str = ""
    started: str = ""  # when the run began, ISO 8601 in UTC without a zone (JUnit's timestamp)

    @property
    def score(self) -> float:
        return round(sum(item.score for item in self.exercises), 6)

    @property
    def max_score(self) -> float:
        return round(sum(item.max_score for item in self.exercises), 6)

    @property
    def full_marks(self) -> bool:
        return all(item.score >= item.max_score for item in self.exercises)

    @property
    def unchecked(self) -> list[str]:
        """ "ex02: <test name>" for every test the grader could not check
        (docs/design.md#a-grade-is-evidence); a run with any is the grader's failure, whatever its
        score."""
        return [
            f"{item.id}: {test.name}"
            for item in self.exercises
            for test in item.tests
            if test.unchecked
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "max_score": self.max_score,
            "seed": self.seed,
            "protection": self.protection,
            **({"protection_note": self.protection_note} if self.protection_note else {}),
            "execution_time": round(self.execution_time, 3),
            "exercises": [item.to_dict() for item in self.exercises],
            **({"unchecked": self.unchecked} if self.unchecked else {}),
        }


def report_from_dict(data: dict[str, Any]) -> Report:
    """The `Report` a checked JSON report (`to_dict()`, a batch record) describes, for renderers.

    Names and feedback are sanitised again as any result is; an item recorded as not attempted
    keeps that status (a test's `not_attempted` is not in the JSON)."""
    exercises = []
    for item in data["exercises"]:
        not_attempted = item.get("status") == "not_attempted"
        tests = [
            TestResult(
                name=str(test["name"]),
                status=str(test["status"]),
                score=float(test["score"]),
                max_score=float(test["max_score"]),
                visibility=str(test.get("visibility", "hidden")),
                feedback=str(test.get("feedback", "")),
                not_attempted=not_attempted,
            )
            for test in item["tests"]
        ]
        exercises.append(
            ExerciseResult(
                id=clean(item["id"], NAME_LIMIT, single_line=True),
                title=clean(item.get("title", ""), NAME_LIMIT, single_line=True),
                max_score=float(item["max_score"]),
                tests=tests,
                kind=str(item.get("kind", "exercise")),
                note=str(item.get("note", "")),
            )
        )
    return Report(
        exercises=exercises,
        seed=int(data.get("seed", 0)),
        protection=str(data.get("protection", "")),
        protection_note=str(data.get("protection_note", "")),
        execution_time=float(data.get("execution_time", 0.0)),
    )
