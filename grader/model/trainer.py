"""The grader's own training of a learner's model: run in a trusted child process, never in the grader.

`python -I -m grader.model.trainer` reads a training plan (JSON on standard input: the
allowlisted `ModelSpec`, the catalogue's settings and this run's secret seeds). It cuts
scikit-learn's digits into folds by the secret split seed (grader/model/digits.py) and, for
each held-out fold, trains a fresh copy of the model, rebuilt from the spec with seeded initial
weights (grader/model/rebuild.py), on the other digits; it measures with NumPy how many digits
of its fold each copy labels correctly, and writes the outcome as one line of JSON.
`grader.model.judge` starts it under memory and time limits (grader/processes/children.py), so a
model whose cost the checks cannot see ends this process, not the grader. TensorFlow is
imported here only.
"""

from __future__ import annotations

import json
import math
import sys
import time
from dataclasses import asdict
from typing import Any

import numpy as np

from grader.course.catalogue import Training
from grader.course.training import COSINE
from grader.errors import GraderFailure
from grader.i18n import _, set_language
from grader.model.allowlist import ModelRejected
from grader.model.config import ModelSpec
from grader.model.digits import Fold, digits_folds, held_out_count
from grader.model.judge import TrainingOutcome, plan_of, untrainable_because
from grader.model.rebuild import (  # noqa: F401 (re-exported)
    deterministic_ops,
    fresh_copies,
    keras_module,
    layer_from_config,
    rebuild,
)
from grader.sanitise import clean

PREDICT_BATCH = 512
ACCURACY = "accuracy"  # the training accuracy of an epoch, shown as progress (never the verdict)
PROGRESS_KEY = (
    "progress"  # a line of the trainer's output that is a progress event, not the outcome
)
DIVERGED_LOSS = 1e4  # cross-entropy of a model that learns stays near ln(10) = 2.3, far below


def train_and_evaluate(
    spec: ModelSpec, training: Training, *, split_seed: int, init_seed: int, report: Any = None
) -> TrainingOutcome:
    """Train a fresh copy of the model for each held-out fold, with the catalogue's settings; the
    share of held-out digits the copies label correctly, each copy on the fold it never saw.

    `split_seed` cuts the folds, `init_seed` draws the copies' initial weights and the shuffling;
    `report(epoch, epochs, training_accuracy)`, if given, hears of each epoch done (of all copies).
    """
    folds = digits_folds(training.folds, training.test_fraction, split_seed)[: training.copies]
    cut: dict[str, Any] = {"folds": training.folds, "copies": len(folds)}
    reason = untrainable_because(spec)
    if reason:
        return TrainingOutcome(
            accuracy=None, test_size=held_out_count(folds), not_trained=reason, **cut
        )
    started = time.monotonic()
    keras = keras_module()
    # The limit is on the processor time the training uses: waiting for a core on a busy machine
    # is not the model's cost, and must not decide its verdict.
    watch = _Watch(
        deadline=time.process_time() + training.time_limit,
        epochs=training.epochs,
        copies=len(folds),
        report=report,
    )
    try:
        with deterministic_ops():
            histories, judged = _take_turns(keras, spec, training, folds, init_seed, watch)
    except (
        ModelRejected,
        GraderFailure,
    ):  # Keras refused the settings; Keras and the grader disagree
        raise
    except Exception as error:  # the learner's settings, met only when Keras runs them
        keras.backend.clear_session()
        return TrainingOutcome(
            accuracy=None,
            test_size=held_out_count(folds),
            not_trained=keras_stopped(error),
            seconds=time.monotonic() - started,
            **cut,
        )
    keras.backend.clear_session()
    finite = all(bool(np.all(np.isfinite(scores))) for scores, _fold in judged)
    correct = sum(int(np.sum(np.argmax(scores, axis=1) == fold.y_test)) for scores, fold in judged)
    test_size = sum(len(fold.y_test) for _scores, fold in judged)
    longest = max(len(history) for history in histories)
    losses = tuple(
        float(np.mean([history[epoch] for history in histories if len(history) > epoch]))
        for epoch in range(longest)
    )  # each epoch's loss, averaged over the copies
    diverged = watch.diverged_in_epoch
    if diverged is None and not finite:
        diverged = len(histories[-1])
    return TrainingOutcome(
        accuracy=correct / test_size if finite else 0.0,
        test_size=test_size,
        epochs_run=min(len(history) for history in histories),
        losses=losses,
        diverged_in_epoch=diverged,
        out_of_time=watch.out_of_time,
        seconds=time.monotonic() - started,
        **cut,
    )


