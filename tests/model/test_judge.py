"""ex07's trusted side: rebuilding from the allowlisted spec, the secret split, seeded training.

Everything marked slow imports TensorFlow or trains (seconds each); the determinism test
trains the solution's model twice, once in a fresh process, as a re-grade would.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import asdict, replace

import numpy as np
import pytest

from grader.course.catalogue import COURSE_ROOT, load_catalogue
from grader.i18n import language
from grader.jail import wire
from grader.model import judge as judge_module
from grader.model.compile import OptimizerSpec
from grader.model.config import ModelRejected, read_model
from grader.model.digits import digits_folds
from grader.model.judge import (
    MAX_MULTIPLY_ADDS,
    MAX_TRAINED_PARAMETERS,
    check_trainable,
    judge,
    multiply_add_limit,
    training_seeds,
    untrainable_because,
)
from grader.model.trainer import optimizer_for, rebuild, train_and_evaluate
from grader.processes.children import run_trusted
from tests.conftest import SOLUTIONS
from tests.model.test_config import COMPILED, conv, input_layer, layer, model_data

TRAINING = load_catalogue().item("ex07").training
RUN_SEED = 20261128
SEEDS = training_seeds(RUN_SEED, TRAINING)


def spec_of(model):
    return read_model(wire.decode_value(wire.encode_value(model, []), []), "build_model()")


@pytest.fixture(scope="module")
def keras():
    from grader.model.trainer import keras_module

    return keras_module()


@pytest.fixture(scope="module")
def solution_spec(keras):
    sys.path.insert(0, str(SOLUTIONS))
    try:
        import ex07_keras_cnn
    finally:
        sys.path.remove(str(SOLUTIONS))
    return spec_of(ex07_keras_cnn.build_model())


def test_importing_the_judge_and_suites_loads_neither_tensorflow_nor_sklearn():
    """Grading ex01-ex06 must never pay for TensorFlow; ex07's modules load it on first use."""
    script = (
        "import sys\nimport grader.model.judge, grader.exercises.ex07.test_public\n"
        "import grader.exercises.ex07.hidden.test_hidden\n"
        "print(sorted(m for m in ('keras', 'tensorflow', 'sklearn') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=COURSE_ROOT, timeout=60
    )
    assert result.stdout.strip() == "[]", result.stderr


def test_the_split_is_secret_to_each_run_but_replayable():
    """A worker never sees the run's seed, so it cannot know which digits are held out."""
    assert training_seeds(RUN_SEED, TRAINING) == SEEDS
    other = training_seeds(RUN_SEED + 1, TRAINING)
    assert other["split_seed"] != SEEDS["split_seed"] and other["init_seed"] != SEEDS["init_seed"]
    held_out = digits_folds(TRAINING.folds, TRAINING.test_fraction, SEEDS["split_seed"])[0].y_test
    again = digits_folds(TRAINING.folds, TRAINING.test_fraction, other["split_seed"])[0].y_test
    assert len(held_out) == len(again) and not np.array_equal(again, held_out)


def test_the_multiply_add_bound_shrinks_as_training_sees_more_digits():
    """The bound keeps the longest training the grader accepts near a minute whatever the settings."""
    assert multiply_add_limit(None) == MAX_MULTIPLY_ADDS
    assert (
        multiply_add_limit(replace(TRAINING, folds=1, copies=1, epochs=20, batch_size=32))
        == MAX_MULTIPLY_ADDS
    )
    assert multiply_add_limit(replace(TRAINING, epochs=2 * TRAINING.epochs)) < multiply_add_limit(
        TRAINING
    )
    wide = [
        input_layer(8, 8, 1),
        layer("ZeroPadding2D", padding=[[44, 44], [44, 44]], data_format="channels_last"),
        conv(
            filters=60, kernel=9, padding="same"
        ),  # 96*96*60 values, 81 multiply-adds each: 44.8 million
        layer(
            "MaxPooling2D",
            pool_size=[96, 96],
            strides=[96, 96],
            padding="valid",
            data_format="channels_last",
        ),
        layer("Flatten", data_format="channels_last"),
        layer("Dense", units=10, activation="softmax"),
    ]
    spec = read_model(model_data(wide), "build_model()")
    assert multiply_add_limit(TRAINING) < spec.multiply_adds <= MAX_MULTIPLY_ADDS
    check_trainable(spec)  # one training of the old length would take it
    with pytest.raises(
        ModelRejected, match=f"the grader trains models up to {multiply_add_limit(TRAINING):,}"
    ):
        check_trainable(spec, TRAINING)


