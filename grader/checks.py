"""Checks that suites use to judge a learner's results, and the feedback they give.

Each `check_*` helper validates what came back (type, dtype, shape, finiteness, values) and
raises `GradingFailure` with feedback that says what was expected, what came back, and, when
the wrong answer equals one of the suite's `Misconception` candidates, which misunderstanding
it looks like. Hidden expected arrays are never printed in full: at most a shape, a count of
differing cells and one example cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable

import numpy as np

from grader import evidence
from grader.failures import GradingFailure, LearnerRaised, NamedMistake, NotAttempted
from grader.i18n import _

RELATIVE_TOLERANCE = 1e-5  # SPEC section 2: float32 arithmetic passes
NUMERIC_KINDS = "biuf"
MAX_NAMED = 3  # mistakes named at once when several explain one answer


@dataclass(frozen=True)
class Misconception:
    """A known wrong answer (`candidate`) and the sentence that names the mistake."""

    feedback: str
    candidate: Any


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


def close_enough(got: np.ndarray, expected: np.ndarray) -> bool:
    """Equal shapes and values within the relative tolerance, scaled to the expected magnitude."""
    return got.shape == expected.shape and not np.any(_differing(got, expected))


def _differing(got: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Which cells of two equal-shaped arrays differ by more than the tolerance.

    The absolute part of the tolerance scales with the largest expected value, so that cells
    near zero in a large result are not judged more strictly than float32 can compute them.
    """
    scale = float(np.max(np.abs(expected))) if expected.size else 0.0
    atol = RELATIVE_TOLERANCE * max(1.0, scale)
    with np.errstate(all="ignore"):
        return ~np.isclose(got.astype(np.float64), expected.astype(np.float64),
                           rtol=RELATIVE_TOLERANCE, atol=atol)


def require_attempted(value: Any, name: str) -> None:
    """A constant the stub leaves as None has not been attempted."""
    if value is None:
        raise NotAttempted(_("not attempted: {name} is still None (the stub)").format(name=name))


def match_misconception(got: Any, misconceptions: Iterable[Misconception]) -> str | None:
    """The feedback of every misconception whose candidate equals `got`, if any.

    Two mistakes can give the same answer on one input (a negated kernel and an absolute value
    where every gradient is negative): then the feedback names both rather than guess.
    """
    named: list[str] = []
    for misconception in misconceptions:
        candidate = misconception.candidate
        if isinstance(got, np.ndarray):
            candidate = np.asarray(candidate)
            matches = candidate.dtype.kind in NUMERIC_KINDS and close_enough(got, candidate)
        else:
            matches = got == candidate and type(got) is type(candidate)
        if matches and misconception.feedback not in named:
            named.append(misconception.feedback)
    if not named:
        return None
    named = [_(text) for text in named]  # a sentence marked N_() in a suite is translated here
    return named[0] if len(named) == 1 else _("; or ").join(named[:MAX_NAMED])


def check_array(got: Any, expected: np.ndarray, *, call: str,
                misconceptions: Iterable[Misconception] = (), floating: bool = False,
                dtype: np.dtype | None = None, reveal: bool = False,
                shape_feedback: dict[tuple, str] | None = None) -> np.ndarray:
    """Fail with feedback unless `got` is an ndarray equal to `expected` within tolerance.

    `shape_feedback` names the mistake behind a known wrong shape;
    `floating` demands a floating dtype (compute functions never return integers);
    `dtype` demands that exact dtype (zero_pad keeps the input's); `reveal` prints both arrays
    in full, for public cases whose expected output the learner may see anyway.
    """
    evidence.judged()
    misconceptions = list(misconceptions)
    expected = np.asarray(expected)
    if not isinstance(got, np.ndarray) or got.dtype.kind not in NUMERIC_KINDS:
        listed = isinstance(got, (list, tuple))
        failure = NamedMistake if listed else GradingFailure
        hint = _(" (a list is not an array: wrap it, np.array(...))") if listed else ""
        raise failure(_("{call} returned {got}; expected an ndarray of shape {shape}").format(
            call=call, got=describe_array(got), shape=expected.shape) + hint)
    if got.shape != expected.shape:
        named = (_(sentence) if (sentence := (shape_feedback or {}).get(tuple(got.shape)))
                 else match_misconception(got, misconceptions))
        message = _("{call}: expected shape {expected}, got {got}").format(
            call=call, expected=expected.shape, got=got.shape)
        raise NamedMistake(f"{message}. {named}") if named else GradingFailure(message + _shape_hint(got.shape, expected.shape))
    if got.dtype.kind == "f" and not np.all(np.isfinite(got)):
        raise GradingFailure(_("{call} returned NaN or infinite values ({count} of {size} cells)").format(
            call=call, count=int(np.sum(~np.isfinite(got))), size=got.size))
    if not close_enough(got, expected):
        named = match_misconception(got, misconceptions)
        detail = _first_difference(got, expected)
        shown = ""  # after the sentence, never inside its parenthesis
        if reveal:
            shown = "\n{expected_word}:\n{expected}\n{got_word}:\n{got}".format(
                expected_word=_("expected"), got_word=_("got"),
                expected=np.array2string(expected, precision=4), got=np.array2string(got, precision=4))
        if named:
            raise NamedMistake(f"{call}: {named} ({detail}){shown}")
        raise GradingFailure(_("{call}: wrong values; {detail}").format(call=call, detail=detail) + shown)
    if floating and got.dtype.kind != "f":
        raise NamedMistake(_("{call} returned dtype {dtype}; convolution and pooling results must be "
                             "floating point (start from np.zeros(..., dtype=float))").format(call=call, dtype=got.dtype))
    if dtype is not None and got.dtype != np.dtype(dtype):
        raise NamedMistake(_("{call} returned dtype {dtype}; expected {expected}, the dtype of the input "
                             "(np.pad keeps it; np.zeros(...) without dtype= makes float64)").format(
            call=call, dtype=got.dtype, expected=np.dtype(dtype)))
    return got


