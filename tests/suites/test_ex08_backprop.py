"""ex08 end to end: the solution and honest loops get full marks, the stub zero, and each
realistic buggy version (tests/fixtures/buggy/ex08_*/) loses points with feedback that names
its mistake."""

from __future__ import annotations

import pytest

from tests.conftest import FIXTURES, SOLUTIONS, STUBS, SUBMISSION_FIXTURES

BUGGY = FIXTURES / "buggy"
SEED = "2024"
# folder -> a phrase the feedback of some failed test must contain
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


def failures(item: dict) -> list[str]:
    return [f"{test['name']}: {test['feedback']}" for test in item["tests"] if test["status"] != "passed"]


@pytest.mark.parametrize("seed", ["11", "4242"])
def test_solution_gets_full_marks(grade, seed):
    item = grade("ex08", "--submission", SOLUTIONS, "--format", "json", "--seed", seed).item("ex08")
    assert item["score"] == item["max_score"] == 20, failures(item)


def test_honest_loops_get_full_marks(grade):
    run = grade("ex08", "--submission", SUBMISSION_FIXTURES / "honest_loops", "--format", "json")
    assert run.exit_code == 0, failures(run.item("ex08"))
    assert run.json()["execution_time"] < 15


def test_stub_scores_zero_as_not_attempted(grade):
    item = grade("ex08", "--submission", STUBS, "--format", "json").item("ex08")
    assert item["score"] == 0 and item["status"] == "not_attempted"
    assert all(test["feedback"].startswith("not attempted") for test in item["tests"])


def test_every_buggy_folder_is_listed():
    assert sorted(path.name for path in BUGGY.glob("ex08_*")) == sorted(NAMED_MISTAKES)


@pytest.mark.parametrize("folder", sorted(NAMED_MISTAKES))
def test_bug_loses_points_and_is_named(grade, folder):
    item = grade("ex08", "--submission", BUGGY / folder, "--format", "json", "--seed", SEED).item("ex08")
    assert item["score"] < item["max_score"], f"{folder} got full marks"
    failed = [test for test in item["tests"] if test["status"] != "passed"]
    assert all(test["status"] == "failed" for test in failed), failed
    phrase = NAMED_MISTAKES[folder].lower()
    assert any(phrase in test["feedback"].lower() for test in failed), failures(item)


def test_gradient_tape_is_a_forbidden_shortcut(make_submission, grade):
    """ex08 is not a TensorFlow exercise: a learner may not let GradientTape do the work."""
    source = (SOLUTIONS / "ex08_backprop.py").read_text(encoding="utf-8").replace(
        "import numpy as np\n", "import numpy as np\nimport tensorflow as tf\n", 1)
    item = grade("ex08", "--submission", make_submission(ex08=source), "--format", "json").item("ex08")
    assert item["score"] == 0
    assert all("tensorflow" in test["feedback"].lower() for test in item["tests"])
