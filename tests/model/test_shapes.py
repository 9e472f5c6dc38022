"""Keras and the course's arithmetic agree on every layer step, so the release (which has only
Keras) shows the same shapes, parameters and costs as the course repository."""

from __future__ import annotations

import contextlib
import functools
import io
import sys

import pytest

from grader.exercises.hidden.arithmetic import LAYERS
from grader.model import shapes
from grader.model.shapes import ChainError, keras_steps
from grader.processes.children import ChildResult

CONV = {"filters": 6, "kernel_size": [3, 3], "activation": "relu"}
CHAINS = {
    "the course's model": (
        (8, 8, 1),
        [
            ("Conv2D", {**CONV, "padding": "same"}),
            ("MaxPooling2D", {}),
            ("Flatten", {}),
            ("Dense", {"units": 10, "activation": "softmax"}),
        ],
    ),
    "strides, odd same padding": (
        (9, 7, 3),
        [
            ("Conv2D", {**CONV, "strides": [2, 3], "padding": "same"}),
            ("AveragePooling2D", {"pool_size": [2, 1], "strides": [1, 1]}),
        ],
    ),
    "groups, no bias, dilation": (
        (10, 10, 4),
        [
            (
                "Conv2D",
                {
                    "filters": 8,
                    "kernel_size": 3,
                    "groups": 2,
                    "use_bias": False,
                    "dilation_rate": 2,
                },
            )
        ],
    ),
    "Dense on a feature map": (
        (4, 5, 3),
        [("Dense", {"units": 7}), ("BatchNormalization", {}), ("GlobalAveragePooling2D", {})],
    ),
    "padding and reshape": (
        (6, 6, 2),
        [
            ("ZeroPadding2D", {"padding": [[1, 2], [0, 3]]}),
            ("Reshape", {"target_shape": [-1, 2]}),
            ("Softmax", {}),
        ],
    ),
    "pooling with same padding": (
        (7, 7, 5),
        [
            ("MaxPooling2D", {"pool_size": 3, "strides": 2, "padding": "same"}),
            ("GlobalMaxPooling2D", {"keepdims": True}),
            ("Dropout", {"rate": 0.5}),
        ],
    ),
}


def arithmetic_steps(input_shape, chain):
    steps, shape = [], input_shape
    for class_name, config in chain:
        step = LAYERS[class_name](config, shape)
        steps.append((step.output_shape, step.parameters, step.multiply_adds))
        shape = step.output_shape
    return steps


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CHAINS))
def test_keras_and_the_arithmetic_agree(name):
    input_shape, chain = CHAINS[name]
    by_keras = [
        (step.output_shape, step.parameters, step.multiply_adds)
        for step in keras_steps(input_shape, chain)
    ]
    assert by_keras == arithmetic_steps(input_shape, chain)


def _child_in_this_process(monkeypatch, module, stdin, **_limits):
    """The child's side (`python -I -m grader.model.shapes`) run here, on the Keras this module
    imported already: a starting child, with its own import, is the test below."""
    assert module == "grader.model.shapes"
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin.decode()))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        shapes.main()
    return ChildResult(0, out.getvalue(), "")


@pytest.mark.slow
def test_a_layer_keras_refuses_is_named_with_its_input(monkeypatch):
    monkeypatch.setattr(shapes, "RULES", None)  # as in the release: Keras, in a child
    monkeypatch.setattr(
        shapes, "run_trusted", functools.partial(_child_in_this_process, monkeypatch)
    )
    shapes._cache.clear()
    chain = [
        ("Conv2D", {**CONV, "kernel_size": [3, 3]}),
        ("Conv2D", {**CONV, "kernel_size": [9, 9]}),
    ]
    with pytest.raises(ChainError) as caught:
        shapes.follow_shapes((8, 8, 1), chain)
    assert caught.value.index == 2 and caught.value.given == (6, 6, 6)
    assert "Keras refuses" in str(caught.value)


@pytest.mark.slow
def test_without_the_arithmetic_the_steps_come_from_a_keras_child(monkeypatch):
    monkeypatch.setattr(shapes, "RULES", None)
    shapes._cache.clear()
    input_shape, chain = CHAINS["the course's model"]
    steps = shapes.follow_shapes(input_shape, chain)
    assert [
        (step.output_shape, step.parameters, step.multiply_adds) for step in steps
    ] == arithmetic_steps(input_shape, chain)
    assert all(step.working == "" for step in steps)  # the release writes no formula out


def test_the_arithmetic_refuses_in_the_learners_language():
    from grader.i18n import language
    from grader.model.layers import LayerError

    with (
        language("ko"),
        pytest.raises(LayerError, match="너비 9인 윈도우가 6칸 안에 들어가지 않습니다"),
    ):
        LAYERS["Conv2D"]({"filters": 1, "kernel_size": 9}, (6, 6, 1))
    with pytest.raises(LayerError, match="the 9-wide window does not fit in 6 cells"):
        LAYERS["Conv2D"]({"filters": 1, "kernel_size": 9}, (6, 6, 1))
