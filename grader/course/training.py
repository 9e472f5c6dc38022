"""How the grader trains ex07's model: the `training:` settings of the catalogue, each in its range."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from grader.course.yamlfile import is_number

CONSTANT = "constant"
COSINE = "cosine"
MAX_EPOCHS = 200


@dataclass(frozen=True)
class Training:
    """How the grader trains and judges a Keras model (ex07), on its own side, never the learner's.

    With `folds` K >= 2, the digits are cut into K stratified folds drawn with `split_seed`; the
    grader trains `copies` fresh copies of the model side by side, copy k on every fold but the
    k-th, and measures accuracy on the digits of the folds each copy did not see (with as many
    copies as folds, every digit is held out once). One test set of 450 digits made the verdict
    hang on which digits it held. With `folds: 1`, one copy is trained and one stratified
    `test_fraction` of the digits is held out. `seed` seeds initialisation and
    shuffling; each copy trains for `epochs` epochs of `batch_size` digits; with
    `learning_rate_decay: cosine` a fixed learning rate (the learner's, or the optimiser's
    default) falls along a cosine to zero over those epochs, so the weights settle instead of
    ending wherever the last steps threw them (a learner's own schedule is used as it is).
    `time_limit` (seconds of processor time) bounds the whole training run; a model passes with
    `accuracy_threshold` on the held-out digits and at most `max_parameters` parameters.
    """

    epochs: int = 16
    batch_size: int = 16
    folds: int = 3
    copies: int = 3
    test_fraction: float = 0.25
    split_seed: int = 0
    seed: int = 0
    accuracy_threshold: float = 0.95
    max_parameters: int = 50_000
    time_limit: float = 60.0
    learning_rate_decay: str = COSINE


# Each numeric setting: (kind, low, high, whether low itself is allowed, whether high is).
TRAINING_RANGES = {
    # The trainer draws every epoch's order of the digits up front, 0.6 MB an epoch: 1,000 epochs
    # took the solution past the training run's memory limit, a failure blamed on every learner.
    "epochs": (int, 1, MAX_EPOCHS, True, True),
    "batch_size": (int, 1, 100_000, True, True),
    "folds": (int, 1, 10, True, True),
    "copies": (int, 1, 10, True, True),
    # Both parts of a stratified split of the 1,797 digits must hold every one of the ten digits:
    # 1% is 18 of them; scikit-learn refuses fewer than ten (the trainer stopped with a traceback).
    "test_fraction": (float, 0.01, 0.99, True, True),
    "split_seed": (int, 0, 2**32 - 1, True, True),
    "seed": (int, 0, 2**32 - 1, True, True),
    "accuracy_threshold": (float, 0.0, 1.0, False, True),
    "max_parameters": (int, 1, 10**9, True, True),
    "time_limit": (float, 0.0, 3600.0, False, True),
}
TRAINING_CHOICES = {"learning_rate_decay": (CONSTANT, COSINE)}
TRAINING_KEYS = sorted([*TRAINING_RANGES, *TRAINING_CHOICES])


def parse_training(data: Any, where: str, expect: Callable[[Any, str, str], None]) -> Training:
    """An exercise's `training:` mapping; every key optional, each checked against its range;
    `expect` raises the catalogue's error."""
    expect(isinstance(data, dict), where, "training must be a mapping")
    unknown = sorted(str(key) for key in data if key not in TRAINING_KEYS)
    expect(
        not unknown,
        where,
        f"unknown key(s) {', '.join(unknown)}; expected {', '.join(TRAINING_KEYS)}",
    )
    values = {}
    for key, value in data.items():
        if key in TRAINING_CHOICES:
            choices = TRAINING_CHOICES[key]
            expect(
                value in choices and isinstance(value, str),
                where,
                f"'{key}' must be one of {', '.join(choices)}, not {value!r}",
            )
            values[key] = value
            continue
        kind, low, high, low_allowed, high_allowed = TRAINING_RANGES[key]
        expect(
            is_number(value) and (kind is float or float(value).is_integer()),
            where,
            f"'{key}' must be {'a whole number' if kind is int else 'a number'}, not {value!r}",
        )
        above = value >= low if low_allowed else value > low
        below = value <= high if high_allowed else value < high
        expect(
            above and below,
            where,
            f"'{key}' must be {'at least' if low_allowed else 'more than'} {low} "
            f"and {'at most' if high_allowed else 'less than'} {high}, not {value!r}",
        )
        values[key] = kind(value)
    training = Training(**values)
    expect(
        training.folds == 1 or "test_fraction" not in values,
        where,
        "'test_fraction' is for 'folds: 1' only: with K folds each holds out 1/K of the digits",
    )
    expect(
        training.copies <= training.folds,
        where,
        f"'copies' must be at most 'folds' ({training.folds}): each copy holds out a fold of its own",
    )
    return training
