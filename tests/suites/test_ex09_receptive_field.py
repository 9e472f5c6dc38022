"""ex09 end to end: the solution and honest loops get full marks, the stub zero, and each
realistic buggy version (tests/fixtures/buggy/ex09_*/) loses points with feedback that names
its mistake."""

from __future__ import annotations

import pytest

from tests.conftest import FIXTURES, SOLUTIONS, STUBS, SUBMISSION_FIXTURES

BUGGY = FIXTURES / "buggy"
SEED = "2024"
# folder -> a phrase the feedback of some failed test must contain
NAMED_MISTAKES = {
    "ex09_field_strides_ignored": "you ignored the strides",
    "ex09_field_own_stride": "you multiplied by the layer's own stride",
    "ex09_field_kernel_sum": "you added the kernel sizes",
    "ex09_cost_no_input_channels": "C_in is missing",
    "ex09_cost_input_size": "you used the input's H and W",
    "ex09_cost_parameters": "that is the parameter count",
    "ex09_cost_square_kernel": "the kernel is not square here",
    "ex09_pointwise_input_dtype": "compute in floating point",
    "ex09_pointwise_no_mixing": "each output channel comes from one input channel only",
    "ex09_pointwise_transposed": "the kernel's last two axes are swapped",
}


def failures(item: dict) -> list[str]:
    return [f"{test['name']}: {test['feedback']}" for test in item["tests"] if test["status"] != "passed"]


@pytest.mark.parametrize("seed", ["11", "4242"])
def test_solution_gets_full_marks(grade, seed):
    item = grade("ex09", "--submission", SOLUTIONS, "--format", "json", "--seed", seed).item("ex09")
    assert item["score"] == item["max_score"] == 15, failures(item)


def test_honest_loops_get_full_marks(grade):
    run = grade("ex09", "--submission", SUBMISSION_FIXTURES / "honest_loops", "--format", "json")
    assert run.exit_code == 0, failures(run.item("ex09"))
    assert run.json()["execution_time"] < 15


def test_stub_scores_zero_as_not_attempted(grade):
    item = grade("ex09", "--submission", STUBS, "--format", "json").item("ex09")
    assert item["score"] == 0 and item["status"] == "not_attempted"
    assert all(test["feedback"].startswith("not attempted") for test in item["tests"])


def test_every_buggy_folder_is_listed():
    assert sorted(path.name for path in BUGGY.glob("ex09_*")) == sorted(NAMED_MISTAKES)


@pytest.mark.parametrize("folder", sorted(NAMED_MISTAKES))
def test_bug_loses_points_and_is_named(grade, folder):
    item = grade("ex09", "--submission", BUGGY / folder, "--format", "json", "--seed", SEED).item("ex09")
    assert item["score"] < item["max_score"], f"{folder} got full marks"
    failed = [test for test in item["tests"] if test["status"] != "passed"]
    assert all(test["status"] == "failed" for test in failed), failed
    phrase = NAMED_MISTAKES[folder].lower()
    assert any(phrase in test["feedback"].lower() for test in failed), failures(item)
