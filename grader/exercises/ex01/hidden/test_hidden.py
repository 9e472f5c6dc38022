"""Hidden tests for ex01: random cases, integer images, the curve detector, bad arguments.

Every case comes from the run's seed (the `rng` fixture), so a report's seed replays them and
a table of answers from earlier gradings earns nothing; so do the generated cases, which
shrink to a small failing one (without hypothesis here: importing it would cost as much time
again as the rest of ex01's grading, docs/design.md#quality-bars).
"""

import numpy as np
import pytest

from grader.checks import (
    Misconception,
    check_array,
    check_number,
    check_unchanged,
    describe_call,
    expect_answer,
    expect_value_error,
)
from grader.exercises.ex01.hidden.reference import (
    cross_correlate2d,
    curve_detector,
    wrapped_products,
)
from grader.exercises.hidden.examples import run_generated, show
from grader.failures import LearnerRaised, NamedMistake
from grader.i18n import N_, _

pytestmark = pytest.mark.exercise("ex01")


def convolve_misconceptions(image: np.ndarray, kernel: np.ndarray) -> list[Misconception]:
    """Wrong answers that real mistakes produce, each with the sentence that names it."""
    expected = cross_correlate2d(image, kernel)
    found = [
        Misconception(
            N_(
                "your output matches a flipped kernel (textbook convolution): "
                "Keras does not flip, so lay the kernel on the patch as it is"
            ),
            cross_correlate2d(image, kernel[::-1, ::-1]),
        ),
        Misconception(
            N_(
                "you averaged the products under the kernel; the response is their "
                "sum (np.sum, not np.mean)"
            ),
            expected / kernel.size,
        ),
    ]
    if expected.size > 1:
        found.append(
            Misconception(
                N_(
                    "each output adds to the one before: reset the sum to 0 for "
                    "every position (i, j)"
                ),
                np.cumsum(expected.ravel()).reshape(expected.shape),
            )
        )
    if kernel.shape[0] == kernel.shape[1]:
        found.append(
            Misconception(
                N_(
                    "your output matches the transposed kernel: "
                    "kernel[a, b] goes with image[i + a, j + b]"
                ),
                cross_correlate2d(image, kernel.T),
            )
        )
    if expected.shape[0] == expected.shape[1]:
        found.append(
            Misconception(
                N_(
                    "your output is transposed: out[i, j] is the window whose "
                    "top-left corner is image[i, j] (row i, column j), so the "
                    "window is image[i:i + F_h, j:j + F_w]"
                ),
                expected.T,
            )
        )
    if min(expected.shape) > 1:
        short = expected.copy()
        short[-1, :], short[:, -1] = 0, 0
        found.append(
            Misconception(
                N_(
                    "the last row and column of the output stayed 0: your loops "
                    "stop one short; range(H - F_h + 1) positions fit"
                ),
                short,
            )
        )
    if image.dtype.kind == "f" and np.any(image != np.trunc(image)):
        found.append(
            Misconception(
                N_("the image was cut to integers (dtype=int?): keep its values, compute in float"),
                cross_correlate2d(np.trunc(image), kernel),
            )
        )
    if kernel.dtype.kind == "f" and np.any(kernel != np.trunc(kernel)):
        found.append(
            Misconception(
                N_(
                    "the kernel was cut to integers (dtype=int?): keep its weights, "
                    "compute in float"
                ),
                cross_correlate2d(image, np.trunc(kernel)),
            )
        )
    if image.dtype == np.uint8 and np.asarray(kernel).dtype == np.uint8:
        found.append(
            Misconception(
                N_(
                    "the products wrapped around modulo 256: a uint8 image times "
                    "a uint8 kernel is computed in uint8; convert to float before "
                    "multiplying"
                ),
                wrapped_products(image, kernel),
            )
        )
    if image.dtype == np.uint8:
        found.append(
            Misconception(
                N_(
                    "your values wrapped around modulo 256: the output array "
                    "has the image's dtype uint8; build it as float"
                ),
                np.mod(expected.astype(np.int64), 256),
            )
        )
    return found


