"""ex07's picture: the training curve of the grader's own training run, and the layer diagram
with each layer's output shape.

The learner's `build_model` runs in the worker and comes back as configuration data, read
against the allowlist (grader/model/config.py); the grader trains the rebuilt model in its
trusted child (grader/model/judge.py, cached per model and seed, so `grade ex07 --pictures`
trains once). Nothing here sees a learner object.
"""

from __future__ import annotations

from typing import Any

from grader.course.training import Training
from grader.failures import GradingFailure
from grader.i18n import _
from grader.model.layers import describe

BUILD_CALL = "build_model(input_shape=(8, 8, 1), num_classes=10)"


class _Builder:
    """What `fetch_model` calls: `build_model(...)` in the learner's worker."""

    def __init__(self, client):
        self.client = client

    def build_model(self, **arguments: Any) -> Any:
        return self.client.call("build_model", (), arguments, description=BUILD_CALL)


def model_rows(client, exercise, run_seed: int) -> list[list]:
    """The picture's rows for ex07 (a note instead of a panel when the model cannot be read)."""
    from grader.learner.pictures import Panel
    from grader.model.config import ModelRejected
    from grader.model.judge import DIGITS_CLASSES, DIGITS_SHAPE, fetch_model, judge

    if client is None:
        return [[Panel(_("your model"), note=_("the exercise file could not be run"))]]
    try:
        spec = fetch_model(
            _Builder(client), BUILD_CALL, input_shape=DIGITS_SHAPE, num_classes=DIGITS_CLASSES
        )
    except (GradingFailure, ModelRejected) as failure:
        return [[Panel(_("your model"), note=str(getattr(failure, "feedback", failure)))]]
    layers = [(_("Input"), str(spec.input_shape))] + [
        (describe(row.class_name, row.config), str(row.step.output_shape)) for row in spec.layers
    ]
    diagram = Panel(
        _("layers and output shapes ({count} parameters)").format(count=f"{spec.parameters:,}"),
        layers=layers,
    )
    outcome = judge(spec, exercise.training or Training(), run_seed)
    if not outcome.losses:
        return [
            [
                diagram,
                Panel(
                    _("training loss"),
                    note=outcome.not_trained or outcome.not_built or _("the model was not trained"),
                ),
            ]
        ]
    accuracy = (
        ""
        if outcome.accuracy is None
        else _("test accuracy {percent:.1f}%").format(percent=100 * outcome.accuracy)
    )
    curve = Panel(
        _("training loss per epoch; {accuracy}").format(accuracy=accuracy),
        curve=[float(loss) for loss in outcome.losses],
    )
    return [[diagram, curve]]
