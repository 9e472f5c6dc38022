"""The trusted side of ex07: rebuild an allowlisted model, train it with fixed seeds, judge it.

A learner's `build_model` runs only in the worker, which sends back the model's configuration
as JSON text. `fetch_model` turns that into a `ModelSpec` (grader/model/config.py: allowlist
first, nothing deserialised before it passes). `rebuild` makes a fresh Keras model from the
spec's layers, and `judge` trains it on scikit-learn's digits with the catalogue's settings
and seeds and measures accuracy on the held-out split, here, with NumPy. Whatever weights or
accuracy the learner's code computed never reach this process.

TensorFlow is imported on first use only (`keras_module`), so grading ex01-ex06 never loads it.
A run's outcomes are cached by the spec's fingerprint: the public and hidden suites, and a
re-grade of the same model in the same process, train once.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import sys
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.course.catalogue import Training
from grader.failures import BadReturn
from grader.model.config import ModelRejected, ModelSpec, read_model
from grader.sandbox.policy import TENSORFLOW_ENVIRONMENT

DIGITS_SHAPE = (8, 8, 1)
DIGITS_CLASSES = 10
DIGITS_MAX_LEVEL = 16.0  # load_digits' grey levels run from 0 to 16
MAX_TRAINED_PARAMETERS = 2_000_000  # the grader does not build or train anything larger
MAX_MULTIPLY_ADDS = 50_000_000  # per example: about a minute of training on two cores
MAX_FEATURE_MAP = 1_000_000  # values in one layer's output, per example
PREDICT_BATCH = 512
CACHE_SIZE = 8

_outcomes: OrderedDict[tuple, TrainingOutcome] = OrderedDict()


@dataclass(frozen=True)
class TrainingOutcome:
    """What the grader's own training run of a model gave."""

    accuracy: float | None  # on the held-out split; None if the model was not trained
    test_size: int = 0
    epochs_run: int = 0
    losses: tuple[float, ...] = ()  # the mean training loss of each epoch
    diverged_in_epoch: int | None = None  # the loss became NaN or infinite in this epoch (from 1)
    out_of_time: bool = False
    seconds: float = 0.0
    not_trained: str = ""  # why the grader could not train the model

    @property
    def trained(self) -> bool:
        return self.accuracy is not None


def fetch_model(learner: Any, call: str, **arguments: Any) -> ModelSpec:
    """Call the learner's build_model in the worker and read what comes back as a `ModelSpec`."""
    try:
        value = learner.build_model(**arguments)
    except BadReturn as error:
        detail = f" ({error.detail})" if error.detail else ""
        raise BadReturn(f"{call} returned {error.returned or 'something'}, which is not data the "
                        f"grader can check{detail}; return the keras.Model itself, built from "
                        "keras.layers", returned=error.returned, detail=error.detail) from None
    return read_model(value, call)


# ----------------------------------------------------------------------------- Keras


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


def check_trainable(spec: ModelSpec) -> None:
    """`ModelRejected` if the model is too large for the grader to build and train at all."""
    if spec.parameters > MAX_TRAINED_PARAMETERS:
        raise ModelRejected(f"the model has {spec.parameters:,} parameters; the grader does not "
                            f"build models over {MAX_TRAINED_PARAMETERS:,}")
    if spec.multiply_adds > MAX_MULTIPLY_ADDS or spec.largest_feature_map > MAX_FEATURE_MAP:
        raise ModelRejected(f"the model needs {spec.multiply_adds:,} multiply-adds per image "
                            f"(its largest feature map holds {spec.largest_feature_map:,} values); "
                            f"the grader trains models up to {MAX_MULTIPLY_ADDS:,}")


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
        layers = [keras.saving.deserialize_keras_object(
            {"module": "keras.layers", "class_name": row.class_name, "config": row.config,
             "registered_name": None}, safe_mode=True) for row in spec.layers]
        model = keras.Sequential([keras.Input(shape=spec.input_shape), *layers])
    except Exception as error:  # an allowlisted layer with settings Keras itself refuses
        raise ModelRejected(f"the grader could not rebuild the model from its configuration "
                            f"({type(error).__name__}: {str(error)[:300]})") from None
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


def untrainable_because(spec: ModelSpec) -> str:
    """Why the grader cannot train this model on the digits, or ''."""
    if spec.input_shape != DIGITS_SHAPE or spec.output_shape != (DIGITS_CLASSES,):
        return (f"the model takes {spec.input_shape} and gives {spec.output_shape}; the digits "
                f"need {DIGITS_SHAPE} in and ({DIGITS_CLASSES},) out")
    if spec.loss is None:
        return "the model is not compiled, so there is no loss to train it with"
    if not spec.loss.takes_integer_labels:
        return f"the loss {spec.loss.name} cannot learn from the digits' integer labels"
    if spec.loss.problem or spec.compile_problem or spec.optimizer is None:
        return spec.loss.problem or spec.compile_problem or "the model has no optimiser"
    return ""


def judge(spec: ModelSpec, training: Training) -> TrainingOutcome:
    """`train_and_evaluate`, once per model and settings in this process."""
    key = (spec.digest(), training)
    if key in _outcomes:
        _outcomes.move_to_end(key)
        return _outcomes[key]
    outcome = train_and_evaluate(spec, training)
    _outcomes[key] = outcome
    while len(_outcomes) > CACHE_SIZE:
        _outcomes.popitem(last=False)
    return outcome


def train_and_evaluate(spec: ModelSpec, training: Training) -> TrainingOutcome:
    """Train a fresh copy of the model with the catalogue's settings; accuracy on the test split."""
    x_train, y_train, x_test, y_test = digits_split(training.test_fraction, training.split_seed)
    reason = untrainable_because(spec)
    if reason:
        return TrainingOutcome(accuracy=None, test_size=len(y_test), not_trained=reason)
    started = time.monotonic()
    keras = keras_module()
    watch = _Watch(deadline=started + training.time_limit)
    with _deterministic_ops():
        model = rebuild(spec, training.seed)
        model.compile(optimizer=_optimizer(keras, spec), jit_compile=False,
                      loss=keras.losses.SparseCategoricalCrossentropy(
                          from_logits=spec.loss.from_logits, reduction=spec.loss.reduction))
        history = model.fit(x_train, y_train, epochs=training.epochs, batch_size=training.batch_size,
                            shuffle=True, verbose=0, callbacks=[watch.callback(keras)])
        probabilities = model.predict(x_test, batch_size=PREDICT_BATCH, verbose=0)
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


def _optimizer(keras: Any, spec: ModelSpec) -> Any:
    assert spec.optimizer is not None
    return keras.saving.deserialize_keras_object(
        {"module": "keras.optimizers", "class_name": spec.optimizer.class_name,
         "config": dict(spec.optimizer.config), "registered_name": None}, safe_mode=True)


class _Watch:
    """Stops training when the loss stops being a number or the time is up."""

    def __init__(self, deadline: float):
        self.deadline = deadline
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
                if loss is not None and not math.isfinite(float(loss)):
                    watch.diverged_in_epoch = watch.epoch
                    self.model.stop_training = True
                if time.monotonic() > watch.deadline:
                    watch.out_of_time = True
                    self.model.stop_training = True

        return Watch()
