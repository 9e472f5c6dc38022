"""Hidden tests for ex02: random, non-square and uint8 images, edges in every direction.

Every case comes from the run's seed: the random images and the edges' sizes, places and
brightness from the `rng` fixture, the generated cases of the property test from hypothesis,
seeded from the run. A report's seed replays them, and a table of answers from earlier
gradings earns nothing.
"""

import numpy as np
import pytest

from grader.checks import (
    Misconception,
    check_array,
    check_parts,
    check_unchanged,
    describe_call,
    expect_answer,
    expect_value_error,
)
from grader.exercises.ex02.hidden.reference import sobel, step_image
from grader.exercises.hidden.cases import sobel_images
from grader.exercises.hidden.properties import run_property, show
from grader.i18n import N_, _

pytestmark = pytest.mark.exercise("ex02")

PARTS = ("gx", "gy", "magnitude")
# Image sizes the random cases draw from (small: an honest loop answers in milliseconds).
RANDOM_SIZES = range(3, 14)


def random_image(rng: np.random.Generator) -> np.ndarray:
    """A float image of random size, the cases that `test_random_images` draws."""
    height, width = (int(size) for size in rng.choice(RANDOM_SIZES, size=2))
    return rng.normal(scale=50.0, size=(height, width))


def constants_slip(learner) -> str:
    """What the learner's SOBEL_X and SOBEL_Y show: "swapped", "negated" or "" (right, or
    anything else): the evidence that tells apart mistakes giving the same gradients."""
    sobel_x = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float64)
    try:
        got = np.asarray(learner.get("SOBEL_X"), dtype=np.float64)
    except Exception:  # evidence only; the constants are judged by the public suite
        return ""
    if got.shape != (3, 3):
        return ""
    if np.array_equal(got, sobel_x.T):
        return "swapped"
    return "negated" if np.array_equal(got, -sobel_x) else ""


def sobel_misconceptions(image: np.ndarray, slip: str = "") -> dict[str, list[Misconception]]:
    """For each of gx, gy and the magnitude, the wrong answers real mistakes produce; `slip`
    (`constants_slip`) picks the one sentence for answers two mistakes share."""
    gx, gy, _magnitude = sobel(image)
    found = {
        "gx": _gradient_mistakes("gx", gx, gy, "SOBEL_X", _("left to right"), slip),
        "gy": _gradient_mistakes("gy", gy, gx, "SOBEL_Y", _("top to bottom"), slip),
    }
    found["magnitude"] = [
        Misconception(
            N_(
                "you computed |gx| + |gy| (the L1 norm); the magnitude is the L2 norm "
                "sqrt(gx**2 + gy**2)"
            ),
            np.abs(gx) + np.abs(gy),
        ),
        Misconception(
            N_("you forgot the square root: the magnitude is sqrt(gx**2 + gy**2)"), gx**2 + gy**2
        ),
        Misconception(
            N_("the magnitude is sqrt(gx**2 + gy**2) of both gradients, not |gx| alone"), np.abs(gx)
        ),
        Misconception(
            N_("the magnitude is sqrt(gx**2 + gy**2) of both gradients, not |gy| alone"), np.abs(gy)
        ),
        Misconception(
            N_("the magnitude was clipped to 0..255: keep the real value, it can exceed 255"),
            np.clip(np.hypot(gx, gy), 0, 255),
        ),
        Misconception(
            N_(
                "the magnitude was rescaled to 0..255 (divided by its maximum); return "
                "sqrt(gx**2 + gy**2) itself"
            ),
            _rescaled(np.hypot(gx, gy)),
        ),
        Misconception(
            N_(
                "the magnitude was stored in a uint8 array and wrapped around modulo 256; "
                "build it as float"
            ),
            np.mod(np.floor(np.hypot(gx, gy)), 256),
        ),
    ]
    if image.dtype == np.uint8:
        for name, part in (("gx", gx), ("gy", gy)):
            found[name].append(
                Misconception(
                    _(
                        "{name} wrapped around modulo 256: it was computed in uint8, the image's dtype "
                        "(or stored in a uint8 array); convert the image to float first"
                    ).format(name=name),
                    np.mod(part, 256),
                )
            )
    return found


