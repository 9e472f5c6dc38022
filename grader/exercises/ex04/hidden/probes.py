"""More calls of the learner's conv2d, made only once a case has failed, whose answers tell apart
mistakes that gave that case one answer (grader/exercises/hidden/told_apart.py)."""

from __future__ import annotations

import numpy as np

from grader.checks import Misconception, named_by
from grader.exercises.ex04.hidden import reference as ref
from grader.exercises.hidden.windows import Pads
from grader.failures import LearnerFailure


def width_from_height(learner) -> bool:
    """Evidence, once a non-square input raised: a 3x5 input and a 1x1 kernel give 3x3."""
    try:
        got = learner.conv2d(np.ones((1, 3, 5, 1)), np.ones((1, 1, 1, 1)))
    except LearnerFailure:
        return False
    return isinstance(got, np.ndarray) and got.shape == (1, 3, 3, 1)


def same_height(learner, height: int, window: int, stride: int) -> int | None:
    """The learner's H_out for a square 'same' convolution (None if the call failed)."""
    try:
        got = learner.conv2d(
            np.ones((1, height, height, 1)),
            np.ones((window, window, 1, 1)),
            strides=stride,
            padding="same",
        )
    except LearnerFailure:
        return None
    return int(got.shape[1]) if isinstance(got, np.ndarray) and got.ndim == 4 else None


def stride_1_pads(learner, candidates: tuple[Pads, ...]) -> Pads | None:
    """Which of `candidates` (top, bottom, left, right) the learner's 'same' padding is for a
    2x2 kernel with stride 1 on a 3x3 input of distinct values (None: none of them). TensorFlow
    pads (0, 1, 0, 1) there, (F - 1) // 2 on each side pads nothing, and the wrong side
    (1, 0, 1, 0): each gives its own answer."""
    x, kernel = np.arange(1.0, 10.0).reshape(1, 3, 3, 1), np.ones((2, 2, 1, 1))
    try:
        got = learner.conv2d(x, kernel, strides=1, padding="same")
    except LearnerFailure:
        return None
    for pads in candidates:
        if named_by(got, [Misconception("pads", ref.correlate(x, kernel, None, 1, pads))]):
            return pads
    return None
