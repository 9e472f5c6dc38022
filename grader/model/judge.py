"""The trusted side of ex07: read a learner's model as data, and judge it by training it ourselves.

A learner's `build_model` runs only in the worker, which sends back the model's configuration
as JSON text. `fetch_model` turns that into a `ModelSpec` (grader/model/config.py: allowlist
first, nothing deserialised before it passes). `judge` has a trusted child process
(grader/model/trainer.py) rebuild the model from the spec with fresh weights, train a copy
for each held-out fold of scikit-learn's digits with the catalogue's settings and this run's
secret seeds, and measure accuracy on the digits each copy never saw. Whatever weights or
accuracy the learner's code computed never reach the grader, and TensorFlow never loads in the
grader's own process.

Outcomes are cached by the spec's fingerprint: the public and hidden suites, and a re-grade of
the same model in the same process, train once.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import OrderedDict
from dataclasses import asdict, dataclass
from typing import Any

from grader.course.catalogue import Training
from grader.errors import GraderFailure
from grader.failures import BadReturn
from grader.i18n import N_, _, current_language
from grader.model.config import ModelRejected, ModelSpec, read_model
from grader.processes.activity import TrainingProgress
from grader.processes.children import run_trusted
from grader.sandbox.policy import TENSORFLOW_ENVIRONMENT

DIGITS_SHAPE = (8, 8, 1)
DIGITS_CLASSES = 10
DIGITS_COUNT = 1797  # images in scikit-learn's load_digits
MAX_TRAINED_PARAMETERS = 2_000_000  # the grader does not build or train anything larger
MAX_MULTIPLY_ADDS = (
    50_000_000  # per image, for a run of REFERENCE_EXAMPLES: about a minute on two cores
)
REFERENCE_EXAMPLES = (
    20 * 1347
)  # 20 epochs of 1,347 digits; a run that trains on more takes less per image
MAX_FEATURE_MAP = 1_000_000  # values in one layer's output, per example
CACHE_SIZE = 8
TRAINER_MEMORY_MB = 1280  # peak resident memory of the training run: TensorFlow itself takes ~600,
# the course's solution ~740; below 1.5 GB with what grows between two looks
TRAINER_START_SECONDS = 60.0  # importing TensorFlow and loading the digits, on a busy machine

_outcomes: OrderedDict[tuple, TrainingOutcome] = OrderedDict()


@dataclass(frozen=True)
class TrainingOutcome:
    """What the grader's own training run of a model gave."""

    accuracy: float | None  # on the held-out split; None if the model was not trained
    test_size: int = 0  # held-out digits, over all copies
    folds: int = 1  # the digits were cut into this many parts (1: one held-out fraction)
    copies: int = 1  # fresh copies trained, each judged on a part it did not see
    epochs_run: int = 0
    losses: tuple[float, ...] = ()  # the mean training loss of each epoch
    diverged_in_epoch: int | None = None  # the loss blew up (NaN, infinite, huge) in this epoch
    out_of_time: bool = False
    seconds: float = 0.0
    not_trained: str = ""  # why the grader could not train the model
    not_built: str = ""  # why Keras could not rebuild it from its configuration, if it could not

    @property
    def trained(self) -> bool:
        return self.accuracy is not None


def fetch_model(learner: Any, call: str, **arguments: Any) -> ModelSpec:
    """Call the learner's build_model in the worker and read what comes back as a `ModelSpec`."""
    try:
        value = learner.build_model(**arguments)
    except BadReturn as error:
        detail = f" ({error.detail})" if error.detail else ""
        raise BadReturn(
            _(
                "{call} returned {returned}, which is not data the grader can check{detail}; return "
                "the keras.Model itself, built from keras.layers"
            ).format(call=call, returned=error.returned or _("something"), detail=detail),
            returned=error.returned,
            detail=error.detail,
        ) from None
    return read_model(value, call)


# ----------------------------------------------------------------------------- Keras


