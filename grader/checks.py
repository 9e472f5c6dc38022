"""Checks that suites use to judge a learner's results, and the feedback they give.

Each `check_*` helper validates what came back (type, dtype, shape, finiteness, values) and
raises `GradingFailure` with feedback that says what came back and, when the wrong answer
equals one of the suite's `Misconception` candidates, which misunderstanding it looks like.
Whether the feedback may also show the expected value depends on the running test: a public
test's may, a hidden test's never (`grader.evidence.hidden()`); grader/check_feedback.py
words both and says, case by case, what a hidden test's feedback leaves out and why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader import check_feedback as say
from grader import evidence
from grader.check_feedback import describe_array, describe_call  # noqa: F401  (the suites import them from here)
from grader.failures import GradingFailure, LearnerRaised, NamedMistake, NotAttempted
from grader.i18n import _

RELATIVE_TOLERANCE = 1e-5  # docs/design.md#array-conventions: float32 arithmetic passes
NUMERIC_KINDS = "biuf"
MAX_NAMED = 3  # mistakes named at once when several explain one answer


@dataclass(frozen=True)
class Misconception:
    """A known wrong answer (`candidate`) and the sentence that names the mistake."""

    feedback: str
    candidate: Any


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
        return ~np.isclose(
            got.astype(np.float64), expected.astype(np.float64), rtol=RELATIVE_TOLERANCE, atol=atol
        )


def require_attempted(value: Any, name: str) -> None:
    """A constant the stub leaves as None has not been attempted."""
    if value is None:
        raise NotAttempted(_("not attempted: {name} is still None (the stub)").format(name=name))


def match_misconception(got: Any, misconceptions: Iterable[Misconception]) -> str | None:
    """The feedback of every misconception whose candidate equals `got`, if any.

    Two mistakes can give the same answer on one input (a negated kernel and an absolute value
    where every gradient is negative): then the feedback says so in one sentence that names
    both (`same_answer`), rather than guess or chain them with "or".
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
    return same_answer(named)


def same_answer(sentences: Iterable[str]) -> str:
    """One sentence naming the mistake, or saying plainly that this case gives the same answer
    for each of several (up to `MAX_NAMED`); each sentence is translated here (a suite marks
    them N_())."""
    named = list(dict.fromkeys(_(text) for text in sentences))[:MAX_NAMED]
    if len(named) == 1:
        return named[0]
    return _(
        "this case cannot tell {count} mistakes apart, each gives exactly this answer: {mistakes}"
    ).format(
        count=len(named),
        mistakes="; ".join(f"({index}) {text}" for index, text in enumerate(named, 1)),
    )


