"""Grades adjusted by hand: `--adjustments adjustments.csv` (learner, item, points, reason, by).

```csv
learner,item,points,reason,by
dave,ex04,+2,regrade request: the stride test misread his padding,TA Lee
김민수,q02,-1,answer copied from the key,Prof. Park
```

`points` is signed (a decimal number; `+2`, `-1.5`); several rows for one learner and item add
up. `reason` and `by` are required: an adjustment is a decision someone made and can explain.
The file is the whole list: given to `grade batch`, `merge` or `report`, it replaces the
adjustments of every learner in the out folder (a learner it does not name has none); not
given, each record keeps the adjustments it holds, also when its learner is regraded. How an
adjusted item is bounded is grader/instructor/final.py's.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from grader.course.catalogue import Catalogue, canonical_id
from grader.i18n import _
from grader.instructor.csvinput import CsvTable, read_table
from grader.sanitise import clean

COLUMNS = ("learner", "item", "points", "reason", "by")
MAX_REASON = 500
MAX_BY = 100


@dataclass(frozen=True)
class Adjustments:
    """A checked adjustments file: learner -> their adjustments (as records keep them), and the
    line of each learner's first row (to name it when the learner is unknown)."""

    table: CsvTable
    by_learner: dict[str, list[dict]]
    lines: dict[str, int]

    def for_learner(self, learner: str) -> list[dict]:
        return [dict(entry) for entry in self.by_learner.get(learner, [])]

    def check_learners(self, known: Iterable[str], ours: Callable[[str], bool]) -> None:
        """`InputError` naming the line of the first learner that is not in `known` (the class,
        the roster, the records); learners for whom `ours` is false (another shard's) pass."""
        names = set(known)
        for learner, line in sorted(self.lines.items(), key=lambda pair: pair[1]):
            if learner not in names and ours(learner):
                raise self.table.fail(
                    line,
                    "learner",
                    _("{name} is not a learner of this class").format(name=learner),
                )


def read_adjustments(
    path: Path, catalogue: Catalogue, item_points: dict[str, float]
) -> Adjustments:
    """The adjustments in `path`, every cell checked against the course (`item_points`: item id
    -> its points); `InputError` naming the file, line and column of the first problem."""
    table = read_table(path, COLUMNS)
    by_learner: dict[str, list[dict]] = {}
    lines: dict[str, int] = {}
    for row in table.rows:
        cells = row.cells
        if not cells["learner"]:
            raise table.fail(row.line, "learner", _("no learner named"))
        item = canonical_id(cells["item"])
        if item not in catalogue.ids:
            raise table.fail(
                row.line,
                "item",
                _("{item!r} is not an item of this course ({ids})").format(
                    item=cells["item"][:40], ids=", ".join(catalogue.ids)
                ),
            )
        points = _points(table, row.line, cells["points"], item, item_points.get(item))
        for key, limit in (("reason", MAX_REASON), ("by", MAX_BY)):
            if not cells[key]:
                raise table.fail(row.line, key, _("empty; say why and who decided"))
            if len(cells[key]) > limit:
                raise table.fail(
                    row.line, key, _("longer than {limit} characters").format(limit=limit)
                )
        by_learner.setdefault(cells["learner"], []).append(
            {
                "item": item,
                "points": points,
                "reason": clean(cells["reason"], MAX_REASON, single_line=True),
                "by": clean(cells["by"], MAX_BY, single_line=True),
            }
        )
        lines.setdefault(cells["learner"], row.line)
    return Adjustments(table, by_learner, lines)


def _points(table: CsvTable, line: int, text: str, item: str, maximum: float | None) -> float:
    try:
        points = float(text)
    except ValueError:
        points = math.nan
    if not math.isfinite(points):
        raise table.fail(
            line, "points", _("{text!r} is not a number of points").format(text=text[:40])
        )
    if maximum is not None and abs(points) > maximum:
        raise table.fail(
            line,
            "points",
            _("{points:g} is more than {item}'s {maximum:g} points").format(
                points=points, item=item, maximum=maximum
            ),
        )
    return points
