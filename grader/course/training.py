"""How the grader trains ex07's model: the `training:` settings of the catalogue, each in its range."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from grader.course.yamlfile import is_number


@dataclass(frozen=True)
class Training:
    """How the grader trains and judges a Keras model (ex07), on its own side, never the learner's.

    The digits split is `test_fraction` of scikit-learn's `load_digits`, stratified, drawn with
    `split_seed`; `seed` seeds initialisation and shuffling; `time_limit` (seconds) bounds the
    training run; a model passes with `accuracy_threshold` on the held-out split and at most
    `max_parameters` parameters.
    """

    epochs: int = 20
    batch_size: int = 32
    test_fraction: float = 0.25
    split_seed: int = 0
    seed: int = 0
    accuracy_threshold: float = 0.95
    max_parameters: int = 50_000
    time_limit: float = 60.0



# Each training setting: (kind, low, high, whether low itself is allowed, whether high is).
TRAINING_RANGES = {
    "epochs": (int, 1, 1000, True, True),
    "batch_size": (int, 1, 100_000, True, True),
    "test_fraction": (float, 0.0, 1.0, False, False),
    "split_seed": (int, 0, 2**32 - 1, True, True),
    "seed": (int, 0, 2**32 - 1, True, True),
    "accuracy_threshold": (float, 0.0, 1.0, False, True),
    "max_parameters": (int, 1, 10**9, True, True),
    "time_limit": (float, 0.0, 3600.0, False, True),
}


def parse_training(data: Any, where: str, expect: Callable[[Any, str, str], None]) -> Training:
    """An exercise's `training:` mapping; every key optional, each checked against its range;
    `expect` raises the catalogue's error."""
    expect(isinstance(data, dict), where, "training must be a mapping")
    unknown = sorted(str(key) for key in data if key not in TRAINING_RANGES)
    expect(not unknown, where, f"unknown key(s) {', '.join(unknown)}; "
                               f"expected {', '.join(sorted(TRAINING_RANGES))}")
    values = {}
    for key, value in data.items():
        kind, low, high, low_allowed, high_allowed = TRAINING_RANGES[key]
        expect(is_number(value) and (kind is float or float(value).is_integer()), where,
                f"'{key}' must be {'a whole number' if kind is int else 'a number'}, not {value!r}")
        above = value >= low if low_allowed else value > low
        below = value <= high if high_allowed else value < high
        expect(above and below, where,
                f"'{key}' must be {'at least' if low_allowed else 'more than'} {low} "
                f"and {'at most' if high_allowed else 'less than'} {high}, not {value!r}")
        values[key] = kind(value)
    return Training(**values)
