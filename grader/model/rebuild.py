"""Keras on the trusted side: a learner's model rebuilt from its allowlisted spec, fresh and seeded.

Used by the trainer (grader/model/trainer.py), which imports TensorFlow in its own child
process, and by the checks that compare the grader's shape working with Keras' own. Nothing
here ever loads weights: every copy of a model starts from initial weights drawn from the
grader's seed.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any

from grader.course.training import Training
from grader.errors import GraderFailure
from grader.i18n import _
from grader.model.allowlist import ModelRejected
from grader.model.config import ModelSpec
from grader.model.judge import check_trainable
from grader.sandbox.policy import TENSORFLOW_ENVIRONMENT


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
def deterministic_ops():
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
        {
            "module": "keras.layers",
            "class_name": class_name,
            "config": config,
            "registered_name": None,
        },
        safe_mode=True,
    )


def rebuild(spec: ModelSpec, seed: int) -> Any:
    """A fresh, seeded Keras model from the spec's allowlisted layers (safe mode, no weights)."""
    return fresh_copies(spec, seed, 1)[0]


def fresh_copies(
    spec: ModelSpec, seed: int, copies: int, training: Training | None = None
) -> list[Any]:
    """`copies` fresh copies of the model, their initial weights drawn one after the other from
    `seed`: copy k is the same model whichever way the copies are then trained."""
    check_trainable(spec, training)
    keras = keras_module()
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    return [_sequential(keras, spec) for _copy in range(copies)]


def _sequential(keras: Any, spec: ModelSpec) -> Any:
    """One copy of the model. Keras' own output shapes and parameter counts must agree with the
    grader's working; if they do not, the table would mislead, so that is the grader's error."""
    try:
        layers = [layer_from_config(keras, row.class_name, row.config) for row in spec.layers]
        model = keras.Sequential([keras.Input(shape=spec.input_shape), *layers])
    except Exception as error:  # an allowlisted layer with settings Keras itself refuses
        raise ModelRejected(
            _("the grader could not rebuild the model from its configuration ({error})").format(
                error=f"{type(error).__name__}: {str(error)[:300]}"
            )
        ) from None
    for index, (layer, row) in enumerate(zip(model.layers, spec.layers), start=1):
        shape = tuple(layer.output.shape[1:])
        if shape != row.step.output_shape or layer.count_params() != row.step.parameters:
            raise GraderFailure(
                f"layer {index} ({row.class_name}): Keras gives {shape} and "
                f"{layer.count_params()} parameters, the grader worked out "
                f"{row.step.output_shape} and {row.step.parameters}"
            )
    return model
