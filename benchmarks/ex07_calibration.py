"""ex07 over many secret seeds: does a model's grade depend on the run's luck?

Each model below is built from its file, read as the grader reads a worker's answer (the wire
format, then the allowlist), and trained exactly as grading trains it: the trainer's own
`train_and_evaluate` (grader/model/trainer.py), on the split and initial weights that
`grader.model.judge.training_seeds` derives from each run seed, with the catalogue's training
settings. One training runs at a time, in this process; `--child N` also trains the reference
for the first N seeds in the grader's trusted child process (`judge`, as a grading does) and
checks that the outcome is byte-identical.

Per model it prints the test accuracy's min / median / max over the seeds, the margin over the
accuracy threshold (for a model that must pass: its worst seed minus the threshold; for one
that must fail: the threshold minus its best seed), the seeds that come within MARGIN points of
the threshold, and the time per training (wall and CPU seconds, medians). A model that must
fail must also fail for the reason the suite names (its feedback's words). Seed 377967027 is
always first: the one on which the docstring's recipe once scored 94.4%.

    python benchmarks/ex07_calibration.py [--seeds 50] [--models reference,recipe] [--child 1]
        [--set epochs=20 --set folds=1 ...] [--json results.json]

`--set KEY=VALUE` changes a training setting for this run (checked as the catalogue checks it),
to measure other settings without editing course.yaml. Exit code 1 if any model misses its
expectation on any seed.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.course.catalogue import CatalogueError, load_catalogue  # noqa: E402
from grader.course.training import parse_training  # noqa: E402
from grader.course.yamlfile import expect  # noqa: E402
from grader.grading.session import SEED_RANGE  # noqa: E402
from grader.jail import wire  # noqa: E402
from grader.model.config import read_model  # noqa: E402
from grader.model.diagnosis import diagnose  # noqa: E402
from grader.model.judge import judge, training_seeds  # noqa: E402
from grader.model.trainer import keras_module, train_and_evaluate  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "submissions"
FIRST_SEED = 377967027  # the seed of issue 20: the recipe at 94.4%, the reference at 95.1%
SEED_LIST_SEED = 20  # the other seeds are drawn as grading draws them, from this generator
MARGIN = 0.015  # 1.5 points of accuracy, the margin
PASS, REACH, FAIL, NOT_A_CNN = (
    "must pass with margin",
    "must reach the target",
    "must fail",
    "not a CNN",
)

# name -> (file, expectation, words the suite's feedback must hold when it fails)
MODELS = {
    "reference": (ROOT / "solutions", PASS, ""),
    "recipe": (FIXTURES / "ex07_docstring_recipe", PASS, ""),
    "no_softmax": (FIXTURES / "ex07_no_softmax", REACH, ""),  # loses the softmax point only
    "one_block": (FIXTURES / "ex07_too_many_parameters", REACH, ""),  # loses the budget point only
    "dense_only": (
        FIXTURES / "ex07_dense_only",
        NOT_A_CNN,
        "",
    ),  # no accuracy points, whatever it reaches
    "logits_loss": (FIXTURES / "ex07_logits_probability_loss", FAIL, "near ln 10"),
    "small_rate": (FIXTURES / "ex07_learning_rate_too_small", FAIL, "learned nothing"),
    "diverging": (FIXTURES / "ex07_diverging_optimiser", FAIL, "loss blew up"),
}


def spec_from_file(folder: Path):
    """The model of `folder`/ex07_keras_cnn.py as the grader reads it from a worker."""
    keras_module()  # first: Keras imported with the grader's TensorFlow settings (one thread per op)
    module_spec = importlib.util.spec_from_file_location(
        f"ex07_{folder.name}", folder / "ex07_keras_cnn.py"
    )
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    model = module.build_model()
    return read_model(wire.decode_value(wire.encode_value(model, []), []), "build_model()")


def run_seeds(count: int) -> list[int]:
    drawn = np.random.default_rng(SEED_LIST_SEED).integers(0, SEED_RANGE, size=max(count - 1, 0))
    return [FIRST_SEED, *(int(seed) for seed in drawn)]


def training_settings(overrides: list[str]):
    """The catalogue's ex07 training settings with `--set KEY=VALUE` applied and checked."""
    data = dataclasses.asdict(load_catalogue().item("ex07").training)
    explicit = {}
    for item in overrides:
        key, _separator, value = item.partition("=")
        explicit[key] = yaml.safe_load(value)
    data.update(explicit)
    if data["folds"] == 1 and "copies" not in explicit:
        data["copies"] = 1  # one held-out fraction, one copy
    if data["folds"] != 1 and "test_fraction" not in explicit:
        del data["test_fraction"]  # the catalogue takes it with one fold only

    def check(condition, where, message):
        expect(condition, where, message, CatalogueError)

    return parse_training(data, "--set", check)


def measure(name: str, spec, training, seeds: list[int], log) -> list[dict]:
    rows = []
    for run_seed in seeds:
        cpu = time.process_time()
        outcome = train_and_evaluate(spec, training, **training_seeds(run_seed, training))
        cpu = time.process_time() - cpu
        why = "" if not outcome.trained else diagnose(spec, outcome, training)
        rows.append(
            {
                "seed": run_seed,
                "accuracy": outcome.accuracy,
                "seconds": outcome.seconds,
                "cpu": cpu,
                "last_loss": outcome.losses[-1] if outcome.losses else None,
                "why": why,
                "not_trained": outcome.not_trained,
                "outcome": dataclasses.asdict(outcome),
            }
        )
        log(
            f"  {name:<12} seed {run_seed:>10}: {100 * (outcome.accuracy or 0):6.2f}%  "
            f"{outcome.seconds:5.1f} s  cpu {cpu:5.1f} s"
        )
    return rows


