"""ex07's explanation of a missed accuracy target, from the training curve and the configuration.

The outcomes here are written by hand in the shapes the grader's training runs gave (measured on
the digits with 20 epochs, see the comments), so these tests need no TensorFlow.
"""

from __future__ import annotations

import pytest

from grader.course.catalogue import load_catalogue
from grader.model.config import read_model
from grader.model.diagnosis import diagnose, missing_cnn_layers, not_a_cnn
from grader.model.judge import TrainingOutcome
from tests.model.test_config import COMPILED, GLOROT, conv, input_layer, layer, model_data

TRAINING = load_catalogue().item("ex07").training
POOL = layer(
    "MaxPooling2D", pool_size=[2, 2], strides=[2, 2], padding="valid", data_format="channels_last"
)
FLATTEN = layer("Flatten", data_format="channels_last")
STALLED = (3.30, 4.93, 2.357, 2.301) + (2.303,) * 16  # measured: raw scores into a probability loss
CREEPING = tuple(2.312 - 0.0004 * epoch for epoch in range(20))  # measured: SGD at 1e-4
SPIKE_THEN_FLAT = (3.17,) + (2.326,) * 19  # measured: Adam at 0.1
HEALTHY = (2.1, 1.2, 0.46, 0.28, 0.2, 0.15, 0.13, 0.11, 0.1, 0.09)


def dense(units, activation):
    return layer(
        "Dense", units=units, activation=activation, use_bias=True, kernel_initializer=GLOROT
    )


def spec(
    last_activation="softmax",
    *,
    loss="sparse_categorical_crossentropy",
    from_logits=False,
    optimizer=None,
    blocks=2,
    filters=32,
    hidden=True,
):
    layers = [input_layer(8, 8, 1)]
    for _repeat in range(blocks):
        layers += [conv(filters, padding="same"), POOL]
    layers += [FLATTEN] + ([dense(64, "relu")] if hidden else []) + [dense(10, last_activation)]
    compiled = dict(COMPILED)
    if from_logits:
        compiled["loss"] = {
            "module": "keras.losses",
            "class_name": "SparseCategoricalCrossentropy",
            "config": {"from_logits": True, "reduction": "sum_over_batch_size"},
            "registered_name": None,
        }
    if optimizer is not None:
        name, rate = optimizer
        compiled["optimizer"] = {
            "module": "keras.optimizers",
            "class_name": name,
            "config": {"name": name.lower(), "learning_rate": rate},
            "registered_name": None,
        }
    return read_model(model_data(layers, compile_config=compiled), "build_model()")


def outcome(losses, accuracy):
    return TrainingOutcome(accuracy=accuracy, test_size=450, epochs_run=len(losses), losses=losses)


def test_raw_scores_into_a_probability_loss_are_named_first_not_capacity():
    """The issue's case: no softmax, from_logits=False, a loss stuck at ln 10, 15% accuracy."""
    text = diagnose(spec(None), outcome(STALLED, 0.147), TRAINING)
    assert "not probabilities" in text and "from_logits=False" in text and "near ln 10" in text
    assert "fix this first" in text
    assert "second Conv2D" not in text and "more filters" not in text


def test_a_softmax_output_with_from_logits_is_named():
    text = diagnose(spec("softmax", from_logits=True), outcome(HEALTHY, 0.93), TRAINING)
    assert "a second time" in text and "from_logits=False" in text


def test_a_stalled_loss_with_a_tiny_learning_rate_says_the_rate_is_too_small():
    text = diagnose(spec(optimizer=("SGD", 1e-4)), outcome(CREEPING, 0.10), TRAINING)
    assert "stayed near ln 10" in text and "learned nothing" in text
    assert "SGD with learning rate 0.0001 is 100 times smaller than its default" in text
    assert "Try the default, 0.01" in text
    assert "second Conv2D" not in text


def test_a_stalled_loss_with_a_huge_learning_rate_says_the_rate_is_too_large():
    text = diagnose(spec(optimizer=("Adam", 0.1)), outcome(SPIKE_THEN_FLAT, 0.102), TRAINING)
    assert "Adam with learning rate 0.1 is 100 times its default rate" in text
    assert "Try the default, 0.001" in text


def test_a_stalled_loss_at_a_normal_rate_points_at_the_rate_and_the_activations():
    text = diagnose(spec(), outcome(SPIKE_THEN_FLAT, 0.11), TRAINING)
    assert "learned nothing" in text and "activations" in text


