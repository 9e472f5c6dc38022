"""Public tests for ex07: the learner's Keras CNN, read as data, rebuilt, trained and judged here.

`build_model` runs in the worker, which sends back only the model's configuration. Each test
reads it with grader/keras_config.py (anything off the allowlist is refused before Keras sees
it); the accuracy test trains a fresh copy with the catalogue's settings and seeds
(grader/keras_judge.py), once per grading run, and earns its points only for a CNN (a Dense
network that learns the digits is not what the exercise asks for). A miss is explained from
the training curve and the configuration (grader/model/diagnosis.py). The first feedback that
needs the layer-by-layer table shows it, once per report; later ones point to it.
"""

import pytest

from grader import evidence
from grader.course.catalogue import Training
from grader.failures import GradingFailure
from grader.i18n import N_, _
from grader.model.compile import BINARY_LABELS, ONE_HOT_LABELS
from grader.model.diagnosis import (
    CNN_LAYERS,
    accuracy_missed,
    accuracy_reached,
    diagnose,
    loss_trend,
    missing_cnn_layers,
    not_a_cnn,
    softmax_layer,
)
from grader.model.judge import DIGITS_CLASSES, DIGITS_SHAPE, fetch_model, judge

pytestmark = pytest.mark.exercise("ex07")

DIGITS_CALL = "build_model(input_shape=(8, 8, 1), num_classes=10)"
TABLES_SHOWN = pytest.StashKey[
    dict
]()  # model fingerprint -> the test whose feedback shows its table
WHY_LAYER = {
    "Conv2D": N_(
        "the model has no Conv2D layer. A Dense layer gives every pixel its own weight; "
        "Conv2D slides a small filter (3x3, say) over the image and finds the same stroke "
        "wherever it is. That is what makes the model a CNN."
    ),
    "MaxPooling2D": N_(
        "the model has no MaxPooling2D layer. Pooling keeps the strongest response "
        "in each 2x2 window: H and W halve, later filters see more of the digit, and "
        "the Dense layers after Flatten need fewer weights."
    ),
    "Flatten": N_(
        "the model has no Flatten layer. Dense takes a vector, so Flatten turns the "
        "(H, W, C) feature map into H*W*C numbers."
    ),
}
assert tuple(WHY_LAYER) == CNN_LAYERS


@pytest.fixture
def digits_model(learner):
    """The learner's model for the digits, read from its configuration."""
    evidence.judged()  # each test that takes it judges it
    return fetch_model(learner, DIGITS_CALL, input_shape=DIGITS_SHAPE, num_classes=DIGITS_CLASSES)


@pytest.fixture
def training(learner):
    """The catalogue's training settings for ex07 (epochs, seeds, thresholds)."""
    return learner.exercise.training or Training()


@pytest.fixture
def with_table(request):
    """`with_table(message, spec, budget=None)`: the message and the model's layer table, the
    first time this report needs that model's table; afterwards, where to find it."""
    shown = request.session.stash.setdefault(TABLES_SHOWN, {})
    doc = (request.node.function.__doc__ or request.node.name).strip().splitlines()[0]

    def attach(message, spec, budget=None):
        key = spec.digest()
        if key in shown:
            return (
                message
                + "\n"
                + _('(Your model\'s layer-by-layer table is in the feedback of "{test}".)').format(
                    test=shown[key]
                )
            )
        shown[key] = _(doc)  # test names are in the catalogue: the report shows them translated
        heading = _("Your model, layer by layer:")
        return f"{message}\n{heading}\n{spec.table(budget)}"

    return attach