def verdict(
    expectation: str, words: str, rows: list[dict], threshold: float
) -> tuple[float, int, int]:
    """(margin, seeds within MARGIN of the threshold, seeds that miss the expectation)."""
    accuracies = [row["accuracy"] or 0.0 for row in rows]
    if expectation in (PASS, REACH):
        near = sum(value < threshold + MARGIN for value in accuracies)
        missed = near if expectation == PASS else sum(value < threshold for value in accuracies)
        return min(accuracies) - threshold, near, missed
    near = sum(value > threshold - MARGIN for value in accuracies)
    if expectation == NOT_A_CNN:
        return threshold - max(accuracies), near, 0
    missed = sum(
        value > threshold - MARGIN or words not in row["why"]
        for value, row in zip(accuracies, rows)
    )
    return threshold - max(accuracies), near, missed


def child_check(spec, training, seeds: list[int], rows: list[dict], log) -> bool:
    """The reference trained in the grader's own child process gives the same outcome, byte for byte."""
    same = True
    for run_seed, row in zip(seeds, rows):
        there = dataclasses.asdict(judge(spec, training, run_seed))
        here = row["outcome"]
        keys = [
            key
            for key in here
            if key != "seconds" and json.dumps(here[key]) != json.dumps(there[key])
        ]
        same &= not keys
        log(
            f"  reference, seed {run_seed}: trusted child {'identical' if not keys else 'DIFFERS in ' + ', '.join(keys)}"
            f" ({100 * there['accuracy']:.2f}%)"
        )
    return same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seeds", type=int, default=50, help="run seeds per model (377967027 first)"
    )
    parser.add_argument("--models", default=",".join(MODELS), help=f"some of {', '.join(MODELS)}")
    parser.add_argument(
        "--child",
        type=int,
        default=1,
        help="seeds of the reference also trained in the trusted child",
    )
    parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="change a training setting"
    )
    parser.add_argument(
        "--json", type=Path, default=None, help="write every seed's outcome to this file"
    )
    arguments = parser.parse_args()
    try:
        training = training_settings(arguments.set)
    except CatalogueError as error:
        parser.error(str(error))
    names = [name.strip() for name in arguments.models.split(",") if name.strip()]
    unknown = [name for name in names if name not in MODELS]
    if unknown:
        parser.error(f"unknown model(s) {', '.join(unknown)}; choose from {', '.join(MODELS)}")
    seeds = run_seeds(arguments.seeds)
    log = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    log(f"training: {training}")
    results, identical = {}, None
    for name in names:
        spec = spec_from_file(MODELS[name][0])
        results[name] = measure(name, spec, training, seeds, log)
        if name == "reference" and arguments.child:
            identical = child_check(spec, training, seeds[: arguments.child], results[name], log)
    report(training, names, results, len(seeds), identical)
    if arguments.json:
        arguments.json.write_text(
            json.dumps(
                {"training": dataclasses.asdict(training), "seeds": seeds, "results": results},
                indent=1,
            )
        )
    missed = [
        name
        for name in names
        if verdict(MODELS[name][1], MODELS[name][2], results[name], training.accuracy_threshold)[2]
    ]
    sys.exit(1 if missed or identical is False else 0)


def report(training, names: list[str], results: dict, count: int, identical: bool | None) -> None:
    threshold = training.accuracy_threshold
    print(
        f"ex07 calibration: {count} seeds (377967027 first), threshold {threshold:.0%}, margin "
        f"{100 * MARGIN:g} points; folds {training.folds}, copies {training.copies}, epochs {training.epochs}, "
        f"batch {training.batch_size}, learning rate {training.learning_rate_decay}"
    )
    print(
        f"{'model':<12} {'expectation':<22} {'min':>6} {'median':>6} {'max':>6} {'margin':>7} "
        f"{'near':>4} {'missed':>6} {'s/train':>7} {'cpu s':>6}"
    )
    for name in names:
        rows = results[name]
        accuracies = [100 * (row["accuracy"] or 0.0) for row in rows]
        expectation, words = MODELS[name][1], MODELS[name][2]
        margin, near, missed = verdict(expectation, words, rows, threshold)
        print(
            f"{name:<12} {expectation:<22} {min(accuracies):6.2f} {statistics.median(accuracies):6.2f} "
            f"{max(accuracies):6.2f} {100 * margin:+7.2f} {near:4d} {missed:6d} "
            f"{statistics.median(row['seconds'] for row in rows):7.1f} "
            f"{statistics.median(row['cpu'] for row in rows):6.1f}"
        )
    print(
        "margin: worst seed minus the threshold (must pass), or threshold minus best seed (must fail); "
        f"near: seeds within {100 * MARGIN:g} points of the threshold; missed: seeds that break the "
        f"expectation{' (or whose feedback lacks the reason)' if any(MODELS[n][2] for n in names) else ''}"
    )
    checked = {None: "not checked (--child 0, or no reference)", True: "identical outcomes"}
    print(f"trusted child: {checked.get(identical, 'OUTCOMES DIFFER')}")


if __name__ == "__main__":
    main()