def multiply_add_limit(training: Training | None) -> int:
    """The most multiply-adds per image the grader trains with these settings (about a minute)."""
    if training is None:
        return MAX_MULTIPLY_ADDS
    held_out = (
        math.ceil(DIGITS_COUNT * training.test_fraction)
        if training.folds == 1
        else math.ceil(DIGITS_COUNT / training.folds)
    )  # the largest fold: every copy trains on as many
    examples = training.epochs * training.copies * (DIGITS_COUNT - held_out)
    return min(MAX_MULTIPLY_ADDS, MAX_MULTIPLY_ADDS * REFERENCE_EXAMPLES // max(examples, 1))


def check_trainable(spec: ModelSpec, training: Training | None = None) -> None:
    """`ModelRejected` if the model is too large for the grader to build and train at all."""
    limit = multiply_add_limit(training)
    if spec.parameters > MAX_TRAINED_PARAMETERS:
        raise ModelRejected(
            _(
                "the model has {parameters:,} parameters; the grader does not build models "
                "over {limit:,}"
            ).format(parameters=spec.parameters, limit=MAX_TRAINED_PARAMETERS)
        )
    if spec.multiply_adds > limit or spec.largest_feature_map > MAX_FEATURE_MAP:
        raise ModelRejected(
            _(
                "the model needs {macs:,} multiply-adds per image (its largest feature map "
                "holds {values:,} values); the grader trains models up to {limit:,}"
            ).format(macs=spec.multiply_adds, values=spec.largest_feature_map, limit=limit)
        )


def untrainable_because(spec: ModelSpec) -> str:
    """Why the grader cannot train this model on the digits, or ''."""
    if spec.input_shape != DIGITS_SHAPE or spec.output_shape != (DIGITS_CLASSES,):
        return _(
            "the model takes {input} and gives {output}; the digits need {shape} in and ({classes},) "
            "out"
        ).format(
            input=spec.input_shape,
            output=spec.output_shape,
            shape=DIGITS_SHAPE,
            classes=DIGITS_CLASSES,
        )
    if spec.loss is None:
        return _("the model is not compiled, so there is no loss to train it with")
    if not spec.loss.takes_integer_labels:
        return _("the loss {loss} cannot learn from the digits' integer labels").format(
            loss=spec.loss.name
        )
    if spec.loss.problem or spec.compile_problem or spec.optimizer is None:
        return _(spec.loss.problem or spec.compile_problem or N_("the model has no optimiser"))
    return ""


def training_seeds(run_seed: int, training: Training) -> dict[str, int]:
    """This run's secret seeds for the digits split and the initial weights.

    They come from the run's seed (never sent to a worker) mixed with the catalogue's salts, so
    a learner's code cannot know which digits are held out, and `--seed` still replays a run.
    """

    def mix(salt: int, purpose: str) -> int:
        digest = hashlib.sha256(f"{run_seed}:{salt}:{purpose}".encode()).digest()
        return int.from_bytes(digest[:4], "big")

    return {
        "split_seed": mix(training.split_seed, "split"),
        "init_seed": mix(training.seed, "init"),
    }


def judge(spec: ModelSpec, training: Training, run_seed: int) -> TrainingOutcome:
    """The outcome of the grader's training of `spec`, once per model, settings, run seed and
    language (an outcome's reasons are written in the language it was judged in)."""
    key = (spec.digest(), training, run_seed, current_language())
    if key in _outcomes:
        _outcomes.move_to_end(key)
        return _outcomes[key]
    reason = untrainable_because(spec)
    outcome = (
        TrainingOutcome(accuracy=None, not_trained=reason)
        if reason
        else _train_in_child(spec, training, training_seeds(run_seed, training))
    )
    _outcomes[key] = outcome
    while len(_outcomes) > CACHE_SIZE:
        _outcomes.popitem(last=False)
    return outcome


def _train_in_child(spec: ModelSpec, training: Training, seeds: dict[str, int]) -> TrainingOutcome:
    """Train in a trusted child process under memory and time limits (grader/model/trainer.py)."""
    check_trainable(spec, training)
    progress = TrainingProgress()  # epochs done, on a terminal only
    payload = {
        "spec": spec.to_payload(),
        "training": asdict(training),
        "seeds": seeds,
        "progress": progress.line.on,
        "lang": current_language(),
    }
    try:
        child = run_trusted(
            "grader.model.trainer",
            json.dumps(payload).encode(),
            timeout=training.time_limit + TRAINER_START_SECONDS,
            memory_mb=TRAINER_MEMORY_MB,
            environment=TENSORFLOW_ENVIRONMENT,
            on_output=progress,
        )
    finally:
        progress.close()
    if child.limit == "memory":
        return TrainingOutcome(
            accuracy=None,
            not_trained=(
                _(
                    "training this model needed more than {limit:,} MB of memory, the limit of the grader's "
                    "training run: make the feature maps or the Dense layers smaller"
                ).format(limit=TRAINER_MEMORY_MB)
            ),
        )
    if child.limit == "time":
        return TrainingOutcome(
            accuracy=None,
            out_of_time=True,
            not_trained=(
                _(
                    "training this model took longer than {seconds:g} s, the limit of the grader's training run: "
                    "use fewer filters or units, or pool earlier"
                ).format(seconds=training.time_limit + TRAINER_START_SECONDS)
            ),
        )
    if child.exit_code is not None and child.exit_code < 0:  # TensorFlow aborted on the settings
        return TrainingOutcome(
            accuracy=None,
            not_trained=(
                _(
                    "the grader's training run of this model crashed (signal {signal}); check each layer's "
                    "settings against what it is applied to"
                ).format(signal=-child.exit_code)
            ),
        )
    try:
        fields = json.loads(child.stdout.strip().splitlines()[-1])
        return TrainingOutcome(**{**fields, "losses": tuple(fields.get("losses", ()))})
    except (ValueError, IndexError, TypeError):
        raise GraderFailure(
            f"the grader's training run failed (exit code {child.exit_code}): "
            f"{child.stderr.strip()[-500:]}"
        ) from None


def plan_of(payload: dict) -> tuple[ModelSpec, Training, dict[str, int]]:
    """The trainer's side of `_train_in_child`: the spec, settings and seeds from the payload."""
    return (
        ModelSpec.from_payload(payload["spec"]),
        Training(**payload["training"]),
        payload["seeds"],
    )
