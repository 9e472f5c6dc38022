"""Sliding windows, as convolution (ex04) and pooling (ex05) share them: sizes, padding, mistakes.

Both exercises slide a window over H and W with strides and TensorFlow's "valid" or "same"
padding, so they share the rules (the output size, where the padding goes) and the mistakes
learners make with them: the padding on the wrong side, a stride ignored on one axis, the
strides swapped, the last window dropped, the other padding's size. Each suite adds the
mistakes of its own operation (a flipped kernel, average pooling) to these.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from grader.checks import Misconception, same_answer
from grader.exercises.ex03.hidden.reference import same_pads
from grader.exercises.mistakes import ALL_PADDING_AFTER
from grader.i18n import N_, _

Pads = tuple[int, int, int, int]  # top, bottom, left, right


def pair(value) -> tuple[int, int]:
    """An int or an (h, w) pair, as both exercises accept for sizes and strides."""
    return (value, value) if isinstance(value, int) else tuple(value)


def tf_pads(height: int, width: int, window, strides, padding: str) -> Pads:
    """(top, bottom, left, right) zeros that TensorFlow adds around the input for `padding`."""
    if padding.lower() == "valid":
        return (0, 0, 0, 0)
    (f_h, f_w), (s_h, s_w) = pair(window), pair(strides)
    return (*same_pads(height, f_h, s_h), *same_pads(width, f_w, s_w))


def output_hw(height: int, width: int, window, strides, padding: str) -> tuple[int, int]:
    """(H_out, W_out) by Keras' rules, counted from window starts (0 when nothing fits)."""
    (f_h, f_w), (s_h, s_w) = pair(window), pair(strides)
    if padding.lower() == "same":
        return -(-height // s_h), -(-width // s_w)
    return len(range(0, height - f_h + 1, s_h)), len(range(0, width - f_w + 1, s_w))


WRONG_SIDE = N_(
    "the padding is on the wrong side: TensorFlow puts the smaller half of "
    "each total on the top/left and the larger half on the bottom/right "
    "(for example, same_padding(8, 3, 2) is (0, 1))"
)


def wrong_side(pads: Pads, compute: Callable[[Pads], np.ndarray]) -> list[Misconception]:
    """The padding with its halves swapped, when TensorFlow's halves differ."""
    top, bottom, left, right = pads
    if (top, left) == (bottom, right):
        return []
    return [Misconception(WRONG_SIDE, compute((bottom, top, right, left)))]


WINDOW_ONE_SHORT = N_(
    "your window is one row and one column short: range(F_h - 1) stops early; "
    "the window covers rows i * S_h to i * S_h + F_h - 1, range(F_h) of them"
)
WRAPPED = N_(
    "negative indices wrapped around: a window over the top/left padding read row -1, "
    "which Python takes from the bottom; skip cells outside 0 <= row < H and 0 <= col < W"
)


def wrapped_front(x: np.ndarray, pads: Pads) -> tuple[np.ndarray, Pads] | None:
    """`x` with its last `top` rows and `left` columns copied in front, and the padding that is
    left (bottom and right only): what a loop that lets row -1 index the last row computes."""
    top, bottom, left, right = pads
    if top == left == 0:
        return None
    x = np.concatenate([x[:, x.shape[1] - top :], x], axis=1) if top else x
    x = np.concatenate([x[:, :, x.shape[2] - left :], x], axis=2) if left else x
    return x, (0, bottom, 0, right)


def all_after(pads: Pads, compute: Callable[[Pads], np.ndarray]) -> list[Misconception]:
    """All the padding at the bottom and right (windows starting at 0, the last overhanging)."""
    top, bottom, left, right = pads
    if top == left == 0:
        return []
    return [
        Misconception(
            ALL_PADDING_AFTER,
            compute((0, top + bottom, 0, left + right)),
        )
    ]


def ignored_strides(
    strides, compute: Callable[[tuple[int, int]], np.ndarray], out_hw: tuple[int, int]
) -> list[Misconception]:
    """Windows that move one cell at a time on one or both axes (cropped to the expected size)."""
    s_h, s_w = pair(strides)
    found = []
    if s_h > 1 and s_w > 1:
        found.append(
            Misconception(
                N_(
                    "the stride is ignored: the output has the strided size, but "
                    "window (i, j) must start at row i * S_h and column j * S_w, "
                    "not at (i, j)"
                ),
                compute((1, 1))[:, : out_hw[0], : out_hw[1]],
            )
        )
    if s_h > 1:
        found.append(
            Misconception(
                N_("the stride is ignored on the height: window i must start at row i * S_h"),
                compute((1, s_w))[:, : out_hw[0]],
            )
        )
    if s_w > 1:
        found.append(
            Misconception(
                N_("the stride is ignored on the width: window j must start at column j * S_w"),
                compute((s_h, 1))[:, :, : out_hw[1]],
            )
        )
    return found


def shape_mistakes(
    height: int, width: int, window, strides, padding: str
) -> list[tuple[tuple[int, int], str]]:
    """(H_out, W_out) that common mistakes give, each with the sentence that names it."""
    out_h, out_w = output_hw(height, width, window, strides, padding)
    s_h, s_w = pair(strides)
    other = "valid" if padding.lower() == "same" else "same"
    found = [
        (
            output_hw(height, width, window, strides, other),
            _("that is the shape {other!r} padding gives; this call asks for {asked!r}").format(
                other=other, asked=padding.lower()
            ),
        ),
        (
            (out_h - 1, out_w - 1),
            _(
                "both axes are one short: is the last window dropped? The starts "
                "0, S, 2S, ... run while the window still fits"
            ),
        ),
    ]
    # With a stride of 1 on one axis, ignoring the other is ignoring the stride: say that once.
    if min(s_h, s_w) > 1:
        found += [
            (
                output_hw(height, width, window, (1, s_w), padding),
                _("the stride is ignored on the height axis"),
            ),
            (
                output_hw(height, width, window, (s_h, 1), padding),
                _("the stride is ignored on the width axis"),
            ),
        ]
    found.append((output_hw(height, width, window, 1, padding), _("the stride is ignored")))
    found.append(
        (
            output_hw(height, width, window, (s_w, s_h), padding),
            _("the strides are swapped: (S_h, S_w) moves S_h rows down and S_w columns across"),
        )
    )
    if s_h > 1:
        found.append(
            (
                output_hw(height, width, window, (s_h, s_h), padding),
                _("the height stride is used on both axes: strides=(S_h, S_w)"),
            )
        )
    return found + [
        (
            (out_h, out_h),
            _(
                "W_out equals H_out: is the width computed from H? A non-square input has "
                "its own W (and the window its own F_w)"
            ),
        ),
        (
            (out_w, out_w),
            _(
                "H_out equals W_out: is the height computed from W? A non-square input "
                "has its own H (and the window its own F_h)"
            ),
        ),
    ]


class _SameShape(str):
    """The sentence for a shape that several mistakes give (`checks.same_answer`), with the
    sentences it names, so that a further mistake joins the list rather than nesting it."""

    sentences: tuple[str, ...]


def _same_shape(sentences: list[str]) -> _SameShape:
    named = _SameShape(same_answer(sentences))
    named.sentences = tuple(sentences)
    return named


def name_shape(shapes: dict[tuple, str], shape: tuple, sentence: str) -> None:
    """Record `sentence` for a wrong `shape`; a second mistake that gives the same shape is
    named too, in one sentence that says the shape alone cannot tell them apart."""
    added = list(sentence.sentences) if isinstance(sentence, _SameShape) else [_(sentence)]
    found = shapes.get(shape)
    if found is None:
        shapes[shape] = sentence if isinstance(sentence, _SameShape) else added[0]
        return
    known = list(found.sentences) if isinstance(found, _SameShape) else [found]
    merged = list(dict.fromkeys(known + added))
    if len(merged) > len(known):
        shapes[shape] = _same_shape(merged)


def symmetric_pads(window) -> Pads:
    """(F - 1) // 2 on every side: right for an odd window with stride 1 only."""
    f_h, f_w = pair(window)
    return ((f_h - 1) // 2, (f_h - 1) // 2, (f_w - 1) // 2, (f_w - 1) // 2)


def negative_same_padding(height: int, width: int, window, strides) -> bool:
    """Whether TensorFlow's "same" total before max(..., 0) is negative on an axis: a stride
    larger than the window, where an unclamped formula asks for negative padding."""
    (f_h, f_w), (s_h, s_w) = pair(window), pair(strides)
    return any(
        (-(-size // stride) - 1) * stride + f - size < 0
        for size, f, stride in ((height, f_h, s_h), (width, f_w, s_w))
    )


INT_OR_PAIR = N_(
    "strides, pool_size and kernel_size may each be an int or an (h, w) pair: an int S means (S, S)"
)
INT_MESSAGES = (
    "non-iterable int",
    "'int' object is not iterable",
    "'int' object is not subscriptable",
)


def hint_for_raised(message: str, padding: object = None) -> str | None:
    """Why a valid call may have raised, read from the learner's error message and the call."""
    if any(part in message for part in INT_MESSAGES):
        return _(INT_OR_PAIR)
    if isinstance(padding, str) and padding != padding.lower():
        return _("padding is case-insensitive: {given!r} means {lower!r} (padding.lower())").format(
            given=padding, lower=padding.lower()
        )
    if "could not be broadcast" in message:
        return _(
            "a window (or a strided slice) and the output did not line up: output (i, j) reads "
            "rows i * S_h to i * S_h + F_h - 1 of the padded input, for i below H_out; is H_out "
            "(or the end of a slice) one off?"
        )
    return None


NEGATIVE_PADDING = N_(
    "'same' with a stride larger than the window: (H_out - 1) * S + F - H is "
    "negative here, and a negative padding makes no sense; the total padding is "
    "max((H_out - 1) * S + F - H, 0)"
)


SAME_ROUNDED = N_(
    "you rounded down: 'same' gives H_out = ceil(H / S) outputs, so a last partial "
    "step still counts"
)
SAME_PADDED = N_(
    "you padded (F - 1) // 2 on each side, one short for an even window or a stride; "
    "'same' gives H_out = ceil(H / S) and pads max((H_out - 1) * S + F - H, 0) in all, "
    "the smaller half on the top/left"
)


def several_mistakes(shapes: dict[tuple, str], shape: tuple | None) -> bool:
    """Whether `shape` is one that several mistakes give (`name_shape`)."""
    return shape is not None and isinstance(shapes.get(shape), _SameShape)


SAME_SIZE_SLIPS: dict[tuple[int | None, int | None], str] = {
    (2, 6): "rounded",
    (3, 5): "padded",
    (2, 3): "valid",
}


def same_size_evidence(same_height: Callable[[int, int, int], int | None]) -> str | None:
    """The one slip in the 'same' size that the learner's answers show ("rounded", "padded" or
    "valid"), if they show one. `same_height(H, F, S)`: the learner's H_out for an HxH input, an
    FxF window and stride S with 'same' (None if the call failed). 5x5, F=3, S=2 and 6x6, F=4,
    S=1 give (3, 6) when right; rounding down gives (2, 6), (F - 1) // 2 on each side (3, 5),
    'valid' padding (2, 3)."""
    return SAME_SIZE_SLIPS.get((same_height(5, 3, 2), same_height(6, 4, 1)))


def same_size_slip(same_height: Callable[[int, int, int], int | None]) -> str | None:
    """The sentence for the slip `same_size_evidence` finds, if it finds one."""
    slip = same_size_evidence(same_height)
    if slip == "valid":
        return _("that is the shape {other!r} padding gives; this call asks for {asked!r}").format(
            other="valid", asked="same"
        )
    sentences = {"rounded": SAME_ROUNDED, "padded": SAME_PADDED}
    return _(sentences[slip]) if slip else None


def same_shape_mistakes(
    height: int, width: int, window, strides
) -> list[tuple[tuple[int, int], str]]:
    """(H_out, W_out) that slips in the "same" size give: rounding down, symmetric padding."""
    (f_h, f_w), (s_h, s_w) = pair(window), pair(strides)
    top, _bottom, left, _right = symmetric_pads(window)
    symmetric = ((height + 2 * top - f_h) // s_h + 1, (width + 2 * left - f_w) // s_w + 1)
    floor = (height // s_h, width // s_w)
    rounded, padded = _(SAME_ROUNDED), _(SAME_PADDED)
    if floor == symmetric:
        return [(floor, _same_shape([rounded, padded]))]
    return [(floor, rounded), (symmetric, padded)]


def batch_mistakes(expected: np.ndarray, summed: np.ndarray | None = None) -> list[Misconception]:
    """Answers that mix the images of a batch: every image given the first one's result, or
    one result reduced over the batch axis (`summed`: what a sum over the batch gives)."""
    if expected.shape[0] < 2:
        return []
    found = [
        Misconception(
            N_(
                "every image got the first image's result: loop over (or slice) the "
                "whole batch axis N, x[n] for each n"
            ),
            np.broadcast_to(expected[:1], expected.shape),
        )
    ]
    if summed is not None:
        found.append(
            Misconception(
                N_(
                    "you summed over the batch axis too: each image is convolved "
                    "on its own, so sum over the window's F_h, F_w and C_in only "
                    "(axis=(1, 2, 3) of an (N, F_h, F_w, C_in) window)"
                ),
                np.broadcast_to(summed, expected.shape),
            )
        )
    return found
