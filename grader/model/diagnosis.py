"""Why a learner's model missed ex07's accuracy target, read from the grader's own training run.

The accuracy test (grader/exercises/ex07/test_public.py) explains a miss in one teaching sentence,
and looks for its cause most specific first: the run was stopped (out of time, a loss that
blew up); the configuration cannot learn (raw scores fed to a loss that expects
probabilities); the training curve stalled near ln 10 = 2.30, the loss of a uniform guess,
and the learning rate says why; the model fits the training digits but not the held-out ones;
only then too little capacity, advised from what the model already has. The same module says
why a model without the required Conv2D, MaxPooling2D and Flatten earns no accuracy points.
"""

from __future__ import annotations

import math

from grader.course.catalogue import Training
from grader.i18n import _
from grader.model.config import LayerRow, ModelSpec
from grader.model.judge import DIGITS_CLASSES, TrainingOutcome

CNN_LAYERS = ("Conv2D", "MaxPooling2D", "Flatten")  # what makes ex07's model the CNN it asks for
CHANCE = 1.0 / DIGITS_CLASSES
CHANCE_LOSS = math.log(DIGITS_CLASSES)  # cross-entropy of a model that gives every digit 1/10
STALLED_LOSS = 0.9 * CHANCE_LOSS  # a last loss above this: the model learned (almost) nothing
STILL_FALLING = 0.02  # relative fall of the loss over the last epochs: training was not done
MEMORISED_LOSS = (
    0.05  # a training loss this low with the target missed: it fits the training set only
)
RATE_FACTOR = 10.0  # a learning rate this many times above (or below) the optimiser's default
DEFAULT_RATES = {"SGD": 0.01}  # Keras' defaults; every other optimiser the grader accepts: 0.001
DEFAULT_RATE = 0.001
FEW_FILTERS = 16


def softmax_layer(spec: ModelSpec) -> tuple[LayerRow, bool]:
    """The final Dense layer and whether softmax follows it (in it, or as the next layer)."""
    layers = spec.layers
    last = layers[-1]
    if (
        last.class_name in ("Activation", "Softmax")
        and last.activation == "softmax"
        and len(layers) > 1
        and layers[-2].class_name == "Dense"
        and layers[-2].activation in (None, "linear")
    ):
        return layers[-2], True
    return last, last.activation == "softmax"


def missing_cnn_layers(spec: ModelSpec) -> list[str]:
    """The required CNN layers the model does not have, in the order a CNN uses them."""
    present = set(spec.class_names)
    return [name for name in CNN_LAYERS if name not in present]


def not_a_cnn(missing: list[str]) -> str:
    """Why the accuracy points need the CNN's layers, for a model that lacks some of them."""
    names = ", ".join(missing)
    if "Conv2D" in missing:
        return _(
            "The accuracy points are for a CNN, and this model has no {layers}. Dense "
            "layers alone can learn 8x8 digits, but they give every pixel its own weight and "
            "find a stroke only where they saw it in training; this exercise asks for "
            "filters that slide over the image. Put Conv2D + MaxPooling2D blocks before "
            "Flatten."
        ).format(layers=names)
    return _(
        "The accuracy points are for the CNN this exercise asks for, and this model has no "
        "{layers}: add it (the layer test says what it does)."
    ).format(layers=names)


def accuracy_reached(outcome: TrainingOutcome, training: Training) -> str:
    """How well the grader's own training run did, and how it measured that (a pass's note)."""
    if outcome.copies > 1:
        return _(
            "test accuracy {accuracy:.1%} (target {target:.0%}) on {count:,} held-out digits: the grader "
            "trained {copies} fresh copies of the model for {epochs} epochs, each on all the digits but "
            "a different 1/{folds} of them, and judged each copy on the digits it never saw."
        ).format(
            accuracy=outcome.accuracy,
            target=training.accuracy_threshold,
            count=outcome.test_size,
            copies=outcome.copies,
            epochs=outcome.epochs_run,
            folds=outcome.folds,
        )
    return _(
        "test accuracy {accuracy:.1%} (target {target:.0%}) on {count:,} held-out digits after {epochs} "
        "epochs of the grader's own training."
    ).format(
        accuracy=outcome.accuracy,
        target=training.accuracy_threshold,
        count=outcome.test_size,
        epochs=outcome.epochs_run,
    )


