"""The digits ex07 is judged on: scaled, cut into folds by the run's secret seed, each held out once."""

from __future__ import annotations

import numpy as np
import pytest

from grader.course.catalogue import load_catalogue
from grader.model.digits import all_digits, digits_folds, digits_split, fold_indices, held_out_count
from grader.model.judge import training_seeds

TRAINING = load_catalogue().item("ex07").training
SPLIT_SEED = training_seeds(20261128, TRAINING)["split_seed"]


def test_the_digits_are_scaled_to_0_1_and_read_only():
    images, labels = all_digits()
    assert images.shape == (1797, 8, 8, 1) and images.dtype == np.float32
    assert (images.min(), images.max()) == (0.0, 1.0)
    assert sorted(set(labels.tolist())) == list(range(10))
    with pytest.raises(ValueError):
        images[0, 0, 0, 0] = 1.0


@pytest.mark.parametrize("folds", [2, 3, 4, 5])
def test_every_digit_is_held_out_exactly_once_and_never_trained_on_by_its_copy(folds):
    _images, labels = all_digits()
    cuts = fold_indices(folds, SPLIT_SEED)
    held_out = np.concatenate([test for _train, test in cuts])
    assert sorted(held_out.tolist()) == list(range(1797))
    assert len({len(train) for train, _test in cuts}) == 1  # one training size for all copies
    for train, test in cuts:
        assert not set(train.tolist()) & set(test.tolist())
        assert len(train) >= 1797 - len(test) - 1  # at most one digit left out of a training set
        expected = np.bincount(labels, minlength=10) / folds  # stratified: every digit as common
        assert np.all(np.abs(np.bincount(labels[test], minlength=10) - expected) <= 1)
    cut = digits_folds(folds, 0.25, SPLIT_SEED)
    assert held_out_count(cut) == 1797
    assert all(
        np.array_equal(fold.y_test, labels[test]) and np.array_equal(fold.y_train, labels[train])
        for fold, (train, test) in zip(cut, cuts)
    )


def test_the_folds_come_from_the_split_seed_alone():
    first = digits_folds(3, 0.25, SPLIT_SEED)
    digits_folds.cache_clear()
    again = digits_folds(3, 0.25, SPLIT_SEED)
    assert all(
        np.array_equal(a.y_test, b.y_test) and np.array_equal(a.x_train, b.x_train)
        for a, b in zip(first, again)
    )
    other = digits_folds(3, 0.25, SPLIT_SEED + 1)
    assert not np.array_equal(other[0].x_test, first[0].x_test)


def test_one_fold_is_one_stratified_held_out_fraction():
    (fold,) = digits_folds(1, 0.25, SPLIT_SEED)
    assert fold.x_train.shape == (1347, 8, 8, 1) and fold.x_test.shape == (450, 8, 8, 1)
    assert np.array_equal(fold.y_test, digits_split(0.25, SPLIT_SEED).y_test)
    expected = np.bincount(all_digits()[1], minlength=10) * 0.25
    assert np.all(np.abs(np.bincount(fold.y_test, minlength=10) - expected) <= 1)