def check_array(
    got: Any,
    expected: np.ndarray,
    *,
    call: str,
    misconceptions: Iterable[Misconception] = (),
    floating: bool = False,
    dtype: np.dtype | None = None,
    reveal: bool = False,
    shape_feedback: dict[tuple, str] | None = None,
) -> np.ndarray:
    """Fail with feedback unless `got` is an ndarray equal to `expected` within tolerance.

    `shape_feedback` names the mistake behind a known wrong shape;
    `floating` demands a floating dtype (compute functions never return integers);
    `dtype` demands that exact dtype (zero_pad keeps the input's); `reveal` prints both arrays
    in full, for public cases whose expected output the learner may see anyway (never in a
    hidden test, where no expected cell is shown and a type slip is named whatever the values).
    """
    evidence.judged()
    misconceptions = list(misconceptions)
    expected = np.asarray(expected)
    if not isinstance(got, np.ndarray) or got.dtype.kind not in NUMERIC_KINDS:
        listed = isinstance(got, (list, tuple))
        failure = NamedMistake if listed else GradingFailure
        hint = _(" (a list is not an array: wrap it, np.array(...))") if listed else ""
        raise failure(say.not_an_array(call, got, expected) + hint)
    if got.shape != expected.shape:
        named = (
            _(sentence)
            if (sentence := (shape_feedback or {}).get(tuple(got.shape)))
            else match_misconception(got, misconceptions)
        )
        message = _("{call}: expected shape {expected}, got {got}").format(
            call=call, expected=expected.shape, got=got.shape
        )
        raise (
            NamedMistake(f"{message}. {named}")
            if named
            else GradingFailure(message + say.shape_hint(got.shape, expected.shape))
        )
    if got.dtype.kind == "f" and not np.all(np.isfinite(got)):
        raise GradingFailure(
            _("{call} returned NaN or infinite values ({count} of {size} cells)").format(
                call=call, count=int(np.sum(~np.isfinite(got))), size=got.size
            )
        )
    slip, right = say.type_slip(got, call, floating, dtype), close_enough(got, expected)
    named = None if right else match_misconception(got, misconceptions)
    if (
        slip and evidence.hidden() and not named
    ):  # the type alone, so it never says the values were right
        raise NamedMistake(slip)
    if not right:
        detail = say.differing_cells(got, expected, _differing(got, expected))
        shown = say.both_arrays(
            expected, got, reveal
        )  # after the sentence, never inside its parenthesis
        if named:
            raise NamedMistake(f"{call}: {named} ({detail}){shown}")
        raise GradingFailure(
            _("{call}: wrong values; {detail}").format(call=call, detail=detail) + shown
        )
    if slip:
        raise NamedMistake(slip)
    return got


def check_number(
    got: Any, expected: float, *, call: str, misconceptions: Iterable[Misconception] = ()
) -> float:
    """Fail unless `got` is a real number within the relative tolerance of `expected`."""
    evidence.judged()
    if isinstance(got, np.ndarray) and got.ndim == 0:
        got = got.item()
    if isinstance(got, np.generic):
        got = got.item()
    if isinstance(got, bool) or not isinstance(got, (int, float)):
        raise GradingFailure(
            _("{call} returned {got}; expected a single number").format(
                call=call, got=describe_array(got)
            )
        )
    got = (
        got if isinstance(got, float) or abs(got) < 1e308 else float("inf" if got > 0 else "-inf")
    )  # 10**400
    if not np.isclose(got, expected, rtol=RELATIVE_TOLERANCE, atol=RELATIVE_TOLERANCE):
        named = match_misconception(
            np.asarray(float(got)),
            [Misconception(m.feedback, np.asarray(float(m.candidate))) for m in misconceptions],
        )
        message = say.wrong_number(call, expected, got)
        raise NamedMistake(f"{message}. {named}") if named else GradingFailure(message)
    return float(got)


def check_exact(
    got: Any, expected: Any, *, call: str, misconceptions: Iterable[Misconception] = ()
) -> Any:
    """Fail unless `got` equals `expected` exactly, as an int or a tuple of ints.

    Integer-valued floats (7.0) fail: sizes and counts are ints, and true division is the
    bug this catches. A list where a tuple is expected is accepted if its items match.
    """
    evidence.judged()
    normalised = _as_int_structure(got)
    if normalised is not None and normalised == expected:
        return normalised
    plain = _plain(got)
    matching = named_by(plain, misconceptions)
    named = same_answer(matching) if matching else None
    if named is None:
        named = say.floats_named(plain, expected, _plain_equal(plain, expected))
    message = say.wrong_exact(call, expected, plain)
    raise NamedMistake(f"{message}. {named}") if named else GradingFailure(message)


def named_by(got: Any, misconceptions: Iterable[Misconception]) -> list[str]:
    """The sentences of the misconceptions whose candidate `got` is: within tolerance for an
    ndarray (as `check_array` compares), exactly otherwise (as `check_exact` does)."""
    if isinstance(got, np.ndarray):
        numeric = got.dtype.kind in NUMERIC_KINDS
        return [m.feedback for m in misconceptions if numeric and match_misconception(got, [m])]
    plain = _plain(got)
    return [m.feedback for m in misconceptions if _same(plain, _plain(m.candidate))]


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
        raise GradingFailure(
            _(
                "{call} returned {got}; expected a tuple of {count} ({names}), as in `return {names}`"
            ).format(call=call, got=describe_array(got), count=len(names), names=", ".join(names))
        )
    return tuple(got)


