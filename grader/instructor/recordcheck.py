"""What a batch record may hold: the report schema, the course's items and points, sums that add up.

Every record the grader reads back (a rerun's out folder, a shard given to `grade merge`, a
child's report) is input, checked here before it counts: it must match
grader/schemas/report.schema.json with its `batch` block (or be a problem record), name only
the course's items, each out of the points the course gives it, with no score above its
maximum, every item's tests adding up to the item and the items to the total. Its "adjustments", "late" and "final" (grader/instructor/final.py) must match their
schemas, and "final" must be what the report, the adjustments and the late block give.
`RecordCheck` answers with the first problem found, in one line, or "".
"""

from __future__ import annotations

import copy
import functools
import json
import math
from typing import Any

import jsonschema

from grader.course.catalogue import PACKAGE_DIR, Catalogue
from grader.instructor import final
from grader.quiz.bank import load_bank

REPORT_SCHEMA_PATH = PACKAGE_DIR / "schemas" / "report.schema.json"
TOLERANCE = 1e-6  # points: sums of floats written as JSON
MAX_TEXT = 4096
ZERO_STATUSES = ("failed", "error", "timeout", "not_attempted")  # an item's statuses at 0 points
UNCHECKED = {"type": "array", "items": {"type": "string", "maxLength": MAX_TEXT}}
META_SCHEMA = {
    "type": "object",
    "required": [
        "learner",
        "submission_hash",
        "course_version",
        "grader_version",
        "seed",
        "graded_at",
    ],
    "properties": {
        "learner": {"type": "string", "minLength": 1, "maxLength": MAX_TEXT},
        "submission_hash": {"type": "string", "pattern": "^(sha256:[0-9a-f]{64})?$"},
        "course_version": {"type": "string", "pattern": "^sha256:[0-9a-f]{20}$"},
        "grader_version": {"type": "string", "minLength": 1, "maxLength": 100},
        "seed": {"type": ["integer", "null"], "minimum": 0, "maximum": 2**31 - 1},
        "seed_given": {"type": "boolean"},
        "graded_at": {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"},
        "graded_by": {
            "type": "object",
            "properties": {
                "user": {"type": "string", "maxLength": 100},
                "host": {"type": "string", "maxLength": 255},
            },
            "additionalProperties": False,
        },
        "signature": {
            "type": "string",
            "pattern": "^[0-9a-f]{64}$",
        },  # grader/instructor/signature.py
    },
    "additionalProperties": False,
}


@functools.lru_cache(maxsize=1)
def schemas() -> tuple[jsonschema.Draft202012Validator, jsonschema.Draft202012Validator]:
    """(graded record, problem record) validators, built from the report schema."""
    report = json.loads(REPORT_SCHEMA_PATH.read_text(encoding="utf-8"))
    for key in ("$schema", "$id"):
        report.pop(key, None)
    report["properties"].setdefault(
        "unchecked", UNCHECKED
    )  # contract 2: tests the grader could not check
    graded = copy.deepcopy(report)
    graded["properties"]["batch"] = META_SCHEMA
    graded["properties"].update(
        adjustments=final.ADJUSTMENTS_SCHEMA, late=final.LATE_SCHEMA, final=final.FINAL_SCHEMA
    )
    graded["required"] = [*graded["required"], "batch"]
    problem = {
        "type": "object",
        "required": ["status", "batch"],
        "additionalProperties": False,
        "properties": {
            "status": {"type": "string", "minLength": 1, "maxLength": MAX_TEXT},
            "batch": META_SCHEMA,
            "report": report,
        },
    }
    return jsonschema.Draft202012Validator(graded), jsonschema.Draft202012Validator(problem)


class RecordCheck:
    """Checks records against the schema and the course in `catalogue`; call it with a record."""

    def __init__(self, catalogue: Catalogue):
        self.catalogue = catalogue

    @functools.cached_property
    def points(self) -> dict[str, float]:
        """Item id -> its points: an exercise's from the catalogue, a quiz's from its bank."""
        points = {exercise.id: float(exercise.points) for exercise in self.catalogue.exercises}
        for quiz in self.catalogue.quizzes:
            points[quiz.id] = float(load_bank(self.catalogue, quiz).max_score)
        return points

    def __call__(self, data: dict) -> str:
        """The record's first problem, "" when it holds."""
        is_problem = "status" in data and "exercises" not in data
        problem = self.schema_only(data)
        if problem:
            return problem
        if is_problem:
            return self.report_problem(data["report"], data["batch"]) if "report" in data else ""
        return self.report_problem(data, data["batch"]) or final.problem(data)

    @staticmethod
    def schema_only(data: dict) -> str:
        """The record's first departure from the schema (a graded or a problem record), or ""."""
        is_problem = "status" in data and "exercises" not in data
        return schema_problem(schemas()[1 if is_problem else 0], data)

    def report_problem(self, report: dict, meta: dict | None = None) -> str:
        """The first way `report` disagrees with the course (or with `meta`'s seed), "" when none."""
        if meta is not None and meta.get("seed") is not None and report.get("seed") != meta["seed"]:
            return f"the report's seed {report.get('seed')} is not the one its record names"
        seen: set[str] = set()
        total = maximum = 0.0
        for item in report["exercises"]:
            problem = self._item_problem(item, seen)
            if problem:
                return problem
            total, maximum = total + item["score"], maximum + item["max_score"]
        if not (_close(report["score"], total) and _close(report["max_score"], maximum)):
            return (
                f"the total {_shown(report['score'])} / {_shown(report['max_score'])} is not the sum of "
                f"its items ({_shown(total)} / {_shown(maximum)})"
            )
        return ""

    def _item_problem(self, item: dict, seen: set[str]) -> str:
        item_id, score, maximum = item["id"], item["score"], item["max_score"]
        if item_id not in self.points:
            return f"{item_id} is not an item of this course"
        if item_id in seen:
            return f"{item_id} appears twice"
        seen.add(item_id)
        if not all(_finite(value) for value in (score, maximum)):
            return f"{item_id} has a score that is not a finite number"
        if not _close(maximum, self.points[item_id]):
            return f"{item_id} is out of {_shown(maximum)} points; the course gives it {_shown(self.points[item_id])}"
        if score > maximum + TOLERANCE:
            return f"{item_id} scores {_shown(score)} of {_shown(maximum)}"
        tests = item["tests"]
        for test in tests:
            if (
                not (_finite(test["score"]) and _finite(test["max_score"]))
                or test["score"] > test["max_score"] + TOLERANCE
            ):
                return (
                    f"{item_id}: the test {test['name'][:80]!r} scores {_shown(test['score'])} of "
                    f"{_shown(test['max_score'])}"
                )
        if not (
            _close(sum(test["score"] for test in tests), score)
            and _close(sum(test["max_score"] for test in tests), maximum)
        ):
            return f"{item_id}: its tests do not add up to its score {_shown(score)} / {_shown(maximum)}"
        if item["status"] != _status_of(
            score, maximum, item["status"]
        ):  # as grader/results.py decides it
            return (
                f"{item_id}: its status {str(item['status'])[:20]!r} is not the one a score of "
                f"{_shown(score)} / {_shown(maximum)} has"
            )
        return ""

    def missing_items(self, report: dict) -> list[str]:
        """The course's items that `report` has no result for (an incomplete record)."""
        present = {item.get("id") for item in report.get("exercises", []) if isinstance(item, dict)}
        return [item_id for item_id in self.catalogue.ids if item_id not in present]


def schema_problem(validator: jsonschema.Draft202012Validator, data: dict) -> str:
    """The first schema error in `data`, in one line with where it is, or ""."""
    error = next(iter(validator.iter_errors(data)), None)
    if error is None:
        return ""
    where = ".".join(str(part) for part in error.absolute_path) or "the record"
    return f"{where}: {error.message[:200]}"


def _status_of(score: float, maximum: float, status: str) -> str:
    """An item's status as its score decides it (`status` itself where only the tests could tell),
    compared exactly as grader/results.py does (JSON keeps a float as it was)."""
    if maximum and score >= maximum:
        return "passed"
    if score > 0:
        return "partial"
    return status if status in ZERO_STATUSES else "failed"


def _finite(value: Any) -> bool:
    try:
        return math.isfinite(float(value))
    except (OverflowError, TypeError, ValueError):
        return False


def _close(first: float, second: float) -> bool:
    return (
        _finite(first)
        and _finite(second)
        and abs(first - second) <= TOLERANCE * max(1.0, abs(second))
    )


def _shown(value: float) -> str:
    return f"{value:g}" if _finite(value) else "a number out of range"
