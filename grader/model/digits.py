"""The digits ex07 is judged on, and how the grader holds some of them out (trusted side only).

scikit-learn's `load_digits` (1,797 grey 8x8 images, levels 0-16) scaled to [0, 1] and shaped
(N, 8, 8, 1). `digits_folds` cuts them as the catalogue's training settings say: K stratified
folds, each held out once while the other K - 1 train a copy of the model, or with one fold a
single stratified held-out fraction. The cut comes from the run's secret split seed, which no
worker sees. scikit-learn is imported on first use, in the trainer only.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np

DIGITS_MAX_LEVEL = 16.0  # load_digits' grey levels run from 0 to 16


class Fold(NamedTuple):
    """The digits one copy of the model trains on, and the digits it is judged on."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


@functools.cache
def all_digits() -> tuple[np.ndarray, np.ndarray]:
    """(images (1797, 8, 8, 1) float32 in [0, 1], labels (1797,) int64), read-only."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = (digits.images / DIGITS_MAX_LEVEL).astype(np.float32)[..., np.newaxis]
    labels = digits.target.astype(np.int64)
    return _frozen(images), _frozen(labels)


@functools.cache
def digits_split(test_fraction: float, split_seed: int) -> Fold:
    """One stratified split: every digit is as common in both parts."""
    from sklearn.model_selection import train_test_split

    images, labels = all_digits()
    x_train, x_test, y_train, y_test = train_test_split(
        images, labels, test_size=test_fraction, stratify=labels, random_state=split_seed
    )
    return Fold(*(_frozen(array) for array in (x_train, y_train, x_test, y_test)))


@functools.cache
def digits_folds(folds: int, test_fraction: float, split_seed: int) -> tuple[Fold, ...]:
    """`folds` stratified folds, each held out once (or, for 1, `digits_split`)."""
    if folds == 1:
        return (digits_split(test_fraction, split_seed),)
    images, labels = all_digits()
    return tuple(
        Fold(
            *(
                _frozen(array)
                for array in (images[train], labels[train], images[test], labels[test])
            )
        )
        for train, test in fold_indices(folds, split_seed)
    )


def fold_indices(folds: int, split_seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(training, held-out) indices of the digits for each of `folds` stratified folds.

    The copies train on one stream of batches of one size, so their training sets must be the
    same size: a copy whose set is one digit larger (1,797 does not divide evenly) leaves out
    its last one, which is still judged in its own fold.
    """
    from sklearn.model_selection import StratifiedKFold

    _images, labels = all_digits()
    cuts = list(
        StratifiedKFold(n_splits=folds, shuffle=True, random_state=split_seed).split(labels, labels)
    )
    size = min(len(train) for train, _test in cuts)
    return [(train[:size], test) for train, test in cuts]


def held_out_count(folds: tuple[Fold, ...]) -> int:
    return sum(len(fold.y_test) for fold in folds)


def _frozen(array: np.ndarray) -> np.ndarray:
    array = np.ascontiguousarray(array)
    array.setflags(write=False)
    return array
