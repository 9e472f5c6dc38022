"""ex09 end to end: the solution and honest loops get full marks, the stub zero, and each
realistic buggy version (tests/fixtures/buggy/ex09_*.yaml) loses points with feedback that names
its mistake."""

from __future__ import annotations

import pytest

from tests.suites.contract import (
    assert_bug_is_named,
    assert_honest_loops_get_full_marks,
    assert_solution_gets_full_marks,
    assert_stub_is_not_attempted,
    buggy_names,
)

# buggy version -> a phrase the feedback of some failed test must contain
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


@pytest.mark.parametrize("seed", ["11", "4242"])
def test_solution_gets_full_marks(grade, seed):
    assert_solution_gets_full_marks(grade, "ex09", 15, seed)


def test_honest_loops_get_full_marks(grade):
    assert_honest_loops_get_full_marks(grade, "ex09")


def test_stub_scores_zero_as_not_attempted(grade):
    assert_stub_is_not_attempted(grade, "ex09")


def test_every_buggy_version_is_listed():
    assert buggy_names("ex09") == sorted(NAMED_MISTAKES)


@pytest.mark.parametrize("name", sorted(NAMED_MISTAKES))
def test_bug_loses_points_and_is_named(grade, tmp_path, name):
    assert_bug_is_named(grade, "ex09", name, NAMED_MISTAKES[name], tmp_path / name)
