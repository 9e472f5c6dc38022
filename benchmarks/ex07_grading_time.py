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

Beside them, in the same rounds, the training settings of `--earlier` (by default those before
the calibration of issue 20: one 25% split, 20 epochs of 32, a constant learning rate): a cold
`grade --course <catalogue with those settings> ex07`, and the trusted trainer alone (a child
process, as grading starts it) with either settings, timed by the trainer and in CPU seconds.
Training is the only part of a warm grading the settings change, so the trainer's difference
is what the calibration adds to each learner in a batch; the script prints the warm cost the
earlier settings would have had, estimated from it.

    python benchmarks/ex07_grading_time.py [--rounds 2] [--extra 2] [--earlier folds=1,copies=1,...]

Exit code 1 if a target is missed or the solution does not get full marks.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EARLIER = "folds=1,copies=1,epochs=20,batch_size=32,learning_rate_decay=constant"
COLD_TARGET = 20.0
WARM_TARGET = 8.0
GRADE = [sys.executable, "-m", "grader", "ex07", "--format", "json", "--submission"]


def grade_once(submission: Path, course: Path | None = None) -> tuple[float, dict]:
    """Wall time of one `grade ex07` run (with another catalogue, if given), and its JSON report."""
    started = time.perf_counter()
    command = [*GRADE, str(submission)]
    if course is not None:
        command[3:3] = ["--course", str(course)]
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if completed.returncode not in (0, 1):
        raise SystemExit(
            f"grade ex07 failed (exit {completed.returncode}): {completed.stderr[-500:]}"
        )
    return elapsed, json.loads(completed.stdout)


def batch_once(folder: Path, learners: int) -> tuple[float, list[float]]:
    """Wall time of `grade batch --workers 1` over `learners` copies of the ex07 solution, and
    each learner's ex07 score."""
    shutil.rmtree(folder, ignore_errors=True)
    for index in range(learners):
        (folder / "class" / f"learner{index}").mkdir(parents=True)
        shutil.copyfile(
            ROOT / "solutions" / "ex07_keras_cnn.py",
            folder / "class" / f"learner{index}" / "ex07_keras_cnn.py",
        )
    command = [
        sys.executable,
        "-m",
        "grader",
        "batch",
        str(folder / "class"),
        "--out",
        str(folder / "out"),
        "--workers",
        "1",
        "--seed",
        "7",
    ]
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if completed.returncode not in (0, 1):
        raise SystemExit(
            f"grade batch failed (exit {completed.returncode}): {completed.stderr[-500:]}"
        )
    scores = []
    for index in range(learners):
        report = json.loads((folder / "out" / f"learner{index}.json").read_text())
        scores += [item["score"] for item in report["exercises"] if item["id"] == "ex07"]
    return elapsed, scores


def earlier_settings(text: str) -> tuple[dict, object]:
    """The catalogue's ex07 training mapping with `text`'s KEY=VALUE pairs, and its Training."""
    from grader.course.catalogue import CATALOGUE_PATH, EXERCISES_DIR, CatalogueError
    from grader.course.folders import exercise_entries
    from grader.course.training import parse_training
    from grader.course.yamlfile import expect

    data = yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))
    # listed inline, the exercises make a catalogue file that is read alone (`grade --course`)
    data["exercises"] = [entry for _file, entry in exercise_entries(EXERCISES_DIR)]
    ex07 = next(item for item in data["exercises"] if item["id"] == "ex07")
    for pair in filter(None, text.split(",")):
        key, _separator, value = pair.partition("=")
        ex07["training"][key.strip()] = yaml.safe_load(value)
    training = parse_training(
        ex07["training"],
        "--earlier",
        lambda condition, where, message: expect(condition, where, message, CatalogueError),
    )
    return data, training