def accuracy_missed(outcome: TrainingOutcome, training: Training) -> str:
    """The first sentence of a miss: the accuracy, and the training that gave it."""
    if outcome.copies > 1:
        return _(
            "trained by the grader as {copies} fresh copies, each for {epochs} of {total} epochs (batch "
            "size {batch}) on all the digits but a different 1/{folds} of them, the model labels "
            "{accuracy:.1%} of the {count:,} held-out digits correctly (each judged by the copy that never "
            "saw it); the target is {target:.0%}."
        ).format(
            copies=outcome.copies,
            epochs=outcome.epochs_run,
            total=training.epochs,
            batch=training.batch_size,
            folds=outcome.folds,
            accuracy=outcome.accuracy,
            count=outcome.test_size,
            target=training.accuracy_threshold,
        )
    return _(
        "trained by the grader for {epochs} of {total} epochs (batch size {batch}, on this run's split "
        "of the digits), the model labels {accuracy:.1%} of the {count} held-out digits correctly; the "
        "target is {target:.0%}."
    ).format(
        epochs=outcome.epochs_run,
        total=training.epochs,
        batch=training.batch_size,
        accuracy=outcome.accuracy,
        count=outcome.test_size,
        target=training.accuracy_threshold,
    )


def loss_trend(losses: tuple[float, ...]) -> str:
    shown = [f"{value:.3g}" for value in losses]
    return ", ".join(shown if len(shown) <= 6 else shown[:3] + ["..."] + shown[-2:])


def diagnose(spec: ModelSpec, outcome: TrainingOutcome, training: Training) -> str:
    """One teaching sentence on why the accuracy is short: the first cause that fits."""
    optimizer = spec.optimizer.describe() if spec.optimizer else _("the optimiser")
    if outcome.out_of_time:
        return _(
            "Training was stopped after {seconds:g} s: the model is too slow to train. Use "
            "fewer filters or units, or pool earlier."
        ).format(seconds=training.time_limit)
    if outcome.diverged_in_epoch is not None:
        return _(
            "The loss blew up (it became NaN or huge) in epoch {epoch}: the weights blew up. "
            "{optimizer} takes steps that are far too large; Adam with its default learning "
            "rate, 0.001, is a good start."
        ).format(epoch=outcome.diverged_in_epoch, optimizer=optimizer)
    return (
        _config_problem(spec, outcome)
        or _curve_problem(spec, outcome, optimizer)
        or _capacity_advice(spec, training, optimizer)
    )


def _config_problem(spec: ModelSpec, outcome: TrainingOutcome) -> str:
    """A last layer and a loss that do not fit together, which no amount of training fixes."""
    final, softmax = softmax_layer(spec)
    from_logits = bool(spec.loss and spec.loss.from_logits)
    if not softmax and not from_logits:
        stall = (
            _(": the loss stayed at {loss:.3g}, near ln 10 = 2.30").format(loss=outcome.losses[-1])
            if _stalled(outcome)
            else ""
        )
        return _(
            "The last layer (activation '{activation}') gives scores that are not "
            "probabilities, but the loss expects probabilities (from_logits=False), so what "
            "it measures is not how wrong the model is{stall}. End with Dense(num_classes, "
            "activation='softmax'): fix this first, before any other change."
        ).format(activation=final.activation or "linear", stall=stall)
    if softmax and from_logits:
        return _(
            "The last layer applies softmax and the loss, told from_logits=True, applies it "
            "a second time, which flattens the probabilities and slows learning: leave "
            "from_logits=False with a softmax output."
        )
    return ""


def _stalled(outcome: TrainingOutcome) -> bool:
    return bool(outcome.losses) and outcome.losses[-1] >= STALLED_LOSS


def _rate_verdict(spec: ModelSpec) -> tuple[str, float | None]:
    """("high" | "low" | "", the rate) for the optimiser's learning rate against its default."""
    if spec.optimizer is None or spec.optimizer.learning_rate is None:
        return "", None
    rate = spec.optimizer.learning_rate
    default = DEFAULT_RATES.get(spec.optimizer.class_name, DEFAULT_RATE)
    if rate >= RATE_FACTOR * default:
        return "high", rate
    if rate <= default / RATE_FACTOR:
        return "low", rate
    return "", rate


