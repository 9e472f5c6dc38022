"""The final grade: the graded score, adjusted by hand, less the late penalty. One place computes it.

A record's report (docs/design.md#the-json-report) is the evidence and is never changed. Beside
it the record holds "adjustments" (grader/instructor/adjustments.py), "late"
(grader/instructor/late.py) and "final", which `final_block` computes from those three:

    base    = graded + adjustments, kept within 0 and the item's points
    penalty = the late policy's penalty points, at most `base` (a penalty never goes below 0)
    points  = base - penalty

so an adjustment is a correction of the grade (a regrade request's points are late when the
work was), and no item ends below 0 or above its points: no bonus points, because each item is
exported out of its points (grades.csv, Canvas, Moodle) and a sum above them would be read as
an error everywhere. `final.items[i].adjustment` is the adjustment that applied after that
bound; the requested points stay in "adjustments". The gradebook, every export and the feedback
files read "final", so they show one grade.
"""

from __future__ import annotations

import math

from grader.i18n import _

ROUND = 6  # decimals kept: points are tenths at most, sums of floats are not
TOLERANCE = 1e-6
MAX_TEXT = 4096
ISO_WITH_OFFSET = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d(:\d\d)?|Z)$"
ITEM_ID = "^(ex|q)[0-9]{2}$"
DERIVED = ("adjustments", "late", "final")  # the record's fields beside the report
NUMBER = {"type": "number"}

ADJUSTMENTS_SCHEMA = {
    "type": "array",
    "maxItems": 1000,
    "items": {
        "type": "object",
        "required": ["item", "points", "reason", "by"],
        "properties": {
            "item": {"type": "string", "pattern": ITEM_ID},
            "points": NUMBER,
            "reason": {"type": "string", "minLength": 1, "maxLength": MAX_TEXT},
            "by": {"type": "string", "minLength": 1, "maxLength": MAX_TEXT},
        },
        "additionalProperties": False,
    },
}
LATE_SCHEMA = {
    "type": "object",
    "required": ["submitted_at", "source", "items"],
    "properties": {
        "submitted_at": {"type": "string", "pattern": ISO_WITH_OFFSET},
        "source": {"enum": ["upload", "git", "gradescope", "lms", "list"]},
        "items": {
            "type": "object",
            "propertyNames": {"pattern": ITEM_ID},
            "additionalProperties": {
                "type": "object",
                "required": ["due", "extension", "late_seconds", "penalty_points", "refused"],
                "properties": {
                    "due": {"type": "string", "pattern": ISO_WITH_OFFSET},
                    "extension": {
                        "oneOf": [{"type": "null"}, {"type": "string", "pattern": ISO_WITH_OFFSET}]
                    },
                    "late_seconds": {"type": "integer", "minimum": 0},
                    "penalty_points": {"type": "number", "minimum": 0},
                    "refused": {"type": "boolean"},
                },
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
}
FINAL_ITEM = ("graded", "late_penalty", "adjustment", "points", "max")
FINAL_SCHEMA = {
    "type": "object",
    "required": ["items", "total", "max"],
    "properties": {
        "items": {
            "type": "object",
            "propertyNames": {"pattern": ITEM_ID},
            "additionalProperties": {
                "type": "object",
                "required": list(FINAL_ITEM),
                "properties": {key: NUMBER for key in FINAL_ITEM},
                "additionalProperties": False,
            },
        },
        "total": NUMBER,
        "max": NUMBER,
    },
    "additionalProperties": False,
}


def final_block(report: dict, adjustments: list[dict], late: dict | None) -> dict:
    """The record's "final" block: each item's graded points, adjustment, late penalty and final
    points (module docstring), and the total; computed from the report, never from the tests."""
    late_items = (late or {}).get("items") or {}
    items = {}
    for item in report["exercises"]:
        item_id, graded, maximum = item["id"], float(item["score"]), float(item["max_score"])
        asked = sum(float(entry["points"]) for entry in adjustments if entry["item"] == item_id)
        base = min(max(graded + asked, 0.0), maximum)
        nominal = float((late_items.get(item_id) or {}).get("penalty_points", 0.0))
        penalty = round(min(max(nominal, 0.0), base), ROUND)
        adjustment = round(base - graded, ROUND)
        items[item_id] = {  # points from the rounded parts: the columns add up as shown
            "graded": graded,
            "late_penalty": penalty,
            "adjustment": adjustment,
            "points": round(min(max(graded + adjustment - penalty, 0.0), maximum), ROUND),
            "max": maximum,
        }
    return {
        "items": items,
        "total": round(sum(entry["points"] for entry in items.values()), ROUND),
        "max": round(sum(entry["max"] for entry in items.values()), ROUND),
    }


def derived(report: dict, adjustments: list[dict], late: dict | None) -> dict:
    """The record's fields beside the report: "adjustments" and "late" as given (each only when
    there is one), and "final"."""
    fields: dict = {"adjustments": adjustments} if adjustments else {}
    if late is not None:
        fields["late"] = late
    return {**fields, "final": final_block(report, adjustments, late)}


def evidence(record_report: dict) -> dict:
    """A record's report without the fields computed beside it: the graded report itself."""
    return {key: value for key, value in record_report.items() if key not in DERIVED}


def problem(data: dict) -> str:
    """Why a graded record's "final" is not what its report, adjustments and late block give
    ("" when it is, or when the record has no "final": one written before adjustments existed)."""
    if "final" not in data:
        return "" if not any(key in data for key in DERIVED) else "it has no final grade"
    for item_id in (data.get("late") or {}).get("items", {}):
        if item_id not in {item["id"] for item in data["exercises"]}:
            return f"late: {item_id} is not an item of its report"
    for entry in data.get("adjustments") or []:
        if entry["item"] not in {item["id"] for item in data["exercises"]}:
            return f"adjustments: {entry['item']} is not an item of its report"
    expected = final_block(data, data.get("adjustments") or [], data.get("late"))
    stored = data["final"]
    if set(stored["items"]) != set(expected["items"]):
        return "final: its items are not its report's"
    for item_id, entry in expected["items"].items():
        for key in FINAL_ITEM:
            if not _close(stored["items"][item_id][key], entry[key]):
                return f"final: {item_id}'s {key} is not what its report, adjustments and late work give"
    if not (_close(stored["total"], expected["total"]) and _close(stored["max"], expected["max"])):
        return "final: the total is not the sum of its items"
    return ""


def _close(first: float, second: float) -> bool:
    return math.isfinite(first) and abs(first - second) <= TOLERANCE * max(1.0, abs(second))


def shown_total(record_report: dict) -> str:
    """A learner's total for a terminal or a text report: `17.5 / 100`, and when adjustments or
    late work changed it, how: `17.5 / 100 (graded 20, adjusted +1, late -3.5)`."""
    graded, maximum = record_report["score"], record_report["max_score"]
    final = record_report.get("final")
    if not isinstance(final, dict):
        return f"{graded:g} / {maximum:g}"
    entries = final["items"].values()
    adjusted = sum(entry["adjustment"] for entry in entries)
    late = sum(entry["late_penalty"] for entry in entries)
    notes = [_("graded {points:g}").format(points=graded)] if adjusted or late else []
    if adjusted:
        notes.append(_("adjusted {points:+g}").format(points=round(adjusted, 4)))
    if late:
        notes.append(_("late {points:g}").format(points=-round(late, 4)))
    return f"{final['total']:g} / {final['max']:g}" + (f" ({', '.join(notes)})" if notes else "")
