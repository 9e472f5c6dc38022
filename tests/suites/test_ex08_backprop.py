"""ex08 end to end: the solution and honest loops get full marks, the stub zero, and each
realistic buggy version (tests/fixtures/buggy/ex08_*.yaml) loses points with feedback that names
its mistake."""

from __future__ import annotations

import pytest

from tests.conftest import SOLUTIONS
from tests.suites.contract import (
    assert_bug_is_named,
    assert_honest_loops_get_full_marks,
    assert_solution_gets_full_marks,
    assert_stub_is_not_attempted,
    buggy_names,
)

# buggy version -> a phrase the feedback of some failed test must contain
NAMED_MISTAKES = {
    "ex08_pool_every_cell": "every cell of a window got the window's gradient",
    "ex08_pool_all_ties": "every tied maximum got the gradient",
    "ex08_pool_overwrites": "overlapping windows overwrite each other's gradient",
    "ex08_pool_zero_padding": "a padded cell won the max",
    "ex08_conv_kernel_not_flipped": "kernel[::-1, ::-1]",
    "ex08_conv_stride_not_dilated": "the stride does not dilate the upstream gradient",
    "ex08_conv_bias_not_summed_over_batch": "d_bias is not summed over the batch axis N",
    "ex08_conv_padding_not_cropped": "d_x still has the padding",
    "ex08_conv_cropped_at_the_end": "you cropped the padding from the bottom/right only",
    "ex08_conv_kernel_gradient_first_image": "d_kernel holds the first image only",
    "ex08_conv_bias_one_number": "d_bias is one number",
    "ex08_conv_gradients_in_wrong_order": "return the gradients in the order (d_x, d_kernel, d_bias)",
    "ex08_conv_kernel_gradient_padding_misplaced": "d_kernel pairs d_out with an input padded in the wrong place",
}


@pytest.mark.parametrize("seed", ["11", "4242"])
def test_solution_gets_full_marks(grade, seed):
    assert_solution_gets_full_marks(grade, "ex08", 20, seed)


def test_honest_loops_get_full_marks(grade):
    assert_honest_loops_get_full_marks(grade, "ex08")


def test_stub_scores_zero_as_not_attempted(grade):
    assert_stub_is_not_attempted(grade, "ex08")


def test_every_buggy_version_is_listed():
    assert buggy_names("ex08") == sorted(NAMED_MISTAKES)


@pytest.mark.parametrize("name", sorted(NAMED_MISTAKES))
def test_bug_loses_points_and_is_named(grade, tmp_path, name):
    assert_bug_is_named(grade, "ex08", name, NAMED_MISTAKES[name], tmp_path / name)


def test_gradient_tape_is_a_forbidden_shortcut(make_submission, grade):
    """ex08 is not a TensorFlow exercise: a learner may not let GradientTape do the work."""
    source = (
        (SOLUTIONS / "ex08_backprop.py")
        .read_text(encoding="utf-8")
        .replace("import numpy as np\n", "import numpy as np\nimport tensorflow as tf\n", 1)
    )
    item = grade("ex08", "--submission", make_submission(ex08=source), "--format", "json").item(
        "ex08"
    )
    assert item["score"] == 0
    assert all("tensorflow" in test["feedback"].lower() for test in item["tests"])
