"""ex07 end to end: the solution, the stub and broken models, graded as a learner's would be.

Each submission is graded once per session through the real CLI (JSON report) and the tests
read that report (and the text format rendered from the same grading's Report). Models the
grader has trained before in this process are not trained again (grader.model.judge caches by
the model's fingerprint, settings and run seed): every grading here uses TRAINING_SEED, so the
whole module trains each model once. Workers and trainers are forked from servers that
imported Keras once (tests/keras_servers.py), as in `grade batch`.
"""

from __future__ import annotations

import click
import pytest

from grader.cli import commands
from grader.model import judge as judge_module
from grader.model.judge import TrainingOutcome
from grader.reports.registry import render
from grader.results import Report
from tests.conftest import SOLUTIONS, STUBS, SUBMISSION_FIXTURES, run_grade
from tests.keras_servers import keras_imported_once
from tests.model.test_trainer import MARGIN, TRAINING
from tests.test_korean_output import english_in, run_korean
from tests.test_pictures import PNG_MAGIC, _pictures

pytestmark = pytest.mark.slow
TRAINING_SEED = 0  # every grading here (and the pictures' run seed): a model is trained once

SOFTMAX = "the last layer is Dense(num_classes) with softmax"
LAYERS = "the model has Conv2D, MaxPooling2D and Flatten layers"
LOSS = "the model is compiled with a loss for integer labels"
BUDGET = "the model stays within the parameter budget"
ACCURACY = "trained by the grader, it reaches the target test accuracy"
SHAPES = {
    "build_model honours input_shape and num_classes [28x28x1 -> 3]",
    "build_model honours input_shape and num_classes [16x12x3 -> 5]",
}

TABLE = "Your model, layer by layer:"

# fixture folder -> (score, the tests it fails, words its feedback must contain, words it must not)
# FIRST: words the first failing test (in report order: public tests first) must say, naming the
# model's mistake where a learner reads first
# A dense-only model trains to about 95% on the digits, but it is not a CNN: its accuracy earns
# nothing whatever the run's split, and the feedback says why.
BROKEN_MODELS = {
    "ex07_no_softmax": (
        19,
        {SOFTMAX},
        [
            "the last layer has no softmax",
            "raw scores",
            "(8 - 3 + 2*1) // 1 + 1 = 8",
            "3*3*1*32 + 32 = 320",
        ],
        ["expects probabilities"],  # its loss is told from_logits=True
    ),
    "ex07_dense_only": (
        8,
        {LAYERS, ACCURACY},
        ["no Conv2D layer", "no MaxPooling2D layer", "8*8*1 = 64", "accuracy points are for a CNN"],
        [],
    ),
    "ex07_hard_coded_shapes": (
        17,
        SHAPES,
        ["input is (8, 8, 1), not (28, 28, 1)", "output is (10,), not (3,)", "Dense(num_classes"],
        [],
    ),
    "ex07_too_many_parameters": (
        19,
        {BUDGET},
        ["134,218 parameters", "budget of 50,000", "512*256 + 256 = 131,328"],
        [],
    ),
    "ex07_diverging_optimiser": (
        12,
        {ACCURACY},
        ["loss blew up", "epoch 1", "SGD with learning rate 1000"],
        [],
    ),
    "ex07_logits_probability_loss": (
        10,
        {SOFTMAX, LOSS, ACCURACY},
        ["scores that are not probabilities", "near ln 10", "fix this first"],
        ["second Conv2D", "more filters"],
    ),
    "ex07_learning_rate_too_small": (
        12,
        {ACCURACY},
        [
            "learned nothing",
            "SGD with learning rate 0.0001 is 100 times smaller",
            "Try the default, 0.01",
        ],
        ["second Conv2D", "more filters"],
    ),
}

