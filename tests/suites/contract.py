"""What the end-to-end tests of an exercise check, written once: the solution and honest loops
get full marks, the stub zero as "not attempted" (each realistic buggy version, an edit of the
solution in tests/fixtures/buggy/<exercise>_*.yaml, is graded by tests/suites/test_first_failure.py)."""

from __future__ import annotations

from tests.conftest import SOLUTIONS, STUBS, SUBMISSION_FIXTURES

SEED = "2024"
HONEST_LOOPS_SECONDS = 15  # loops are slow, not that slow


def failures(item: dict) -> list[str]:
    return [
        f"{test['name']}: {test['feedback']}"
        for test in item["tests"]
        if test["status"] != "passed"
    ]


def assert_solution_gets_full_marks(grade, exercise: str, points: float, seed: str) -> None:
    item = grade(exercise, "--submission", SOLUTIONS, "--format", "json", "--seed", seed).item(
        exercise
    )
    assert item["score"] == item["max_score"] == points, failures(item)


def assert_honest_loops_get_full_marks(grade, exercise: str) -> None:
    run = grade(exercise, "--submission", SUBMISSION_FIXTURES / "honest_loops", "--format", "json")
    assert run.exit_code == 0, failures(run.item(exercise))
    assert run.json()["execution_time"] < HONEST_LOOPS_SECONDS


def assert_stub_is_not_attempted(grade, exercise: str) -> None:
    item = grade(exercise, "--submission", STUBS, "--format", "json").item(exercise)
    assert item["score"] == 0 and item["status"] == "not_attempted"
    assert all(test["feedback"].startswith("not attempted") for test in item["tests"])
