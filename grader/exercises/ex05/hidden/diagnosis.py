"""What common mistakes in ex05's max_pool2d return, so the feedback can name the one that matches.

Each candidate is the reference pooling with one thing changed (the mean, zeros as padding, a
max over the batch or the channels, the padding of stride 1, ...). A learner's wrong answer is
compared with every candidate; only the sentences of those that match are shown. Wrong shapes
are named the same way, from the sizes each mistake gives.
"""

from __future__ import annotations

import numpy as np

from grader.checks import Misconception, check_array, describe_call
from grader.exercises.ex05.hidden import reference as ref
from grader.exercises.hidden import windows
from grader.failures import LearnerFailure, LearnerRaised, NamedMistake
from grader.i18n import N_, _


def pool_mistakes(x, pool_size, strides, padding):
    """Wrong answers and wrong shapes that real mistakes produce, each with its sentence."""
    height, width = x.shape[1:3]
    moves = pool_size if strides is None else strides
    padding = padding.lower()
    pads = windows.tf_pads(height, width, pool_size, moves, padding)
    out_hw = windows.output_hw(height, width, pool_size, moves, padding)
    expected = ref.pool(x, pool_size, moves, padding)
    found = [
        Misconception(
            N_(
                "that is average pooling: max pooling keeps the largest value of each "
                "window, not the mean"
            ),
            ref.pool(x, pool_size, moves, padding, reduce=np.mean),
        ),
        Misconception(
            N_(
                "you pooled across channels: take the max over each window's H and W only, "
                "channel by channel"
            ),
            np.broadcast_to(expected.max(axis=-1, keepdims=True), expected.shape),
        ),
    ]
    if any(pads):
        found.append(
            Misconception(
                N_(
                    "you padded with zeros instead of -inf: a padded 0 won the max over negative values; "
                    "a padded cell must never win"
                ),
                ref.pool(x, pool_size, moves, padding, fill=0.0),
            )
        )
    found.append(
        Misconception(
            N_(
                "your max started from 0 (np.zeros): the max of negative values is negative; start "
                "from -inf or from the window's first cell"
            ),
            np.maximum(expected, 0.0),
        )
    )
    found += _batch_mistakes(expected)
    if padding == "same":
        found += _same_mistakes(x, pool_size, moves, pads)
    found += windows.wrong_side(
        pads, lambda swapped: ref.pool(x, pool_size, moves, padding, pads=swapped)
    )
    found += windows.all_after(
        pads, lambda moved: ref.pool(x, pool_size, moves, padding, pads=moved)
    )
    f_h, f_w = windows.pair(pool_size)
    if f_h > 1 and f_w > 1:
        found.append(
            Misconception(
                windows.WINDOW_ONE_SHORT,
                ref.pool(x, (f_h - 1, f_w - 1), moves, padding, pads=pads, out_hw=out_hw),
            )
        )
    wrapped = windows.wrapped_front(x, pads)
    if wrapped is not None and pads[0] <= height and pads[2] <= width:
        found.append(
            Misconception(
                windows.WRAPPED,
                ref.pool(wrapped[0], pool_size, moves, padding, pads=wrapped[1], out_hw=out_hw),
            )
        )
    found += [
        Misconception(sentence, ref.pool(x, pool_size, moves, padding, reduce=reduce))
        for reduce, sentence in (
            (np.sum, N_("you summed each window; max pooling keeps its largest value")),
            (np.min, N_("you took each window's minimum; max pooling keeps its largest value")),
        )
    ]
    found += windows.ignored_strides(
        moves,
        lambda steps: ref.pool(x, pool_size, steps, padding, pads=pads, out_hw=out_hw),
        out_hw,
    )
    return found, _wrong_shapes(x.shape, pool_size, strides, padding)


def _batch_mistakes(expected: np.ndarray) -> list[Misconception]:
    """Images of a batch mixed up, or a max carried over from one window to the next."""
    batch, _height, _width, channels = expected.shape
    found = windows.batch_mistakes(expected)
    if expected.shape[1] * expected.shape[2] > 1:
        flat = expected.reshape(batch, -1, channels)
        found.append(
            Misconception(
                N_(
                    "each window's max carries over from the windows before: start "
                    "every window afresh (from -inf or its first cell)"
                ),
                np.maximum.accumulate(flat, axis=1).reshape(expected.shape),
            )
        )
    if batch > 1:
        found.append(
            Misconception(
                N_(
                    "you took the max over the batch axis too: each image is "
                    "pooled on its own, so reduce the window's H and W only "
                    "(axis=(1, 2) of an (N, F_h, F_w, C) window)"
                ),
                np.broadcast_to(expected.max(axis=0, keepdims=True), expected.shape),
            )
        )
    return found