def test_a_small_rate_whose_loss_still_falls_asks_for_a_larger_rate():
    falling = (2.2, 1.9, 1.6, 1.4, 1.2, 1.0, 0.9, 0.8)
    text = diagnose(spec(optimizer=("Adam", 5e-5)), outcome(falling, 0.85), TRAINING)
    assert "still falling" in text and "20 times smaller than its default" in text


def test_a_model_that_memorises_the_training_digits_is_told_so():
    memorised = (1.5, 0.4, 0.1, 0.03, 0.01, 0.004)
    text = diagnose(spec(), outcome(memorised, 0.8), TRAINING)
    assert "memorises" in text and "Dropout" in text


def test_capacity_advice_never_offers_what_the_model_already_has():
    close = (2.0, 1.0, 0.6, 0.4, 0.3)
    full = diagnose(spec(), outcome(close, 0.93), TRAINING)
    assert (
        "second Conv2D" not in full
        and "more filters" not in full
        and "already has the usual layers" in full
    )
    small = diagnose(spec(blocks=1, filters=8, hidden=False), outcome(close, 0.9), TRAINING)
    assert "a second Conv2D + MaxPooling2D block" in small and "32 instead of 8" in small
    assert "a Dense layer with ReLU" in small


def test_time_and_divergence_come_before_the_configuration():
    stopped = TrainingOutcome(accuracy=0.5, epochs_run=3, losses=(2.3, 2.3, 2.3), out_of_time=True)
    assert "stopped after" in diagnose(spec(None), stopped, TRAINING)
    blown = TrainingOutcome(accuracy=0.1, epochs_run=1, losses=(float("nan"),), diverged_in_epoch=1)
    assert "blew up" in diagnose(spec(optimizer=("SGD", 1000.0)), blown, TRAINING)


@pytest.mark.parametrize(
    "layers, missing",
    [
        (
            [input_layer(8, 8, 1), FLATTEN, dense(64, "relu"), dense(10, "softmax")],
            ["Conv2D", "MaxPooling2D"],
        ),
        ([input_layer(8, 8, 1), conv(), FLATTEN, dense(10, "softmax")], ["MaxPooling2D"]),
        ([input_layer(8, 8, 1), conv(), POOL, FLATTEN, dense(10, "softmax")], []),
    ],
)
def test_the_cnn_layers_a_model_lacks_are_listed(layers, missing):
    assert missing_cnn_layers(read_model(model_data(layers), "build_model()")) == missing


def test_a_model_without_convolution_is_told_why_the_accuracy_does_not_count():
    text = not_a_cnn(["Conv2D", "MaxPooling2D"])
    assert "accuracy points are for a CNN" in text and "no Conv2D, MaxPooling2D" in text
    assert "own weight" in text
    assert "no MaxPooling2D" in not_a_cnn(["MaxPooling2D"])


def test_the_optimiser_is_named_in_the_learners_language():
    from grader.i18n import language

    optimizer = spec(optimizer=("SGD", 1e-4)).optimizer
    assert optimizer.describe() == "SGD with learning rate 0.0001"
    with language("ko"):
        assert optimizer.describe() == "SGD(학습률 0.0001)"
    assert spec().optimizer.describe() == "Adam with learning rate 0.001"


@pytest.mark.parametrize("diverged_in_epoch, passes", [(None, True), (3, False)])
def test_the_accuracy_point_needs_every_copy_trained_to_the_end(
    monkeypatch, diverged_in_epoch, passes
):
    """A loss that blew up stops the copies still to come: the copies before it are no verdict."""
    from grader.exercises.ex07 import test_public as suite
    from grader.failures import GradingFailure

    outcome = TrainingOutcome(
        accuracy=0.97,
        test_size=1198,
        folds=3,
        copies=3,
        epochs_run=3,
        losses=HEALTHY[:3],
        diverged_in_epoch=diverged_in_epoch,
    )
    monkeypatch.setattr(suite, "judge", lambda *args: outcome)
    notes = []

    def run():
        suite.test_digits_accuracy(spec(), TRAINING, 1, notes.append, lambda text, _spec: text)

    if passes:
        run()
        assert notes and "97.0%" in notes[0]
        return
    with pytest.raises(GradingFailure) as failure:
        run()
    assert "blew up" in str(failure.value) and not notes
