"""Due dates and the late policy: course.yaml's `schedule:` block, read into a frozen `Schedule`.

```yaml
schedule:
  time_zone: Asia/Seoul        # the zone of every date written without an offset
  due: 2025-04-01 23:59        # the whole assignment
  items:                       # an item's own due date, instead of `due`
    ex07: 2025-04-15 23:59
  late:
    grace_minutes: 15          # this late or less is on time
    per: day                   # or hour: the penalty is counted per day (or hour) begun
    penalty_percent: 10        # of the item's points, per day (or hour) late
    max_penalty_percent: 50    # the cap (default 100: everything)
    refuse_after_days: 7       # later than this: the item counts 0 ("refused"); omit to accept any
```

A date is `YYYY-MM-DD HH:MM` (or with `T`, seconds, and an offset such as `+09:00` or `Z`); one
without an offset is read in `time_zone`, so a date without either is refused rather than
guessed from the machine's zone. Nothing here decides a score: the schedule is applied at
`grade batch`, `merge` and `report` time (grader/instructor/late.py), and is left out of the
course version, so moving a due date never asks for a regrade.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from grader.errors import InputError
from grader.i18n import _

SECONDS = {"day": 86_400, "hour": 3_600}
DATE_FORMAT = re.compile(
    r"^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d)(?:\.\d{1,6})?)?"
    r"\s*(Z|[+-]\d\d:?\d\d)?$"
)
LATE_KEYS = {"grace_minutes", "per", "penalty_percent", "max_penalty_percent", "refuse_after_days"}
MAX_DAYS = 3_650  # a grace, a refusal or an extension of more than ten years is a typo


class ScheduleError(InputError):
    """course.yaml's schedule (or a date in an instructor's file) is not usable."""


@dataclass(frozen=True)
class LatePolicy:
    """How lateness costs points: nothing within the grace, then `penalty_percent` of an item's
    points per unit begun, at most `cap_percent`; later than `refuse_after_seconds`, all of them."""

    grace_seconds: int = 0
    unit_seconds: int = SECONDS["day"]
    penalty_percent: float = 0.0
    cap_percent: float = 100.0
    refuse_after_seconds: int | None = None


@dataclass(frozen=True)
class Schedule:
    """The course's due dates (time-zone aware) and late policy; no date means nothing is late."""

    time_zone: str | None = None
    due: dt.datetime | None = None
    items: tuple[tuple[str, dt.datetime], ...] = ()
    late: LatePolicy = field(default_factory=LatePolicy)

    def due_for(self, item_id: str) -> dt.datetime | None:
        """The item's due date: its own, else the assignment's, else None."""
        return dict(self.items).get(item_id, self.due)

    @property
    def zone(self) -> dt.tzinfo | None:
        return ZoneInfo(self.time_zone) if self.time_zone else None


def parse_schedule(data: Any, item_ids: list[str], where: str) -> Schedule:
    """The `schedule:` mapping of course.yaml (`where` names it); `ScheduleError` naming the key."""
    if data is None:
        return Schedule()
    _expect(isinstance(data, dict), where, _("'schedule' must be a mapping"))
    _only(data, {"time_zone", "due", "items", "late"}, where)
    zone_name = data.get("time_zone")
    zone = None
    if zone_name is not None:
        zone = time_zone(zone_name, f"{where}.time_zone")
    due = parse_time(data["due"], zone, f"{where}.due") if data.get("due") is not None else None
    items = data.get("items") or {}
    _expect(isinstance(items, dict), f"{where}.items", _("must map item ids to due dates"))
    dues = []
    for item_id, value in items.items():
        _expect(
            item_id in item_ids,
            f"{where}.items",
            _("{id} is not an item of this course").format(id=item_id),
        )
        dues.append((str(item_id), parse_time(value, zone, f"{where}.items.{item_id}")))
    late = parse_policy(data.get("late") or {}, f"{where}.late")
    return Schedule(str(zone_name) if zone_name else None, due, tuple(dues), late)


def parse_policy(data: Any, where: str) -> LatePolicy:
    """The `late:` mapping, every number checked."""
    _expect(isinstance(data, dict), where, _("must be a mapping"))
    _only(data, LATE_KEYS, where)
    per = data.get("per", "day")
    _expect(per in SECONDS, f"{where}.per", _("must be 'day' or 'hour'"))
    grace = _number(data, "grace_minutes", 0, 60 * 24 * MAX_DAYS, where)
    percent = _number(data, "penalty_percent", 0, 100, where)
    cap = _number(data, "max_penalty_percent", 0, 100, where, default=100)
    refuse = data.get("refuse_after_days")
    refuse_seconds = None
    if refuse is not None:
        refuse_seconds = round(_number(data, "refuse_after_days", 0, MAX_DAYS, where) * 86_400)
    return LatePolicy(round(grace * 60), SECONDS[per], percent, cap, refuse_seconds)


def _number(data: dict, key: str, low: float, high: float, where: str, default: float = 0) -> float:
    value = data.get(key, default)
    _expect(
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and low <= value <= high,
        f"{where}.{key}",
        _("must be a number from {low} to {high}").format(low=low, high=high),
    )
    return float(value)


def time_zone(name: Any, where: str) -> dt.tzinfo:
    """The IANA time zone called `name` (`Asia/Seoul`, `UTC`); `ScheduleError` if there is none."""
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ScheduleError(
            _("{where}: {name!r} is not a time zone (write one such as Asia/Seoul or UTC)").format(
                where=where, name=str(name)[:60]
            )
        ) from None


def parse_time(value: Any, zone: dt.tzinfo | None, where: str) -> dt.datetime:
    """A date with a time of day, time-zone aware: its own offset, else `zone`; `ScheduleError`
    naming `where` when it is no such date or carries no zone at all."""
    if isinstance(value, dt.datetime):  # YAML reads `2025-04-01 23:59:00` itself
        moment = value
    else:
        match = DATE_FORMAT.match(str(value).strip())
        if match is None:
            raise ScheduleError(
                _(
                    "{where}: {value!r} is not a date and time; write YYYY-MM-DD HH:MM, "
                    "with an offset such as +09:00 where no time zone is set"
                ).format(where=where, value=str(value)[:60])
            )
        year, month, day, hour, minute, second, offset = match.groups()
        try:
            moment = dt.datetime(
                int(year), int(month), int(day), int(hour), int(minute), int(second or 0)
            )
        except ValueError as error:
            raise ScheduleError(f"{where}: {error}") from None
        if offset:
            moment = moment.replace(tzinfo=_offset(offset))
    if moment.tzinfo is None:
        if zone is None:
            raise ScheduleError(
                _(
                    "{where}: {value!r} has no time zone; add an offset such as +09:00, or set "
                    "schedule.time_zone in course.yaml"
                ).format(where=where, value=str(value)[:60])
            )
        moment = moment.replace(tzinfo=zone)
    return moment


def _offset(text: str) -> dt.tzinfo:
    if text == "Z":
        return dt.timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def iso(moment: dt.datetime) -> str:
    """ISO 8601 with its offset, to the second: `2025-04-01T23:59:00+09:00`."""
    return moment.replace(microsecond=0).isoformat()


def _only(data: dict, allowed: set[str], where: str) -> None:
    unknown = sorted(str(key) for key in data if key not in allowed)
    _expect(
        not unknown,
        where,
        _("unknown key(s) {keys}; expected {allowed}").format(
            keys=", ".join(unknown), allowed=", ".join(sorted(allowed))
        ),
    )


def _expect(condition: Any, where: str, message: str) -> None:
    if not condition:
        raise ScheduleError(f"{where}: {message}")
