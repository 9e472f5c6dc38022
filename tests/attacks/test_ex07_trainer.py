"""Attacks on ex07's trusted trainer: settings that pass every check but that Keras refuses or
chokes on only while it trains. Whatever happens in the trainer, the learner's model earns no
accuracy points, the test fails with feedback (never an "error" that blames the grader), the
run exits 1 (never 3), and the other exercises keep their scores.
"""

from __future__ import annotations

import json
import shutil

import pytest

from tests.attacks.test_attacks import ATTACKS
from tests.conftest import SOLUTIONS

TRAINER_ATTACKS = ["ex07_settings_keras_only_meets_in_training", "ex07_schedule_keras_refuses"]


@pytest.mark.slow
@pytest.mark.parametrize("attack", TRAINER_ATTACKS)
def test_keras_refusing_a_model_in_training_is_the_learners_zero(attack, grade, tmp_path):
    folder = tmp_path / "submission"
    shutil.copytree(ATTACKS / attack, folder)
    shutil.copyfile(SOLUTIONS / "ex06_output_size.py", folder / "ex06_output_size.py")
    report_path = tmp_path / "report.json"
    run = grade("ex06", "ex07", "--submission", folder, "--format", "json", "--output", report_path)
    assert run.exit_code == 1, run.stderr
    report = json.loads(report_path.read_text())
    scores = {item["id"]: item for item in report["exercises"]}
    assert scores["ex06"]["score"] == 15
    tests = {test["name"]: test for test in scores["ex07"]["tests"]}
    accuracy = next(
        test for name, test in tests.items() if name.startswith("trained by the grader")
    )
    assert accuracy["score"] == 0 and accuracy["status"] == "failed"
    assert "Keras stopped while the grader trained this model" in accuracy["feedback"]
    assert not [test for test in tests.values() if test["status"] == "error"]
    assert "\x1b" not in report_path.read_text()


@pytest.mark.slow
def test_a_model_whose_feature_maps_fill_memory_stops_the_trainer_below_1_5_gb(monkeypatch):
    """Every check passes (a million values per feature map, few multiply-adds), but training
    keeps thirteen maps of 32 images each for the backward pass: gigabytes. The trainer is
    stopped at its limit, and its peak (VmHWM, so nothing between two looks is missed) stays
    below 1.5 GB."""
    import keras
    from keras import layers

    from grader.course.catalogue import load_catalogue
    from grader.jail.wire import KerasModelData
    from grader.model import judge as judge_module
    from grader.model.config import read_model

    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            layers.ZeroPadding2D(496),
            layers.Conv2D(1, 1),
            *[layers.ReLU() for _repeat in range(12)],
            layers.MaxPooling2D(100),
            layers.Flatten(),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    spec = read_model(
        KerasModelData(model.to_json(), json.dumps(model.get_compile_config())), "build_model()"
    )
    children = []
    real_run = judge_module.run_trusted

    def watched(*args, **kwargs):
        children.append(real_run(*args, **kwargs))
        return children[-1]

    monkeypatch.setattr(judge_module, "run_trusted", watched)
    outcome = judge_module.judge(spec, load_catalogue().item("ex07").training, run_seed=11)
    assert outcome.accuracy is None and "MB of memory" in outcome.not_trained
    assert children[-1].limit == "memory"
    assert children[-1].peak_mb < 1536


def _spec_of(model):
    from grader.jail.wire import KerasModelData
    from grader.model.config import read_model

    return read_model(
        KerasModelData(model.to_json(), json.dumps(model.get_compile_config())), "build_model()"
    )


@pytest.mark.slow
def test_random_layers_start_each_copys_turn_from_that_copys_own_draws(monkeypatch):
    """Dropout and noise layers keep their random state in seed generators, outside
    get_weights: a turn that started from the previous copy's state drew other masks than
    the copy trained alone would. Two turns that start alike and see the same digits in the
    same order give the same numbers."""
    from dataclasses import replace

    import numpy as np

    from grader.course.catalogue import load_catalogue
    from grader.model import trainer
    from grader.model.digits import digits_folds

    keras = trainer.keras_module()
    layers = keras.layers
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            layers.GaussianNoise(0.2),
            layers.Conv2D(8, 3, padding="same", activation="relu"),
            layers.SpatialDropout2D(0.2),
            layers.MaxPooling2D(),
            layers.Flatten(),
            layers.GaussianDropout(0.2),
            layers.Dropout(0.3),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    spec = _spec_of(model)
    real = trainer.fresh_copies
    monkeypatch.setattr(
        trainer,
        "fresh_copies",
        lambda spec, seed, copies, training=None: real(spec, seed, 1, training) * copies,
    )  # every copy starts from copy 0's draw
    batches = trainer._epochs_of_batches
    monkeypatch.setattr(
        trainer,
        "_epochs_of_batches",
        lambda fold, epochs, size, seed: batches(fold, epochs, size, (seed[0], 0)),
    )  # and sees copy 0's order of digits
    (fold,) = digits_folds(1, 0.25, 7)
    settings = replace(load_catalogue().item("ex07").training, epochs=1, batch_size=64)
    watch = trainer._Watch(deadline=float("inf"), epochs=settings.epochs, copies=2)
    with trainer.deterministic_ops():
        histories, judged = trainer._take_turns(keras, spec, settings, (fold, fold), 11, watch)
    assert histories[0] == histories[1]
    assert np.array_equal(judged[0][0], judged[1][0])