def check_number(got: Any, expected: float, *, call: str,
                 misconceptions: Iterable[Misconception] = ()) -> float:
    """Fail unless `got` is a real number within the relative tolerance of `expected`."""
    evidence.judged()
    if isinstance(got, np.ndarray) and got.ndim == 0:
        got = got.item()
    if isinstance(got, np.generic):
        got = got.item()
    if isinstance(got, bool) or not isinstance(got, (int, float)):
        raise GradingFailure(_("{call} returned {got}; expected a single number").format(
            call=call, got=describe_array(got)))
    got = got if isinstance(got, float) or abs(got) < 1e308 else float("inf" if got > 0 else "-inf")  # 10**400
    if not np.isclose(got, expected, rtol=RELATIVE_TOLERANCE, atol=RELATIVE_TOLERANCE):
        named = match_misconception(np.asarray(float(got)),
                                    [Misconception(m.feedback, np.asarray(float(m.candidate)))
                                     for m in misconceptions])
        message = _("{call}: expected {expected:g}, got {got:g}").format(call=call, expected=expected, got=got)
        raise NamedMistake(f"{message}. {named}") if named else GradingFailure(message)
    return float(got)


def check_exact(got: Any, expected: Any, *, call: str,
                misconceptions: Iterable[Misconception] = ()) -> Any:
    """Fail unless `got` equals `expected` exactly, as an int or a tuple of ints.

    Integer-valued floats (7.0) fail: sizes and counts are ints, and true division is the
    bug this catches. A list where a tuple is expected is accepted if its items match.
    """
    evidence.judged()
    normalised = _as_int_structure(got)
    if normalised is not None and normalised == expected:
        return normalised
    plain = _plain(got)
    named = _("; or ").join(dict.fromkeys(_(m.feedback) for m in misconceptions
                                       if _same(plain, _plain(m.candidate)))) or None
    if named is None and _plain_equal(plain, expected):
        named = _("you returned floats: use integer division // so sizes and counts are ints")
    message = _("{call}: expected {expected!r}, got {got!r}").format(call=call, expected=expected, got=plain)
    raise NamedMistake(f"{message}. {named}") if named else GradingFailure(message)


