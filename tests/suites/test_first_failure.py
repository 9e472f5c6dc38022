"""Each realistic buggy version (tests/buggy_solutions.py: edits of a solution in
tests/fixtures/buggy/exNN_*.yaml, and the whole files listed in tests/fixtures/buggy/catalogue.yaml)
loses points and is named by the FIRST failing test a learner sees (public tests first, in file
order), and that test names its mistake only: no other version's phrase of the same exercise
appears in it.

Versions of both kinds are graded in shared rounds, one version per exercise in each round, so
one `grade` run checks up to one version of every exercise; each round is graded once per module.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from tests.buggy_solutions import BuggyVersion, buggy_versions, one_per_exercise, write_buggy
from tests.conftest import run_grade

SEED = "2024"
VERSIONS = buggy_versions()


ROUNDS = one_per_exercise(VERSIONS.values())


@cache
def graded_round(index: int, folder: Path) -> dict[str, dict]:
    """Grade round `index` once; the report's item for each exercise."""
    for version in ROUNDS[index].values():
        write_buggy(version.name, folder)
    run = run_grade(*ROUNDS[index], "--submission", folder, "--format", "json", "--seed", SEED)
    assert run.exit_code == 1, run.stderr
    return {item["id"]: item for item in run.json()["exercises"]}


def test_every_version_names_the_phrase_its_feedback_must_carry():
    for version in VERSIONS.values():
        assert version.feedback.strip(), f"{version.name}: no feedback phrase"
    for exercise in {version.exercise for version in VERSIONS.values()}:
        phrases = [v.feedback.lower() for v in VERSIONS.values() if v.exercise == exercise]
        assert len(phrases) == len(set(phrases)), f"{exercise}: two versions share a phrase"


def test_a_first_failure_that_names_another_mistake_is_caught():
    """The check below fails on feedback that names a different version's mistake."""
    own, other = VERSIONS["ex09_field_kernel_sum"], VERSIONS["ex09_field_strides_ignored"]
    with pytest.raises(AssertionError):
        assert_names_only(own, {"name": "t", "feedback": f"{own.feedback}; {other.feedback}"})
    with pytest.raises(AssertionError):
        assert_names_only(own, {"name": "t", "feedback": "wrong values"})
    # a whole-file version and an edit version of one slip share the words that name it
    whole, edit = VERSIONS["conv_mean_products"], VERSIONS["ex04_mean_of_products"]
    assert same_mistake(whole, edit)
    assert_names_only(whole, {"name": "t", "feedback": f"{edit.feedback}; sum them"})


def same_mistake(one: BuggyVersion, other: BuggyVersion) -> bool:
    """Whether two versions' phrases name one mistake: one phrase holds the other (a whole-file
    version and a later edit version of the same slip, or a version and itself)."""
    one_phrase, other_phrase = one.feedback.lower(), other.feedback.lower()
    return one_phrase in other_phrase or other_phrase in one_phrase


def assert_names_only(version: BuggyVersion, first: dict) -> None:
    feedback = first["feedback"].lower()
    assert version.feedback.lower() in feedback, (
        f"{version.name} ({version.bug}): the first failing test, {first['name']!r}, "
        f"does not say {version.feedback!r}; it says:\n{first['feedback']}"
    )
    others = [
        other.feedback
        for other in VERSIONS.values()
        if other.exercise == version.exercise
        and not same_mistake(other, version)
        and other.feedback.lower() in feedback
    ]
    assert not others, f"{version.name}: the first failing test also names {others}"


@pytest.mark.parametrize(
    ("round_index", "exercise"),
    [
        pytest.param(index, exercise, id=version.name)
        for index, versions in enumerate(ROUNDS)
        for exercise, version in versions.items()
    ],
)
def test_first_failing_test_names_the_mistake(tmp_path_factory, round_index, exercise):
    version = ROUNDS[round_index][exercise]
    folder = tmp_path_factory.getbasetemp() / f"first-failure-round-{round_index}"
    item = graded_round(round_index, folder)[exercise]
    failed = [test for test in item["tests"] if test["status"] != "passed"]
    assert failed, f"{version.name} got full marks"
    assert all(test["status"] == "failed" for test in failed), failed
    assert_names_only(version, failed[0])
