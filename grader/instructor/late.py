"""Late work: a submission time against the course's due dates, extensions and late policy.

The due dates and the policy are course.yaml's `schedule:` (grader/course/schedule.py).
`--extensions extensions.csv` gives learners more time, per item or for all (`*`):

```csv
learner,item,due,days
dave,*,,2
김민수,ex07,2025-04-20 23:59,
```

each row either a new `due` date (with an offset, or in the schedule's time zone) or `days`
more (a number; 1.5 is a day and a half), never both, never earlier than the course's date. An
item's row wins over the learner's `*` row. Like adjustments, the file is the whole list when
given; not given, each record keeps the extended dates it holds.

`late_block` is the record's "late" block: for every item with a due date, the due date, the
extension, how late the submission was (seconds) and the penalty the policy asks for, in
points of the item (`penalty_points`; an item `refused` loses them all). How that meets the
graded score is grader/instructor/final.py's.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from grader.course.catalogue import Catalogue, canonical_id
from grader.course.schedule import MAX_DAYS, LatePolicy, Schedule, ScheduleError, iso, parse_time
from grader.i18n import _
from grader.instructor.csvinput import CsvTable, read_table

EVERY_ITEM = "*"
SOURCES = ("upload", "git", "gradescope", "lms", "list")  # where a submission time came from


@dataclass(frozen=True)
class Extension:
    """More time for one learner: a new due date, or days added to the course's."""

    due: dt.datetime | None = None
    days: float = 0.0

    def applied(self, due: dt.datetime) -> dt.datetime:
        return self.due if self.due is not None else due + dt.timedelta(days=self.days)


@dataclass(frozen=True)
class Extensions:
    """A checked extensions file: learner -> item (or "*") -> Extension, and each learner's line."""

    table: CsvTable
    by_learner: dict[str, dict[str, Extension]]
    lines: dict[str, int]


def penalty_percent(late_seconds: float, policy: LatePolicy) -> tuple[float, bool]:
    """(percent of the item's points the policy takes, refused) for work `late_seconds` late:
    nothing within the grace, then `penalty_percent` per day or hour begun (counted from the
    due date), at most the cap; later than the refusal limit, everything and refused."""
    if late_seconds <= policy.grace_seconds:
        return 0.0, False
    if policy.refuse_after_seconds is not None and late_seconds > policy.refuse_after_seconds:
        return 100.0, True
    units = math.ceil(late_seconds / policy.unit_seconds)
    return min(policy.cap_percent, units * policy.penalty_percent), False


def late_block(
    submitted_at: dt.datetime,
    source: str,
    item_max: dict[str, float],
    policy: LatePolicy,
    due_for: Callable[[str], dt.datetime | None],
    extensions: dict[str, Extension],
) -> dict:
    """The record's "late" block for a submission made at `submitted_at` (aware; counted to the
    second, as the record keeps it)."""
    submitted_at = submitted_at.replace(microsecond=0)
    items = {}
    for item_id, maximum in item_max.items():
        due = due_for(item_id)
        if due is None:
            continue
        extension = extensions.get(item_id) or extensions.get(EVERY_ITEM)
        extended = extension.applied(due) if extension is not None else None
        late = max(0, math.ceil((submitted_at - (extended or due)).total_seconds()))
        percent, refused = penalty_percent(late, policy)
        items[item_id] = {
            "due": iso(due),
            "extension": iso(extended) if extended is not None else None,
            "late_seconds": late,
            "penalty_points": round(maximum * percent / 100, 6),
            "refused": refused,
        }
    return {"submitted_at": iso(submitted_at), "source": source, "items": items}


def kept_extensions(late: dict | None) -> dict[str, Extension]:
    """The extended dates a record's "late" block holds, item by item (to apply them again)."""
    extensions = {}
    for item_id, entry in ((late or {}).get("items") or {}).items():
        if isinstance(entry, dict) and isinstance(entry.get("extension"), str):
            extensions[item_id] = Extension(due=dt.datetime.fromisoformat(entry["extension"]))
    return extensions


def read_extensions(path: Path, catalogue: Catalogue, schedule: Schedule) -> Extensions:
    """The extensions in `path`, checked against the course and its schedule; `InputError`
    naming the file, line and column of the first problem."""
    table = read_table(path, ("learner", "item"), ("due", "days"))
    by_learner: dict[str, dict[str, Extension]] = {}
    lines: dict[str, int] = {}
    for row in table.rows:
        cells = row.cells
        learner = cells["learner"]
        if not learner:
            raise table.fail(row.line, "learner", _("no learner named"))
        item = EVERY_ITEM if cells["item"] == EVERY_ITEM else canonical_id(cells["item"])
        if item != EVERY_ITEM and item not in catalogue.ids:
            raise table.fail(
                row.line,
                "item",
                _("{item!r} is not an item of this course, nor * for all").format(
                    item=cells["item"][:40]
                ),
            )
        dues = [schedule.due_for(item_id) for item_id in catalogue.ids]
        due = (
            dues[catalogue.ids.index(item)]
            if item != EVERY_ITEM
            else next((date for date in dues if date is not None), None)
        )
        if due is None:
            raise table.fail(row.line, "item", _("the course sets no due date for it"))
        extension = _extension(table, row.line, cells, schedule, due)
        if item in by_learner.get(learner, {}):
            raise table.fail(
                row.line, "item", _("{name} has a row for it already").format(name=learner)
            )
        by_learner.setdefault(learner, {})[item] = extension
        lines.setdefault(learner, row.line)
    return Extensions(table, by_learner, lines)


def _extension(
    table: CsvTable, line: int, cells: dict[str, str], schedule: Schedule, due: dt.datetime
) -> Extension:
    given_due, given_days = cells.get("due", ""), cells.get("days", "")
    if bool(given_due) == bool(given_days):
        raise table.fail(line, "due", _("give either a new due date or a number of days"))
    if given_due:
        try:
            moment = parse_time(given_due, schedule.zone, "due")
        except ScheduleError as error:
            raise table.fail(line, "due", str(error).removeprefix("due: ")) from None
        if moment < due:
            raise table.fail(
                line, "due", _("earlier than the course's due date {due}").format(due=iso(due))
            )
        return Extension(due=moment)
    try:
        days = float(given_days)
    except ValueError:
        days = math.nan
    if not (math.isfinite(days) and 0 < days <= MAX_DAYS):
        raise table.fail(
            line,
            "days",
            _("{text!r} is not a number of days above 0 and at most {most}").format(
                text=given_days[:40], most=MAX_DAYS
            ),
        )
    return Extension(days=days)


def upload_time(path: Path) -> tuple[dt.datetime, str] | None:
    """(when an upload reached this machine as far as its files say, "upload"): a zip's own
    modification time, or the newest of a folder's files (never through a link; the times
    inside a zip are the learner's machine's, so they are not read). None if it cannot be read."""
    try:
        newest = path.lstat().st_mtime
        if path.is_dir() and not path.is_symlink():
            newest = max([newest, *_files(path)])
    except OSError:
        return None
    return dt.datetime.fromtimestamp(newest, dt.timezone.utc), "upload"


def _files(folder: Path, limit: int = 20_000) -> list[float]:
    times: list[float] = []
    stack = [folder]
    while stack and len(times) < limit:
        for entry in sorted(stack.pop().iterdir()):
            if entry.is_symlink():
                continue
            if entry.is_dir():
                stack.append(entry)
            elif entry.is_file():
                times.append(entry.lstat().st_mtime)
    return times