def _take_turns(
    keras: Any,
    spec: ModelSpec,
    training: Training,
    folds: tuple[Fold, ...],
    init_seed: int,
    watch: _Watch,
) -> tuple[list[list[float]], list[tuple[np.ndarray, Fold]]]:
    """Each copy's loss by epoch, and its outputs on its held-out fold.

    The copies take turns in one Keras model, so its training step is compiled once (compiling
    costs about as much as a copy's training): before each turn the weights are set to that
    copy's initial draw and the optimiser's state to what a fresh optimiser has, so copy k
    trains as if alone, and gives the same numbers as a model built and trained for fold k by
    itself.
    """
    assert spec.loss is not None  # untrainable_because() refused a model without one
    copies = fresh_copies(spec, init_seed, len(folds), training)
    # Every variable, not only get_weights(): Dropout and noise layers keep their random state
    # in seed generators, which must start each turn as that copy's own, not where the last left it.
    starts = [[variable.numpy() for variable in copy.variables] for copy in copies]
    model = copies[0]
    batch_size, steps = batching(len(folds[0].y_train), training.batch_size)
    optimizer = optimizer_for(keras, spec, training, steps)
    model.compile(
        optimizer=optimizer,
        jit_compile=False,
        # One compiled call runs a whole epoch: the same steps, the same numbers, but no
        # Python round trip (and no callback) after each batch, which cost about a third.
        steps_per_execution=steps,
        # Measured at 15-40% of the training time: only when someone watches.
        metrics=[keras.metrics.SparseCategoricalAccuracy(name=ACCURACY)] if watch.report else None,
        loss=keras.losses.SparseCategoricalCrossentropy(
            from_logits=spec.loss.from_logits, reduction=spec.loss.reduction
        ),
    )
    optimizer.build(model.trainable_variables)
    fresh_state = [variable.numpy() for variable in optimizer.variables]
    histories, judged = [], []
    for turn, fold in enumerate(folds):
        for variable, value in zip(model.variables, starts[turn], strict=True):
            variable.assign(value)
        for variable, value in zip(optimizer.variables, fresh_state):
            variable.assign(value)
        watch.turn = turn
        history = model.fit(
            _epochs_of_batches(fold, training.epochs, batch_size, (init_seed, turn)),
            epochs=training.epochs,
            steps_per_epoch=steps,
            shuffle=False,
            verbose=0,
            callbacks=[watch.callback(keras)],
        )
        histories.append([float(value) for value in history.history.get("loss", [])])
        judged.append(
            (np.asarray(model.predict(fold.x_test, batch_size=PREDICT_BATCH, verbose=0)), fold)
        )
        if watch.diverged_in_epoch is not None or watch.out_of_time:
            break
    return histories, judged


def batching(examples: int, batch_size: int) -> tuple[int, int]:
    """(batch size, batches per epoch): every batch full, so an epoch leaves out the few digits
    (fewer than a batch) that come last in its order; they are as likely as any to come first
    in the next."""
    size = max(1, min(batch_size, examples))
    return size, examples // size


def _epochs_of_batches(fold: Fold, epochs: int, batch_size: int, seed: tuple[int, int]) -> Any:
    """The copy's whole training stream, made up front: each epoch the training digits in a new
    order drawn from `seed`, cut into full batches. Keras' own pipeline shuffled and sliced
    each batch as it went, which cost a fifth of the training at these sizes."""
    import tensorflow as tf

    examples = len(fold.y_train)
    _size, steps = batching(examples, batch_size)
    generator = np.random.default_rng(list(seed))
    order = np.concatenate(
        [generator.permutation(examples)[: steps * batch_size] for _epoch in range(epochs)]
    )
    images = fold.x_train[order].reshape(epochs * steps, batch_size, *fold.x_train.shape[1:])
    labels = fold.y_train[order].reshape(epochs * steps, batch_size)
    return tf.data.Dataset.from_tensor_slices((images, labels))


