"""Public tests for ex06: the course's worked examples of sizes and parameter counts."""

import pytest

from grader.checks import Misconception, check_exact
from grader.failures import LearnerRaised, NamedMistake
from grader.i18n import N_, _

pytestmark = pytest.mark.exercise("ex06")


@pytest.mark.points(0.75)
@pytest.mark.feedback(
    N_("W_out = (W - F + 2P) // S + 1: (32 - 5 + 0) // 1 + 1 = 28 and (32 - 3 + 2) // 1 + 1 = 32.")
)
def test_course_output_sizes(learner):
    """conv_output_size: 32 with F=5 gives 28; 32 with F=3, P=1 gives 32"""
    check_exact(
        learner.conv_output_size(32, 5),
        28,
        call="conv_output_size(32, 5)",
        misconceptions=[Misconception(N_("you forgot the + 1"), 27)],
    )
    check_exact(
        learner.conv_output_size(32, 3, 1, 1),
        32,
        call="conv_output_size(32, 3, 1, 1)",
        misconceptions=[
            Misconception(N_("padding is added on both sides: use 2P, not P"), 31),
            Misconception(N_("the padding is ignored: P zeros on each side add 2P"), 30),
        ],
    )


@pytest.mark.points(0.75)
@pytest.mark.feedback(
    N_(
        "From the course: 32x32x3 with ten 5x5 filters is 28x28x10; with ten 3x3 "
        "filters and padding 1 ('same') it is 32x32x10."
    )
)
def test_course_conv_shape(learner):
    """conv_output_shape: a 32x32x3 input with ten 5x5 filters gives 28x28x10, with ten 3x3 'same' 32x32x10"""
    check_exact(
        learner.conv_output_shape((32, 32, 3), 10, 5),
        (28, 28, 10),
        call="conv_output_shape((32, 32, 3), 10, 5)",
        misconceptions=[
            Misconception(
                N_("the depth of the output is the number of filters, not the input's channels"),
                (28, 28, 3),
            ),
            Misconception(
                N_(
                    "your shape is channels-first (filters, H, W); Keras is "
                    "channels-last: (H_out, W_out, filters)"
                ),
                (10, 28, 28),
            ),
        ],
    )
    check_exact(
        learner.conv_output_shape((32, 32, 3), 10, 3, padding="same"),
        (32, 32, 10),
        call="conv_output_shape((32, 32, 3), 10, 3, padding='same')",
        misconceptions=[
            Misconception(
                N_(
                    "padding 1 keeps 32x32: (32 - 3 + 2) // 1 + 1 = 32, not 16 (one "
                    "version of the course notes says 16x16x10: a slip)"
                ),
                (16, 16, 10),
            ),
            Misconception(
                N_("you used the 'valid' rule where the padding is 'same'"), (30, 30, 10)
            ),
        ],
    )


@pytest.mark.points(0.75)
@pytest.mark.feedback(N_("Ten 5x5 filters over 3 channels: 5*5*3*10 weights + 10 biases = 760."))
def test_course_param_counts(learner):
    """conv2d_param_count and dense_param_count: 760 and 4097"""
    try:
        count = learner.conv2d_param_count(5, 3, 10)
    except LearnerRaised as raised:
        if "non-iterable int" not in raised.message and "not subscriptable" not in raised.message:
            raise
        raise NamedMistake(
            raised.feedback
            + "\n"
            + _(
                "strides, pool_size and kernel_size may each be an int or an (h, w) pair: "
                "an int S means (S, S)"
            )
        ) from None
    check_exact(
        count,
        760,
        call="conv2d_param_count(5, 3, 10)",
        misconceptions=[
            Misconception(N_("the bias is missing: one per filter"), 750),
            Misconception(
                N_(
                    "an int kernel_size F means an F x F kernel: 5 * 5 "
                    "weights per input channel, not 5"
                ),
                160,
            ),
            Misconception(
                N_(
                    "you gave each input channel of a filter its own "
                    "bias; a filter has one bias, so 10 in all"
                ),
                780,
            ),
        ],
    )
    check_exact(
        learner.dense_param_count(4096, 1),
        4097,
        call="dense_param_count(4096, 1)",
        misconceptions=[Misconception(N_("the bias is missing: one per unit"), 4096)],
    )
