"""The grader's own training of a learner's model: run in a trusted child process, never in the grader.

`python -I -m grader.model.trainer` reads a training plan (JSON on standard input: the
allowlisted `ModelSpec`, the catalogue's settings and this run's secret seeds), rebuilds the
model from the spec with fresh, seeded weights, trains it on scikit-learn's digits split by the
secret seed, measures accuracy on the held-out part with NumPy, and writes the outcome as one
line of JSON. `grader.model.judge` starts it under memory and time limits
(grader/processes/children.py), so a model whose cost the checks cannot see ends this process,
not the grader. TensorFlow is imported here only.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import os
import sys
import time
from dataclasses import asdict
from typing import Any

import numpy as np

from grader.course.catalogue import Training
from grader.i18n import _, set_language
from grader.model.allowlist import ModelRejected
from grader.model.config import ModelSpec
from grader.model.judge import (DIGITS_MAX_LEVEL, TrainingOutcome, check_trainable, plan_of,
                                untrainable_because)
from grader.sandbox.policy import TENSORFLOW_ENVIRONMENT
from grader.sanitise import clean

PREDICT_BATCH = 512
ACCURACY = "accuracy"  # the training accuracy of an epoch, shown as progress (never the verdict)
PROGRESS_KEY = "progress"  # a line of the trainer's output that is a progress event, not the outcome
DIVERGED_LOSS = 1e4  # cross-entropy of a model that learns stays near ln(10) = 2.3, far below


def keras_module() -> Any:
    """Keras on TensorFlow, imported once and quietly (the first import takes seconds)."""
    if "keras" not in sys.modules:
        os.environ.update(TENSORFLOW_ENVIRONMENT)
    with _stderr_silenced():  # TensorFlow's C++ start-up notes are not for learners
        import keras
        import tensorflow as tf
    tf.get_logger().setLevel("ERROR")  # retracing notes when one process trains many models
    return keras


@contextlib.contextmanager
def _deterministic_ops():
    """TensorFlow's deterministic kernels for one training run, then back as they were: the
    switch is process-wide, and other code here (tests, too) may use unseeded random ops."""
    from tensorflow.python.framework import config as tf_config  # the public API only switches on

    was_on = tf_config.is_op_determinism_enabled()
    tf_config.enable_op_determinism()
    try:
        yield
    finally:
        if not was_on:
            tf_config.disable_op_determinism()


@contextlib.contextmanager
def _stderr_silenced():
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def layer_from_config(keras: Any, class_name: str, config: dict) -> Any:
    """A fresh keras.layers.<class_name> from its allowlisted settings (safe mode, no weights)."""
    return keras.saving.deserialize_keras_object(
        {"module": "keras.layers", "class_name": class_name, "config": config, "registered_name": None},
        safe_mode=True)


def rebuild(spec: ModelSpec, seed: int) -> Any:
    """A fresh, seeded Keras model from the spec's allowlisted layers (safe mode, no weights).

    Keras' own output shapes and parameter counts must agree with the grader's working; if
    they do not, the table would mislead, so that is the grader's error, not the learner's.
    """
    check_trainable(spec)
    keras = keras_module()
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    try:
        layers = [layer_from_config(keras, row.class_name, row.config) for row in spec.layers]
        model = keras.Sequential([keras.Input(shape=spec.input_shape), *layers])
    except Exception as error:  # an allowlisted layer with settings Keras itself refuses
        raise ModelRejected(_("the grader could not rebuild the model from its configuration "
                              "({error})").format(error=f"{type(error).__name__}: {str(error)[:300]}")) from None
    for index, (layer, row) in enumerate(zip(model.layers, spec.layers), start=1):
        shape = tuple(layer.output.shape[1:])
        if shape != row.step.output_shape or layer.count_params() != row.step.parameters:
            raise RuntimeError(f"layer {index} ({row.class_name}): Keras gives {shape} and "
                               f"{layer.count_params()} parameters, the grader worked out "
                               f"{row.step.output_shape} and {row.step.parameters}")
    return model


# ----------------------------------------------------------------------------- training


@functools.cache
def digits_split(test_fraction: float, split_seed: int) -> tuple[np.ndarray, ...]:
    """(x_train, y_train, x_test, y_test): scikit-learn's 8x8 digits in [0, 1], (N, 8, 8, 1),
    split with stratification so that every digit is as common in both parts."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    images = (digits.images / DIGITS_MAX_LEVEL).astype(np.float32)[..., np.newaxis]
    labels = digits.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        images, labels, test_size=test_fraction, stratify=labels, random_state=split_seed)
    for array in (x_train, y_train, x_test, y_test):
        array.setflags(write=False)
    return x_train, y_train, x_test, y_test