def keras_stopped(error: Exception) -> str:
    """Feedback for a model whose settings passed every check but that Keras would not train
    (a noise_shape that does not fit its input, a schedule whose lists do not match, ...)."""
    return _(
        "Keras stopped while the grader trained this model ({error}); check each layer's and the "
        "optimiser's settings against what they are applied to"
    ).format(error=f"{type(error).__name__}: {clean(error, 300, single_line=True)}")


def optimizer_for(keras: Any, spec: ModelSpec, training: Training, steps: int) -> Any:
    """The learner's optimiser; with cosine decay, its fixed rate falls to zero over the training."""
    assert spec.optimizer is not None
    class_name = spec.optimizer.class_name

    def optimizer(config: dict) -> Any:
        return keras.saving.deserialize_keras_object(
            {
                "module": "keras.optimizers",
                "class_name": class_name,
                "config": config,
                "registered_name": None,
            },
            safe_mode=True,
        )

    chosen = optimizer(dict(spec.optimizer.config))
    rate = chosen.get_config().get("learning_rate")
    if (
        training.learning_rate_decay != COSINE
        or not isinstance(rate, (int, float))
        or isinstance(rate, bool)
    ):
        return chosen  # a schedule of the learner's own is theirs to choose
    decay = {
        "module": "keras.optimizers.schedules",
        "class_name": "CosineDecay",
        "registered_name": None,
        "config": {"initial_learning_rate": float(rate), "decay_steps": training.epochs * steps},
    }
    return optimizer({**spec.optimizer.config, "learning_rate": decay})


class _Watch:
    """Stops training when the loss blows up (NaN, infinite or absurdly large) or the time is up
    (`deadline`, on the process's processor-time clock), and tells `report` of each epoch done,
    counted over all the copies' turns (one compiled call runs a whole epoch, so the batch hook
    runs once per epoch)."""

    def __init__(self, deadline: float, epochs: int = 0, copies: int = 1, report: Any = None):
        self.deadline = deadline
        self.epochs = epochs  # of one copy
        self.copies = copies
        self.report = report
        self.turn = 0  # the copy training now
        self.epoch = 0  # its epoch
        self.diverged_in_epoch: int | None = None
        self.out_of_time = False

    def callback(self, keras: Any) -> Any:
        watch = self

        class Watch(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                watch.epoch = epoch + 1

            def on_train_batch_end(self, batch, logs=None):
                loss = (logs or {}).get("loss")
                if loss is not None and not (
                    math.isfinite(float(loss)) and float(loss) < DIVERGED_LOSS
                ):
                    watch.diverged_in_epoch = watch.epoch
                    self.model.stop_training = True
                if time.process_time() > watch.deadline:
                    watch.out_of_time = True
                    self.model.stop_training = True

            def on_epoch_end(self, epoch, logs=None):
                accuracy = (logs or {}).get(ACCURACY)
                if watch.report is not None and accuracy is not None:
                    watch.report(
                        watch.turn * watch.epochs + epoch + 1,
                        watch.copies * watch.epochs,
                        float(accuracy),
                    )

        return Watch()


def print_progress(epoch: int, epochs: int, accuracy: float) -> None:
    """One progress event on standard output, read by the grader while this process trains."""
    print(
        json.dumps(
            {PROGRESS_KEY: {"epoch": epoch, "epochs": epochs, "accuracy": round(accuracy, 4)}}
        ),
        flush=True,
    )


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
        outcome = train_and_evaluate(
            spec,
            training,
            **seeds,
            report=print_progress if payload.get(PROGRESS_KEY) is True else None,
        )
    except ModelRejected as error:  # Keras refused an allowlisted layer's settings
        outcome = TrainingOutcome(
            accuracy=None, not_trained=error.feedback, not_built=error.feedback
        )
    print(json.dumps(asdict(outcome), allow_nan=True))


if __name__ == "__main__":
    main()
