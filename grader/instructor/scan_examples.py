"""The release scan's probe: a public example of every exercise function, and its answer's kind.

A function of the release is graded as an exercise function only if it answers one of these
calls with an answer of the right kind (grader/jail/instructor/scan_driver.py
checks it): an array
of the shape the contract gives, a number, a tuple of such, a Keras model. The calls come in
the forms the suites use (the fewest arguments, every argument by position, by keyword), so a
function that takes the suites' calls takes one of these. The shapes follow
docs/design.md#the-exercises; tests/instructor/test_scan.py checks that every solution answers
every example with its kind. The exercises' constants (ex02's Sobel kernels) are compared by value.
"""

from __future__ import annotations

from typing import Any

import numpy as np

SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float64)
CONSTANTS = {"SOBEL_X": SOBEL_X, "SOBEL_Y": SOBEL_X.T.copy()}


def _grid(*shape: int) -> np.ndarray:
    """Small distinct integers, as float64, in `shape`."""
    return (np.arange(int(np.prod(shape))) % 7 - 3).reshape(shape).astype(np.float64)


def array(*shape: int) -> dict:
    return {"array": list(shape)}


MODEL_SECONDS = 20.0  # building a Keras model, its first use of TensorFlow included
NUMBER: dict = {"number": True}
MODEL: dict = {"model": True}


def tuple_of(*kinds: dict) -> dict:
    return {"tuple": list(kinds)}


def _forms(function: str, required: tuple, optional: dict[str, Any], kind: dict) -> list[dict]:
    """The call with the required arguments only, with every argument by position, and with the
    optional ones by keyword."""
    forms: list[tuple[tuple, dict[str, Any]]] = [((*required,), {})]
    if optional:
        forms += [((*required, *optional.values()), {}), ((*required,), dict(optional))]
    return [
        {"function": function, "args": list(args), "kwargs": kwargs, "kind": kind}
        for args, kwargs in forms
    ]


def examples() -> list[dict]:
    """Every exercise function's example calls, each with the kind of its answer."""
    x, layer = _grid(1, 5, 5, 2), _grid(3, 3, 2, 4)
    pooled = _grid(1, 4, 4, 2)
    return [
        *_forms("filter_response", (_grid(3, 3), _grid(3, 3)), {}, NUMBER),
        *_forms("convolve2d", (_grid(5, 5), _grid(3, 3)), {}, array(3, 3)),
        *_forms("sobel_edges", (_grid(5, 6),), {}, tuple_of(array(3, 4), array(3, 4), array(3, 4))),
        *_forms("zero_pad", (_grid(1, 3, 3, 1), 1), {}, array(1, 5, 5, 1)),
        *_forms("same_padding", (5, 3), {"stride": 1}, tuple_of(NUMBER, NUMBER)),
        *_forms(
            "conv2d",
            (x, layer),
            {"bias": None, "strides": 1, "padding": "valid"},
            array(1, 3, 3, 4),
        ),
        *_forms(
            "max_pool2d",
            (pooled,),
            {"pool_size": (2, 2), "strides": None, "padding": "valid"},
            array(1, 2, 2, 2),
        ),
        *_forms("conv_output_size", (7, 3), {"stride": 1, "padding": 0}, NUMBER),
        *_forms(
            "conv_output_shape",
            ((7, 7, 3), 4, 3),
            {"strides": 1, "padding": "valid"},
            tuple_of(NUMBER, NUMBER, NUMBER),
        ),
        *_forms(
            "pool_output_shape",
            ((8, 8, 3),),
            {"pool_size": (2, 2), "strides": None, "padding": "valid"},
            tuple_of(NUMBER, NUMBER, NUMBER),
        ),
        *_forms("conv2d_param_count", (3, 3, 8), {"use_bias": True}, NUMBER),
        *_forms("dense_param_count", (10, 5), {"use_bias": True}, NUMBER),
        {
            "function": "build_model",
            "args": [],
            "kwargs": {"input_shape": (8, 8, 1), "num_classes": 10},
            "kind": MODEL,
            "seconds": MODEL_SECONDS,
        },
        *_forms(
            "conv_backward",
            (_grid(1, 3, 3, 4), x, layer),
            {"strides": 1, "padding": "valid"},
            tuple_of(array(1, 5, 5, 2), array(3, 3, 2, 4), array(4)),
        ),
        *_forms(
            "max_pool_backward",
            (_grid(1, 2, 2, 2), pooled),
            {"pool_size": (2, 2), "strides": None, "padding": "valid"},
            array(1, 4, 4, 2),
        ),
        *_forms("receptive_field", ([(3, 1), (3, 1)],), {}, NUMBER),
        *_forms(
            "conv2d_multiply_adds", ((8, 8, 3), 4, 3), {"strides": 1, "padding": "valid"}, NUMBER
        ),
        *_forms(
            "pointwise_conv",
            (_grid(1, 4, 4, 3), _grid(1, 1, 3, 2)),
            {"bias": None},
            array(1, 4, 4, 2),
        ),
    ]