def shape_mistakes(image: np.ndarray, kernel: np.ndarray) -> dict[tuple, str]:
    (height, width), (f_h, f_w) = image.shape, kernel.shape
    return {
        (height, width): N_(
            "your output has the image's shape; without padding it shrinks to "
            "(H - F_h + 1, W - F_w + 1)"
        ),
        (height - f_h, width - f_w): N_(
            "both axes are one short: H - F_h + 1 positions fit, is the last window dropped?"
        ),
        (width - f_w + 1, height - f_h + 1): N_("height and width are swapped in your output"),
    }


def check_convolution(learner, image: np.ndarray, kernel: np.ndarray) -> None:
    call = describe_call("convolve2d", image, kernel)
    try:
        got = learner.convolve2d(image, kernel)
    except LearnerRaised as raised:
        if raised.error_type == "IndexError":
            raise NamedMistake(
                raised.feedback
                + "\n"
                + _(
                    "an index ran past the image: out[i, j] reads image[i + a, j + b] for a < F_h and b < F_w, "
                    "and i < H - F_h + 1; are a and b (or i and j) swapped?"
                )
            ) from None
        if "broadcast" in raised.message:
            raise NamedMistake(
                raised.feedback
                + "\n"
                + _(
                    "a window and the kernel differ in shape: the window of out[i, j] is image[i:i + F_h, "
                    "j:j + F_w], rows from i and columns from j, and its last start is (H - F_h, W - F_w)"
                )
            ) from None
        raise
    check_array(
        got,
        cross_correlate2d(image, kernel),
        call=call,
        floating=True,
        misconceptions=convolve_misconceptions(image, kernel),
        shape_feedback=shape_mistakes(image, kernel),
    )


@pytest.mark.points(1)
def test_filter_response_random(learner, rng):
    """filter_response: random patches of several shapes"""
    for shape in ((3, 3), (5, 5), (2, 4), (1, 1), (4, 3, 2)):
        patch, kernel = rng.normal(size=shape), rng.normal(size=shape)
        expected = float(np.sum(patch * kernel))
        misconceptions = [
            Misconception(
                N_("you averaged the products; the response is their sum"),
                float(np.mean(patch * kernel)),
            )
        ]
        if len(shape) == 2 and shape[0] == shape[1]:
            misconceptions.append(
                Misconception(
                    N_("you used a matrix product (@); the response multiplies cell by cell (*)"),
                    float(np.sum(patch @ kernel)),
                )
            )
        check_number(
            learner.filter_response(patch, kernel),
            expected,
            call=describe_call("filter_response", patch, kernel),
            misconceptions=misconceptions,
        )


def _broadcastable(*shapes: tuple[int, ...]) -> bool:
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        return False
    return True


@pytest.mark.points(0.5)
def test_filter_response_shape_mismatch(learner, rng):
    """filter_response: patch and kernel of different shapes raise ValueError, even where NumPy
    would broadcast them"""
    for patch_shape, kernel_shape in (
        ((3, 3), (3, 4)),
        ((3, 3), (1, 3)),
        ((3, 3), (3, 1)),
        ((2, 2), (1, 1)),
    ):
        problem = _("the shapes differ")
        if _broadcastable(patch_shape, kernel_shape):
            problem = _(
                "the shapes differ; NumPy broadcasts them, so compare patch.shape and kernel.shape yourself"
            )
        expect_value_error(
            lambda: learner.filter_response(np.ones(patch_shape), np.ones(kernel_shape)),
            f"filter_response({patch_shape}, {kernel_shape})",
            problem=problem,
        )
    patch, kernel = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    expect_answer(
        lambda: learner.filter_response(patch, kernel),
        describe_call("filter_response", patch, kernel),
        float(np.sum(patch * kernel)),
    )


@pytest.mark.points(0.5)
@pytest.mark.parametrize("case", [1, 2])
def test_convolve2d_random(learner, rng, case):
    """convolve2d: random float images and kernels"""
    height, width = rng.integers(5, 13, size=2)
    f_h, f_w = rng.integers(1, 6, size=2)
    check_convolution(learner, rng.normal(size=(height, width)), rng.normal(size=(f_h, f_w)))


@pytest.mark.points(0.5)
@pytest.mark.feedback(N_("Non-square inputs catch a swapped H and W."))
def test_convolve2d_non_square(learner, rng):
    """convolve2d: a 6x9 image with a 2x4 kernel"""
    check_convolution(
        learner,
        rng.integers(-5, 6, size=(6, 9)).astype(float),
        rng.integers(-2, 3, size=(2, 4)).astype(float),
    )


