"""The one gate for learner-derived text: everything a learner controls passes here before a report.

A learner controls exception messages, printed output, names and values inside a model's
configuration, quiz answers and file names. Any of them may hold control characters that pose
as report lines or terminal escapes, lone surrogates that no UTF-8 writer accepts, megabytes of
text, or an integer too large for `str()`. `clean` turns any value into short, printable,
valid UTF-8 text, so that no learner input can break a report or stop the grader.
"""

from __future__ import annotations

from typing import Any

DEFAULT_LIMIT = 500  # characters of one piece of learner text in a report
LARGEST_SHOWN_DIGITS = 30  # integers longer than this are "a very large number"
REPLACEMENT = "?"
NEWLINE_IN_ONE_LINE = " / "
VERY_LARGE_NUMBER = "a very large number"


def clean(value: Any, limit: int = DEFAULT_LIMIT, *, single_line: bool = False) -> str:
    """`value` as printable, valid UTF-8 text of at most `limit` characters (plus "...").

    Newlines survive unless `single_line` (then they become " / "); every other control
    character, lone surrogate or unprintable code point becomes "?".
    """
    text = _as_text(value)
    if len(text) > limit * 4:  # cheap before the per-character pass on megabytes of text
        text = text[: limit * 4]
    if single_line:
        text = text.replace("\r\n", "\n").replace("\n", NEWLINE_IN_ONE_LINE)
    if not (text if single_line else text.replace("\n", "")).isprintable():  # else nothing to do
        text = "".join(char if _allowed(char, single_line) else REPLACEMENT for char in text)
    return text if len(text) <= limit else text[:limit] + "..."


def number(value: Any) -> str:
    """A learner's number for feedback: `7`, `0.5`, or "a very large number"."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return clean(value, 60, single_line=True)
    return _as_text(value)


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return _int_text(value)
    if isinstance(value, str):
        return value
    try:
        return str(value)
    except Exception:  # a value whose __str__ raises, or an int past str()'s digit limit
        return f"(a {type(value).__name__} that cannot be shown)"


def _int_text(value: int) -> str:
    # bit_length first: str() of a huge int is slow and, past 4,300 digits, raises ValueError.
    if value.bit_length() > LARGEST_SHOWN_DIGITS * 3.33:
        return VERY_LARGE_NUMBER
    text = str(value)
    return text if len(text.lstrip("-")) <= LARGEST_SHOWN_DIGITS else VERY_LARGE_NUMBER


def _allowed(char: str, single_line: bool) -> bool:
    if char == "\n":
        return not single_line
    if "\ud800" <= char <= "\udfff":  # a lone surrogate cannot be written as UTF-8
        return False
    return char.isprintable()


def visible(value: Any, limit: int = 80) -> str:
    """`value` for one line on a terminal (an instructor's view of learner names): every
    character `clean` would replace (control characters and escapes, newlines, lone surrogates)
    shown as its escape (`\\x1b`), so no name can move the cursor, retitle the window or start
    a line of its own; at most `limit` characters (plus "...")."""
    text = _as_text(value)[: limit * 4]
    shown = "".join(char if _allowed(char, True) else _escaped(char) for char in text)
    return shown if len(shown) <= limit else shown[:limit] + "..."


def _escaped(char: str) -> str:
    code = ord(char)
    return (
        f"\\x{code:02x}"
        if code < 0x100
        else f"\\u{code:04x}"
        if code < 0x10000
        else f"\\U{code:08x}"
    )