def test_a_trusted_child_is_stopped_at_its_memory_and_time_limits():
    hungry = run_trusted(
        "timeit",
        b"",
        arguments=["-n", "1", "b'x' * (400 << 20); import time; time.sleep(30)"],
        timeout=60,
        memory_mb=200,
    )
    assert hungry.limit == "memory" and hungry.exit_code is None and hungry.peak_mb > 200
    slow = run_trusted(
        "timeit", b"", arguments=["-n", "1", "import time; time.sleep(30)"], timeout=1
    )
    assert slow.limit == "time" and slow.exit_code is None
    quick = run_trusted("timeit", b"", arguments=["-n", "1", "pass"], timeout=30, memory_mb=200)
    assert quick.limit == "" and quick.exit_code == 0


def test_a_model_too_big_to_train_is_refused_before_it_is_built():
    huge = [
        input_layer(8, 8, 1),
        layer("Flatten"),
        layer("Dense", units=100_000, activation="relu"),
        layer("Dense", units=10, activation="softmax"),
    ]
    spec = read_model(model_data(huge), "build_model()")
    assert spec.parameters > MAX_TRAINED_PARAMETERS
    with pytest.raises(ModelRejected, match="does not build models over"):
        rebuild(spec, seed=0)  # raises before TensorFlow is even needed


def test_a_model_with_the_wrong_loss_is_not_trained():
    one_hot = {"optimizer": "adam", "loss": "categorical_crossentropy"}
    spec = read_model(model_data(compile_config=one_hot), "build_model()")
    outcome = train_and_evaluate(spec, TRAINING, **SEEDS)
    assert not outcome.trained and "integer labels" in outcome.not_trained
    assert "not compiled" in untrainable_because(read_model(model_data(compile_config=None), "x"))


@pytest.mark.slow
def test_every_allowlisted_layer_is_worked_out_as_keras_does(keras):
    """rebuild() compares each layer's shape and parameters with Keras' own: one mistake fails."""
    layers = keras.layers
    models = [
        [
            layers.ZeroPadding2D(((1, 2), (0, 1))),
            layers.Conv2D(8, 3, strides=2),
            layers.BatchNormalization(),
            layers.ReLU(),
            layers.LeakyReLU(),
            layers.ELU(),
            layers.Activation("gelu"),
            layers.AveragePooling2D(2, strides=1, padding="same"),
            layers.SpatialDropout2D(0.1),
            layers.GaussianNoise(0.1),
            layers.GaussianDropout(0.1),
            layers.Conv2D(
                8, (3, 2), dilation_rate=(2, 1), groups=2, padding="same", use_bias=False
            ),
            layers.MaxPooling2D(3, strides=2, padding="same"),
            layers.Rescaling(0.5),
            layers.Reshape((-1, 8)),
            layers.Dense(6),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(10),
            layers.Softmax(),
        ],
        [
            layers.Conv2D(4, 2, strides=(2, 1), padding="same", activation="tanh"),
            layers.GlobalMaxPooling2D(keepdims=True),
            layers.Flatten(),
            layers.Dense(10),
        ],
        [
            layers.Conv2D(5, 3),
            layers.BatchNormalization(center=False),
            layers.GlobalAveragePooling2D(),
            layers.Dense(10, activation="softmax"),
        ],
    ]
    for index, stack in enumerate(models):
        for input_shape in ((8, 8, 1), (11, 9, 3)):
            model = keras.Sequential(
                [
                    keras.Input(input_shape),
                    *[layer.__class__.from_config(layer.get_config()) for layer in stack],
                ]
            )
            spec = spec_of(model)
            rebuilt = rebuild(spec, seed=index)
            assert rebuilt.count_params() == model.count_params() == spec.parameters


