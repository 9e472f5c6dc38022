"""ex07's verdict does not hang on the run's luck: a few seeds of benchmarks/ex07_calibration.py.

The benchmark trains every control model on 50 seeds (README "Speed" has its figures); these
tests train the models that must pass, read and trained exactly as grading does, on a handful
of seeds, 377967027 first (the seed on which the docstring's recipe once scored 94.4%). The
split changes with every run, so the target must hold for any split, not one. The models that
must fail (or lose other points only) are trained where they are graded, in
tests/model/test_ex07.py, which checks the same margin on the grader's own training of them.
"""

from __future__ import annotations

import importlib.util

import pytest

from grader.course.catalogue import COURSE_ROOT, load_catalogue
from grader.model.judge import training_seeds
from grader.model.trainer import train_and_evaluate

pytestmark = pytest.mark.slow

TRAINING = load_catalogue().item("ex07").training
_loader = importlib.util.spec_from_file_location(
    "ex07_calibration", COURSE_ROOT / "benchmarks" / "ex07_calibration.py"
)
calibration = importlib.util.module_from_spec(_loader)
_loader.loader.exec_module(calibration)
SEEDS = calibration.run_seeds(3)
MARGIN = calibration.MARGIN


def trained(name: str, run_seed: int):
    folder, _expectation, _words = calibration.MODELS[name]
    spec = calibration.spec_from_file(folder)
    return spec, train_and_evaluate(spec, TRAINING, **training_seeds(run_seed, TRAINING))


@pytest.mark.parametrize("run_seed", SEEDS)
@pytest.mark.parametrize("name", ["recipe", "reference"])
def test_a_model_built_as_the_course_teaches_clears_the_target_with_a_margin(name, run_seed):
    _spec, outcome = trained(name, run_seed)
    assert (
        outcome.copies == TRAINING.copies and outcome.test_size == 1797
    )  # every digit held out once
    assert outcome.accuracy >= TRAINING.accuracy_threshold + MARGIN, (
        name,
        run_seed,
        outcome.accuracy,
    )