FIRST = {
    "ex07_no_softmax": "the last layer has no softmax",
    "ex07_dense_only": "no Conv2D layer",
    "ex07_hard_coded_shapes": "input is (8, 8, 1), not (28, 28, 1)",
    "ex07_too_many_parameters": "more than the budget of 50,000",
    "ex07_diverging_optimiser": "loss blew up",
    "ex07_logits_probability_loss": "Your loss expects probabilities (from_logits=False)",
    "ex07_learning_rate_too_small": "learned nothing",
}


@pytest.fixture(scope="module", autouse=True)
def workers_and_trainers_forked():
    """Ten gradings pay TensorFlow's import twice, not twenty times (tests/keras_servers.py)."""
    with keras_imported_once(trainer=True):
        yield


_reports: dict[str, dict] = {}
_built: dict[str, tuple[Report, dict]] = {}  # the Report each grading rendered, and its options
_trained: dict[str, list[TrainingOutcome]] = {}  # what the grader's training of it gave


def graded(folder) -> dict:
    """The JSON report of `grade ex07 --submission folder` (graded once per session)."""
    key = str(folder)
    if key not in _reports:
        before = set(judge_module._outcomes)
        built: list[tuple[Report, dict]] = []

        def recorded(report: Report, output_format: str, **options) -> str:
            built.append((report, options))
            return render(report, output_format, **options)

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(commands, "render", recorded)
            run = run_grade(
                "ex07", "--submission", folder, "--format", "json", "--seed", str(TRAINING_SEED)
            )
        assert run.exit_code in (0, 1), run.stdout + run.stderr
        report = run.json()
        report["exit_code"] = run.exit_code
        _reports[key], (_built[key],) = report, built
        _trained[key] = [
            outcome
            for judged, outcome in judge_module._outcomes.items()
            if judged not in before and judged[2] == TRAINING_SEED
        ]
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
    assert (
        accuracy["feedback"].startswith("test accuracy ")
        and "Your model, layer by layer" in accuracy["feedback"]
    )


def test_the_stub_gets_zero_and_is_not_attempted():
    report = graded(STUBS)
    item = ex07(report)
    assert report["exit_code"] == 1
    assert (item["score"], item["status"]) == (0, "not_attempted")
    assert all("not attempted" in test["feedback"] for test in item["tests"])
    assert all("Traceback" not in test["feedback"] for test in item["tests"])


@pytest.mark.parametrize("fixture", BROKEN_MODELS)
def test_a_broken_model_loses_the_right_points_with_teaching_feedback(fixture):
    """Its score, the tests it fails, what their feedback says, and that the first failing
    test names the mistake."""
    score, failed, words, wrong_advice = BROKEN_MODELS[fixture]
    item = ex07(graded(SUBMISSION_FIXTURES / fixture))
    feedback = failing(item)
    assert set(feedback) == failed
    assert item["score"] == score
    text = "\n".join(feedback.values())
    for word in words:
        assert word in text, f"{fixture}: {word!r} not in the feedback:\n{text}"
    for word in wrong_advice:
        assert word not in text, f"{fixture}: {word!r} is advice this model does not need:\n{text}"
    first = next(test for test in item["tests"] if test["status"] != "passed")
    assert FIRST[fixture] in first["feedback"], (
        f"{fixture}: the first failing test, {first['name']!r}, does not say "
        f"{FIRST[fixture]!r}:\n{first['feedback']}"
    )


@pytest.mark.parametrize(
    "fixture", ["ex07_logits_probability_loss", "ex07_dense_only", "ex07_hard_coded_shapes"]
)
def test_a_report_shows_the_layer_table_once(fixture):
    """Several tests fail on one model: the first shows its table, the others point to it."""
    item = ex07(graded(SUBMISSION_FIXTURES / fixture))
    feedback = [test["feedback"] for test in item["tests"]]
    assert sum(text.count(TABLE) for text in feedback) == 1
    pointers = [text for text in feedback if "layer-by-layer table is in the feedback of" in text]
    assert pointers, "\n---\n".join(feedback)


