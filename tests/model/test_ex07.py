"""ex07 end to end: the solution, the stub and broken models, graded as a learner's would be.

Each submission is graded once per session through the real CLI (JSON report) and the tests
read that report. Models the grader has trained before in this process are not trained again
(grader.model.judge caches by the model's fingerprint), so the whole module trains five models.
"""

from __future__ import annotations

import pytest

from tests.conftest import SOLUTIONS, STUBS, SUBMISSION_FIXTURES, run_grade

pytestmark = pytest.mark.slow

SOFTMAX = "the last layer is Dense(num_classes) with softmax"
LAYERS = "the model has Conv2D, MaxPooling2D and Flatten layers"
BUDGET = "the model stays within the parameter budget"
ACCURACY = "trained by the grader, it reaches the target test accuracy"
SHAPES = {"build_model honours input_shape and num_classes [28x28x1, 3 classes]",
          "build_model honours input_shape and num_classes [16x12x3, 5 classes]"}

# fixture folder -> (score, the tests it fails, words its feedback must contain)
# A dense-only model trains to about 95% on the digits: whether it meets the target depends on
# the run's secret split, so its accuracy test may fail too (and its score be 12 or 18).
BORDERLINE = {"ex07_dense_only": ACCURACY}
BROKEN_MODELS = {
    "ex07_no_softmax": (18, {SOFTMAX}, ["the last layer has no softmax", "raw scores",
                                        "(8 - 3 + 2*1) // 1 + 1 = 8", "3*3*1*32 + 32 = 320"]),
    "ex07_dense_only": (18, {LAYERS}, ["no Conv2D layer", "no MaxPooling2D layer", "8*8*1 = 64"]),
    "ex07_hard_coded_shapes": (17, SHAPES, ["input is (8, 8, 1), not (28, 28, 1)",
                                            "output is (10,), not (3,)", "Dense(num_classes"]),
    "ex07_too_many_parameters": (18, {BUDGET}, ["134,218 parameters", "budget of 50,000",
                                                "512*256 + 256 = 131,328"]),
    "ex07_diverging_optimiser": (14, {ACCURACY}, ["loss blew up", "epoch 1",
                                                  "SGD with learning rate 1000"]),
}

_reports: dict[str, dict] = {}


def graded(folder) -> dict:
    """The JSON report of `grade ex07 --submission folder` (graded once per session)."""
    key = str(folder)
    if key not in _reports:
        run = run_grade("ex07", "--submission", folder, "--format", "json")
        assert run.exit_code in (0, 1), run.stdout + run.stderr
        report = run.json()
        report["exit_code"] = run.exit_code
        _reports[key] = report
    return _reports[key]


def ex07(report: dict) -> dict:
    (item,) = report["exercises"]
    return item


def failing(item: dict) -> dict[str, str]:
    return {test["name"]: test["feedback"] for test in item["tests"] if test["status"] != "passed"}


def test_the_solution_gets_full_marks():
    report = graded(SOLUTIONS)
    item = ex07(report)
    assert report["exit_code"] == 0
    assert (item["score"], item["max_score"], item["status"]) == (20, 20, "passed")
    assert failing(item) == {}
    accuracy = next(test for test in item["tests"] if "accuracy" in test["name"])
    assert accuracy["feedback"].startswith("test accuracy ") and "Your model, layer by layer" in accuracy["feedback"]


def test_the_stub_gets_zero_and_is_not_attempted():
    report = graded(STUBS)
    item = ex07(report)
    assert report["exit_code"] == 1
    assert (item["score"], item["status"]) == (0, "not_attempted")
    assert all("not attempted" in test["feedback"] for test in item["tests"])
    assert all("Traceback" not in test["feedback"] for test in item["tests"])


@pytest.mark.parametrize("fixture", BROKEN_MODELS)
def test_a_broken_model_loses_the_right_points_with_teaching_feedback(fixture):
    score, failed, words = BROKEN_MODELS[fixture]
    item = ex07(graded(SUBMISSION_FIXTURES / fixture))
    feedback = failing(item)
    borderline = {BORDERLINE[fixture]} if fixture in BORDERLINE else set()
    assert failed <= set(feedback) <= failed | borderline
    assert item["score"] == score - sum(test["max_score"] for test in item["tests"]
                                        if test["name"] in set(feedback) & borderline)
    text = "\n".join(feedback.values())
    for word in words:
        assert word in text, f"{fixture}: {word!r} not in the feedback:\n{text}"


def test_a_lambda_layer_is_refused_and_scores_nothing():
    item = ex07(graded(SUBMISSION_FIXTURES / "ex07_lambda_layer"))
    assert item["score"] == 0 and item["status"] == "failed"
    assert all("Lambda layer" in test["feedback"] for test in item["tests"])


def test_the_text_report_shows_the_layer_table(grade, make_submission):
    folder = make_submission(ex07=SUBMISSION_FIXTURES / "ex07_too_many_parameters")  # text runs save progress
    run = grade("ex07", "--submission", folder)
    assert run.exit_code == 1
    assert "Your model, layer by layer:" in run.stdout
    table_rows = [line for line in run.stdout.splitlines() if "Flatten" in line and "(512,)" in line]
    assert table_rows and "4*4*32 = 512" in table_rows[0]  # kept on one line, not wrapped
