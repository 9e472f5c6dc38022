"""Red team: ex08 and ex09 against returns a learner picks to earn points for nothing
or to break the trusted side's checks.

`returns_a_constant_tuple` once earned ex08's "inputs are not modified" points with
`return (0, 0, 0)`: that test only looked at the kind of answer. `weird_returns` cycles through
None, strings, huge ints, NaN, bools, dicts, ragged lists, tuples of the wrong length, arrays of
the wrong shape, dtype (bool, float16, uint64, complex, datetime), size and magnitude: each is a
0-point test with feedback, in English and Korean, and the report never quotes a huge value or
a hidden array in full.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import SOLUTIONS

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FEEDBACK_CHARACTERS = 25_000  # one test's feedback, at most


def _report(grade, tmp_path: Path, folder: Path, lang: str, *ids: str) -> dict:
    out = tmp_path / f"report-{lang}.json"
    run = grade(*ids, "--submission", folder, "--format", "json", "--output", out, "--lang", lang)
    assert run.exit_code == 1, run.stdout + run.stderr
    return {
        exercise["id"]: exercise
        for exercise in json.loads(out.read_text(encoding="utf-8"))["exercises"]
    }


def test_a_constant_tuple_earns_nothing_in_ex08(grade, make_submission, tmp_path):
    folder = make_submission(ex08=FIXTURES / "returns_a_constant_tuple", ex06=SOLUTIONS)
    exercises = _report(grade, tmp_path, folder, "en", "ex08", "ex06")
    assert exercises["ex08"]["score"] == 0, [
        t["name"] for t in exercises["ex08"]["tests"] if t["score"]
    ]
    assert exercises["ex06"]["score"] == exercises["ex06"]["max_score"]
    unchanged = next(t for t in exercises["ex08"]["tests"] if "not modified" in t["name"])
    assert "d_x" in unchanged["feedback"]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_weird_returns_are_zero_point_tests_not_grader_failures(
    grade, make_submission, tmp_path, lang
):
    folder = make_submission(
        ex08=FIXTURES / "weird_returns", ex09=FIXTURES / "weird_returns", ex06=SOLUTIONS
    )
    exercises = _report(grade, tmp_path, folder, lang, "ex08", "ex09", "ex06")
    assert exercises["ex08"]["score"] == 0 and exercises["ex09"]["score"] == 0
    assert exercises["ex06"]["score"] == exercises["ex06"]["max_score"]
    for exercise in ("ex08", "ex09"):
        for test in exercises[exercise]["tests"]:
            assert test["feedback"].strip(), test["name"]
            assert len(test["feedback"]) <= FEEDBACK_CHARACTERS, test["name"]
            assert "Traceback" not in test["feedback"] and "grader/" not in test["feedback"]


@pytest.mark.parametrize("seed", [1, 2])
def test_any_value_returned_is_a_failed_test_never_an_error(grade, tmp_path, seed):
    """Every exercise but ex07 (whose answer is a model): the grader checks each value itself."""
    out = tmp_path / "report.json"
    ids = ["ex01", "ex02", "ex03", "ex04", "ex05", "ex06", "ex08", "ex09"]
    run = grade(
        *ids,
        "--submission",
        FIXTURES / "returns_anything",
        "--format",
        "json",
        "--output",
        out,
        "--seed",
        str(seed),
        "--lang",
        "en",
    )
    assert run.exit_code == 1, run.stdout + run.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    tests = [
        (exercise["id"], test) for exercise in report["exercises"] for test in exercise["tests"]
    ]
    errors = [
        (item, test["name"], test["feedback"][:200])
        for item, test in tests
        if test["status"] == "error"
    ]
    assert errors == []
    assert [(item, test["name"]) for item, test in tests if test["score"]] == [
        ("ex02", "SOBEL_X and SOBEL_Y: the two 3x3 Sobel kernels")
    ]  # the constants are the right ones
    assert all(test["feedback"].strip() for _item, test in tests if test["status"] != "passed")


class _ArraysForTuples:
    """A learner whose functions give the right numbers as an array, not a tuple, where one
    more call tells mistakes apart."""

    @staticmethod
    def pool_output_shape(input_shape, pool_size=(2, 2), strides=None, padding="valid"):
        from grader.exercises.ex06.hidden.reference import pool_shape

        return np.array(pool_shape(input_shape, pool_size, strides, padding))

    @staticmethod
    def same_padding(size, kernel_size, stride=1):
        from grader.exercises.ex03.hidden.reference import same_pads

        pads = same_pads(size, kernel_size, stride)
        return pads if stride == 1 else np.array(pads)  # an array only where it is probed


def _ex06_defaults(learner) -> None:
    from grader.exercises.ex06.hidden import test_hidden

    test_hidden.test_pool_output_shape_defaults(learner, np.random.default_rng(0))


def _ex03_stride_1(learner) -> None:
    from grader.exercises.ex03 import test_public

    test_public.test_same_padding_stride_1(learner)


@pytest.mark.parametrize(
    ("suite_test", "earned"),
    [
        pytest.param(_ex06_defaults, False, id="ex06: every answer an array"),
        pytest.param(
            _ex03_stride_1, True, id="ex03: the graded answers right, the probe's an array"
        ),
    ],
)
def test_an_array_answer_to_an_extra_call_is_judged_never_an_error(suite_test, earned):
    """Tests that make one more call to tell mistakes apart (is the stride honoured? which
    even split?) once compared its answer with `==`: an array made that an array, whose truth
    the grader could not take (exit 3). The test is a verdict: points for the graded calls."""
    from grader.failures import GradingFailure

    try:
        suite_test(_ArraysForTuples())
    except GradingFailure:
        assert not earned
    else:
        assert earned
