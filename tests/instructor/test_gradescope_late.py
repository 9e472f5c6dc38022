"""Late work on Gradescope: results.json rescored from submission_metadata.json's dates."""

from __future__ import annotations

import json

from grader.course.catalogue import parse_catalogue
from grader.instructor.gradescope_late import apply, main
from tests.conftest import course_data

RESULTS = {
    "score": 13.0,
    "output": "graded",
    "extra_data": {"seed": 1},
    "tests": [
        {"name": "ex01 one", "score": 10.0, "max_score": 10.0},
        {"name": "ex06 two", "score": 3.0, "max_score": 15.0},
    ],
}
METADATA = {
    "created_at": "2025-03-03T10:00:00.365935-08:00",
    "assignment": {"due_date": "2025-03-01T23:00:00.000000-08:00", "late_due_date": None},
    "users": [{"email": "a@example.edu", "id": 1, "name": "A"}],
}


def _catalogue(**late):
    data = course_data()
    data["schedule"] = {"late": {"per": "day", "penalty_percent": 10, **late}}
    return parse_catalogue(data, source="course.yaml")


def test_a_late_submission_loses_what_the_course_policy_says():
    changed = apply(RESULTS, METADATA, _catalogue())
    late = changed["extra_data"]["late"]
    assert late["source"] == "gradescope" and late["submitted_at"] == "2025-03-03T10:00:00-08:00"
    assert late["items"]["ex01"]["late_seconds"] == 126_000  # 1 day 11 hours: two days begun
    assert changed["extra_data"]["final"]["items"]["ex01"]["points"] == 8.0
    assert (
        changed["extra_data"]["final"]["items"]["ex06"]["late_penalty"] == 3.0
    )  # at most its score
    assert changed["score"] == 8.0 and "takes 5 points" in changed["output"]
    assert changed["extra_data"]["seed"] == 1 and changed["tests"] == RESULTS["tests"]


def test_a_users_own_due_date_is_the_extension():
    extended = {
        **METADATA,
        "users": [{"id": 1, "assignment": {"due_date": "2025-03-05T23:00:00-08:00"}}],
    }
    changed = apply(RESULTS, extended, _catalogue())
    assert changed["score"] == 13.0
    assert (
        changed["extra_data"]["late"]["items"]["ex01"]["extension"] == "2025-03-05T23:00:00-08:00"
    )


def test_refused_work_scores_nothing_and_bad_metadata_changes_nothing(tmp_path):
    assert apply(RESULTS, METADATA, _catalogue(refuse_after_days=1))["score"] == 0.0
    results, metadata = tmp_path / "results.json", tmp_path / "submission_metadata.json"
    results.write_text(json.dumps(RESULTS))
    metadata.write_text("{not json")
    assert main([str(results), str(metadata)]) == 0
    assert json.loads(results.read_text()) == RESULTS
