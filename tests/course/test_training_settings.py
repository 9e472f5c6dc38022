"""ex07's training settings in the catalogue: the optional `training:` mapping and its checks."""

from __future__ import annotations

import copy
import re

import pytest

from grader.course.catalogue import CatalogueError, Training, load_catalogue, parse_catalogue

KERAS_EXERCISE = {
    "id": "ex07",
    "title": "T",
    "file": "ex07_keras_cnn.py",
    "functions": ["build_model"],
    "points": 20,
    "tensorflow": True,
    "training": {
        "epochs": 5,
        "batch_size": 16,
        "folds": 1,
        "copies": 1,
        "test_fraction": 0.2,
        "split_seed": 3,
        "seed": 7,
        "accuracy_threshold": 0.9,
        "max_parameters": 1000,
        "time_limit": 12.5,
        "learning_rate_decay": "constant",
    },
}


def parse(exercise: dict):
    return parse_catalogue({"exercises": [exercise]}, source="course.yaml")


def test_the_course_trains_ex07_as_the_spec_and_the_calibration_ask():
    """SPEC: 95% and 50,000 parameters are the contract; benchmarks/ex07_calibration.py measured
    the rest: every digit held out once (as many copies as folds), a cosine to the learning rate."""
    training = load_catalogue().item("ex07").training
    assert training is not None
    assert (training.accuracy_threshold, training.max_parameters) == (0.95, 50_000)
    assert training.folds >= 2 and training.copies == training.folds
    assert training.learning_rate_decay == "cosine" and training.epochs >= 1
    assert training == Training(
        split_seed=training.split_seed, seed=training.seed
    )  # the defaults are the calibration
    assert load_catalogue().item("ex01").training is None


def test_every_setting_is_read_with_its_type():
    training = parse(KERAS_EXERCISE).exercises[0].training
    assert training == Training(
        epochs=5,
        batch_size=16,
        folds=1,
        copies=1,
        test_fraction=0.2,
        split_seed=3,
        seed=7,
        accuracy_threshold=0.9,
        max_parameters=1000,
        time_limit=12.5,
        learning_rate_decay="constant",
    )
    assert isinstance(training.epochs, int) and isinstance(training.time_limit, float)


def test_missing_settings_take_the_defaults():
    exercise = dict(KERAS_EXERCISE, training={"epochs": 3})
    assert parse(exercise).exercises[0].training == Training(epochs=3)


def test_folds_and_copies_hold_out_digits_each_copy_never_sees():
    training = parse(dict(KERAS_EXERCISE, training={"folds": 5, "copies": 2})).exercises[0].training
    assert (training.folds, training.copies) == (5, 2)
    with pytest.raises(CatalogueError, match=re.escape("'copies' must be at most 'folds' (2)")):
        parse(dict(KERAS_EXERCISE, training={"folds": 2, "copies": 3}))
    with pytest.raises(CatalogueError, match=re.escape("'test_fraction' is for 'folds: 1' only")):
        parse(dict(KERAS_EXERCISE, training={"folds": 3, "test_fraction": 0.2}))
    one_split = parse(
        dict(KERAS_EXERCISE, training={"folds": 1, "copies": 1, "test_fraction": 0.2})
    )
    assert one_split.exercises[0].training.test_fraction == 0.2


@pytest.mark.parametrize(
    "change, message",
    [
        ({"epochs": 0}, "'epochs' must be at least 1"),
        ({"epochs": 2.5}, "'epochs' must be a whole number"),
        ({"epochs": 1000}, "'epochs' must be at least 1 and at most 200"),
        ({"batch_size": "32"}, "'batch_size' must be a whole number"),
        ({"test_fraction": 1.0}, "'test_fraction' must be at least 0.01 and at most 0.99"),
        ({"test_fraction": 0}, "'test_fraction' must be at least 0.01"),
        ({"test_fraction": 0.001}, "'test_fraction' must be at least 0.01"),
        ({"test_fraction": 0.999}, "'test_fraction' must be at least 0.01 and at most 0.99"),
        ({"accuracy_threshold": 1.5}, "'accuracy_threshold' must be more than 0.0 and at most 1.0"),
        ({"max_parameters": True}, "'max_parameters' must be a whole number"),
        ({"seed": -1}, "'seed' must be at least 0"),
        ({"time_limit": 0}, "'time_limit' must be more than 0.0"),
        ({"time_limit": float("inf")}, "'time_limit' must be more than 0.0 and at most 3600.0"),
        ({"epochs": float("nan")}, "'epochs' must be a whole number"),
        ({"folds": 0}, "'folds' must be at least 1"),
        ({"folds": 11}, "'folds' must be at least 1 and at most 10"),
        ({"copies": 0}, "'copies' must be at least 1"),
        (
            {"learning_rate_decay": "linear"},
            "'learning_rate_decay' must be one of constant, cosine, not 'linear'",
        ),
        (
            {"learning_rate_decay": ["cosine"]},
            "'learning_rate_decay' must be one of constant, cosine",
        ),
        ({"learning_rate_decay": True}, "'learning_rate_decay' must be one of constant, cosine"),
        ({"learning_rate": 0.1}, "unknown key(s) learning_rate"),
    ],
)
def test_a_bad_setting_is_named_in_the_error(change, message):
    exercise = copy.deepcopy(KERAS_EXERCISE)
    exercise["training"].update(change)
    with pytest.raises(
        CatalogueError, match=re.escape(f"exercises[0] (ex07): training: {message}")
    ):
        parse(exercise)


def test_training_is_a_mapping_for_tensorflow_exercises_only():
    with pytest.raises(CatalogueError, match="training must be a mapping"):
        parse(dict(KERAS_EXERCISE, training=[5]))
    with pytest.raises(CatalogueError, match="'training' needs 'tensorflow: true'"):
        parse(dict(KERAS_EXERCISE, tensorflow=False))


@pytest.mark.parametrize("fraction", [0.01, 0.99])
def test_every_held_out_fraction_the_catalogue_accepts_cuts_the_digits(fraction):
    """A fraction the checks let through must not stop the trainer: each side of the
    stratified split holds every digit (scikit-learn refuses fewer than ten)."""
    from grader.model.digits import digits_folds

    exercise = copy.deepcopy(KERAS_EXERCISE)
    exercise["training"].update(test_fraction=fraction)
    training = parse(exercise).exercises[0].training
    (fold,) = digits_folds(training.folds, training.test_fraction, 5)
    assert set(fold.y_train.tolist()) == set(fold.y_test.tolist()) == set(range(10))
