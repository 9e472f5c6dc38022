"""The pictures' inputs and expected answers, computed on the course's side with the references.

`grade ex01 --pictures DIR` draws a learner's results on a photograph next to the expected ones.
Those answers come from here: in the course repository directly, and in a student release
from the data file `grade publish` writes with this module (grader/learner/picture_data.py
reads both), so no code that computes an answer ships to learners. The photograph is
matplotlib's sample (a real photo, no download), made grey and small; it is never a graded
case, and the calls below use sizes no graded case uses.

`picture_set()` gives arrays by name and `calls`: each call a picture makes (exercise, function,
arguments, keyword arguments) with its answer, `{"array": name}` standing for an array of the set
and lists for tuples (grader/learner/picture_data.py decodes them).
"""

from __future__ import annotations

import numpy as np

from grader.exercises.ex01.hidden import reference as ref_ex01
from grader.exercises.ex02.hidden import reference as ref_ex02
from grader.exercises.ex03.hidden import reference as ref_ex03
from grader.exercises.ex04.hidden import reference as ref_ex04
from grader.exercises.ex05.hidden import reference as ref_ex05

PHOTO = "grace_hopper.jpg"  # matplotlib's sample data
PHOTO_WIDTH = (
    96  # pixels of the grey photograph the learner's functions see (honest loops stay fast)
)
SMALL_WIDTH = 16  # the padding and stride pictures: few enough cells to see the grid
EMBOSS = np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], dtype=np.float64)  # a flip shows at once
PAD = 2
POOL = 2
STRIDE = 2
SAME_KERNEL = 5  # ex03's grid: same_padding(size, 5, 2)


def photograph(width: int = PHOTO_WIDTH) -> np.ndarray:
    """The grey photograph, `width` pixels wide, as uint8 (0-255) like a real image file."""
    import matplotlib.cbook
    import matplotlib.image

    with open(matplotlib.cbook.get_sample_data(PHOTO, asfileobj=False), "rb") as stream:
        rgb = matplotlib.image.imread(stream, format="jpeg").astype(np.float64)
    grey = rgb[..., :3] @ np.array([0.299, 0.587, 0.114])
    step = max(grey.shape[1] // width, 1)
    height = grey.shape[0] // step
    blocks = grey[: height * step, : width * step].reshape(height, step, width, step)
    return np.clip(blocks.mean(axis=(1, 3)).round(), 0, 255).astype(np.uint8)


def _array(name: str) -> dict:
    return {"array": name}


def picture_set() -> tuple[dict[str, np.ndarray], list[dict]]:
    """(arrays by name, calls): everything the pictures need, answers included."""
    photo, small = photograph(), photograph(SMALL_WIDTH)
    gx, gy, magnitude = ref_ex02.sobel(photo)
    batch = small.reshape(1, *small.shape, 1)
    edges = magnitude.reshape(1, *magnitude.shape, 1)
    emboss_layer = EMBOSS.reshape(3, 3, 1, 1)
    arrays = {
        "photo": photo,
        "x": batch,
        "edge_map": edges,
        "emboss": EMBOSS,
        "emboss_layer": emboss_layer,
        "ex01_convolve2d": ref_ex01.cross_correlate2d(photo, EMBOSS),
        "ex02_gx": gx,
        "ex02_gy": gy,
        "ex02_magnitude": magnitude,
        "ex03_zero_pad": ref_ex03.pad_batch(batch, PAD, PAD, PAD, PAD),
        "ex04_conv2d": ref_ex04.conv2d(batch, emboss_layer, None, STRIDE, "same"),
        "ex05_max_pool2d": ref_ex05.max_pool(edges, POOL),
    }
    calls = [
        _call(
            "ex01", "convolve2d", [_array("photo"), _array("emboss")], {}, _array("ex01_convolve2d")
        ),
        _call(
            "ex02",
            "sobel_edges",
            [_array("photo")],
            {},
            [_array("ex02_gx"), _array("ex02_gy"), _array("ex02_magnitude")],
        ),
        _call("ex03", "zero_pad", [_array("x"), PAD], {}, _array("ex03_zero_pad")),
        _call(
            "ex04",
            "conv2d",
            [_array("x"), _array("emboss_layer")],
            {"strides": STRIDE, "padding": "same"},
            _array("ex04_conv2d"),
        ),
        _call(
            "ex05",
            "max_pool2d",
            [_array("edge_map")],
            {"pool_size": POOL},
            _array("ex05_max_pool2d"),
        ),
    ]
    # The sampling grids: ex03 compares the learner's own same_padding, ex04 draws where the
    # windows of its "same" convolution (a 3x3 kernel) start.
    for exercise, kernel in (("ex03", SAME_KERNEL), ("ex04", EMBOSS.shape[0])):
        calls += [
            _call(
                exercise,
                "same_padding",
                [size, kernel, STRIDE],
                {},
                list(ref_ex03.same_pads(size, kernel, STRIDE)),
                grid=True,
            )
            for size in small.shape
        ]
    return arrays, calls


def _call(
    exercise: str, function: str, args: list, kwargs: dict, answer, grid: bool = False
) -> dict:
    return {
        "exercise": exercise,
        "function": function,
        "args": args,
        "kwargs": kwargs,
        "answer": answer,
        "grid": grid,
    }