@pytest.mark.points(2)
@pytest.mark.feedback(
    N_(
        "Build with keras.Sequential([keras.Input(shape=input_shape), ...]) from "
        "keras.layers, and return the model."
    )
)
def test_model_builds(learner, training, run_seed, with_table):
    """build_model() returns a model the grader can rebuild"""
    spec = fetch_model(learner, "build_model()")
    evidence.judged()
    if spec.input_shape != DIGITS_SHAPE or spec.output_shape != (DIGITS_CLASSES,):
        raise GradingFailure(
            with_table(
                f"build_model() with its default arguments maps {spec.input_shape} to "
                f"{spec.output_shape}: the defaults must be input_shape=(8, 8, 1) and "
                "num_classes=10, an 8x8 grey digit in and 10 probabilities out",
                spec,
            )
        )
    outcome = judge(spec, training, run_seed)  # rebuilt (and trained) once, for both tests
    if outcome.not_built:
        raise GradingFailure(with_table(outcome.not_built, spec))


@pytest.mark.points(4)
def test_has_conv_pool_flatten(digits_model, with_table):
    """the model has Conv2D, MaxPooling2D and Flatten layers"""
    present = set(digits_model.class_names)
    missing = [name for name in WHY_LAYER if name not in present]
    if missing:
        message = " ".join(_(WHY_LAYER[name]) for name in missing)
        if "Flatten" in missing and present & {"GlobalAveragePooling2D", "GlobalMaxPooling2D"}:
            message += " " + _(
                "(Global pooling also gives a vector, but it throws away where things "
                "are; this exercise asks for Flatten.)"
            )
        raise GradingFailure(with_table(message, digits_model))


@pytest.mark.points(1)
def test_ends_in_softmax_dense(digits_model, with_table):
    """the last layer is Dense(num_classes) with softmax"""
    final, softmax = softmax_layer(digits_model)
    if final.class_name != "Dense":
        raise GradingFailure(
            with_table(
                _(
                    "the last layer is {layer}: end with Dense(num_classes, activation='softmax'), one unit per "
                    "class"
                ).format(layer=final.description),
                digits_model,
            )
        )
    units = final.config.get("units")
    if units != DIGITS_CLASSES:
        raise GradingFailure(
            with_table(
                _(
                    "the last Dense layer has {units} units: it needs one per class, Dense(num_classes), which "
                    "is {classes} for the digits"
                ).format(units=units, classes=DIGITS_CLASSES),
                digits_model,
            )
        )
    if digits_model.output_shape != (DIGITS_CLASSES,):
        raise GradingFailure(
            with_table(
                _(
                    "the model's output has shape {shape}, not ({classes},): the Dense layers work on a feature "
                    "map, once per position. Put Flatten before them"
                ).format(shape=digits_model.output_shape, classes=DIGITS_CLASSES),
                digits_model,
            )
        )
    if not softmax:
        activation = final.activation or "linear"
        if activation == "sigmoid":
            message = _(
                "the last layer has no softmax: Dense({units}) with activation 'sigmoid' gives "
                "{units} numbers between 0 and 1, each squashed on its own (as for yes/no "
                "labels), so they do not add up to 1. activation='softmax' makes the classes "
                "compete: {units} probabilities that add up to 1, one per class"
            ).format(units=units)
        else:
            message = _(
                "the last layer has no softmax: Dense({units}) with activation '{activation}' "
                "gives {units} raw scores that can be any size and do not add up to 1. "
                "activation='softmax' turns them into probabilities, one per class"
            ).format(units=units, activation=activation)
        loss = digits_model.loss
        if activation != "sigmoid" and loss is not None and not loss.from_logits:
            message += ". " + _(
                "Your loss expects probabilities (from_logits=False), so it is given scores "
                "that are not probabilities and does not measure how wrong the model is: "
                "training cannot fix that; add softmax first, before any other change"
            )
        raise GradingFailure(with_table(message, digits_model))


