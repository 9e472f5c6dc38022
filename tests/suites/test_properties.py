"""The generated-case runners (properties.py, examples.py in grader/exercises/hidden): replayable, bounded, quiet.

A fake check stands in for a learner: it fails on some generated cases, and the runner must
report a small failing case with the run's seed, give the same report for the same seed,
stop calling after its budget, and write nothing into the working folder.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import strategies as st

from grader.exercises.hidden import cases, properties
from grader.failures import GradingFailure, NamedMistake, NotAttempted


@st.composite
def convolve_cases(draw):
    """(image, kernel) pairs, the kernel no larger than the image."""
    height, width = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    f_h, f_w = draw(st.integers(1, height)), draw(st.integers(1, width))
    return cases._values(draw, (height, width), "float64"), cases._values(
        draw, (f_h, f_w), "float64"
    )


def failing_on_wide_images(calls: list):
    """A check that fails whenever the kernel is narrower than the image (most cases)."""

    def check(case):
        image, kernel = case
        calls.append(case)
        if kernel.shape[1] < image.shape[1]:
            raise GradingFailure(f"wrong values for an image {image.shape}")

    return check


def report(seed: int, check) -> GradingFailure:
    with pytest.raises(GradingFailure) as raised:
        properties.run_property(
            convolve_cases(),
            check,
            run_seed=seed,
            name="test",
            describe=lambda case: properties.show("image", case[0]),
        )
    return raised.value


def test_a_failure_is_shrunk_and_shown_with_the_seed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    calls: list = []
    failure = report(11, failing_on_wide_images(calls))
    assert "replay with --seed 11" in failure.feedback
    assert "wrong values for an image (1, 2)" in failure.feedback  # the smallest such image
    assert "image = np.array(" in failure.feedback
    assert len(calls) <= properties.CALL_BUDGET
    assert list(tmp_path.iterdir()) == []  # no .hypothesis folder in the learner's folder


def test_the_same_seed_gives_the_same_report_and_another_seed_other_cases():
    first, again = report(5, failing_on_wide_images([])), report(5, failing_on_wide_images([]))
    assert first.feedback == again.feedback
    seen_5, seen_6 = [], []
    report(5, failing_on_wide_images(seen_5))
    report(6, failing_on_wide_images(seen_6))
    assert [case[0].shape for case in seen_5] != [case[0].shape for case in seen_6]


def test_passing_cases_pass_and_a_stub_is_not_attempted():
    properties.run_property(
        cases.sobel_images(), lambda image: None, run_seed=1, name="ok", describe=repr
    )
    calls = []

    def stub(image):
        calls.append(image)
        raise NotAttempted("not attempted: the stub")

    with pytest.raises(NotAttempted):
        properties.run_property(cases.sobel_images(), stub, run_seed=1, name="stub", describe=repr)
    assert len(calls) == 1  # one call tells a stub; no shrinking


def test_a_named_mistake_is_preferred_to_an_unnamed_smaller_case():
    """Tall images show a named mistake, one-row images only 'wrong values': the report names it."""
    named = []

    def check(case):
        image, _kernel = case
        if image.shape[0] >= 2:
            named.append(image.shape)
            raise NamedMistake("your output is transposed")
        if image.shape[1] >= 2:
            raise GradingFailure("wrong values")

    failure = report(3, check)
    assert named, "no generated case showed the named mistake; pick another seed"
    assert failure.diagnosed and "your output is transposed" in failure.feedback


def test_generated_cases_stay_within_the_contract():
    from hypothesis import given, settings

    @settings(max_examples=60, deadline=None, database=None)
    @given(cases.conv_cases())
    def within(case):
        x, kernel, bias, strides, padding = case
        assert x.ndim == 4 and kernel.shape[2] == x.shape[3]
        assert kernel.shape[0] <= x.shape[1] and kernel.shape[1] <= x.shape[2]
        assert bias is None or bias.shape == (kernel.shape[3],)
        assert padding.lower() in ("valid", "same")
        assert x.dtype != np.uint8 or x.max() <= 255

    within()


def test_ex01_generated_cases_shrink_without_hypothesis():
    """ex01's generated cases (no hypothesis: docs/design.md#quality-bars) shrink greedily too."""
    from grader.exercises.hidden import examples

    calls = []
    with pytest.raises(GradingFailure) as raised:
        examples.run_generated(
            np.random.default_rng(4),
            failing_on_wide_images(calls),
            seed=4,
            describe=lambda case: examples.show("image", case[0]),
        )
    assert "wrong values for an image (1, 2)" in raised.value.feedback
    assert "replay with --seed 4" in raised.value.feedback
    assert len(calls) <= examples.CONVOLVE_CASES + examples.SHRINK_CALLS


def test_a_run_that_checked_no_case_is_not_a_pass(monkeypatch):
    """With no call left before the first case (a spent budget), nothing was checked: the grader's
    failure (NothingChecked), never a silent return that the test would count as a pass."""
    from grader import evidence
    from grader.exercises.hidden import examples

    monkeypatch.setattr(properties, "CALL_BUDGET", 0)
    with pytest.raises(evidence.NothingChecked, match="no generated case was checked"):
        properties.run_property(
            cases.sobel_images(),
            lambda image: None,
            run_seed=1,
            name="ex02.sobel_edges",
            describe=repr,
        )
    monkeypatch.setattr(examples, "CONVOLVE_CASES", 0)
    with pytest.raises(evidence.NothingChecked):
        examples.run_generated(np.random.default_rng(1), lambda case: None, seed=1, describe=repr)


def test_an_error_of_the_graders_own_is_raised_even_after_passing_cases():
    """A check that breaks (a grader bug) on the fifth case: the run does not pass on the four
    before it, and the error is not mistaken for the learner's failure."""
    calls = []

    def check(image):
        calls.append(image)
        if len(calls) == 5:
            raise KeyError("a bug in the check")

    with pytest.raises(KeyError):
        properties.run_property(cases.sobel_images(), check, run_seed=2, name="bug", describe=repr)
    assert len(calls) == 5  # stopped there: no shrinking of the grader's own error


def test_no_clock_decides_which_cases_are_checked(monkeypatch):
    """Hours pass between two calls (a busy machine, a fake clock): the same cases are checked,
    all of them; only the worker's own limits stop slow learner code."""
    import time

    def cases_checked() -> list:
        seen = []
        properties.run_property(
            cases.sobel_images(),
            lambda image: seen.append(image.tobytes()),
            run_seed=9,
            name="ex02.sobel_edges",
            describe=repr,
        )
        return seen

    idle = cases_checked()
    clock = [time.monotonic()]

    def slow_clock() -> float:
        clock[0] += 3600.0
        return clock[0]

    monkeypatch.setattr(time, "monotonic", slow_clock)
    assert cases_checked() == idle and len(idle) == properties.EXAMPLES
