"""ex04's public tests are a ramp: one filter over three channels, two filters and a bias, the
stride, then "same" padding, in that order, and each step names the mistake it catches."""

from __future__ import annotations

from tests.conftest import FIXTURES, SOLUTIONS

STEPS = [
    "conv2d: step 1, one 3x3x3 filter over the course's 6x6x3 input gives 4x4",
    "conv2d: step 2, the course's 6x6x3 input with two 3x3x3 filters and a bias gives 4x4x2",
    "conv2d: step 3, stride 2 on a 7x7 input with a 3x3 filter gives 3x3",
    'conv2d: step 4, "same" padding keeps a 4x4 input 4x4',
]
HIDDEN_FIRST = [
    "conv2d: each filter sums over all four input channels",
    "conv2d: one bias per filter, and bias=None",
    'conv2d: a batch of three images (and of two, with "same"), each convolved on its own',
]


def public_tests(item: dict) -> list[dict]:
    return [test for test in item["tests"] if test["visibility"] == "public"]


def test_the_public_steps_come_in_order_and_the_solution_passes_them(grade):
    item = grade("ex04", "--submission", SOLUTIONS, "--format", "json", "--lang", "en").item("ex04")
    assert [test["name"] for test in public_tests(item)] == STEPS
    assert all(test["status"] == "passed" for test in item["tests"])
    hidden = [test["name"] for test in item["tests"] if test["visibility"] == "hidden"]
    assert hidden[:3] == HIDDEN_FIRST  # the hidden suite starts where the public ramp does


def test_one_map_per_input_channel_fails_step_1_and_says_why(grade, make_submission):
    """A filter that keeps each channel's sum apart (a depthwise filter) is not a conv layer."""
    source = (SOLUTIONS / "ex04_stride.py").read_text(encoding="utf-8")
    source = source.replace(
        "out = np.zeros((batch, out_h, out_w, c_out), dtype=dtype)",
        "out = np.zeros((batch, out_h, out_w, c_in * c_out), dtype=dtype)",
    )
    source = source.replace(
        "out += under @ kernel[a, b]",
        "out += (under[..., :, None] * kernel[a, b]).reshape(out.shape)",
    )
    source = source.replace(
        "out += bias.astype(dtype)", "out += np.repeat(bias.astype(dtype), c_in)"
    )
    item = grade(
        "ex04", "--submission", make_submission(ex04=source), "--format", "json", "--lang", "en"
    ).item("ex04")
    step_1, step_2, step_3, step_4 = public_tests(item)
    assert (
        step_1["status"] == "failed"
        and "each input channel got a map of its own" in step_1["feedback"]
    )
    assert step_2["status"] == "failed"
    assert step_3["status"] == step_4["status"] == "passed"  # one channel in: nothing to keep apart


def test_a_filter_that_reads_one_channel_fails_step_1_by_name(grade, make_submission):
    source = (FIXTURES / "buggy" / "conv_first_channel_only.py").read_text(encoding="utf-8")
    item = grade(
        "ex04", "--submission", make_submission(ex04=source), "--format", "json", "--lang", "en"
    ).item("ex04")
    step_1 = public_tests(item)[0]
    assert (
        step_1["status"] == "failed"
        and "only the first input channel is used" in step_1["feedback"]
    )