def train_once(spec, training, run_seed: int) -> tuple[float, float]:
    """(seconds the trainer measured, CPU seconds of its child process) for one training of `spec`."""
    from grader.model.judge import _train_in_child, training_seeds

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    outcome = _train_in_child(spec, training, training_seeds(run_seed, training))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if not outcome.trained:
        raise SystemExit(f"the trainer failed: {outcome.not_trained}")
    return outcome.seconds, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def solution_spec():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from ex07_calibration import spec_from_file

    return spec_from_file(ROOT / "solutions")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--extra", type=int, default=2, help="learners added to the warm batch")
    parser.add_argument(
        "--earlier", default=EARLIER, help="training settings to time beside the catalogue's"
    )
    arguments = parser.parse_args()
    from grader.course.catalogue import load_catalogue

    now_training = load_catalogue().item("ex07").training
    earlier_data, earlier_training = earlier_settings(arguments.earlier)
    spec = solution_spec()
    print(
        f"ex07 on the solution, {arguments.rounds} round(s), {os.cpu_count()} CPUs, load "
        f"{os.getloadavg()[0]:.1f}\n  now:     {now_training}\n  earlier: {earlier_training}"
    )
    cold, cold_earlier, warm, full_marks = [], [], [], True
    trained = {"now": [], "earlier": []}
    with tempfile.TemporaryDirectory(prefix="ex07-bench-") as scratch:
        earlier_course = Path(scratch) / "course.yaml"
        earlier_course.write_text(
            yaml.safe_dump(earlier_data, allow_unicode=True), encoding="utf-8"
        )
        for number in range(1, arguments.rounds + 1):
            elapsed, report = grade_once(ROOT / "solutions")
            cold.append(elapsed)
            full_marks &= report["score"] == report["max_score"]
            cold_earlier.append(grade_once(ROOT / "solutions", earlier_course)[0])
            one, scores_one = batch_once(Path(scratch) / "one", 1)
            more, scores_more = batch_once(Path(scratch) / "more", 1 + arguments.extra)
            warm.append((more - one) / arguments.extra)
            full_marks &= all(score == report["max_score"] for score in scores_one + scores_more)
            trained["now"].append(train_once(spec, now_training, number))
            trained["earlier"].append(train_once(spec, earlier_training, number))
            print(
                f"  round {number}: cold {elapsed:5.1f} s (its own timer {report['execution_time']:.1f} s), "
                f"earlier settings {cold_earlier[-1]:5.1f} s; batch of 1 {one:5.1f} s, of {1 + arguments.extra} "
                f"{more:5.1f} s: warm {warm[-1]:5.1f} s per learner; trainer alone {trained['now'][-1][0]:4.1f} s "
                f"(cpu {trained['now'][-1][1]:4.1f} s), earlier settings {trained['earlier'][-1][0]:4.1f} s "
                f"(cpu {trained['earlier'][-1][1]:4.1f} s)"
            )
    stub_time, stub_report = grade_once(ROOT / "exercises")
    cold_median, warm_median = statistics.median(cold), statistics.median(warm)
    train_now, train_earlier = (
        statistics.median(seconds for seconds, _cpu in trained[key]) for key in ("now", "earlier")
    )
    cpu_now, cpu_earlier = (
        statistics.median(cpu for _seconds, cpu in trained[key]) for key in ("now", "earlier")
    )
    print(
        f"cold median {cold_median:.1f} s (target {COLD_TARGET:g} s), earlier settings "
        f"{statistics.median(cold_earlier):.1f} s; warm median {warm_median:.1f} s per learner (target "
        f"{WARM_TARGET:g} s); ratio cold / warm {cold_median / warm_median:.2f}; the stub takes {stub_time:.1f} s "
        f"({stub_report['score']:g} points, no training)"
    )
    print(
        f"trainer alone: {train_now:.1f} s now, {train_earlier:.1f} s with the earlier settings (cpu {cpu_now:.1f} s "
        f"and {cpu_earlier:.1f} s): each learner pays {train_now - train_earlier:+.1f} s; the earlier settings' warm "
        f"cost, estimated: {warm_median - (train_now - train_earlier):.1f} s per learner"
    )
    missed = [
        name
        for name, value, target in (
            ("cold", cold_median, COLD_TARGET),
            ("warm", warm_median, WARM_TARGET),
        )
        if value > target
    ]
    if missed or not full_marks:
        print("MISSED: " + ", ".join(missed + ([] if full_marks else ["the solution lost points"])))
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
