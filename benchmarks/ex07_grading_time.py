"""How long ex07 takes to grade: cold (`grade ex07`, as a learner or CI runs it) and warm (one
more learner in `grade batch`, whose batch worker has paid the imports), side by side.

Cold: each round is a real `grade ex07 --submission solutions` subprocess: the CLI starts, the
worker imports TensorFlow in its jail and loads the learner's file, the grader reads the model,
and its trusted trainer (started with the worker, importing TensorFlow meanwhile) rebuilds,
trains and evaluates it. Warm: `grade batch --workers 1` over 1 and over 1 + K copies of the
solution; the difference divided by K is what one more learner costs once the batch worker's
warm servers are up (the grading process and the trainer forked from the trusted one; the
worker forked into its fresh jail from the pre-warmed worker server, which imported Keras). It also prints the stub's cold time (no
training). Targets (issue 13): cold at most 20 s, warm at most 8 s per learner, on 2 cores.

    python benchmarks/ex07_grading_time.py [--rounds 2] [--extra 2]

Exit code 1 if a target is missed or the solution does not get full marks.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLD_TARGET = 20.0
WARM_TARGET = 8.0
GRADE = [sys.executable, "-m", "grader", "ex07", "--format", "json", "--submission"]


def grade_once(submission: Path) -> tuple[float, dict]:
    """Wall time of one `grade ex07` run, and its JSON report."""
    started = time.perf_counter()
    completed = subprocess.run([*GRADE, str(submission)], cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if completed.returncode not in (0, 1):
        raise SystemExit(f"grade ex07 failed (exit {completed.returncode}): {completed.stderr[-500:]}")
    return elapsed, json.loads(completed.stdout)


def batch_once(folder: Path, learners: int) -> tuple[float, list[float]]:
    """Wall time of `grade batch --workers 1` over `learners` copies of the ex07 solution, and
    each learner's ex07 score."""
    shutil.rmtree(folder, ignore_errors=True)
    for index in range(learners):
        (folder / "class" / f"learner{index}").mkdir(parents=True)
        shutil.copyfile(ROOT / "solutions" / "ex07_keras_cnn.py", folder / "class" / f"learner{index}" /
                        "ex07_keras_cnn.py")
    command = [sys.executable, "-m", "grader", "batch", str(folder / "class"), "--out", str(folder / "out"),
               "--workers", "1", "--seed", "7"]
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if completed.returncode not in (0, 1):
        raise SystemExit(f"grade batch failed (exit {completed.returncode}): {completed.stderr[-500:]}")
    scores = []
    for index in range(learners):
        report = json.loads((folder / "out" / f"learner{index}.json").read_text())
        scores += [item["score"] for item in report["exercises"] if item["id"] == "ex07"]
    return elapsed, scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--extra", type=int, default=2, help="learners added to the warm batch")
    arguments = parser.parse_args()
    print(f"ex07 on the solution, {arguments.rounds} round(s), {os.cpu_count()} CPUs, load "
          f"{os.getloadavg()[0]:.1f}")
    cold, warm, full_marks = [], [], True
    with tempfile.TemporaryDirectory(prefix="ex07-bench-") as scratch:
        for number in range(1, arguments.rounds + 1):
            elapsed, report = grade_once(ROOT / "solutions")
            cold.append(elapsed)
            full_marks &= report["score"] == report["max_score"]
            one, scores_one = batch_once(Path(scratch) / "one", 1)
            more, scores_more = batch_once(Path(scratch) / "more", 1 + arguments.extra)
            warm.append((more - one) / arguments.extra)
            full_marks &= all(score == report["max_score"] for score in scores_one + scores_more)
            print(f"  round {number}: cold {elapsed:5.1f} s (its own timer {report['execution_time']:.1f} s); "
                  f"batch of 1 {one:5.1f} s, of {1 + arguments.extra} {more:5.1f} s: warm {warm[-1]:5.1f} s "
                  "per learner")
    stub_time, stub_report = grade_once(ROOT / "exercises")
    cold_median, warm_median = statistics.median(cold), statistics.median(warm)
    print(f"cold median {cold_median:.1f} s (target {COLD_TARGET:g} s); warm median {warm_median:.1f} s "
          f"per learner (target {WARM_TARGET:g} s); ratio cold / warm {cold_median / warm_median:.2f}; "
          f"the stub takes {stub_time:.1f} s ({stub_report['score']:g} points, no training)")
    missed = [name for name, value, target in (("cold", cold_median, COLD_TARGET), ("warm", warm_median, WARM_TARGET))
              if value > target]
    if missed or not full_marks:
        print("MISSED: " + ", ".join(missed + ([] if full_marks else ["the solution lost points"])))
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
