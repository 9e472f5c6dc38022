"""Where a model's layer steps come from: the course's arithmetic, or Keras in the release.

`follow_shapes` turns an allowlisted layer chain into one `LayerStep` per layer. In the course
repository the steps come from grader/exercises/hidden/arithmetic.py, without Keras, with the working
written out. The student release leaves that module out (it answers ex06), so there the steps
come from Keras itself: a trusted child process (`python -I -m grader.model.shapes`) rebuilds
the layers from their allowlisted settings, with no learner code anywhere near it, under the
trainer's memory and time limits, and reports each layer's output shape, parameter count and
multiply-adds. No working is written out in the release: the table shows what Keras built.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

from grader.i18n import _, current_language, set_language
from grader.model.layers import LayerError, LayerStep, Shape, product
from grader.processes.children import run_trusted
from grader.sandbox.policy import TENSORFLOW_ENVIRONMENT

try:
    from grader.exercises.hidden.arithmetic import LAYERS

    RULES: dict[str, Callable[[dict, tuple[int, ...]], LayerStep]] | None = LAYERS
except ImportError:  # the student release: Keras works the steps out
    RULES = None

SHAPES_MEMORY_MB = 1280  # as the trainer: TensorFlow itself takes about 600
SHAPES_SECONDS = 90.0  # importing TensorFlow on a busy machine, then building the layers
NO_COST = {"Flatten", "Reshape", "ZeroPadding2D", "InputLayer"}  # rearrange values, compute nothing
GLOBAL_POOLING = {"GlobalMaxPooling2D", "GlobalAveragePooling2D"}
_cache: dict[str, list[LayerStep]] = {}


class ChainError(LayerError):
    """Layer `index` (1-based) of a chain cannot take `given`, its input; the text says why."""

    def __init__(self, index: int, given: Shape, message: str):
        super().__init__(message)
        self.index, self.given = index, given


def follow_shapes(input_shape: Shape, chain: list[tuple[str, dict]]) -> list[LayerStep]:
    """One step per (class name, allowlisted config) of `chain`, from `input_shape` on.

    Raises `ChainError` naming the first layer that cannot take what comes before it.
    """
    if RULES is not None:
        return _by_arithmetic(input_shape, chain)
    key = json.dumps([list(input_shape), chain], sort_keys=True)
    if key not in _cache:
        _cache[key] = _by_keras_child(input_shape, chain)
    return _cache[key]


def _by_arithmetic(input_shape: Shape, chain: list[tuple[str, dict]]) -> list[LayerStep]:
    assert RULES is not None  # follow_shapes() asks Keras where the course's arithmetic is not
    steps, shape = [], input_shape
    for index, (class_name, config) in enumerate(chain, start=1):
        try:
            step = RULES[class_name](config, shape)
        except LayerError as error:
            raise ChainError(index, shape, str(error)) from None
        steps.append(step)
        shape = step.output_shape
    return steps


def _by_keras_child(input_shape: Shape, chain: list[tuple[str, dict]]) -> list[LayerStep]:
    payload = json.dumps(
        {"input_shape": list(input_shape), "chain": chain, "lang": current_language()}
    ).encode()
    child = run_trusted(
        "grader.model.shapes",
        payload,
        timeout=SHAPES_SECONDS,
        memory_mb=SHAPES_MEMORY_MB,
        environment=TENSORFLOW_ENVIRONMENT,
    )
    if child.limit:
        raise ChainError(
            len(chain),
            input_shape,
            _(
                "building the model needed more than {memory:,} MB or {seconds:g} s: make the feature maps or "
                "the Dense layers smaller"
            ).format(memory=SHAPES_MEMORY_MB, seconds=SHAPES_SECONDS),
        )
    try:
        answer = json.loads(child.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise RuntimeError(
            f"the grader's shape run failed (exit code {child.exit_code}): "
            f"{child.stderr.strip()[-500:]}"
        ) from None
    if "error" in answer:
        raise ChainError(answer["index"], tuple(answer["given"]), answer["error"])
    return [
        LayerStep(tuple(shape), parameters, multiply_adds)
        for shape, parameters, multiply_adds in answer["steps"]
    ]


def keras_steps(input_shape: Shape, chain: list[tuple[str, dict]]) -> list[LayerStep]:
    """The steps as Keras builds them: in a process that may import TensorFlow (the child's)."""
    from grader.model.trainer import keras_module, layer_from_config

    keras = keras_module()
    keras.backend.clear_session()
    tensor, steps, shape = keras.Input(shape=input_shape), [], input_shape
    for index, (class_name, config) in enumerate(chain, start=1):
        try:
            layer = layer_from_config(keras, class_name, config)
            tensor = layer(tensor)
        except Exception as error:  # Keras refuses the settings for this input
            raise ChainError(
                index,
                shape,
                _("Keras refuses it ({error})").format(
                    error=f"{type(error).__name__}: {str(error)[:300]}"
                ),
            ) from None
        output = tuple(int(size) for size in tensor.shape[1:])
        steps.append(
            LayerStep(
                output, int(layer.count_params()), _multiply_adds(layer, class_name, shape, output)
            )
        )
        shape = output
    return steps


def _multiply_adds(layer: Any, class_name: str, given: Shape, output: Shape) -> int:
    """Multiply-adds per example: a weighted layer's kernel at every output position, a
    pooling window at every output value, one operation per value for the rest."""
    kernel = getattr(layer, "kernel", None)
    if kernel is not None:
        return product(output[:-1]) * product(tuple(kernel.shape))
    if class_name in NO_COST:
        return 0
    if class_name in GLOBAL_POOLING:
        return product(given)
    pool_size = getattr(layer, "pool_size", None)
    if pool_size is not None:
        return product(output) * product(tuple(pool_size))
    return product(output)


def main() -> None:
    """Read {input_shape, chain} on standard input; print the steps (or the error) as JSON."""
    request = json.loads(sys.stdin.read())
    set_language(request.get("lang"))
    chain = [(name, config) for name, config in request["chain"]]
    try:
        steps = keras_steps(tuple(request["input_shape"]), chain)
        answer: dict = {
            "steps": [
                [list(step.output_shape), step.parameters, step.multiply_adds] for step in steps
            ]
        }
    except ChainError as error:
        answer = {"index": error.index, "given": list(error.given), "error": str(error)}
    print(json.dumps(answer))


if __name__ == "__main__":
    main()
