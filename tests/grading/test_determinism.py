"""The same submissions, seed and course give byte-identical per-test results, whatever the load.

docs/design.md#a-grade-is-evidence: nothing time-dependent decides which cases are checked
or what feedback says. A small class (a solution, a stub, two learners with realistic bugs and
slow honest loops; ex01-ex06, ex08, ex09 and a quiz, not ex07) is graded with `grade batch
--seed` several ways: two batch workers with pre-warmed workers on an idle machine; one batch
worker with cold workers while processes burn every core; and in two shards, merged. Every
record's results (each test's name, status, score, feedback; each item's and the total score)
must be the same, byte for byte; only times and the batch bookkeeping may differ.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.course.catalogue import load_catalogue
from grader.instructor import tasks as batch_tasks
from tests.buggy_solutions import buggy_versions, write_buggy
from tests.conftest import FIXTURES, SOLUTIONS, STUBS, run_grade

pytestmark = pytest.mark.slow

SEED = "20261205"
EXERCISES = ("ex01", "ex02", "ex03", "ex04", "ex05", "ex06", "ex08", "ex09")
BURNERS = 3  # busy loops on a 2-core machine: every core is contended
IGNORED = ("graded_at", "execution_time", "batch", "started", "duration")  # times and bookkeeping


def buggy_files(variant: int, folder: Path) -> dict[str, Path]:
    """The `variant`-th realistic bug of each exercise that has one (tests/buggy_solutions.py:
    whole files and edits of the solutions), written into `folder`."""
    chosen: dict[str, list[str]] = {}
    for name, version in sorted(buggy_versions().items()):
        chosen.setdefault(version.exercise, []).append(name)
    picked = {exercise: names[variant % len(names)] for exercise, names in chosen.items()}
    return {exercise: write_buggy(name, folder / name) for exercise, name in picked.items()}


@pytest.fixture(scope="module")
def course_class(tmp_path_factory) -> Path:
    """One folder per learner: solution, stub, flipped, one_short (two sets of bugs), honest_loops,
    and ex01 answered with unseeded randomness (the worker seeds it from the run's seed)."""
    folder = tmp_path_factory.mktemp("class")
    files = {exercise.id: exercise.file for exercise in load_catalogue().exercises}
    edits = tmp_path_factory.mktemp("buggy")
    learners = {
        "solution": {},
        "stub": {},
        "flipped": buggy_files(0, edits),
        "one_short": buggy_files(1, edits),
        "honest_loops": {
            exercise: FIXTURES / "submissions" / "honest_loops" / files[exercise]
            for exercise in EXERCISES
        },
        "unseeded_randomness": {
            "ex01": FIXTURES / "submissions" / "unseeded_randomness" / files["ex01"]
        },
    }
    for name, bugs in learners.items():
        learner = folder / name
        (learner / "answers").mkdir(parents=True)
        base = STUBS if name == "stub" else SOLUTIONS
        for exercise in EXERCISES:
            shutil.copyfile(bugs.get(exercise, base / files[exercise]), learner / files[exercise])
        if name != "stub":
            shutil.copyfile(SOLUTIONS / "answers" / "q01.yaml", learner / "answers" / "q01.yaml")
    return folder


def results_of(out_dir: Path) -> dict[str, dict]:
    """Each learner's record, with what may differ between runs (times, bookkeeping) left out."""
    results = {}
    for path in sorted(out_dir.glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(record, dict) and "exercises" in record:
            results[path.stem] = _without(record)
    return results


def _without(value):
    if isinstance(value, dict):
        return {key: _without(item) for key, item in value.items() if key not in IGNORED}
    if isinstance(value, list):
        return [_without(item) for item in value]
    return value


def batch(course_class: Path, out_dir: Path, *options: str) -> dict[str, dict]:
    run = run_grade("batch", course_class, "--out", out_dir, "--seed", SEED, *options)
    assert run.exit_code in (0, 1), run.stdout + run.stderr
    return results_of(out_dir)


def differences(expected: dict[str, dict], got: dict[str, dict]) -> list[str]:
    """Where two runs' results differ, test by test, for a readable failure."""
    found = (
        [f"learners: {sorted(expected)} != {sorted(got)}"]
        if sorted(expected) != sorted(got)
        else []
    )
    for learner in sorted(set(expected) & set(got)):
        one, other = expected[learner], got[learner]
        for item, again in zip(one["exercises"], other["exercises"]):
            for test, test_again in zip(item["tests"], again["tests"]):
                if test != test_again:
                    found.append(
                        f"{learner} {item['id']} {test['name']}:\n  {test}\n  {test_again}"
                    )
        if json.dumps(one, sort_keys=True) != json.dumps(other, sort_keys=True) and not found:
            found.append(
                f"{learner}: {json.dumps(one, sort_keys=True)[:300]} != {json.dumps(other, sort_keys=True)[:300]}"
            )
    return found


@pytest.fixture(scope="module")
def idle_run(course_class, tmp_path_factory) -> dict[str, dict]:
    """Two batch workers, pre-warmed workers, nothing else running."""
    results = batch(course_class, tmp_path_factory.mktemp("idle"), "--workers", "2")
    assert set(results) == {
        "solution",
        "stub",
        "flipped",
        "one_short",
        "honest_loops",
        "unseeded_randomness",
    }
    return results


def test_the_class_is_graded_with_evidence(idle_run):
    """The comparison means something: full marks, zero, and lost points named, none unchecked."""
    graded = (*EXERCISES, "q01")  # ex07 and the other quizzes are not in the class's uploads
    for learner in ("solution", "honest_loops"):
        items = {item["id"]: item for item in idle_run[learner]["exercises"]}
        assert all(items[item]["score"] == items[item]["max_score"] > 0 for item in graded), learner
    totals = {learner: record["score"] for learner, record in idle_run.items()}
    assert totals["stub"] == 0
    assert (
        0 < totals["flipped"] < totals["solution"] and 0 < totals["one_short"] < totals["solution"]
    )
    assert 0 < totals["unseeded_randomness"] < totals["solution"]
    assert not any("unchecked" in record for record in idle_run.values())
    shrunk = [
        test["feedback"]
        for record in idle_run.values()
        for item in record["exercises"]
        for test in item["tests"]
        if "shrunk" in test["feedback"]
    ]
    assert shrunk  # generated cases failed and were shrunk: the path most sensitive to time


# The learners whose results time could change: failing generated cases shrunk (two sets of
# bugs), slow honest loops, randomness seeded by the worker. (The solution and the stub add
# nothing the busy run could upset that these do not; leaving them out keeps the `alone` test,
# which idles every other xdist worker, short.)
TIME_SENSITIVE = ("flipped", "one_short", "honest_loops", "unseeded_randomness")


@pytest.mark.alone  # its busy loops would slow another xdist worker's tests, not only this one
def test_a_busy_machine_one_batch_worker_and_cold_workers_change_nothing(
    course_class, tmp_path, monkeypatch, idle_run
):
    """Every core burnt by busy loops, `--workers 1`, and no pre-warmed servers (each learner's
    grading and each worker started cold): the same results as the idle, pre-warmed run (with
    `--seed`, every learner replays the same seed, so a learner's results do not depend on who
    else is in the class)."""
    sensitive = tmp_path / "class"
    for name in TIME_SENSITIVE:
        shutil.copytree(course_class / name, sensitive / name)

    def no_server(*args, **kwargs):
        raise OSError("cold, for this test")

    monkeypatch.setattr(batch_tasks, "WarmServer", no_server)
    monkeypatch.setattr(batch_tasks, "WorkerServer", no_server)
    monkeypatch.delenv("CNN_EXERCISES_WORKER_SERVERS", raising=False)
    burners = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _burner in range(BURNERS)
    ]
    try:
        busy = batch(sensitive, tmp_path / "busy", "--workers", "1")
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
    assert sorted(busy) == sorted(TIME_SENSITIVE)
    assert differences({name: idle_run[name] for name in TIME_SENSITIVE}, busy) == []


def test_shards_merged_give_the_unsharded_results(course_class, tmp_path, idle_run):
    shards = []
    for index in (1, 2):
        out = tmp_path / f"shard{index}"
        shards.append(out)
        assert batch(
            course_class, out, "--workers", "2", "--shard", f"{index}/2"
        )  # neither shard is empty
    merged = tmp_path / "merged"
    run = run_grade("merge", *shards, "--out", merged)
    assert run.exit_code in (0, 1), run.stdout + run.stderr
    assert differences(idle_run, results_of(merged)) == []


def test_the_comparison_can_fail(idle_run):
    """A feedback one character off is a difference the test reports."""
    changed = json.loads(json.dumps(idle_run))
    test = changed["flipped"]["exercises"][0]["tests"][0]
    test["feedback"] += "."
    assert differences(idle_run, changed) != []