@pytest.mark.points(1)
@pytest.mark.feedback(N_("Images are often uint8 (0-255): sums of products leave that range."))
def test_convolve2d_uint8_image(learner, rng):
    """convolve2d: a uint8 image with a signed kernel does not overflow"""
    image = rng.integers(0, 256, size=(8, 7)).astype(np.uint8)
    kernel = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]) * 3
    check_convolution(learner, image, kernel)


@pytest.mark.points(0.5)
def test_convolve2d_kernel_fills_image(learner, rng):
    """convolve2d: a kernel as large as the image gives a 1x1 map; a 1x1 kernel scales"""
    image = rng.normal(size=(4, 5))
    check_convolution(learner, image, rng.normal(size=(4, 5)))
    check_convolution(learner, image, np.array([[2.5]]))


@pytest.mark.points(0.5)
@pytest.mark.feedback(N_("The map of a curve detector peaks at 6600 where the curve is."))
def test_convolve2d_finds_the_curve(learner, rng):
    """convolve2d: the curve detector over an image with the curve in it (the 6600 example)"""
    patch, kernel = curve_detector()
    height, width = (int(side) for side in rng.integers(9, 15, size=2))
    image = np.zeros((height, width))
    top, left = int(rng.integers(0, height - 6)), int(rng.integers(0, width - 6))
    image[top : top + 7, left : left + 7] = patch
    check_convolution(learner, image, kernel)


@pytest.mark.points(0.5)
def test_convolve2d_leaves_inputs_unchanged(learner, rng):
    """convolve2d: the image and the kernel are not modified"""
    image = rng.integers(0, 256, size=(6, 6)).astype(np.uint8)
    kernel = rng.normal(size=(3, 3))
    call = describe_call("convolve2d", image, kernel)
    got, after = learner.call_returning_args("convolve2d", image, kernel)
    check_array(
        got,
        cross_correlate2d(image, kernel),
        call=call,
        floating=True,
        misconceptions=convolve_misconceptions(image, kernel),
    )
    check_unchanged([image, kernel], after, call=call)


@pytest.mark.points(1)
@pytest.mark.feedback(N_("uint8 times uint8 is uint8 in NumPy: 200 * 3 wraps around to 88."))
def test_convolve2d_uint8_kernel(learner, rng):
    """convolve2d: a uint8 image with a uint8 kernel does not overflow"""
    image = rng.integers(0, 256, size=(7, 8)).astype(np.uint8)
    check_convolution(learner, image, rng.integers(1, 6, size=(3, 2)).astype(np.uint8))


def _describe_convolution(case) -> str:
    image, kernel = case
    return "\n".join(
        [describe_call("convolve2d", image, kernel), show("image", image), show("kernel", kernel)]
    )


@pytest.mark.points(1.5)
def test_convolve2d_generated_cases(learner, rng, run_seed):
    """convolve2d: generated shapes and dtypes (uint8 kernels too) against the reference"""
    run_generated(
        rng,
        lambda case: check_convolution(learner, *case),
        seed=run_seed,
        describe=_describe_convolution,
    )


@pytest.mark.points(0.5)
def test_convolve2d_invalid_arguments(learner, rng):
    """convolve2d: a 3-D image, a 1-D kernel or a kernel larger than the image raise ValueError"""
    cases = [
        ((rng.normal(size=(5, 5, 3)), np.ones((3, 3))), N_("a 3-D image")),
        ((rng.normal(size=(5, 5)), np.ones(3)), N_("a 1-D kernel")),
        ((rng.normal(size=(4, 6)), np.ones((5, 3))), N_("a kernel taller than the image")),
    ]
    for (image, kernel), problem in cases:
        expect_value_error(
            lambda: learner.convolve2d(image, kernel),
            describe_call("convolve2d", image, kernel),
            problem=problem,
        )
    image, kernel = rng.normal(size=(5, 5)), rng.normal(size=(3, 3))
    expect_answer(
        lambda: learner.convolve2d(image, kernel),
        describe_call("convolve2d", image, kernel),
        cross_correlate2d(image, kernel),
    )
