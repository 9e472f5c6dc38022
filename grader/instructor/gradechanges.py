"""What changed a graded score, as a learner's feedback file shows it: the final grade, the
instructor's adjustments and the late penalties a record holds.

A record may carry, beside its report (grader/instructor/records.py), `"adjustments"` (a list
of `{"item", "points", "reason", "by"}`), `"late"` (`{"submitted_at", "source", "items": {ITEM:
{"due", "extension", "late_seconds", "penalty_points", "refused"}}}`) and `"final"`
(`{"items": {ITEM: {"graded", "late_penalty", "adjustment", "points", "max"}}, "total", "max"}`).
Each is shown when present; a record without them is shown with its graded scores alone. The
values are read defensively (a record is input): a field of the wrong type is left out, text
is sanitised and every renderer escapes it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from grader.i18n import N_, _
from grader.sanitise import clean

EXTRA_KEYS = ("adjustments", "late", "final")  # what a record may hold beside its report
SHOWN_TEXT = 300  # characters of a reason, a date, a source
SHOWN_ROWS = 200  # adjustments or items listed at most
DURATIONS = (
    (86400, N_("{count} d")),
    (3600, N_("{count} h")),
    (60, N_("{count} min")),
)


@dataclass
class Section:
    """A part of a feedback file: a title, a table of plain cells (numbers stay numbers), notes."""

    title: str
    headers: list[str] = field(default_factory=list)
    rows: list[list[object]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def sections(record: dict, titles: dict[str, str]) -> list[Section]:
    """The final grade, the adjustments and the late work of `record` (those it holds), in the
    current language; `titles` names items ("ex01" -> "ex01 The convolution operation")."""
    found = [
        _final(record.get("final"), titles),
        _adjustments(record.get("adjustments"), titles),
        _late(record.get("late"), titles),
    ]
    return [section for section in found if section is not None]


def _final(final: object, titles: dict[str, str]) -> Section | None:
    """The final grade item by item, when something changed a graded score (every graded record
    has a final block; one that only repeats the graded scores says nothing new)."""
    if not isinstance(final, dict) or not _changed(final):
        return None
    total, maximum = _number(final.get("total")), _number(final.get("max"))
    title = _("Final grade")
    if total is not None and maximum is not None:
        title = _("Final grade: {points} points").format(points=f"{total:g} / {maximum:g}")
    rows = []
    for item, values in _entries(final.get("items")):
        rows.append(
            [
                titles.get(item, item),
                _cell(values.get("graded")),
                _cell(values.get("late_penalty"), negative=True),
                _cell(values.get("adjustment")),
                _cell(values.get("points")),
                _cell(values.get("max")),
            ]
        )
    headers = [_("Item"), _("Graded"), _("Late penalty"), _("Adjustment"), _("Points"), _("Out of")]
    return Section(title, headers, rows)


def _changed(final: dict) -> bool:
    return any(
        _number(values.get("late_penalty")) or _number(values.get("adjustment"))
        for _item, values in _entries(final.get("items"))
    )


def _adjustments(adjustments: object, titles: dict[str, str]) -> Section | None:
    if not isinstance(adjustments, list) or not adjustments:
        return None
    rows = [
        [
            titles.get(_text(entry.get("item")), _text(entry.get("item"))),
            _cell(entry.get("points")),
            _text(entry.get("reason")),
            _text(entry.get("by")),
        ]
        for entry in adjustments[:SHOWN_ROWS]
        if isinstance(entry, dict)
    ]
    headers = [_("Item"), _("Points"), _("Reason"), _("By")]
    return Section(_("Adjustments by your instructor"), headers, rows)


def _late(late: object, titles: dict[str, str]) -> Section | None:
    if not isinstance(late, dict):
        return None
    notes = []
    submitted = _text(late.get("submitted_at"))
    if submitted:
        source = _text(late.get("source"))
        notes.append(
            _("Submitted at {time} (from {source}).").format(time=submitted, source=source)
            if source
            else _("Submitted at {time}.").format(time=submitted)
        )
    rows = []
    for item, values in _entries(late.get("items")):
        penalty: object = _cell(values.get("penalty_points"), negative=True)
        if values.get("refused") is True:
            penalty = _("not accepted: too late")
        rows.append(
            [
                titles.get(item, item),
                _text(values.get("due")),
                _extension(values.get("extension")),
                duration(_number(values.get("late_seconds"))),
                penalty,
            ]
        )
    headers = [_("Item"), _("Due"), _("Extension"), _("Late by"), _("Late penalty")]
    return Section(_("Late work"), headers, rows, notes)


def duration(seconds: float | None) -> str:
    """`2 d 3 h`, `45 min`; "" for none or not late, "0 min" under a minute late."""
    if seconds is None or seconds <= 0:
        return ""
    parts: list[str] = []
    left = int(seconds)
    for size, unit in DURATIONS:
        if left >= size and len(parts) < 2:
            parts.append(_(unit).format(count=left // size))
            left %= size
    return " ".join(parts) or _(DURATIONS[-1][1]).format(count=0)


def _extension(value: object) -> str:
    """An extension as the record gives it: a new due date (text) or a length (seconds)."""
    if isinstance(value, str):
        return _text(value)
    return duration(_number(value))


def _entries(items: object) -> list[tuple[str, dict]]:
    if not isinstance(items, dict):
        return []
    return [
        (_text(item), values)
        for item, values in list(items.items())[:SHOWN_ROWS]
        if isinstance(values, dict)
    ]


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _cell(value: object, negative: bool = False) -> object:
    """A number for a table (a penalty shown with its minus sign), "" for none."""
    number = _number(value)
    if number is None:
        return ""
    number = round(-abs(number) if negative else number, 4)
    return int(number) if number.is_integer() else number


def _text(value: object) -> str:
    return clean(value, SHOWN_TEXT, single_line=True) if isinstance(value, str) else ""