@pytest.mark.slow
def test_a_functional_chain_rebuilds_like_keras(keras):
    inputs = keras.Input((8, 8, 1))
    hidden = keras.layers.MaxPooling2D()(keras.layers.Conv2D(16, 3, activation="relu")(inputs))
    hidden = keras.layers.Dropout(0.2)(keras.layers.Flatten()(hidden))
    model = keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(hidden))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    spec = spec_of(model)
    assert spec.class_names == ["Conv2D", "MaxPooling2D", "Flatten", "Dropout", "Dense"]
    assert rebuild(spec, seed=0).count_params() == model.count_params()


@pytest.mark.slow
def test_initial_weights_come_from_the_graders_seed(solution_spec):
    first, again, other = (rebuild(solution_spec, seed) for seed in (1, 1, 2))
    kernel = lambda model: np.asarray(model.layers[0].get_weights()[0])  # noqa: E731
    assert np.array_equal(kernel(first), kernel(again))
    assert not np.array_equal(kernel(first), kernel(other))


@pytest.mark.slow
def test_same_model_and_seed_give_the_same_outcome_in_another_process(solution_spec):
    """Byte for byte: accuracy, every epoch's loss, everything but the time it took."""
    there = judge(solution_spec, TRAINING, RUN_SEED)  # trained by the trainer child process
    assert there.trained and there.accuracy >= TRAINING.accuracy_threshold
    assert there.epochs_run == TRAINING.epochs and there.diverged_in_epoch is None
    assert there.copies == TRAINING.copies and there.test_size == 1797
    here = train_and_evaluate(solution_spec, TRAINING, **SEEDS)  # and again in this process
    assert replace(here, seconds=0.0) == replace(there, seconds=0.0)
    assert json.dumps(asdict(replace(here, seconds=0.0))) == json.dumps(
        asdict(replace(there, seconds=0.0))
    )


@pytest.mark.slow
def test_each_copy_trains_as_if_alone(solution_spec, monkeypatch):
    """The copies take turns in one model: a turn starts from its own initial weights and a fresh
    optimiser (moments, step count, so the cosine too), so two turns that start alike and see the
    same digits in the same order give the same numbers, whatever trained before them."""
    from grader.model import trainer

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
    (fold,) = digits_folds(1, 0.25, SEEDS["split_seed"])
    settings = replace(TRAINING, epochs=3)
    watch = trainer._Watch(deadline=float("inf"), epochs=settings.epochs, copies=2)
    keras = trainer.keras_module()
    with trainer.deterministic_ops():
        histories, judged = trainer._take_turns(
            keras, solution_spec, settings, (fold, fold), SEEDS["init_seed"], watch
        )
    assert histories[0] == histories[1] and len(histories[0]) == 3
    assert np.array_equal(judged[0][0], judged[1][0])


@pytest.mark.slow
def test_progress_counts_the_epochs_of_every_copy(solution_spec):
    heard = []
    settings = replace(TRAINING, epochs=2)
    outcome = train_and_evaluate(
        solution_spec, settings, **SEEDS, report=lambda *event: heard.append(event)
    )
    total = settings.epochs * settings.copies
    assert [(epoch, epochs) for epoch, epochs, _accuracy in heard] == [
        (n, total) for n in range(1, total + 1)
    ]
    assert all(0.0 <= accuracy <= 1.0 for _epoch, _epochs, accuracy in heard)
    assert outcome.epochs_run == settings.epochs and len(outcome.losses) == settings.epochs