@pytest.mark.points(1)
def test_parameter_budget(digits_model, training, with_table):
    """the model stays within the parameter budget"""
    budget = training.max_parameters
    if digits_model.parameters > budget:
        index, largest = max(
            enumerate(digits_model.layers, start=1), key=lambda item: item[1].step.parameters
        )
        raise GradingFailure(
            with_table(
                _(
                    "the model has {parameters:,} parameters, more than the budget of {budget:,}. The largest "
                    "layer, {index} ({layer}), has {largest:,}"
                ).format(
                    parameters=digits_model.parameters,
                    budget=budget,
                    index=index,
                    layer=largest.description,
                    largest=largest.step.parameters,
                )
                + (f": {largest.step.working}" if largest.step.working else "")
                + _(
                    ". Pool once more before Flatten, or use fewer filters or units: each unit of a Dense layer "
                    "after Flatten has one weight per number in the flattened feature map"
                ),
                digits_model,
                budget,
            )
        )


@pytest.mark.points(1)
def test_integer_label_loss(digits_model):
    """the model is compiled with a loss for integer labels"""
    loss = digits_model.loss
    if loss is None:
        raise GradingFailure(
            _(
                "the model is not compiled: call model.compile(optimizer='adam', "
                "loss='sparse_categorical_crossentropy', metrics=['accuracy']) "
                "before returning it"
            )
        )
    if loss.kind == ONE_HOT_LABELS:
        raise GradingFailure(
            _(
                "the loss {loss} expects one-hot labels (a row of 10 numbers with a single "
                "1), but the digits are labelled with integers 0-9: use "
                "sparse_categorical_crossentropy, which takes the integer itself"
            ).format(loss=loss.name)
        )
    if loss.kind == BINARY_LABELS:
        raise GradingFailure(
            _(
                "the loss {loss} is for yes/no labels; with {classes} classes labelled 0-9 "
                "use sparse_categorical_crossentropy"
            ).format(loss=loss.name, classes=DIGITS_CLASSES)
        )
    if not loss.takes_integer_labels:
        raise GradingFailure(
            _(
                "the loss {loss} does not compare class probabilities with integer class "
                "labels: use sparse_categorical_crossentropy"
            ).format(loss=loss.name)
        )
    if loss.problem:
        raise GradingFailure(
            _("the loss is sparse categorical cross-entropy, but {problem}").format(
                problem=_(loss.problem)
            )
        )
    _final, softmax = softmax_layer(digits_model)
    if loss.from_logits and softmax:
        raise GradingFailure(
            _(
                "the loss has from_logits=True, but the last layer already applies "
                "softmax, so the loss would apply it a second time: leave "
                "from_logits=False (the default) with a softmax output"
            )
        )
    if not loss.from_logits and not softmax:
        raise GradingFailure(
            _(
                "the loss expects probabilities (from_logits=False), but the last "
                "layer gives raw scores: end with softmax (or, outside this "
                "exercise, tell the loss from_logits=True)"
            )
        )


@pytest.mark.points(8)
def test_digits_accuracy(digits_model, training, run_seed, note, with_table):
    """trained by the grader, it reaches the target test accuracy"""
    outcome = judge(digits_model, training, run_seed)
    if not outcome.trained:
        raise GradingFailure(
            with_table(
                _("the grader could not train the model: {reason}").format(
                    reason=outcome.not_trained
                ),
                digits_model,
            )
        )
    target = training.accuracy_threshold
    # Every copy trained to the end: a loss that blew up stops the copies still to come, and
    # an accuracy of the copies before it is no verdict on the model.
    reached = (
        outcome.accuracy >= target and not outcome.out_of_time and outcome.diverged_in_epoch is None
    )
    missing = missing_cnn_layers(digits_model)
    if reached and not missing:
        note(with_table(accuracy_reached(outcome, training), digits_model))
        return
    if reached:
        raise GradingFailure(
            with_table(
                accuracy_reached(outcome, training)
                + "\n"
                + _("No points for it, though: ")
                + not_a_cnn(missing),
                digits_model,
            )
        )
    summary = accuracy_missed(outcome, training)
    if outcome.losses:
        summary += "\n" + _("Training loss by epoch: {losses}.").format(
            losses=loss_trend(outcome.losses)
        )
    summary += "\n" + diagnose(digits_model, outcome, training)
    if missing:
        summary += "\n" + not_a_cnn(missing)
    raise GradingFailure(with_table(summary, digits_model))