@pytest.mark.slow
def test_the_most_epochs_the_catalogue_accepts_fit_in_the_trainers_memory():
    """A careless instructor's largest `epochs` must not make every learner's model "need more
    memory": the course's solution, trained at that setting (stopped by the clock after its
    first epoch), stays within the training run's memory limit."""
    import sys
    from dataclasses import replace

    from grader.course.catalogue import load_catalogue
    from grader.course.training import TRAINING_RANGES
    from grader.model import judge as judge_module

    sys.path.insert(0, str(SOLUTIONS))
    try:
        import ex07_keras_cnn
    finally:
        sys.path.remove(str(SOLUTIONS))
    from grader.model.trainer import keras_module

    keras_module()
    spec = _spec_of(ex07_keras_cnn.build_model())
    most = TRAINING_RANGES["epochs"][2]
    training = replace(load_catalogue().item("ex07").training, epochs=most, time_limit=0.5)
    outcome = judge_module.judge(spec, training, run_seed=5)
    assert "memory" not in outcome.not_trained and outcome.out_of_time, outcome


@pytest.mark.slow
def test_keras_disagreeing_with_the_graders_working_is_the_graders_failure():
    """If Keras' parameter count for a layer is not the one the grader worked out (a bug in
    the grader's arithmetic), the table the learner sees is wrong: that is the grader's failure
    ("could not check"), never a learner's 0 that says Keras stopped on their settings."""
    from dataclasses import replace

    from grader.course.catalogue import load_catalogue
    from grader.errors import GraderFailure
    from grader.model.trainer import keras_module, train_and_evaluate

    keras = keras_module()
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(4, 3),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    spec = _spec_of(model)
    first = spec.layers[0]
    miscounted = replace(
        spec,
        layers=(
            replace(first, step=replace(first.step, parameters=first.step.parameters + 1)),
            *spec.layers[1:],
        ),
    )
    training = replace(load_catalogue().item("ex07").training, epochs=1)
    with pytest.raises(GraderFailure, match="the grader worked out"):
        train_and_evaluate(miscounted, training, split_seed=1, init_seed=2)


@pytest.mark.slow
def test_time_the_trainer_spends_descheduled_is_not_charged_to_the_model():
    """On a busy machine the trainer waits for a core; the model's verdict must not depend on
    that. The trainer is stopped (SIGSTOP) for longer than its whole time limit after its first
    epoch, then let go: it finishes every epoch of every copy, as it does on an idle machine."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from dataclasses import asdict, replace

    from grader.course.catalogue import load_catalogue
    from grader.model.judge import training_seeds
    from grader.model.trainer import PROGRESS_KEY, keras_module
    from grader.sandbox.policy import TENSORFLOW_ENVIRONMENT

    keras = keras_module()
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(8, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    # Its whole training takes about 2 s of processor time (measured with progress on, on
    # this course's two cores), so 8 s of limit holds it four times over; the stop outlasts it.
    training = replace(load_catalogue().item("ex07").training, epochs=2, time_limit=8.0)
    plan = {
        "spec": _spec_of(model).to_payload(),
        "training": asdict(training),
        "seeds": training_seeds(3, training),
        PROGRESS_KEY: True,
        "lang": "en",
    }
    child = subprocess.Popen(
        [sys.executable, "-I", "-m", "grader.model.trainer"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=dict(os.environ, **TENSORFLOW_ENVIRONMENT),
    )
    try:
        child.stdin.write(json.dumps(plan).encode())
        child.stdin.close()
        assert PROGRESS_KEY in json.loads(child.stdout.readline())  # the first epoch is done
        child.send_signal(signal.SIGSTOP)
        time.sleep(training.time_limit + 1)
        child.send_signal(signal.SIGCONT)
        outcome = json.loads(child.stdout.read().decode().strip().splitlines()[-1])
    finally:
        child.kill()
        child.wait()
    assert not outcome["out_of_time"] and outcome["epochs_run"] == training.epochs, outcome
