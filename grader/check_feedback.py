"""What a failed check tells the learner: the sentences of grader/checks.py, in a public test
and in a hidden one (docs/design.md#hidden-stays-hidden).

A public test's case and answer are in the suites that learners have, so its feedback shows
the expected value (and, with `reveal`, both arrays in full). A hidden test's feedback says
what came back and names the mistake; it never shows the hidden case's expected value. What
that means, case by case:

- A number or a tuple (check_number, check_exact) is the answer itself: the feedback gives
  what the learner returned and the named mistake, never "expected 17".
- An array's cells are its answer: no expected cell is printed, not even one. The feedback
  counts the differing cells and gives the first one's index and the learner's value there.
- An array's shape is shown ("expected shape (1, 4, 3, 2)", "one short on axis 1"): it
  follows from the argument shapes, which the feedback names anyway, by the formula the
  exercise states; the test grades the cells, so a table of shapes earns nothing, and without
  it a learner cannot tell which axis is wrong. Where a shape IS the answer (ex06 returns
  tuples), check_exact applies and nothing of it is shown.
- Type slips (floats where sizes are ints, integer arrays where results are floats, a dtype
  that is not the input's) are named from the type alone in a hidden test, whatever the
  values, unless a named mistake explains the values; "you returned floats" used to appear
  only when the floats equalled the answer, which told the learner the answer.
- A named mistake says how the answer went wrong ("you forgot the + 1"), not what it is.
  Suites keep the numbers of a hidden case out of their sentences (no "here TensorFlow pads
  (0, 1)"); a sentence may quote a public example, whose answer the learner has anyway.
- Outside any grading test (a unit test of the helpers) a check behaves as in a hidden test.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader import evidence
from grader.i18n import _


def describe_array(value: Any) -> str:
    """'ndarray (4, 5) float64', 'list of 3', 'int 7': enough to see what came back."""
    if isinstance(value, np.ndarray):
        return f"ndarray {tuple(value.shape)} {value.dtype}"
    if isinstance(value, (list, tuple)):
        return f"{type(value).__name__} of {len(value)}"
    return f"{type(value).__name__} {value!r}"[:80]


def describe_call(function: str, *args: Any, **kwargs: Any) -> str:
    """`conv2d(x (2, 7, 7, 3) uint8, kernel (3, 3, 3, 4) float64, strides=2)`, for feedback."""

    def one(value: Any) -> str:
        if isinstance(value, np.ndarray):
            return f"{tuple(value.shape)} {value.dtype}"
        return repr(value)

    parts = [one(arg) for arg in args] + [f"{key}={one(value)}" for key, value in kwargs.items()]
    return f"{function}({', '.join(parts)})"


def differing_cells(got: np.ndarray, expected: np.ndarray, wrong: np.ndarray) -> str:
    """How many cells differ and where; the expected cell only in a public test."""
    index = tuple(int(i) for i in np.argwhere(wrong)[0])
    if evidence.hidden():
        return _(
            "{count} of {size} values differ; the first at index {index}, where you returned "
            "{got:.6g}"
        ).format(count=int(wrong.sum()), size=wrong.size, index=index, got=got[index])
    return _(
        "{count} of {size} values differ; at index {index} expected {expected:.6g}, got {got:.6g}"
    ).format(
        count=int(wrong.sum()),
        size=wrong.size,
        index=index,
        expected=expected[index],
        got=got[index],
    )


def both_arrays(expected: np.ndarray, got: np.ndarray, reveal: bool) -> str:
    """Both arrays in full, after the sentence: for a public case asked to `reveal` them only."""
    if not reveal or evidence.hidden():
        return ""
    return "\n{expected_word}:\n{expected}\n{got_word}:\n{got}".format(
        expected_word=_("expected"),
        got_word=_("got"),
        expected=np.array2string(expected, precision=4),
        got=np.array2string(got, precision=4),
    )


def wrong_number(call: str, expected: float, got: float) -> str:
    if evidence.hidden():
        return _("{call}: returned {got:g}, which is not the right value").format(
            call=call, got=got
        )
    return _("{call}: expected {expected:g}, got {got:g}").format(
        call=call, expected=expected, got=got
    )


def wrong_exact(call: str, expected: Any, got: Any) -> str:
    if evidence.hidden():
        return _("{call}: returned {got!r}, which is not the right answer").format(
            call=call, got=got
        )
    return _("{call}: expected {expected!r}, got {got!r}").format(
        call=call, expected=expected, got=got
    )


def floats_named(got: Any, expected: Any, equal: bool) -> str | None:
    """ "You returned floats" for sizes and counts: in a public test when the floats equal the
    answer, in a hidden one whenever a float came back (so it never says the value was right)."""

    def has_float(value: Any) -> bool:
        if isinstance(value, tuple):
            return any(has_float(item) for item in value)
        return isinstance(value, float)

    if has_float(got) if evidence.hidden() else equal:
        return _("you returned floats: use integer division // so sizes and counts are ints")
    return None


def not_an_array(call: str, got: Any, expected: np.ndarray) -> str:
    return _("{call} returned {got}; expected an ndarray of shape {shape}").format(
        call=call, got=describe_array(got), shape=expected.shape
    )


def shape_hint(got: tuple, expected: tuple) -> str:
    """Which axes are off by one, or how many axes there are (shapes may be shown, see above)."""
    if len(got) != len(expected):
        return _(" ({got} axes instead of {expected})").format(got=len(got), expected=len(expected))
    short = [axis for axis, (g, e) in enumerate(zip(got, expected)) if g == e - 1]
    long = [axis for axis, (g, e) in enumerate(zip(got, expected)) if g == e + 1]
    if short:  # every short axis is named, not only the first
        return (
            _("; one short on axis {axis}: is the last window dropped (+1 missing)?")
            if len(short) == 1
            else _("; one short on axes {axes}: is the last window dropped (+1 missing)?")
        ).format(axis=short[0], axes=", ".join(map(str, short)))
    if long:
        return (
            _("; one too many on axis {axis}: does a window run past the edge?")
            if len(long) == 1
            else _("; one too many on axes {axes}: does a window run past the edge?")
        ).format(axis=long[0], axes=", ".join(map(str, long)))
    return ""


def type_slip(got: np.ndarray, call: str, floating: bool, dtype: np.dtype | None) -> str | None:
    """The sentence for an array of the wrong kind: integers where results are floats, or not
    the input's dtype where it must be kept. None when the type is right."""
    if floating and got.dtype.kind != "f":
        return _(
            "{call} returned dtype {dtype}; convolution and pooling results must be "
            "floating point (start from np.zeros(..., dtype=float))"
        ).format(call=call, dtype=got.dtype)
    if dtype is not None and got.dtype != np.dtype(dtype):
        return _(
            "{call} returned dtype {dtype}; expected {expected}, the dtype of the input "
            "(np.pad keeps it; np.zeros(...) without dtype= makes float64)"
        ).format(call=call, dtype=got.dtype, expected=np.dtype(dtype))
    return None
