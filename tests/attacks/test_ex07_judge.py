"""Red team: ex07's judge (the CNN requirement, the explained miss, the layer table once per
report) on any model description a learner can make the grader read.

test_ex07_config.py shows that any JSON in any place of a description is read or refused.
Here every description that IS read goes on through everything the ex07 suite then does with
it, with training outcomes of every kind (stalled, NaN and infinite losses, diverged, out of
time, memorised, never trained): each must give text, never an exception that would reach the
report as "the grader could not check" (or stop the grader).
"""

from __future__ import annotations

import json
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.course.catalogue import Training
from grader.model.diagnosis import (
    diagnose,
    loss_trend,
    missing_cnn_layers,
    not_a_cnn,
    softmax_layer,
)
from grader.model.judge import TrainingOutcome
from tests.attacks.test_ex07_config import BASES, JSON_VALUES, _paths, _read, _replaced

LOSSES = st.lists(
    st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([2.3026, 2.2, 0.01, 1e308]),
    max_size=8,
)
OUTCOMES = st.builds(
    TrainingOutcome,
    accuracy=st.none() | st.floats(0, 1),
    test_size=st.integers(0, 400),
    epochs_run=st.integers(0, 40),
    losses=LOSSES.map(tuple),
    diverged_in_epoch=st.none() | st.integers(1, 40),
    out_of_time=st.booleans(),
)


def _judge_everything(spec, outcome: TrainingOutcome) -> None:
    final, softmax = softmax_layer(spec)
    texts = [
        final.description,
        str(final.config.get("units")),
        str(spec.output_shape),
        str(spec.parameters),
        spec.table(),
        spec.table(50_000),
        spec.digest(),
        str(softmax),
    ]
    for index, layer in enumerate(spec.layers, start=1):
        texts += [f"{index} {layer.description} {layer.step.parameters:,} {layer.step.working}"]
    missing = missing_cnn_layers(spec)
    if missing:
        texts.append(not_a_cnn(missing))
    if spec.loss is not None:
        texts += [str(spec.loss.name), str(spec.loss.kind), str(spec.loss.problem)]
    if outcome.losses:
        texts.append(loss_trend(outcome.losses))
    if outcome.trained:
        texts.append(diagnose(spec, outcome, Training()))
    assert all(isinstance(text, str) for text in texts)
    json.dumps(texts)


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_every_description_read_is_judged_without_an_exception(data):
    base = data.draw(st.sampled_from(sorted(BASES)))
    part = data.draw(st.sampled_from(["config", "compile_config"]))
    tree = BASES[base][part]
    path = data.draw(st.sampled_from(list(_paths(tree))))
    mutated = _replaced(tree, path, data.draw(JSON_VALUES))
    config, compile_config = BASES[base]["config"], BASES[base]["compile_config"]
    spec = _read(mutated, compile_config) if part == "config" else _read(config, mutated)
    if spec is not None:
        _judge_everything(spec, data.draw(OUTCOMES))


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(outcome=OUTCOMES)
def test_both_real_descriptions_are_judged_for_any_outcome(outcome):
    for base in sorted(BASES):
        spec = _read(BASES[base]["config"], BASES[base]["compile_config"])
        _judge_everything(spec, outcome)
        if outcome.trained and outcome.losses and not math.isnan(outcome.losses[-1]):
            assert diagnose(spec, outcome, Training()).strip()