def _plain(value: Any) -> Any:
    """NumPy scalars as Python numbers, lists and tuples as tuples."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return tuple(_plain(item) for item in value)
    return value


def _same(a: Any, b: Any) -> bool:
    """Equal and of the same kinds all the way down (28 and 28.0 are not the same)."""
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def _plain_equal(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:  # a learner value whose comparison misbehaves is simply not equal
        return False


def check_parts(got: Any, names: tuple[str, ...], *, call: str) -> tuple:
    """Fail unless `got` is a tuple (or list) with one item per name; returns it as a tuple.

    For functions that return several results, such as `(gx, gy, magnitude)`.
    """
    evidence.judged()
    if not isinstance(got, (tuple, list)) or len(got) != len(names):
        raise GradingFailure(_("{call} returned {got}; expected a tuple of {count} ({names}), as in `return {names}`")
                             .format(call=call, got=describe_array(got), count=len(names), names=", ".join(names)))
    return tuple(got)


def check_constant(got: Any, expected: np.ndarray, *, name: str,
                   misconceptions: Iterable[Misconception] = ()) -> np.ndarray:
    """Like `check_array` for a module-level constant, which may be a nested list of numbers.

    A constant still `None` (the stub) is "not attempted".
    """
    require_attempted(got, name)
    if isinstance(got, (list, tuple)):
        try:
            got = np.array(got, dtype=np.float64)
        except (TypeError, ValueError):
            raise GradingFailure(_("{name} is a {got} that is not a grid of numbers (rows of equal "
                                   "length)").format(name=name, got=describe_array(got))) from None
    return check_array(got, expected, call=name, misconceptions=misconceptions, reveal=True)


def check_unchanged(before: Any, after: Any, *, call: str) -> None:
    """Fail if the worker reports that an argument was modified in place."""
    evidence.judged()
    for index, (original, now) in enumerate(zip(before, after)):
        if isinstance(original, np.ndarray) and (
                not isinstance(now, np.ndarray) or now.shape != original.shape
                or not np.array_equal(now, original)):
            raise NamedMistake(_("{call} modified its argument #{number} in place; compute into a new "
                                 "array (np.pad, np.zeros, x.copy()) instead").format(call=call, number=index + 1))


def expect_value_error(call: Callable[..., Any], description: str, *, problem: str) -> str:
    """Fail unless `call()` raises ValueError; returns its message. `problem` names the bad input."""
    evidence.judged()
    try:
        result = call()
    except LearnerRaised as raised:
        if raised.value_error:
            return raised.message
        raise GradingFailure(_("{call} should raise ValueError ({problem}), but raised {error}: {message}").format(
            call=description, problem=_(problem), error=raised.error_type, message=raised.message)) from None
    raise GradingFailure(_("{call} should raise ValueError ({problem}), but returned {got}").format(
        call=description, problem=_(problem), got=describe_array(result)))


def expect_answer(call: Callable[[], Any], description: str, expected: Any) -> Any:
    """Fail unless a valid call answers: an ndarray of `expected`'s shape, or a number, or a
    tuple as long as `expected`. Its values are not judged here.

    Each "raises ValueError" test also makes one valid call, so that raising ValueError for
    everything earns nothing; judging only the kind of answer keeps a value bug (graded by
    the other tests) from costing the validation test as well.
    """
    evidence.judged()
    try:
        got = call()
    except LearnerRaised as raised:
        raise GradingFailure(raised.feedback + "\n" + _("{call} is a valid call: raise ValueError only for "
                                                         "invalid arguments").format(call=description)) from None
    if isinstance(expected, np.ndarray):
        fits = isinstance(got, np.ndarray) and got.shape == expected.shape
    elif isinstance(expected, tuple):
        fits = isinstance(got, (tuple, list)) and len(got) == len(expected)
    else:
        fits = isinstance(_plain(got), (int, float)) and not isinstance(_plain(got), bool)
    if not fits:
        kind = (_("an ndarray of shape {shape}").format(shape=expected.shape) if isinstance(expected, np.ndarray)
                else _("a tuple") if isinstance(expected, tuple) else _("a number"))
        raise GradingFailure(_("{call} is a valid call and should return {kind}, but returned {got}").format(
            call=description, kind=kind, got=describe_array(got)))
    return got


def _as_int_structure(value: Any) -> Any:
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (tuple, list)):
        items = [_as_int_structure(item) for item in value]
        return None if any(item is None for item in items) else tuple(items)
    return None


def _shape_hint(got: tuple, expected: tuple) -> str:
    if len(got) != len(expected):
        return _(" ({got} axes instead of {expected})").format(got=len(got), expected=len(expected))
    short = [axis for axis, (g, e) in enumerate(zip(got, expected)) if g == e - 1]
    long = [axis for axis, (g, e) in enumerate(zip(got, expected)) if g == e + 1]
    if short:  # every short axis is named, not only the first
        return (_("; one short on axis {axis}: is the last window dropped (+1 missing)?") if len(short) == 1 else
                _("; one short on axes {axes}: is the last window dropped (+1 missing)?")).format(
            axis=short[0], axes=", ".join(map(str, short)))
    if long:
        return (_("; one too many on axis {axis}: does a window run past the edge?") if len(long) == 1 else
                _("; one too many on axes {axes}: does a window run past the edge?")).format(
            axis=long[0], axes=", ".join(map(str, long)))
    return ""


def _first_difference(got: np.ndarray, expected: np.ndarray) -> str:
    wrong = _differing(got, expected)
    index = tuple(int(i) for i in np.argwhere(wrong)[0])
    return _("{count} of {size} values differ; at index {index} expected {expected:.6g}, got {got:.6g}").format(
        count=int(wrong.sum()), size=wrong.size, index=index, expected=expected[index], got=got[index])