def _gradient_mistakes(
    name: str, own: np.ndarray, other: np.ndarray, kernel: str, direction: str, slip: str
) -> list[Misconception]:
    """Wrong answers for one gradient: the other one, a sign, an absolute value, a clip."""
    other_name = "gy" if name == "gx" else "gx"
    words = {"name": name, "other": other_name[1], "kernel": kernel, "direction": direction}
    swapped = (
        _("{name} matches the {other} gradient: your SOBEL_X and SOBEL_Y are swapped")
        if slip == "swapped"
        else _(
            "{name} matches the {other} gradient: return (gx, gy, magnitude), {kernel} "
            "measures the change from {direction}"
        )
    )
    negated = (
        _("{name} has the wrong sign, and your {kernel} is negated: write its weights as given")
        if slip == "negated"
        else _(
            "{name} has the wrong sign although {kernel} is right: you flipped it (true "
            "convolution); Keras does not flip, so lay the kernel on the patch as it is"
        )
    )
    return [
        Misconception(swapped.format(**words), other),
        Misconception(negated.format(**words), -own),
        Misconception(
            _(
                "{name} matches the negated {other} gradient: SOBEL_X and SOBEL_Y are swapped and "
                "negated"
            ).format(**words),
            -other,
        ),
        Misconception(
            _(
                "{name} is never negative: you took its absolute value; a gradient keeps its sign "
                "(negative where the brightness falls from {direction})"
            ).format(**words),
            np.abs(own),
        ),
        Misconception(
            _(
                "{name} was clipped to 0..255: a gradient is not a pixel, it ranges from -1020 to 1020 "
                "for a uint8 image; keep it as it is"
            ).format(**words),
            np.clip(own, 0, 255),
        ),
        Misconception(
            _(
                "{name} is divided by 8: some texts normalise the Sobel kernel, this exercise "
                "does not; use {kernel} as it is"
            ).format(**words),
            own / 8,
        ),
        Misconception(
            _("{name} is divided by 4: use {kernel} as it is, without normalising").format(**words),
            own / 4,
        ),
    ]


def _rescaled(values: np.ndarray) -> np.ndarray:
    top = float(np.max(values)) if values.size else 0.0
    return values * (255.0 / top) if top > 0 else values


def shape_mistakes(image: np.ndarray) -> dict[tuple, str]:
    height, width = image.shape
    return {
        (height, width): N_(
            "the outputs have the image's shape; without padding a 3x3 kernel gives (H - 2, W - 2)"
        ),
        (height - 3, width - 3): N_(
            "both axes are one short: H - 3 + 1 windows fit, is the last window dropped?"
        ),
        (width - 2, height - 2): N_("height and width are swapped in your output"),
    }


def check_sobel(learner, image: np.ndarray, parts: tuple[str, ...] = PARTS) -> None:
    """Grade gx, gy and the magnitude (or just `parts`) of `sobel_edges(image)`."""
    call = describe_call("sobel_edges", image)
    got = dict(zip(PARTS, check_parts(learner.sobel_edges(image), PARTS, call=call)))
    expected = dict(zip(PARTS, sobel(image)))
    misconceptions = sobel_misconceptions(image, constants_slip(learner))
    for name in parts:
        check_array(
            got[name],
            expected[name],
            call=f"{call}, {name}",
            floating=True,
            misconceptions=misconceptions[name],
            shape_feedback=shape_mistakes(image),
        )


@pytest.mark.points(1)
@pytest.mark.parametrize("case", [1, 2])
def test_random_images(learner, rng, case):
    """sobel_edges: random float images"""
    check_sobel(learner, random_image(rng))


@pytest.mark.points(1)
@pytest.mark.feedback(
    N_("A non-square image catches a swapped H and W or a swapped pair of kernels.")
)
def test_non_square(learner, rng):
    """sobel_edges: a 7x12 image"""
    check_sobel(learner, rng.integers(-9, 10, size=(7, 12)).astype(np.float64))