@pytest.mark.slow
def test_cosine_decay_takes_a_fixed_rate_to_zero_and_keeps_a_learners_schedule(
    keras, solution_spec
):
    steps = 100
    decayed = optimizer_for(keras, solution_spec, TRAINING, steps)
    schedule = decayed.get_config()["learning_rate"]
    assert schedule["class_name"] == "CosineDecay"
    assert schedule["config"]["initial_learning_rate"] == pytest.approx(0.001)
    assert schedule["config"]["decay_steps"] == TRAINING.epochs * steps
    rate = decayed._get_current_learning_rate  # noqa: SLF001 (the rate at the optimiser's step)
    decayed.iterations.assign(TRAINING.epochs * steps)
    assert float(rate()) == pytest.approx(0.0, abs=1e-12)
    constant = optimizer_for(
        keras, solution_spec, replace(TRAINING, learning_rate_decay="constant"), steps
    )
    assert constant.get_config()["learning_rate"] == pytest.approx(0.001)
    own = {
        "module": "keras.optimizers.schedules",
        "class_name": "ExponentialDecay",
        "registered_name": None,
        "config": {"initial_learning_rate": 0.01, "decay_steps": 7, "decay_rate": 0.5},
    }
    spec = replace(solution_spec, optimizer=OptimizerSpec("SGD", {"learning_rate": own}))
    kept = optimizer_for(keras, spec, TRAINING, steps).get_config()["learning_rate"]
    assert kept["class_name"] == "ExponentialDecay" and kept["config"]["decay_steps"] == 7


@pytest.mark.slow
def test_a_training_run_past_its_memory_limit_is_a_named_failure(solution_spec, monkeypatch):
    monkeypatch.setattr(judge_module, "TRAINER_MEMORY_MB", 100)
    outcome = judge(solution_spec, replace(TRAINING, epochs=2), RUN_SEED)
    assert not outcome.trained and "more than 100 MB of memory" in outcome.not_trained


def test_judge_trains_each_model_once(monkeypatch):
    """The outcome is kept by model, settings, run seed (and language): the same three train
    once, and a change in any of them trains again (a trainer that counts its runs stands in for the child)."""
    trained = []

    def count(spec, training, seeds):
        trained.append((spec.digest(), training, seeds))
        return judge_module.TrainingOutcome(accuracy=0.5)

    monkeypatch.setattr(judge_module, "_outcomes", type(judge_module._outcomes)())
    monkeypatch.setattr(judge_module, "_train_in_child", count)
    spec = read_model(model_data(), "build_model()")
    first = judge(spec, TRAINING, RUN_SEED)
    assert judge(spec, TRAINING, RUN_SEED) is first and len(trained) == 1
    assert trained == [(spec.digest(), TRAINING, SEEDS)]  # this run's secret seeds
    other = read_model(model_data(compile_config=dict(COMPILED, optimizer="sgd")), "build_model()")
    for changed in (
        (spec, replace(TRAINING, epochs=1), RUN_SEED),
        (spec, TRAINING, RUN_SEED + 1),
        (other, TRAINING, RUN_SEED),
    ):
        assert judge(*changed) is not first
    assert len(trained) == 4
    assert judge(spec, TRAINING, RUN_SEED) is first and len(trained) == 4


def test_a_model_judged_again_in_another_language_says_why_in_that_one(monkeypatch):
    """An outcome's reason is written in the language it was judged in: `%grade ex07` then
    `%grade ex07 --lang ko` in one notebook kernel gives the reason in Korean the second time."""
    monkeypatch.setattr(judge_module, "_outcomes", type(judge_module._outcomes)())
    spec = read_model(model_data(compile_config=None), "build_model()")
    with language("en"):
        english = judge(spec, TRAINING, RUN_SEED).not_trained
    with language("ko"):
        korean = judge(spec, TRAINING, RUN_SEED).not_trained
    assert english.startswith("the model is not compiled")
    assert korean.startswith("모델이 컴파일되지 않아서")


@pytest.mark.slow
def test_training_stops_at_the_time_limit(solution_spec):
    outcome = train_and_evaluate(solution_spec, replace(TRAINING, time_limit=0.001), **SEEDS)
    assert outcome.out_of_time and outcome.epochs_run == 1


@pytest.mark.slow
def test_a_diverging_optimiser_is_caught_in_its_first_epoch(solution_spec):
    spec = replace(solution_spec, optimizer=OptimizerSpec("SGD", {"learning_rate": 1000.0}))
    outcome = train_and_evaluate(spec, TRAINING, **SEEDS)
    assert outcome.diverged_in_epoch == 1 and outcome.epochs_run == 1
    assert outcome.accuracy < 0.2
    (loss,) = outcome.losses
    assert not (loss < 1e4)  # NaN, infinite or huge