def test_a_model_that_is_not_a_cnn_stays_well_below_a_pass():
    """Dense layers alone reach about 95% on the digits, a little above or below the target
    with the run's seeds: either way the accuracy points are not theirs, and the feedback
    gives the accuracy reached and says why."""
    item = ex07(graded(SUBMISSION_FIXTURES / "ex07_dense_only"))
    assert item["score"] / item["max_score"] <= 0.4
    accuracy = next(test for test in item["tests"] if test["name"] == ACCURACY)
    assert accuracy["score"] == 0
    assert (
        "test accuracy" in accuracy["feedback"]
        or "held-out digits correctly" in accuracy["feedback"]
    )
    assert "The accuracy points are for a CNN, and this model has no Conv2D" in accuracy["feedback"]


def test_a_lambda_layer_is_refused_and_scores_nothing():
    item = ex07(graded(SUBMISSION_FIXTURES / "ex07_lambda_layer"))
    assert item["score"] == 0 and item["status"] == "failed"
    assert all("Lambda layer" in test["feedback"] for test in item["tests"])


def test_the_text_report_shows_the_layer_table():
    """The text format of the same grading (rendered from its Report, as `grade` without
    --format writes it): the table once, each row keeping its columns in 80."""
    fixture = SUBMISSION_FIXTURES / "ex07_too_many_parameters"
    assert graded(fixture)["exit_code"] == 1
    report, options = _built[str(fixture)]
    text = click.unstyle(render(report, "text", **options))
    assert text.count("Your model, layer by layer:") == 1
    lines = text.splitlines()
    rows = [index for index, line in enumerate(lines) if "Flatten" in line and "(512,)" in line]
    assert len(rows) == 1  # the row keeps its columns; in 80 columns its working may move below it
    assert "4*4*32 = 512" in " ".join(lines[rows[0] : rows[0] + 2])


@pytest.mark.parametrize(
    "fixture",
    ["ex07_logits_probability_loss", "ex07_learning_rate_too_small", "ex07_diverging_optimiser"],
)
def test_a_model_that_misses_the_target_misses_it_by_a_margin(fixture):
    """The calibration's promise for the models that must fail (benchmarks/ex07_calibration.py):
    the grader's own training of each, in this grading, stays MARGIN below the target."""
    graded(SUBMISSION_FIXTURES / fixture)
    (outcome,) = _trained[str(SUBMISSION_FIXTURES / fixture)]
    assert outcome.trained and outcome.accuracy <= TRAINING.accuracy_threshold - MARGIN, outcome


def test_ex07_solution_graded_in_korean(make_submission):
    """Every line of the solution's text report in Korean (tests/test_korean_output.py's rule),
    its training the one this module's grading of the solution did."""
    graded(SOLUTIONS)
    folder = make_submission(ex07=SOLUTIONS)  # text runs save progress
    output = run_korean("ex07", "--submission", folder, "--seed", str(TRAINING_SEED))
    assert "Your model" not in output and "정확도" in output, output
    problems = english_in(output, "grade ex07 <solution>")
    assert not problems, "\n".join(problems)


def test_ex07_gets_its_layer_diagram_and_the_graders_training_curve(tmp_path, catalogue):
    """Drawn from the grader's own training of the solution at run seed 0: this module's."""
    graded(SOLUTIONS)
    picture = _pictures(SOLUTIONS, ["ex07"], tmp_path / "out", catalogue)["ex07"]
    diagram, curve = picture.rows[0]
    assert diagram.layers[0][1] == "(8, 8, 1)" and diagram.layers[-1][1] == "(10,)"
    assert any(layer.startswith("Conv2D") for layer, _shape in diagram.layers)
    assert curve.curve and len(curve.curve) == catalogue.item("ex07").training.epochs
    assert curve.curve[-1] < curve.curve[0] and "accuracy" in curve.title
    assert picture.path.read_bytes()[:8] == PNG_MAGIC


def test_ex07_stub_is_a_note(tmp_path, catalogue):
    picture = _pictures(STUBS, ["ex07"], tmp_path / "out", catalogue)["ex07"]
    assert "not attempted" in picture.rows[0][0].note and picture.path.is_file()
