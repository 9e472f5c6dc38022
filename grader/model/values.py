"""The kinds of value an ex07 layer setting may hold, as checks the allowlist's schemas are made of.

Each check takes a value the learner's code wrote and where it sits, and returns the value
cleaned or raises `ModelRejected` naming the setting: a whole number or a bounded one, a flag,
a named choice, a short list of sizes, a standard Keras object with scalar settings
(`_objects`). `settings` checks a whole configuration against a schema (grader/model/
allowlist.py holds the schemas: which layers, which settings).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from grader.failures import LearnerFailure
from grader.i18n import _
from grader.sanitise import clean

MAX_LIST = 8  # items in any list setting (kernel sizes, noise shapes, axes)
MAX_LIST_DEPTH = 2  # ((top, bottom), (left, right)) is as deep as a setting goes
MAX_SIZE = 1 << 20  # of any whole-number setting (the shape checks then count the cost)
DROPPED = frozenset({"name", "dtype", "trainable", "seed"})


class ModelRejected(LearnerFailure):
    """The model cannot be judged: a class or setting off the allowlist, or a shape the grader
    cannot follow. Like a return value that is not data, it earns nothing in any test."""


Check = Callable[[Any, str], Any]  # (value, where) -> the cleaned value, or ModelRejected


def refuse(where: str, problem: str) -> ModelRejected:
    return ModelRejected(f"{where}: {problem}")


def whole(low: int = 0, high: int = MAX_SIZE) -> Check:
    def check(value: Any, where: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise refuse(
                where,
                _("must be a whole number from {low} to {high}, not {value}").format(
                    low=low, high=high, value=show_value(value)
                ),
            )
        return value

    return check


def number(low: float, high: float) -> Check:
    """One finite number in [low, high]: a scalar, never a list (no constants in a layer)."""

    def check(value: Any, where: str) -> float:
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
            or not low <= value <= high
        ):
            raise refuse(
                where,
                _("must be one number from {low:g} to {high:g}, not {value}").format(
                    low=low, high=high, value=show_value(value)
                ),
            )
        return value

    return check


def flag(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise refuse(where, _("must be True or False, not {value}").format(value=show_value(value)))
    return value


def choice(*allowed: Any) -> Check:
    def check(value: Any, where: str) -> Any:
        folded = value.lower() if isinstance(value, str) else value
        if folded not in allowed:
            raise refuse(
                where,
                _("must be one of {allowed}, not {value}").format(
                    allowed=", ".join(map(str, allowed)), value=show_value(value)
                ),
            )
        return value

    return check


def sizes(low: int = 0, high: int = MAX_SIZE, allow_none: bool = False) -> Check:
    """A whole number, or a short list of them (or of pairs): kernel sizes, strides, axes, padding."""

    def check(value: Any, where: str, depth: int = 0) -> Any:
        if isinstance(value, list):
            if len(value) > MAX_LIST or depth >= MAX_LIST_DEPTH:
                raise refuse(
                    where,
                    _("must be a number or a short list of numbers, not {value}").format(
                        value=show_value(value)
                    ),
                )
            return [check(item, where, depth + 1) for item in value]
        if value is None and allow_none:
            return None
        return whole(low, high)(value, where)

    return check


def optional(inner: Check) -> Check:
    return lambda value, where: None if value is None else inner(value, where)


def none_only(value: Any, where: str) -> None:
    if value is not None:
        raise refuse(where, _("is not part of this exercise; leave it at its default"))
    return None


def settings(config: Any, schema: dict[str, Check], where: str) -> dict:
    """`config` checked against `schema`: dropped keys removed, every other key named by it."""
    if not isinstance(config, dict):
        raise refuse(where, _("the configuration is malformed"))
    cleaned = {}
    for key, value in config.items():
        if key in DROPPED:
            continue
        if key not in schema:
            raise refuse(
                where,
                _("has a setting {key} that this exercise does not accept").format(
                    key=show_value(key)
                ),
            )
        cleaned[key] = schema[key](value, f"{where}, {key}")
    return cleaned


def text_of(value: Any) -> str | None:
    """`value` if it is text, else None: class names are looked up in sets, and a learner's
    JSON may put a list (unhashable) where a name belongs."""
    return value if isinstance(value, str) else None


def show_value(value: Any) -> str:
    return clean(repr(value), 60, single_line=True)
