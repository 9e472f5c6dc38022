"""Public tests for ex09: the worked examples of the exercise, each in plain sight."""

import numpy as np
import pytest

from grader.checks import Misconception, check_array, check_exact
from grader.failures import LearnerRaised, NamedMistake
from grader.i18n import N_, _

pytestmark = pytest.mark.exercise("ex09")

GREY = np.array([0.299, 0.587, 0.114]).reshape(1, 1, 3, 1)
RGB = np.array(
    [[[255, 0, 0], [0, 255, 0]], [[0, 0, 255], [100, 100, 100]]], dtype=np.uint8
).reshape(1, 2, 2, 3)
GREY_OUT = np.array([[0.299 * 255, 0.587 * 255], [0.114 * 255, 100.0]]).reshape(1, 2, 2, 1)


@pytest.mark.points(0.5)
@pytest.mark.feedback(
    N_(
        "One 3x3 layer sees 3 pixels along an axis; a second one on top sees 3 "
        "of the first one's outputs, which span 5 pixels."
    )
)
def test_field_two_3x3(learner):
    """receptive_field: two stacked 3x3 convolutions see 5 pixels"""
    check_exact(
        learner.receptive_field([(3, 1), (3, 1)]),
        5,
        call="receptive_field([(3, 1), (3, 1)])",
        misconceptions=[
            Misconception(_("you added the kernel sizes: two 3x3 layers see 5 pixels, not 6"), 6),
            Misconception(
                _(
                    "you multiplied the kernel sizes: stacked fields overlap, so "
                    "two 3x3 layers see 5 pixels, not 9"
                ),
                9,
            ),
        ],
    )


@pytest.mark.points(0.5)
@pytest.mark.feedback(
    N_(
        "After 2x2 pooling with stride 2, neighbouring units are 2 pixels apart: "
        "the last 3x3 conv adds (3 - 1) * 2 = 4, so 1 + 2 + 1 + 4 = 8."
    )
)
def test_field_after_pooling(learner):
    """receptive_field: conv 3x3, pool 2x2 stride 2, conv 3x3 see 8 pixels"""
    check_exact(
        learner.receptive_field([(3, 1), (2, 2), (3, 1)]),
        8,
        call="receptive_field([(3, 1), (2, 2), (3, 1)])",
        misconceptions=[
            Misconception(
                _(
                    "you ignored the strides: after a stride-2 layer, each later "
                    "layer adds (F - 1) * 2"
                ),
                6,
            ),
            Misconception(
                _(
                    "you multiplied by the layer's own stride too: the pooling's stride "
                    "spaces only the layers after it, so the last 3x3 conv adds (3 - 1) * 2"
                ),
                9,
            ),
        ],
    )


@pytest.mark.points(0.5)
@pytest.mark.feedback(
    N_("32 * 32 outputs per filter, 16 filters, each a sum of 3 * 3 * 3 = 27 products: 442,368.")
)
def test_multiply_adds_example(learner):
    """conv2d_multiply_adds: sixteen 3x3 filters, "same", on 32x32x3 cost 442,368 MACs"""
    check_exact(
        learner.conv2d_multiply_adds((32, 32, 3), 16, 3, padding="same"),
        442368,
        call="conv2d_multiply_adds((32, 32, 3), 16, 3, padding='same')",
        misconceptions=[
            Misconception(
                _("C_in is missing: each output sums over F_h * F_w * C_in products"), 147456
            ),
            Misconception(
                _("that is the 'valid' count: 'same' keeps 32 x 32 outputs"), 30 * 30 * 16 * 27
            ),
            Misconception(
                _(
                    "that is twice the count: you counted each multiplication and each "
                    "addition separately; a multiply-add (MAC) is one product added to the "
                    "sum, so each output value costs 3 * 3 * 3 = 27 MACs"
                ),
                2 * 442368,
            ),
            Misconception(
                _(
                    "that is the parameter count, (3 * 3 * 3 + 1) * 16; the multiply-adds are "
                    "the weights times the 32 * 32 output positions"
                ),
                448,
            ),
        ],
    )


@pytest.mark.points(0.5)
@pytest.mark.feedback(
    N_(
        "A 1x1 convolution weighs the channels of each pixel: here 0.299 R + "
        "0.587 G + 0.114 B, the grey-scale formula."
    )
)
def test_pointwise_grey(learner):
    """pointwise_conv: a 1x1 convolution turns an RGB image into grey"""
    call = "pointwise_conv(RGB (1, 2, 2, 3) uint8, kernel [0.299, 0.587, 0.114])"
    try:
        got = learner.pointwise_conv(RGB, GREY)
    except LearnerRaised as raised:
        if "mismatch" not in raised.message:
            raise
        raise NamedMistake(
            raised.feedback
            + "\n"
            + _(
                "x's channel axis (C_in = 3) meets the first axis of kernel[0, 0], which "
                "is (C_in, C_out) = (3, 1): kernel[0, 0, c, k] weighs input channel c for "
                "output channel k"
            )
        ) from None
    check_array(
        got,
        GREY_OUT,
        floating=True,
        reveal=True,
        call=call,
        misconceptions=[
            Misconception(
                _(
                    "every value is 0: you computed in uint8, the input's dtype, so the "
                    "weights 0.299, 0.587 and 0.114 were cut to 0; compute in floating "
                    "point (x.astype(float))"
                ),
                np.zeros((1, 2, 2, 1)),
            )
        ],
        shape_feedback={
            (1, 2, 2, 3): _(
                "the output has one channel per filter (C_out = 1), not one per input channel"
            )
        },
    )
