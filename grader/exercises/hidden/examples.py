"""Small examples for feedback, and ex01's generated cases, without hypothesis.

`show` writes an argument for the feedback (a small array in full). ex01's generated cases come
from the run's seeded rng and shrink greedily (rows and columns dropped while the case still
fails), because docs/design.md#quality-bars caps how long `grade ex01` may take and importing
and running hypothesis would cost about as much again as the rest of ex01's grading; ex02-ex06
use hypothesis (grader/exercises/hidden/properties.py). As there, counts bound the work (cases,
shrinking calls), never a clock, and a run that checked no case is the grader's failure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from grader import evidence
from grader.failures import GradingFailure, LearnerFailure, LearnerRaised
from grader.i18n import _

SMALL_ARRAY = 16  # arrays with at most this many cells are printed in the feedback
CONVOLVE_CASES = 25  # generated ex01 cases before shrinking
SHRINK_CALLS = 30  # learner calls spent on shrinking one failure
IMAGE_DTYPES = ("float64", "uint8", "int64", "float32")


def show(name: str, value: Any) -> str:
    """`name = np.array([[1, 2], [3, 4]])` for a small array, `name: shape (5, 9) float64` else."""
    if isinstance(value, np.ndarray):
        if value.size <= SMALL_ARRAY:
            text = " ".join(np.array2string(value, separator=", ").split())
            return f"{name} = np.array({text}, dtype={value.dtype.name})"
        return f"{name}: shape {value.shape} {value.dtype}"
    return f"{name} = {value!r}"


def _values(rng: np.random.Generator, shape: tuple[int, ...], dtype: str, top: int) -> np.ndarray:
    if dtype == "uint8":
        return rng.integers(0, 256, size=shape).astype(np.uint8)
    return rng.integers(-top, top + 1, size=shape).astype(dtype)


def convolve_case(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(image, kernel) for convolve2d: 1-7 pixels a side, any image dtype, uint8 kernels too."""
    height, width = (int(side) for side in rng.integers(1, 8, size=2))
    f_h, f_w = int(rng.integers(1, height + 1)), int(rng.integers(1, width + 1))
    image = _values(rng, (height, width), str(rng.choice(IMAGE_DTYPES)), 5)
    kernel = _values(rng, (f_h, f_w), str(rng.choice(("float64", "int64", "uint8"))), 3)
    return image, kernel


def _smaller(image: np.ndarray, kernel: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Smaller cases: half the kernel's or the image's rows or columns, then one fewer, the
    kernel first (a smaller kernel lets the image shrink), the kernel always inside."""
    for array, is_image in ((kernel, False), (image, True)):
        for axis in (0, 1):
            size = array.shape[axis]
            smallest = kernel.shape[axis] if is_image else 1
            for keep in sorted({max(size // 2, smallest), size - 1}):
                if not smallest <= keep < size:
                    continue
                for start in (0, size - keep):
                    cut = slice(start, start + keep)
                    index = (cut, slice(None)) if axis == 0 else (slice(None), cut)
                    yield (array[index], kernel) if is_image else (image, array[index])


def run_generated(
    rng: np.random.Generator,
    check: Callable[[Any], None],
    *,
    seed: int,
    describe: Callable[[Any], str],
) -> None:
    """Grade `check(case)` on CONVOLVE_CASES cases; shrink the first failure greedily and
    re-raise it with the smallest failing case found."""
    checked = 0
    for _case_number in range(CONVOLVE_CASES):
        case = convolve_case(rng)
        try:
            check(case)
        except GradingFailure as failure:
            if failure.not_attempted or (
                isinstance(failure, LearnerFailure) and not isinstance(failure, LearnerRaised)
            ):
                raise
            case, failure = _shrink(case, failure, check)
            copy = GradingFailure(
                failure.feedback
                + "\n"
                + _("A generated case that shows it, shrunk (replay with --seed {seed}):").format(
                    seed=seed
                )
                + "\n"
                + describe(case)
            )
            copy.diagnosed = failure.diagnosed
            raise copy from None
        checked += 1
    if not checked:
        raise evidence.NothingChecked("convolve2d: no generated case was checked")


def _shrink(case, failure: GradingFailure, check) -> tuple[Any, GradingFailure]:
    """Drop rows and columns while the case still fails (and still names its mistake, if it
    did), within SHRINK_CALLS calls."""
    calls, progress = 0, True
    while progress and calls < SHRINK_CALLS:
        progress = False
        for smaller in _smaller(*case):
            calls += 1
            try:
                check(smaller)
            except GradingFailure as smaller_failure:
                if isinstance(smaller_failure, LearnerFailure) and not isinstance(
                    smaller_failure, LearnerRaised
                ):
                    return case, failure
                if failure.diagnosed and not smaller_failure.diagnosed:
                    continue  # too small to tell which mistake it is: keep the named one
                case, failure, progress = smaller, smaller_failure, True
                break
            if calls >= SHRINK_CALLS:
                break
    return case, failure