def check_constant(
    got: Any, expected: np.ndarray, *, name: str, misconceptions: Iterable[Misconception] = ()
) -> np.ndarray:
    """Like `check_array` for a module-level constant, which may be a nested list of numbers.

    A constant still `None` (the stub) is "not attempted".
    """
    require_attempted(got, name)
    if isinstance(got, (list, tuple)):
        try:
            got = np.array(got, dtype=np.float64)
        except Exception:  # noqa: BLE001 - ragged, not numbers, or an int past float's range (OverflowError)
            raise GradingFailure(
                _("{name} is a {got} that is not a grid of numbers (rows of equal length)").format(
                    name=name, got=describe_array(got)
                )
            ) from None
    return check_array(got, expected, call=name, misconceptions=misconceptions, reveal=True)


def check_unchanged(before: Any, after: Any, *, call: str) -> None:
    """Fail if the worker reports that an argument was modified in place."""
    evidence.judged()
    for index, (original, now) in enumerate(zip(before, after)):
        if isinstance(original, np.ndarray) and (
            not isinstance(now, np.ndarray)
            or now.shape != original.shape
            or not np.array_equal(now, original)
        ):
            raise NamedMistake(
                _(
                    "{call} modified its argument #{number} in place; compute into a new "
                    "array (np.pad, np.zeros, x.copy()) instead"
                ).format(call=call, number=index + 1)
            )


def expect_value_error(call: Callable[..., Any], description: str, *, problem: str) -> str:
    """Fail unless `call()` raises ValueError; returns its message. `problem` names the bad input."""
    evidence.judged()
    try:
        result = call()
    except LearnerRaised as raised:
        if raised.value_error:
            return raised.message
        raise GradingFailure(
            _("{call} should raise ValueError ({problem}), but raised {error}: {message}").format(
                call=description,
                problem=_(problem),
                error=raised.error_type,
                message=raised.message,
            )
        ) from None
    raise GradingFailure(
        _("{call} should raise ValueError ({problem}), but returned {got}").format(
            call=description, problem=_(problem), got=describe_array(result)
        )
    )


def expect_answer(
    call: Callable[[], Any], description: str, expected: Any, *, parts: tuple[str, ...] = ()
) -> Any:
    """Fail unless a valid call answers `expected`, judged as any result is: an ndarray by
    `check_array`, a float by `check_number`, an int or a tuple of ints by `check_exact`, and a
    tuple of arrays named `parts` (`("gx", "gy", "magnitude")`) part by part.

    Each "raises ValueError" test also makes one valid call, on a case drawn from the run's
    seed, so that neither raising ValueError for everything nor a stock answer earns anything.
    """
    evidence.judged()
    try:
        got = call()
    except LearnerRaised as raised:
        raise GradingFailure(
            raised.feedback
            + "\n"
            + _("{call} is a valid call: raise ValueError only for invalid arguments").format(
                call=description
            )
        ) from None
    if parts:
        got = check_parts(got, parts, call=description)
        return tuple(
            check_array(part, wanted, call=f"{description}, {name}")
            for part, wanted, name in zip(got, expected, parts)
        )
    if isinstance(expected, np.ndarray):
        return check_array(got, expected, call=description)
    if isinstance(expected, float):
        return check_number(got, expected, call=description)
    return check_exact(got, expected, call=description)


def _as_int_structure(value: Any) -> Any:
    if (
        isinstance(value, np.ndarray) and value.ndim == 0
    ):  # np.array(7) holds 7, as np.int64(7) does
        value = value[()]
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (tuple, list)):
        items = [_as_int_structure(item) for item in value]
        return None if any(item is None for item in items) else tuple(items)
    return None
