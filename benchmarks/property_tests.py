"""How long the generated-case tests take, on the solutions, stubs and slow loops, side by side.

Each generated-case test (hypothesis' `run_property` for ex02-ex06 and ex08, ex01's seeded
`run_generated`) is timed from inside `grade`, on the solutions, the untouched stubs and an honest
implementation in slow loops (tests/fixtures/submissions/honest_loops), with a fixed seed. With `--against REV` the same runs are made with an earlier revision of the
project (exported with `git archive` into a temporary folder), the two trees taking turns, so a
busy machine slows them alike. The script prints, per exercise, the median seconds its
generated-case tests took in all, and how many learner calls they made.

    python benchmarks/property_tests.py [--rounds 3] [--against ec87dae] [--seed 7]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = ("ex01", "ex02", "ex03", "ex04", "ex05", "ex06", "ex08")
SUBMISSIONS = {
    "solution": "solutions",
    "stub": "exercises",  # and slow honest loops, where a clock bit first
    "loops": "tests/fixtures/submissions/honest_loops",
}

# Runs inside `python -c` with the tree on PYTHONPATH: times every generated-case test and
# counts the learner calls it makes, then prints {exercise: [seconds, calls, score]} as JSON.
CHILD = r"""
import json, sys, time
from collections import defaultdict
from click.testing import CliRunner
import grader.exercises.hidden.properties as properties
import grader.exercises.hidden.examples as examples
from grader.sandbox.client import WorkerClient

spent = defaultdict(lambda: [0.0, 0])
current = [None]
original_call = WorkerClient.call

def counting_call(self, *args, **kwargs):
    if current[0] is not None:
        spent[current[0]][1] += 1
    return original_call(self, *args, **kwargs)

WorkerClient.call = counting_call

def timed(function, exercise_of):
    def wrapper(*args, **kwargs):
        key = exercise_of(kwargs)
        current[0], started = key, time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[key][0] += time.perf_counter() - started
            current[0] = None
    return wrapper

properties.run_property = timed(properties.run_property, lambda kwargs: kwargs["name"].split(":")[0][:4])
examples.run_generated = timed(examples.run_generated, lambda kwargs: "ex01")
from grader.cli.app import cli
submission, seed, ids = sys.argv[1], sys.argv[2], sys.argv[3:]
result = CliRunner().invoke(cli, [*ids, "--submission", submission, "--seed", seed, "--format", "json"])
report = json.loads(result.output[result.output.index("{"):])
scores = {item["id"]: item["score"] for item in report["exercises"]}
print(json.dumps({key: [*value, None] for key, value in spent.items()} | {"scores": scores}))
"""


def export(revision: str, folder: Path) -> Path:
    """The project as `revision` holds it, without touching any git worktree."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", revision], cwd=ROOT, check=True, capture_output=True
    ).stdout
    target = folder / revision
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target


def one_run(tree: Path, submission: str, seed: int) -> dict:
    completed = subprocess.run(
        [sys.executable, "-c", CHILD, str(tree / SUBMISSIONS[submission]), str(seed), *EXERCISES],
        cwd=tree,
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(tree)),
    )
    if completed.returncode != 0:
        raise SystemExit(f"{tree} {submission}: {completed.stderr[-1500:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--against", default=None, help="an earlier git revision to time beside this one"
    )
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="property-bench-") as folder:
        trees = {"this tree": ROOT}
        if arguments.against:
            trees[arguments.against] = export(arguments.against, Path(folder))
        seconds: dict[tuple, list[float]] = defaultdict(list)
        calls: dict[tuple, int] = {}
        for _round in range(arguments.rounds):
            for label, tree in trees.items():
                for submission in SUBMISSIONS:
                    measured = one_run(tree, submission, arguments.seed)
                    for exercise in EXERCISES:
                        spent, count, _detail = measured.get(exercise, [0.0, 0, None])
                        seconds[label, submission, exercise].append(spent)
                        calls[label, submission, exercise] = count
    labels = list(trees)
    print(
        f"{'exercise':<9}{'kind':<10}"
        + "".join(f"{label + ' s':>16}{'calls':>7}" for label in labels)
    )
    for submission in SUBMISSIONS:
        for exercise in EXERCISES:
            row = f"{exercise:<9}{submission:<10}"
            for label in labels:
                row += (
                    f"{statistics.median(seconds[label, submission, exercise]):16.3f}"
                    f"{calls[label, submission, exercise]:7d}"
                )
            print(row)
        totals = [
            sum(statistics.median(seconds[label, submission, exercise]) for exercise in EXERCISES)
            for label in labels
        ]
        print(f"{'all':<9}{submission:<10}" + "".join(f"{total:16.3f}{'':7}" for total in totals))
    print(f"(medians of {arguments.rounds} rounds, seed {arguments.seed}, trees taking turns)")


if __name__ == "__main__":
    main()
