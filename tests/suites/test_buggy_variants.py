"""Realistic bugs in ex01-ex06 lose points, and the feedback names each one.

The catalogue is tests/fixtures/buggy/catalogue.yaml. Variants are graded in rounds, one variant
per exercise in each round, so a single `grade ex01 ... ex06` run checks up to six of them.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
import yaml

from grader.course.catalogue import load_catalogue
from tests.buggy_solutions import one_per_exercise
from tests.conftest import FIXTURES, run_grade

BUGGY = FIXTURES / "buggy"
CATALOGUE = yaml.safe_load((BUGGY / "catalogue.yaml").read_text(encoding="utf-8"))
SEED = 2024  # fixed, so a failure here replays; tests/test_exercises_02_05.py varies the seed


ROUNDS = one_per_exercise(CATALOGUE, lambda entry: entry["exercise"])


@cache
def graded_round(index: int, folder: Path) -> dict[str, dict]:
    """Grade round `index` once per session; the report's item for each exercise."""
    course = load_catalogue()
    folder.mkdir(parents=True, exist_ok=True)
    for exercise, entry in ROUNDS[index].items():
        (folder / course.item(exercise).file).write_bytes((BUGGY / entry["file"]).read_bytes())
    run = run_grade(*ROUNDS[index], "--submission", folder, "--format", "json", "--seed", str(SEED))
    assert run.exit_code == 1, run.stderr
    return {item["id"]: item for item in run.json()["exercises"]}


def test_catalogue_lists_every_variant_once():
    files = [entry["file"] for entry in CATALOGUE]
    assert len(files) == len(set(files))
    assert sorted(files) == sorted(path.name for path in BUGGY.glob("*.py"))
    assert {entry["exercise"] for entry in CATALOGUE} == {
        "ex01",
        "ex02",
        "ex03",
        "ex04",
        "ex05",
        "ex06",
    }
    for entry in CATALOGUE:
        assert set(entry) == {"file", "exercise", "bug", "feedback"}, entry


@pytest.mark.parametrize(
    ("round_index", "exercise"),
    [
        pytest.param(index, exercise, id=entry["file"].removesuffix(".py"))
        for index, entries in enumerate(ROUNDS)
        for exercise, entry in entries.items()
    ],
)
def test_bug_loses_points_and_is_named(tmp_path_factory, round_index, exercise):
    entry = ROUNDS[round_index][exercise]
    folder = tmp_path_factory.getbasetemp() / f"buggy-round-{round_index}"
    item = graded_round(round_index, folder)[exercise]
    assert item["score"] < item["max_score"], f"{entry['file']} got full marks"
    failed = [test for test in item["tests"] if test["status"] != "passed"]
    assert all(test["status"] == "failed" for test in failed), (
        f"{entry['file']}: a test errored instead of failing: {failed}"
    )
    phrase = entry["feedback"].lower()
    assert any(phrase in test["feedback"].lower() for test in failed), (
        f"{entry['file']} ({entry['bug']}): no feedback says {entry['feedback']!r}; got:\n"
        + "\n".join(f"- {test['name']}: {test['feedback'][:200]}" for test in failed)
    )
