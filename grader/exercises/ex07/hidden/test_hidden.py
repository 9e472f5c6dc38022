"""Hidden tests for ex07: the model follows its arguments, not the digits' shape.

A model that writes (8, 8, 1) or Dense(10) into build_model works for the digits and nothing
else; these cases ask for other image shapes and class counts (non-square, three channels).
Nothing is trained here: the shapes come from the configuration the worker sends back.
"""

import pytest

from grader import evidence
from grader.exercises.ex07.test_public import with_table  # noqa: F401 (a fixture: one layer table per report)
from grader.failures import GradingFailure
from grader.i18n import _
from grader.model.judge import fetch_model

pytestmark = pytest.mark.exercise("ex07")

SHAPE_CASES = [((28, 28, 1), 3), ((16, 12, 3), 5)]


@pytest.mark.points(1.5)
@pytest.mark.parametrize(
    "input_shape, num_classes",
    SHAPE_CASES,
    ids=[f"{'x'.join(map(str, shape))} -> {classes}" for shape, classes in SHAPE_CASES],
)
def test_honours_input_shape_and_num_classes(learner, input_shape, num_classes, with_table):
    """build_model honours input_shape and num_classes"""
    call = f"build_model(input_shape={input_shape}, num_classes={num_classes})"
    spec = fetch_model(learner, call, input_shape=input_shape, num_classes=num_classes)
    evidence.judged()
    problems = []
    if spec.input_shape != input_shape:
        problems.append(
            _(
                "the model's input is {shape}, not {expected}: pass input_shape on, "
                "keras.Input(shape=input_shape), instead of writing the digits' shape into "
                "the code"
            ).format(shape=spec.input_shape, expected=input_shape)
        )
    if spec.output_shape != (num_classes,):
        problems.append(
            _(
                "its output is {shape}, not ({classes},): the last layer needs one unit per "
                "class, Dense(num_classes, ...)"
            ).format(shape=spec.output_shape, classes=num_classes)
        )
    if problems:
        raise GradingFailure(with_table(f"{call}: " + "; ".join(problems), spec))