def _curve_problem(spec: ModelSpec, outcome: TrainingOutcome, optimizer: str) -> str:
    """What the training loss, epoch by epoch, says went wrong (with the learning rate)."""
    losses = outcome.losses
    if not losses:
        return ""
    verdict, rate = _rate_verdict(spec)
    first, last = losses[0], losses[-1]
    if _stalled(outcome):
        start = _(
            "The training loss stayed near ln 10 = 2.30 (it ended at {loss:.3g}), the loss "
            "of a model that gives every digit 1/10: it learned nothing, and its accuracy is "
            "about chance ({chance:.0%}). "
        ).format(loss=last, chance=CHANCE)
        if verdict == "high":
            return start + _(
                "{optimizer} is {times:g} times its default rate: steps that large "
                "throw the weights past every minimum (often into ReLUs that never fire "
                "again). Try the default, {default:g}."
            ).format(optimizer=optimizer, times=_times(spec, rate), default=_default(spec))
        if verdict == "low":
            return start + _(
                "{optimizer} is {times:g} times smaller than its default: in {epochs} "
                "epochs the loss fell only from {first:.3g} to {last:.3g}. Try the "
                "default, {default:g}."
            ).format(
                optimizer=optimizer,
                times=_times(spec, rate, smaller=True),
                epochs=len(losses),
                first=first,
                last=last,
                default=_default(spec),
            )
        return start + _(
            "Check the learning rate of {optimizer} first (Adam's default, 0.001, "
            "learns the digits in a few epochs), then the activations: a layer "
            "whose outputs are all zero passes nothing on."
        ).format(optimizer=optimizer)
    tail = losses[-3:]
    if verdict == "low" and len(tail) > 1 and tail[-1] < tail[0] * (1 - STILL_FALLING):
        return _(
            "The loss was still falling at the end ({first:.3g} to {last:.3g}): {optimizer} "
            "is {times:g} times smaller than its default, so {epochs} epochs are not enough. "
            "Try the default, {default:g}."
        ).format(
            first=first,
            last=last,
            optimizer=optimizer,
            times=_times(spec, rate, smaller=True),
            epochs=len(losses),
            default=_default(spec),
        )
    if last <= MEMORISED_LOSS:
        return _(
            "The training loss fell to {loss:.3g}, so the model fits the training digits, but "
            "not the held-out ones: it memorises them. Fewer units, or Dropout before the "
            "last Dense layer, make it learn what generalises."
        ).format(loss=last)
    return ""


def _default(spec: ModelSpec) -> float:
    return (
        DEFAULT_RATES.get(spec.optimizer.class_name, DEFAULT_RATE)
        if spec.optimizer
        else DEFAULT_RATE
    )


def _times(spec: ModelSpec, rate: float | None, smaller: bool = False) -> float:
    """How many times the default the rate is (or, `smaller`, how many times below it), rounded."""
    ratio = (rate or _default(spec)) / _default(spec)
    return float(f"{1 / ratio if smaller else ratio:.2g}")


def _capacity_advice(spec: ModelSpec, training: Training, optimizer: str) -> str:
    """More capacity, said from what the model has: never "a second block" to one that has it."""
    names = spec.class_names
    conv = [row for row in spec.layers if row.class_name == "Conv2D"]
    widest = max((row.config.get("filters", 0) for row in conv), default=0)
    dense_hidden = sum(row.class_name == "Dense" for row in spec.layers) > 1
    advice = []
    if widest < FEW_FILTERS:
        advice.append(_("more filters (32 instead of {filters})").format(filters=widest))
    if names.count("Conv2D") < 2:
        advice.append(_("a second Conv2D + MaxPooling2D block"))
    if not dense_hidden:
        advice.append(_("a Dense layer with ReLU before the output"))
    if advice:
        return _(
            "Close, but not there: the grader trains for {epochs} epochs only. Try {advice}; "
            "{optimizer} should learn quickly (Adam with 0.001 does)."
        ).format(epochs=training.epochs, advice=_(", or ").join(advice), optimizer=optimizer)
    return _(
        "Close, but not there, and the model already has the usual layers: the grader "
        "trains for {epochs} epochs only, so check what slows it down: Dropout that drops "
        "most values, a small learning rate ({optimizer}), or layers that shrink the digits "
        "to 1x1 before Flatten."
    ).format(epochs=training.epochs, optimizer=optimizer)
