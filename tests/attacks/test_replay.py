"""Red team: a submission that only replays answers earns at most a fifth of any exercise, and
no hidden test's feedback holds its expected value (docs/design.md#hidden-stays-hidden).

A harvester grades a sentinel submission (stock answers of the right kind, every test fails)
with several seeds, and a few buggy ones, through the real CLI, and reads every value it can
out of the feedback (tests/attacks/replay_files.py). Its replay files answer from that table
and from the public suites' own cases (which learners have), and otherwise raise ValueError or
return a stock answer; graded with a fresh seed, each exercise earns at most 20%. A stronger
table, the right answer to every case the suites checked under two other seeds (public, hidden
and generated alike), does no better. ex07 (a model) and the quizzes are not replayable.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import numpy as np
import pytest

from grader.course.catalogue import load_catalogue
from grader.exercises.ex02 import test_public as public_ex02
from grader.exercises.ex03.hidden import reference as ref_ex03
from grader.exercises.ex04.hidden import reference as ref_ex04
from grader.exercises.ex04.hidden import test_hidden as suite_ex04
from grader.exercises.ex06.hidden import reference as ref_ex06
from grader.exercises.ex09.hidden import reference as ref_ex09
from grader.exercises.ex09.hidden import test_hidden as suite_ex09
from tests.attacks import replay_files
from tests.buggy_solutions import buggy_source
from tests.conftest import FIXTURES, SOLUTIONS, run_grade
from tests.suites.recording import record

pytestmark = pytest.mark.slow

EXERCISES = ("ex01", "ex02", "ex03", "ex04", "ex05", "ex06", "ex08", "ex09")
HARVEST_SEEDS = (101, 202, 303, 404, 505)
FRESH_SEED = 918_273_645  # drawn by nobody above: official grading uses a fresh secret seed
REPLAY_SHARE = 0.2  # the most a replay may earn of any exercise
BUGGY = FIXTURES / "buggy"
# Buggy submissions that fail hidden fixed cases first: their feedback is read for answers too,
# and searched for those cases' expected values.
BUGGY_SUBMISSIONS = {
    "first": {
        "ex03": BUGGY / "same_padding_wrong_side.py",
        "ex04": BUGGY / "conv_bias_ignored.py",
        "ex06": BUGGY / "size_true_division.py",
        "ex09": buggy_source("ex09_field_kernel_sum")[1],
    },
    "second": {
        "ex06": BUGGY / "shape_same_floor.py",
        "ex09": buggy_source("ex09_cost_input_size")[1],
    },
}
SENTINEL = """import numpy as np


def _zeros(*args):
    arrays = [arg for arg in args if isinstance(arg, np.ndarray)]
    return np.full(arrays[0].shape, -7.0) if arrays else -7


def filter_response(*args, **kwargs): return -7.0
def convolve2d(*args, **kwargs): return _zeros(*args)
def sobel_edges(image, *args, **kwargs): return tuple(np.full(image.shape, -7.0) for _ in range(3))
def zero_pad(*args, **kwargs): return _zeros(*args)
def same_padding(*args, **kwargs): return (-7, -7)
def conv2d(*args, **kwargs): return _zeros(*args)
def max_pool2d(*args, **kwargs): return _zeros(*args)
def conv_output_size(*args, **kwargs): return -7
def conv_output_shape(*args, **kwargs): return (-7, -7, -7)
def pool_output_shape(*args, **kwargs): return (-7, -7, -7)
def conv2d_param_count(*args, **kwargs): return -7
def dense_param_count(*args, **kwargs): return -7
def conv_backward(d_out, x, kernel, *args, **kwargs):
    return np.full(x.shape, -7.0), np.full(kernel.shape, -7.0), np.full(kernel.shape[-1], -7.0)
