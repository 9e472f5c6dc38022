"""Slips that give one failed case the same answer, told apart by a few more learner calls
(grader/exercises/hidden/told_apart.py and the ex04 and ex06 probes that feed it)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from grader.checks import Misconception
from grader.exercises.ex04.hidden import diagnosis as conv
from grader.exercises.ex04.hidden import probes
from grader.exercises.ex04.hidden import reference as conv_ref
from grader.exercises.ex06.hidden import diagnosis as shapes
from grader.exercises.hidden.told_apart import tell_apart

SLIPS = ("slip a", "slip b")
BOTH = [Misconception("slip a", 7), Misconception("slip b", 7), Misconception("other", 7)]


def never_asked():
    raise AssertionError("no further call was needed")


def test_the_shown_slip_stays_and_the_other_slips_of_its_kind_go():
    kept = tell_apart(BOTH, 7, 9, SLIPS, lambda: "slip b")
    assert [m.feedback for m in kept] == ["slip b", "other"]


@pytest.mark.parametrize(
    ("misconceptions", "got"),
    [
        pytest.param(BOTH, 9, id="the answer is right"),
        pytest.param(BOTH[1:], 7, id="one slip gives the answer"),
        pytest.param(BOTH, 8, id="no slip gives the answer"),
    ],
)
def test_no_call_is_made_when_there_is_nothing_to_tell_apart(misconceptions, got):
    assert tell_apart(misconceptions, got, 9, SLIPS, never_asked) == misconceptions


@pytest.mark.parametrize("shown", [None, "slip c"])
def test_calls_that_show_none_of_the_slips_keep_them_all(shown):
    assert tell_apart(BOTH, 7, 9, SLIPS, lambda: shown) == BOTH


# How a learner's conv_output_shape computes H_out for an HxH input, an FxF kernel, stride S.
def right(h, f, s, padding):
    return math.ceil(h / s) if padding == "same" else (h - f) // s + 1


SHAPE_SLIPS = {
    shapes.SAME_ROUNDED: lambda h, f, s, p: h // s if p == "same" else right(h, f, s, p),
    shapes.SAME_FORMULA: lambda h, f, s, p: (
        (h - f + 2 * ((f - 1) // 2)) // s + 1 if p == "same" else right(h, f, s, p)
    ),
    shapes.VALID_FOR_SAME: lambda h, f, s, p: right(h, f, s, "valid"),
    shapes.SAME_IGNORES_STRIDE: lambda h, f, s, p: h if p == "same" else right(h, f, s, p),
    shapes.STRIDE_IGNORED: lambda h, f, s, p: right(h, f, 1, p),
}


@pytest.mark.parametrize("slip", list(SHAPE_SLIPS), ids=lambda slip: slip[:40])
def test_ex06_names_the_one_same_slip_the_learner_made(slip):
    height_of = SHAPE_SLIPS[slip]
    calls = []

    def learner_height(h, f, s, padding):
        calls.append((h, f, s, padding))
        return height_of(h, f, s, padding)

    # Cases where this slip gives the same shape as another: 22 rows, F = 4, S = 3 (rounding
    # down and P = (F - 1) // 2 give 7); 2x2 with a 2x2 kernel ('valid' and P = (F - 1) // 2
    # give 1); and any stride ignored by 'same' (every stride ignored keeps H there too).
    told = 0
    for case in ((22, 4, 3), (2, 2, 1), (39, 3, 2), (7, 3, 2)):
        h, f, s = case
        got = (height_of(h, f, s, "same"), height_of(h, f, s, "same"), 5)
        expected = (math.ceil(h / s), math.ceil(h / s), 5)
        misconceptions = shapes.shape_misconceptions((h, h, 1), 5, f, s, "same")
        matching = {m.feedback for m in misconceptions if m.candidate == got} & set(SHAPE_SLIPS)
        kept = shapes.same_slip_told_apart(misconceptions, got, expected, learner_height)
        named = {m.feedback for m in kept if m.candidate == got} & set(SHAPE_SLIPS)
        if got != expected and slip in matching and len(matching) > 1:
            assert named == {slip}, case
            told += 1
    assert told, "no case where this slip and another give one answer"
    assert len(calls) <= 3 * told  # at most three more calls for each such case


class PaddingLearner:
    """A learner whose conv2d pads 'same' as (top, bottom, left, right) for a 2x2 kernel at
    stride 1, and as TensorFlow does otherwise."""

    def __init__(self, pads):
        self.pads = pads

    def conv2d(self, x, kernel, bias=None, strides=1, padding="valid"):
        return conv_ref.correlate(x, kernel, bias, strides, self.pads)


@pytest.mark.parametrize("pads", list(conv.PADDING_SLIPS), ids=str)
def test_ex04_reads_which_padding_a_stride_1_call_uses(pads):
    shown = probes.stride_1_pads(PaddingLearner(pads), tuple(conv.PADDING_SLIPS))
    assert shown == pads
    assert probes.stride_1_pads(PaddingLearner((1, 1, 1, 1)), tuple(conv.PADDING_SLIPS)) is None


def test_ex04_names_stride_1_padding_where_three_paddings_give_one_answer():
    """Stride 2, 3x3 on 8x7: (F - 1) // 2 on each side, the padding of stride 1 and the wrong
    side all pad (1, 1, 1, 1), which a 2x2 kernel at stride 1 tells apart."""
    rng = np.random.default_rng(0)
    x, kernel = rng.normal(size=(1, 8, 7, 2)), rng.normal(size=(3, 3, 2, 2))
    misconceptions, _shapes = conv.conv_mistakes(x, kernel, None, 2, "same")
    got = conv_ref.correlate(x, kernel, None, 2, (1, 1, 1, 1))
    expected = conv_ref.conv2d(x, kernel, None, 2, "same")
    for pads, slip in conv.PADDING_SLIPS.items():
        kept = tell_apart(
            misconceptions,
            got,
            expected,
            conv.PADDING_SLIPS.values(),
            lambda pads=pads: conv.PADDING_SLIPS.get(
                probes.stride_1_pads(PaddingLearner(pads), tuple(conv.PADDING_SLIPS))
            ),
        )
        named = [m.feedback for m in kept if m.feedback in conv.PADDING_SLIPS.values()]
        assert named == [slip]
