"""How long `grade ex07 --submission solutions` takes, end to end, against the 60 s target.

Each round is a real subprocess, as a learner or CI runs it: the CLI starts, the worker imports
TensorFlow and the learner's file, the grader reads the model, and its trusted trainer child
imports TensorFlow too, rebuilds the model, trains it for the catalogue's epochs on the run's
secret split and evaluates it. The script prints every
round's wall time and score, the median and the worst, and the time of grading the stub
(the worker's TensorFlow import, no training). Target (issue 4): at most 60 s per run on the
course's 2-core machine, TensorFlow imports included.

    python benchmarks/ex07_grading_time.py [--rounds 3]

Exit code 1 if any round is over the target or the solution does not get full marks.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 60.0
GRADE = [sys.executable, "-m", "grader", "ex07", "--format", "json", "--submission"]


def grade_once(submission: Path) -> tuple[float, dict]:
    """Wall time of one `grade ex07` run, and its JSON report."""
    started = time.perf_counter()
    completed = subprocess.run([*GRADE, str(submission)], cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if completed.returncode not in (0, 1):
        raise SystemExit(f"grade ex07 failed (exit {completed.returncode}): {completed.stderr[-500:]}")
    return elapsed, json.loads(completed.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds

    print(f"grade ex07 --submission solutions, {rounds} rounds, {os.cpu_count()} CPUs")
    times, full_marks = [], True
    for number in range(1, rounds + 1):
        elapsed, report = grade_once(ROOT / "solutions")
        times.append(elapsed)
        full_marks &= report["score"] == report["max_score"]
        print(f"  round {number}: {elapsed:5.1f} s wall, {report['score']:g} / {report['max_score']:g}, "
              f"grader's own timer {report['execution_time']:.1f} s, seed {report['seed']}")
        for test in report["exercises"][0]["tests"]:
            if test["score"] < test["max_score"]:
                print(f"    lost: {test['name']}: {test['feedback'].splitlines()[0][:160]}")
    stub_time, stub_report = grade_once(ROOT / "exercises")
    print(f"median {statistics.median(times):.1f} s, worst {max(times):.1f} s "
          f"(target {TARGET_SECONDS:g} s); the stub takes {stub_time:.1f} s "
          f"({stub_report['score']:g} points: the worker's TensorFlow import, no training)")

    if max(times) > TARGET_SECONDS or not full_marks:
        print("FAILED: " + ("over the time target" if full_marks else "the solution lost points"))
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