def max_pool_backward(d_out, x, *args, **kwargs): return np.full(x.shape, -7.0)
def receptive_field(*args, **kwargs): return -7
def conv2d_multiply_adds(*args, **kwargs): return -7
def pointwise_conv(*args, **kwargs): return _zeros(*args)
SOBEL_X = np.full((3, 3), -7.0)
SOBEL_Y = np.full((3, 3), -7.0)
"""
SENTINEL_ANSWERS = {"-7", "-7.0", "(-7, -7)", "(-7, -7, -7)"}


def write_submission(folder: Path, files: dict[str, str | Path]) -> Path:
    catalogue = load_catalogue()
    folder.mkdir(parents=True, exist_ok=True)
    for exercise_id, content in files.items():
        target = folder / catalogue.item(exercise_id).file
        target.write_text(
            content if isinstance(content, str) else content.read_text(encoding="utf-8"),
            encoding="utf-8",
        )
    return folder


def graded(folder: Path, seed: int, *ids: str) -> dict:
    run = run_grade(
        *(ids or ("--all",)), "--submission", folder, "--format", "json", "--seed", str(seed)
    )
    assert run.exit_code == 1, run.stdout[-2000:] + run.stderr[-2000:]
    return run.json()


@pytest.fixture(scope="module")
def harvested(tmp_path_factory) -> list[dict]:
    """The reports of every harvesting grading: the sentinel under several seeds, the buggy
    submissions under the first."""
    base = tmp_path_factory.mktemp("harvest")
    sentinel = write_submission(base / "sentinel", dict.fromkeys(EXERCISES, SENTINEL))
    reports = [graded(sentinel, seed, *EXERCISES) for seed in HARVEST_SEEDS]
    for name, files in BUGGY_SUBMISSIONS.items():
        reports.append(
            {
                "buggy": name,
                **graded(write_submission(base / name, files), HARVEST_SEEDS[0], *files),
            }
        )
    return reports


@pytest.fixture(scope="module")
def public_answers() -> dict[str, object]:
    """Every public case with its answer, as a learner reads them in the public suites."""
    recording, _values = record(list(EXERCISES), SOLUTIONS, seed=0, visibilities=("public",))
    return {call.key: call.answer for call in recording.calls if call.raised is None}


def replay_folder(folder: Path, exact: dict, described: dict, mode: str) -> Path:
    constants = {"SOBEL_X": public_ex02.SOBEL_X, "SOBEL_Y": public_ex02.SOBEL_Y}
    replay_table = replay_files.table(exact, described, constants)
    catalogue = load_catalogue()
    return write_submission(
        folder,
        {
            exercise_id: replay_files.replay_source(
                catalogue.item(exercise_id).functions, replay_table, mode
            )
            for exercise_id in EXERCISES
        },
    )


def assert_replay_earns_at_most_a_fifth(report: dict) -> None:
    for item in report["exercises"]:
        public = [test for test in item["tests"] if test["visibility"] == "public"]
        passed = [test["name"] for test in item["tests"] if test["status"] == "passed"]
        # The replay works as an attack: every public case is in its table, so it earns those.
        assert all(test["status"] == "passed" for test in public), (item["id"], public)
        assert item["score"] <= REPLAY_SHARE * item["max_score"] + 1e-9, (
            item["id"],
            item["score"],
            passed,
        )


@pytest.mark.parametrize("mode", ["raise", "default"])
def test_a_replay_of_feedback_and_public_answers_earns_at_most_a_fifth(
    harvested, public_answers, tmp_path, mode
):
    described = replay_files.harvest(harvested, SENTINEL_ANSWERS)
    assert any(call.startswith("receptive_field(") for call in described), (
        "the harvester read nothing"
    )
    folder = replay_folder(tmp_path / "replay", public_answers, described, mode)
    assert_replay_earns_at_most_a_fifth(graded(folder, FRESH_SEED, *EXERCISES))


def test_a_table_of_every_case_checked_at_other_seeds_earns_at_most_a_fifth(tmp_path):
    """The strongest table a learner could hold: the right answer to every case the suites
    checked under two other seeds, hidden fixed cases included."""
    exact = {}
    for seed in HARVEST_SEEDS[:2]:
        recording, _values = record(list(EXERCISES), SOLUTIONS, seed)
        exact.update({call.key: call.answer for call in recording.calls if call.raised is None})
    folder = replay_folder(tmp_path / "oracle", exact, {}, "raise")
    assert_replay_earns_at_most_a_fifth(graded(folder, FRESH_SEED, *EXERCISES))


def feedback_of(reports: list[dict], buggy: str, exercise_id: str, name_start: str) -> str:
    report = next(report for report in reports if report.get("buggy") == buggy)
    item = next(item for item in report["exercises"] if item["id"] == exercise_id)
    test = next(test for test in item["tests"] if test["name"].startswith(name_start))
    assert test["visibility"] == "hidden" and test["status"] == "failed", test
    return test["feedback"]


def shows(feedback: str, value: object) -> bool:
    """Whether `value` (a number or a tuple) appears in `feedback` as itself, not inside
    another number (7 in 17 or 7.5 does not count)."""
    text = (
        re.escape(repr(value)) if isinstance(value, tuple) else rf"(?<![\d.]){value}(?![\d]|\.\d)"
    )
    return re.search(text, feedback) is not None


@pytest.mark.parametrize(
    ("buggy", "exercise_id", "test_name", "call", "expected"),
    [
        (
            "first",
            "ex09",
            "receptive_field: stacks of 3x3",
            "receptive_field([(3, 1), (3, 1), (3, 1)])",
            ref_ex09.receptive_field(suite_ex09.FIELD_CASES["vgg"]),
        ),
        (
            "first",
            "ex09",
            "receptive_field: stacks with pooling",
            "receptive_field([(7, 2), (3, 2), (3, 1)])",
            ref_ex09.receptive_field(suite_ex09.FIELD_CASES["strided_first"]),
        ),
        (
            "second",
            "ex09",
            "conv2d_multiply_adds: valid and same",
            "conv2d_multiply_adds((28, 28, 1), 32, 3",
            ref_ex09.multiply_adds(*suite_ex09.COST_CASES["valid"]),
        ),
        (
            "first",
            "ex03",
            "same_padding: strides from 2 to 4",
            "same_padding(7, 4, 3)",
            ref_ex03.same_pads(7, 4, 3),
        ),
        (
            "first",
            "ex06",
            "conv_output_size: strides that do not divide",
            "conv_output_size(7, 2, 2, 0)",
            ref_ex06.window_count(7, 2, 2, 0),
        ),
        (
            "second",
            "ex06",
            "conv_output_shape: 'same' padding with strides",
            "conv_output_shape((7, 7, 1)",
            lambda filters: ref_ex06.conv_shape((7, 7, 1), filters, 3, 2, "same"),
        ),
    ],
)
def test_a_hidden_fixed_case_never_shows_its_expected_value(
    harvested, buggy, exercise_id, test_name, call, expected
):
    feedback = feedback_of(harvested, buggy, exercise_id, test_name)
    assert call in feedback, feedback  # the failure is about this very case
    if callable(expected):  # the case's filter count is drawn from the seed: read it from the call
        expected = expected(int(re.search(re.escape(call) + r", (\d+),", feedback)[1]))
    assert not shows(feedback, expected), feedback
    assert "expected" not in feedback.split("\n")[0], feedback


def test_a_hidden_array_never_shows_an_expected_cell(harvested):
    """ex04's bias test with the bias ignored: the feedback says where the output differs and
    what came back there, never what was expected there (it used to print one such cell)."""
    feedback = feedback_of(harvested, "first", "ex04", "conv2d: one bias per filter")
    rng = np.random.default_rng(
        [HARVEST_SEEDS[0], zlib.crc32(b"ex04/hidden/test_hidden.py::test_bias")]
    )
    x, kernel, bias = suite_ex04.FIXED_CASES["bias"].arrays(rng)
    expected = ref_ex04.conv2d(x, kernel, bias)
    index = tuple(int(i) for i in re.search(r"at index \(([\d, ]+)\)", feedback)[1].split(","))
    assert f"{expected[index] - bias[index[-1]]:.6g}" in feedback  # what the buggy file returned
    assert f"{expected[index]:.6g}" not in feedback, feedback