def _wrong_shapes(x_shape, pool_size, strides, padding) -> dict[tuple, str]:
    """Wrong output shapes, each with the sentence of the mistake (or two) that gives it."""
    batch, height, width, channels = x_shape
    moves = pool_size if strides is None else strides
    out_hw = windows.output_hw(height, width, pool_size, moves, padding)
    shapes: dict[tuple, str] = {}
    if padding == "same":
        for hw, sentence in windows.same_shape_mistakes(height, width, pool_size, moves):
            windows.name_shape(shapes, (batch, *hw, channels), sentence)
    if strides is None:
        windows.name_shape(  # translated there, like every other sentence of this table
            shapes,
            (batch, *windows.output_hw(height, width, pool_size, 1, padding), channels),
            N_("strides=None means a stride equal to the pool size (as Keras), not 1"),
        )
    for hw, sentence in windows.shape_mistakes(height, width, pool_size, moves, padding):
        windows.name_shape(shapes, (batch, *hw, channels), sentence)
    if strides is not None and windows.pair(strides) != windows.pair(pool_size):
        by_pool_size = windows.output_hw(height, width, pool_size, pool_size, padding)
        windows.name_shape(
            shapes,
            (batch, *by_pool_size, channels),
            N_(
                "the strides argument is ignored: your windows moved by the pool size; "
                "strides=(S_h, S_w) sets how far they move (they may overlap)"
            ),
        )
    windows.name_shape(
        shapes,
        _channels_first_shape(x_shape, pool_size, moves, padding),
        N_(
            "you pooled over W and C: the batch is channels-last (N, H, W, C) as in "
            "Keras, so the window slides over axes 1 and 2"
        ),
    )
    windows.name_shape(
        shapes,
        (batch, *out_hw, 1),
        N_("you pooled across channels: the output keeps all C channels, one max per channel"),
    )
    windows.name_shape(
        shapes,
        (batch, *out_hw),
        N_("the channel axis is missing: pooling keeps (N, H_out, W_out, C)"),
    )
    shapes.pop((batch, *out_hw, channels), None)
    return shapes


def _same_mistakes(x, pool_size, moves, pads) -> list[Misconception]:
    """Slips in "same" pooling: symmetric padding, or the padding of stride 1."""
    height, width = x.shape[1:3]
    found = []
    for wrong, sentence in (
        (
            windows.symmetric_pads(pool_size),
            N_(
                "you padded (F - 1) // 2 on each side; TensorFlow "
                "pads max((H_out - 1) * S + F - H, 0) in all, the smaller half on the top/left"
            ),
        ),
        (
            windows.tf_pads(height, width, pool_size, 1, "same"),
            N_(
                "the 'same' padding is the one "
                "for stride 1 (F - 1 in all); with stride S TensorFlow pads only "
                "max((H_out - 1) * S + F - H, 0)"
            ),
        ),
    ):
        if wrong != pads:
            found.append(Misconception(sentence, ref.pool(x, pool_size, moves, "same", pads=wrong)))
    return found


def _channels_first_shape(x_shape, pool_size, moves, padding) -> tuple:
    """The shape a channels-first implementation gives: it pools over W and C of (N, H, W, C)."""
    batch, height, width, channels = x_shape
    return (batch, height, *windows.output_hw(width, channels, pool_size, moves, padding))


def check_pool(learner, x, pool_size=(2, 2), strides=None, padding="valid") -> None:
    """Grade `learner.max_pool2d(...)` against the reference, naming a mistake that matches."""
    kwargs = {"pool_size": pool_size, "strides": strides, "padding": padding}
    moves = pool_size if strides is None else strides
    try:
        got = learner.max_pool2d(x, **kwargs)
    except LearnerRaised as raised:
        hint = windows.hint_for_raised(raised.message, padding)
        if padding.lower() == "same" and windows.negative_same_padding(
            x.shape[1], x.shape[2], pool_size, moves
        ):
            hint = _(windows.NEGATIVE_PADDING)
        if hint:
            raise NamedMistake(f"{raised.feedback}\n{hint}") from None
        raise
    misconceptions, shapes = pool_mistakes(x, pool_size, strides, padding)
    shape = getattr(got, "shape", None)
    if padding.lower() == "same" and windows.several_mistakes(shapes, shape):
        slip = windows.same_size_slip(lambda h, f, s: _same_height(learner, h, f, s))
        shapes[shape] = slip or shapes[shape]
    check_array(
        got,
        ref.max_pool(x, pool_size, strides, padding),
        call=describe_call("max_pool2d", x, **kwargs),
        floating=True,
        misconceptions=misconceptions,
        shape_feedback=shapes,
    )


def _same_height(learner, height: int, window: int, stride: int) -> int | None:
    """The learner's H_out for a square 'same' pooling (None if the call failed)."""
    try:
        got = learner.max_pool2d(
            np.ones((1, height, height, 1)), pool_size=window, strides=stride, padding="same"
        )
    except LearnerFailure:
        return None
    return int(got.shape[1]) if isinstance(got, np.ndarray) and got.ndim == 4 else None