@pytest.mark.points(1)
@pytest.mark.feedback(N_("Images are often uint8 (0-255): a gradient can be -1020 or +1020."))
def test_uint8_image(learner, rng):
    """sobel_edges: a uint8 image does not wrap around or clip"""
    image = rng.integers(0, 256, size=(9, 8)).astype(np.uint8)
    image[:, :4] = 255  # a strong vertical edge, so negative gradients must appear
    image[:, 4:] = rng.integers(0, 8, size=(9, 4))
    check_sobel(learner, image)


@pytest.mark.points(1)
@pytest.mark.feedback(
    N_(
        "SOBEL_Y fires on a horizontal edge, where brightness changes from top to "
        "bottom; SOBEL_X stays 0 there."
    )
)
def test_horizontal_edge(learner, rng):
    """sobel_edges: a horizontal edge shows in gy, not in gx"""
    height, width = (int(side) for side in rng.integers(5, 11, size=2))
    check_sobel(
        learner,
        step_image(
            height,
            width,
            vertical=False,
            low=float(rng.integers(0, 61)),
            high=float(rng.integers(150, 256)),
            edge=int(rng.integers(2, height - 1)),
        ),
    )


@pytest.mark.points(1)
@pytest.mark.feedback(
    N_(
        "On a diagonal edge gx and gy are both non-zero, so |gx| + |gy| and "
        "sqrt(gx**2 + gy**2) differ."
    )
)
def test_diagonal_edge_magnitude(learner, rng):
    """sobel_edges: the magnitude of a diagonal edge is sqrt(gx**2 + gy**2)"""
    height, width = (int(side) for side in rng.integers(7, 11, size=2))
    down, across = (int(step) for step in rng.integers(1, 4, size=2))
    rows, cols = np.indices((height, width))
    reach = down * (height - 1) + across * (width - 1)  # the edge crosses the image's middle
    threshold = int(rng.integers(reach // 3, 2 * reach // 3 + 1))
    check_sobel(
        learner,
        np.where(
            down * rows + across * cols > threshold,
            float(rng.integers(60, 121)),
            float(rng.integers(0, 41)),
        ),
    )


@pytest.mark.points(0.5)
def test_leaves_image_unchanged(learner, rng):
    """sobel_edges: the image is not modified"""
    image = rng.integers(0, 256, size=(6, 7)).astype(np.uint8)
    call = describe_call("sobel_edges", image)
    result, after = learner.call_returning_args("sobel_edges", image)
    got = check_parts(result, PARTS, call=call)
    misconceptions = sobel_misconceptions(image, constants_slip(learner))
    for name, part, expected in zip(PARTS, got, sobel(image)):
        check_array(
            part,
            expected,
            call=f"{call}, {name}",
            floating=True,
            misconceptions=misconceptions[name],
        )
    check_unchanged([image], after, call=call)


def _describe_sobel(image: np.ndarray) -> str:
    return "\n".join([describe_call("sobel_edges", image), show("image", image)])


@pytest.mark.points(1.5)
def test_generated_images(learner, run_seed):
    """sobel_edges: generated images of several sizes and dtypes against the reference"""
    run_property(
        sobel_images(),
        lambda image: check_sobel(learner, image),
        run_seed=run_seed,
        name="ex02.sobel_edges",
        describe=_describe_sobel,
    )


@pytest.mark.points(0.5)
def test_invalid_images(learner, rng):
    """sobel_edges: a 3-D image or one smaller than 3x3 raises ValueError"""
    for image, problem in (
        (rng.normal(size=(5, 5, 3)), N_("a 3-D image")),
        (rng.normal(size=(2, 6)), N_("an image only 2 rows high")),
        (rng.normal(size=(6,)), N_("a 1-D image")),
    ):
        expect_value_error(
            lambda: learner.sobel_edges(image), describe_call("sobel_edges", image), problem=problem
        )
    image = random_image(rng)
    expect_answer(
        lambda: learner.sobel_edges(image),
        describe_call("sobel_edges", image),
        sobel(image),
        parts=PARTS,
    )
