"""Hidden tests for ex09: receptive fields of conv/pool stacks, a layer's multiply-adds, and
1x1 convolutions, with the mistakes each answer can show named.

Expected values come from `ref_ex09`, which the project's tests check against Keras models
(gradients of one output unit, output shapes and `count_params`, a Conv2D(C_out, 1)) on
exactly the cases listed here. Random cases come from the run's seed. The fixed cases show
specific mistakes; each test that checks them also checks random cases, so its points rest on
those, and a table of answers from earlier gradings earns nothing.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.checks import (
    Misconception,
    check_array,
    check_exact,
    describe_call,
    expect_answer,
    expect_value_error,
)
from grader.exercises.ex09.hidden import reference as ref
from grader.failures import NamedMistake
from grader.i18n import N_, _

pytestmark = pytest.mark.exercise("ex09")


def field_sentences() -> dict[str, str]:
    return {
        "strides_ignored": _(
            "you ignored the strides: after a stride-S layer, neighbouring units "
            "are S input pixels apart, so each later layer adds (F - 1) times "
            "the product of the strides before it"
        ),
        "own_stride": _(
            "you multiplied by the layer's own stride too: layer l adds (F_l - 1) * "
            "S_1 * ... * S_(l-1); its own stride only spaces the layers after it"
        ),
        "kernel_sum": _(
            "you added the kernel sizes: two 3x3 layers see 5 pixels, not 6; each "
            "layer adds F - 1 (times the jump), and the field starts at 1"
        ),
        "kernel_product": _(
            "you multiplied the kernel sizes: stacked fields overlap, so two 3x3 "
            "layers see 5 pixels, not 9"
        ),
        "no_minus_one": _(
            "each layer adds F - 1 units of the layer below, not F: the field "
            "starts at 1 and grows by (F_l - 1) * jump"
        ),
        "wrong_order": _(
            "you went through the layers in the wrong order: layer l's jump is the "
            "product of the strides of the layers before it, first layer first, so "
            "[(3, 1), (2, 2)] sees 4 pixels and [(2, 2), (3, 1)] sees 6"
        ),
    }


def cost_sentences() -> dict[str, str]:
    return {
        "no_input_channels": _(
            "C_in is missing: each output value sums over F_h * F_w * C_in "
            "products, all input channels of the window"
        ),
        "input_size": _(
            "you used the input's H and W: there is one sum per output value, "
            "H_out * W_out * C_out of them"
        ),
        "weights_only": _(
            "that is the number of weights; each weight is used once per output "
            "position, so multiply by H_out * W_out"
        ),
        "parameters": _(
            "that is the parameter count; the multiply-adds are H_out * W_out * "
            "C_out * F_h * F_w * C_in, weights times output positions"
        ),
        "bias_counted": _(
            "the bias adds are not counted: MACs = H_out * W_out * C_out * F_h * F_w * C_in"
        ),
        "no_filters": _("C_out is missing: every filter computes its own output map"),
        "multiplies_and_adds": _(
            "that is twice the count: you counted each multiplication and each "
            "addition separately; a multiply-add (MAC) is one product added to the "
            "sum, so each output value costs F_h * F_w * C_in MACs"
        ),
        "flops": _(
            "you counted operations (F_h * F_w * C_in multiplications and one fewer "
            "additions per output value); count multiply-adds: F_h * F_w * C_in per "
            "output value"
        ),
        "square_kernel": _(
            "the kernel is not square here: a window holds F_h * F_w * C_in "
            "products, with F_h and F_w from kernel_size=(F_h, F_w)"
        ),
    }


def mix_sentences() -> dict[str, str]:
    return {
        "bias_ignored": _("the bias is ignored: add bias[k] to output channel k at every pixel"),
        "no_mixing": _(
            "each output channel comes from one input channel only: a 1x1 convolution "
            "mixes all channels, out[..., k] = sum over c of x[..., c] * kernel[0, 0, "
            "c, k]"
        ),
        "transposed": _(
            "the kernel's last two axes are swapped: kernel[0, 0, c, k] weighs input "
            "channel c for output channel k"
        ),
    }


def check_field(learner, layers) -> None:
    sentences = field_sentences()
    mistakes = [
        Misconception(sentences[key], value) for key, value in ref.wrong_fields(layers).items()
    ]
    check_exact(
        learner.receptive_field(layers),
        ref.receptive_field(layers),
        call=describe_call("receptive_field", layers),
        misconceptions=mistakes,
    )


def check_cost(learner, input_shape, filters, kernel_size, strides=1, padding="valid") -> None:
    sentences = cost_sentences()
    wrong: dict[str, int | None] = {
        **ref.wrong_costs(input_shape, filters, kernel_size, strides, padding)
    }
    wrong["valid_for_same"] = (
        ref.multiply_adds(input_shape, filters, kernel_size, strides)
        if padding.lower() == "same"
        else None
    )
    sentences["valid_for_same"] = _("that is the 'valid' count: 'same' keeps H_out = ceil(H / S)")
    sentences["square_kernel_w"] = sentences["square_kernel"]
    mistakes = [
        Misconception(sentences[key], value) for key, value in wrong.items() if value is not None
    ]
    check_exact(
        learner.conv2d_multiply_adds(input_shape, filters, kernel_size, strides, padding),
        ref.multiply_adds(input_shape, filters, kernel_size, strides, padding),
        call=describe_call(
            "conv2d_multiply_adds",
            input_shape,
            filters,
            kernel_size,
            strides=strides,
            padding=padding,
        ),
        misconceptions=mistakes,
    )


def check_mix(learner, x, kernel, bias=None) -> None:
    sentences = mix_sentences()
    mistakes = [
        Misconception(sentences[key], value)
        for key, value in ref.wrong_mixes(x, kernel, bias).items()
    ]
    call = describe_call("pointwise_conv", x, kernel, bias=bias)
    got = learner.pointwise_conv(x, kernel, bias)
    if isinstance(got, np.ndarray) and got.dtype.kind in "iub":
        raise NamedMistake(
            _(
                "{call} returned dtype {dtype}: the weights are real numbers, so "
                "compute in floating point (x.astype(float)); an integer array cuts "
                "or wraps them"
            ).format(call=call, dtype=got.dtype)
        )
    check_array(
        got,
        ref.pointwise_conv(x, kernel, bias),
        call=call,
        floating=True,
        misconceptions=mistakes,
        shape_feedback={
            x.shape[:3] + (kernel.shape[2],): _(
                "the output has one channel per filter (C_out), not one per input channel"
            )
        }
        if kernel.shape[2] != kernel.shape[3]
        else None,
    )


FIELD_CASES = {
    "vgg": [(3, 1), (3, 1), (3, 1)],
    "pooled": [(3, 1), (3, 1), (2, 2), (3, 1), (3, 1), (2, 2)],
    "strided_first": [(7, 2), (3, 2), (3, 1)],
    "alexnet_like": [(11, 4), (3, 2), (5, 1), (3, 2), (3, 1)],
    "single": [(5, 1)],
}
COST_CASES = {
    "valid": ((28, 28, 1), 32, 3),
    "same_strided": ((32, 30, 16), 24, (3, 5), (2, 3), "same"),
    "pair_valid": ((15, 17, 3), 8, (4, 2), (3, 2), "Valid"),
}


def random_layers(rng: np.random.Generator) -> list[tuple[int, int]]:
    return [
        (int(rng.integers(1, 8)), int(rng.integers(1, 4)))
        for _repeat in range(int(rng.integers(2, 6)))
    ]


def random_unstrided(rng: np.random.Generator) -> list[tuple[int, int]]:
    """A stack of stride-1 layers: 3x3 ones (each adds 2), or kernels of any size."""
    depth = int(rng.integers(2, 7))
    if rng.random() < 0.5:
        return [(3, 1)] * depth
    return [(int(rng.integers(2, 8)), 1) for _repeat in range(depth)]


def random_strided(rng: np.random.Generator) -> list[tuple[int, int]]:
    """A stack whose first layer has a stride of 2 or 3, so every later layer grows faster."""
    layers = random_layers(rng)
    layers[0] = (int(rng.integers(2, 8)), int(rng.integers(2, 4)))
    return layers


def random_cost_case(rng: np.random.Generator) -> tuple:
    """(input_shape, filters, kernel_size, strides, padding) of a random Conv2D layer."""
    kernel = (int(rng.integers(1, 6)), int(rng.integers(1, 6)))
    shape = (
        int(rng.integers(kernel[0], 40)),
        int(rng.integers(kernel[1], 40)),
        int(rng.integers(1, 9)),
    )
    return (
        shape,
        int(rng.integers(1, 65)),
        kernel,
        (int(rng.integers(1, 4)), int(rng.integers(1, 4))),
        str(rng.choice(["valid", "same", "Same", "VALID"])),
    )


@pytest.mark.points(1)
@pytest.mark.feedback(
    N_(
        "With stride 1 each layer adds F - 1 pixels to the field, which starts at 1: "
        "receptive_field([(3, 1), (3, 1)]) is 5."
    )
)
def test_field_stack_of_3x3(learner, rng):
    """receptive_field: stacks of 3x3 (and other) convolutions with stride 1"""
    check_field(learner, FIELD_CASES["vgg"])
    check_field(learner, FIELD_CASES["single"])
    for _repeat in range(3):
        check_field(learner, random_unstrided(rng))


@pytest.mark.points(2)
@pytest.mark.feedback(
    N_(
        "A stride S spaces the units of every later layer S input pixels apart, "
        "so later layers grow the field S times faster: receptive_field([(3, 1), "
        "(2, 2), (3, 1)]) is 8."
    )
)
def test_field_with_strides(learner, rng):
    """receptive_field: stacks with pooling and strided convolutions"""
    for name in ("pooled", "strided_first", "alexnet_like"):
        check_field(learner, FIELD_CASES[name])
    for _repeat in range(3):
        check_field(learner, random_strided(rng))


@pytest.mark.points(2)
@pytest.mark.feedback(
    N_(
        "A stride S spaces the units of every later layer S input pixels apart, "
        "so later layers grow the field S times faster: receptive_field([(3, 1), "
        "(2, 2), (3, 1)]) is 8."
    )
)
def test_field_random(learner, rng):
    """receptive_field: random stacks of sizes and strides"""
    for _repeat in range(4):
        check_field(learner, random_layers(rng))


@pytest.mark.points(2)
@pytest.mark.feedback(
    N_(
        "MACs = H_out * W_out * C_out * F_h * F_w * C_in: one sum of F_h * F_w * "
        "C_in products per output value; conv2d_multiply_adds((32, 32, 3), 16, 3, "
        "padding='same') is 442,368."
    )
)
def test_cost_layers(learner, rng):
    """conv2d_multiply_adds: valid and same, strides and non-square kernels"""
    for args in [*COST_CASES.values(), random_cost_case(rng), random_cost_case(rng)]:
        check_cost(learner, *args)


@pytest.mark.points(2)
@pytest.mark.feedback(
    N_(
        "MACs = H_out * W_out * C_out * F_h * F_w * C_in: one sum of F_h * F_w * "
        "C_in products per output value; conv2d_multiply_adds((32, 32, 3), 16, 3, "
        "padding='same') is 442,368."
    )
)
def test_cost_random(learner, rng):
    """conv2d_multiply_adds: random layers"""
    for _repeat in range(4):
        check_cost(learner, *random_cost_case(rng))


@pytest.mark.points(2)
@pytest.mark.feedback(
    N_(
        "A 1x1 convolution mixes the channels of each pixel: out[..., k] is a "
        "weighted sum over all input channels c."
    )
)
def test_pointwise_mixes_channels(learner, rng):
    """pointwise_conv: square and non-square channel mixes, with and without bias"""
    check_mix(
        learner, rng.normal(size=(2, 4, 5, 3)), rng.normal(size=(1, 1, 3, 3)), rng.normal(size=3)
    )
    check_mix(learner, rng.normal(size=(1, 3, 3, 4)), rng.normal(size=(1, 1, 4, 2)))


@pytest.mark.points(1)
def test_pointwise_uint8(learner, rng):
    """pointwise_conv: a uint8 image gives floats, without overflow"""
    x = rng.integers(0, 256, size=(1, 4, 4, 3)).astype(np.uint8)
    check_mix(learner, x, rng.normal(size=(1, 1, 3, 2)) * 10, rng.normal(size=2))


@pytest.mark.points(1)
def test_invalid_arguments(learner, rng):
    """ex09: bad layers, shapes, strides, paddings and kernels raise ValueError"""
    x = rng.normal(size=(1, 3, 3, 2))
    cases = [
        (lambda: learner.receptive_field([(3, 0)]), "receptive_field([(3, 0)])", "a stride of 0"),
        (
            lambda: learner.receptive_field([(0, 1)]),
            "receptive_field([(0, 1)])",
            "a kernel of size 0",
        ),
        (
            lambda: learner.conv2d_multiply_adds((5, 5, 1), 4, 7),
            "conv2d_multiply_adds((5, 5, 1), 4, 7)",
            "a valid 7x7 kernel on a 5x5 input",
        ),
        (
            lambda: learner.conv2d_multiply_adds((5, 5, 1), 4, 3, 0),
            "conv2d_multiply_adds(..., strides=0)",
            "stride 0",
        ),
        (
            lambda: learner.conv2d_multiply_adds((5, 5, 1), 4, 3, 1, "full"),
            "conv2d_multiply_adds(..., padding='full')",
            "an unknown padding",
        ),
        (
            lambda: learner.pointwise_conv(x, rng.normal(size=(1, 1, 3, 2))),
            "pointwise_conv(x (1, 3, 3, 2), kernel (1, 1, 3, 2))",
            "a kernel for 3 input channels",
        ),
        (
            lambda: learner.pointwise_conv(x, rng.normal(size=(3, 3, 2, 2))),
            "pointwise_conv(x (1, 3, 3, 2), kernel (3, 3, 2, 2))",
            "a 3x3 kernel",
        ),
    ]
    for call, description, problem in cases:
        expect_value_error(call, description, problem=problem)
    layers = random_layers(rng)
    expect_answer(
        lambda: learner.receptive_field(layers),
        describe_call("receptive_field", layers),
        ref.receptive_field(layers),
    )