def train_and_evaluate(spec: ModelSpec, training: Training, *, split_seed: int,
                       init_seed: int, report: Any = None) -> TrainingOutcome:
    """Train a fresh copy of the model with the catalogue's settings; accuracy on the test split.

    `split_seed` draws the held-out digits, `init_seed` the initial weights and the shuffling;
    `report(epoch, epochs, training_accuracy)`, if given, hears of each epoch done.
    """
    x_train, y_train, x_test, y_test = digits_split(training.test_fraction, split_seed)
    reason = untrainable_because(spec)
    if reason:
        return TrainingOutcome(accuracy=None, test_size=len(y_test), not_trained=reason)
    started = time.monotonic()
    keras = keras_module()
    watch = _Watch(deadline=started + training.time_limit, epochs=training.epochs, report=report)
    try:
        with _deterministic_ops():
            model = rebuild(spec, init_seed)
            # One compiled call runs a whole epoch: the same steps, the same numbers, but no
            # Python round trip (and no callback) after each batch, which cost about a third.
            model.compile(optimizer=_optimizer(keras, spec), jit_compile=False,
                          steps_per_execution=steps_per_epoch(len(y_train), training.batch_size),
                          # Measured at 15-40% of the training time: only when someone watches.
                          metrics=[keras.metrics.SparseCategoricalAccuracy(name=ACCURACY)] if report else None,
                          loss=keras.losses.SparseCategoricalCrossentropy(
                              from_logits=spec.loss.from_logits, reduction=spec.loss.reduction))
            history = model.fit(x_train, y_train, epochs=training.epochs, batch_size=training.batch_size,
                                shuffle=True, verbose=0, callbacks=[watch.callback(keras)])
            probabilities = model.predict(x_test, batch_size=PREDICT_BATCH, verbose=0)
    except ModelRejected:
        raise
    except Exception as error:  # the learner's settings, met only when Keras runs them
        keras.backend.clear_session()
        return TrainingOutcome(accuracy=None, test_size=len(y_test), not_trained=keras_stopped(error),
                               seconds=time.monotonic() - started)
    finite = bool(np.all(np.isfinite(probabilities)))
    accuracy = float(np.mean(np.argmax(probabilities, axis=1) == y_test)) if finite else 0.0
    losses = tuple(float(value) for value in history.history.get("loss", []))
    keras.backend.clear_session()
    diverged = watch.diverged_in_epoch
    if diverged is None and not finite:
        diverged = len(losses)
    return TrainingOutcome(accuracy=accuracy, test_size=len(y_test), epochs_run=len(losses),
                           losses=losses, diverged_in_epoch=diverged, out_of_time=watch.out_of_time,
                           seconds=time.monotonic() - started)


def steps_per_epoch(examples: int, batch_size: int) -> int:
    return max(1, math.ceil(examples / batch_size))


def keras_stopped(error: Exception) -> str:
    """Feedback for a model whose settings passed every check but that Keras would not train
    (a noise_shape that does not fit its input, a schedule whose lists do not match, ...)."""
    return (f"Keras stopped while the grader trained this model ({type(error).__name__}: "
            f"{clean(error, 300, single_line=True)}); check each layer's and the optimiser's "
            "settings against what they are applied to")


def _optimizer(keras: Any, spec: ModelSpec) -> Any:
    assert spec.optimizer is not None
    return keras.saving.deserialize_keras_object(
        {"module": "keras.optimizers", "class_name": spec.optimizer.class_name,
         "config": dict(spec.optimizer.config), "registered_name": None}, safe_mode=True)


class _Watch:
    """Stops training when the loss blows up (NaN, infinite or absurdly large) or the time is up,
    and tells `report` of each epoch done (one compiled call runs a whole epoch, so the batch
    hook runs once per epoch)."""

    def __init__(self, deadline: float, epochs: int = 0, report: Any = None):
        self.deadline = deadline
        self.epochs = epochs
        self.report = report
        self.epoch = 0
        self.diverged_in_epoch: int | None = None
        self.out_of_time = False

    def callback(self, keras: Any) -> Any:
        watch = self

        class Watch(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                watch.epoch = epoch + 1

            def on_train_batch_end(self, batch, logs=None):
                loss = (logs or {}).get("loss")
                if loss is not None and not (math.isfinite(float(loss)) and float(loss) < DIVERGED_LOSS):
                    watch.diverged_in_epoch = watch.epoch
                    self.model.stop_training = True
                if time.monotonic() > watch.deadline:
                    watch.out_of_time = True
                    self.model.stop_training = True

            def on_epoch_end(self, epoch, logs=None):
                accuracy = (logs or {}).get(ACCURACY)
                if watch.report is not None and accuracy is not None:
                    watch.report(epoch + 1, watch.epochs, float(accuracy))

        return Watch()


def print_progress(epoch: int, epochs: int, accuracy: float) -> None:
    """One progress event on standard output, read by the grader while this process trains."""
    print(json.dumps({PROGRESS_KEY: {"epoch": epoch, "epochs": epochs, "accuracy": round(accuracy, 4)}}),
          flush=True)


def warm_up() -> None:
    """Import TensorFlow (quietly, no operation run) and scikit-learn's digits: a trainer started
    early, or a batch worker's warm server (grader/processes/warm.py), pays this before the plan."""
    keras_module()
    import sklearn.datasets  # noqa: F401
    import sklearn.model_selection  # noqa: F401


def main() -> None:
    """Read a plan on standard input, train, and print the outcome as one line of JSON."""
    warm_up()  # started early (grader/processes/children.py's prestart): while the model is awaited
    payload = json.loads(sys.stdin.read())
    set_language(payload.get("lang"))  # the learner's language, as in the grader that asked
    spec, training, seeds = plan_of(payload)
    try:
        outcome = train_and_evaluate(spec, training, **seeds,
                                     report=print_progress if payload.get(PROGRESS_KEY) is True else None)
    except ModelRejected as error:  # Keras refused an allowlisted layer's settings
        outcome = TrainingOutcome(accuracy=None, not_trained=error.feedback, not_built=error.feedback)
    print(json.dumps(asdict(outcome), allow_nan=True))


if __name__ == "__main__":
    main()
