"""What `grade batch`, `merge` and `report` apply to the records: adjustments, late work, the final grade.

`load` reads and checks every file the instructor gave (adjustments, extensions, submission
times) before anything is written, so a bad line stops the command with nothing half-done.
`Finishing.fields` gives a graded learner's "adjustments", "late" and "final" (grader/instructor/
final.py): from the files given, else from what the learner's earlier record held, so a regraded
learner keeps the adjustments and extensions that applied to them. `refinish` applies them to
every graded record of an out folder whose fields would change (the record it replaces goes to
history/, as every replaced record does), which is how a changed adjustments.csv reaches the
gradebook with `grade report --adjustments` or `grade merge`, without a regrade.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from grader.course.catalogue import Catalogue
from grader.course.schedule import ScheduleError, parse_time
from grader.i18n import _
from grader.instructor import final, records
from grader.instructor.adjustments import Adjustments, read_adjustments
from grader.instructor.csvinput import read_table
from grader.instructor.late import SOURCES, Extensions, kept_extensions, late_block, read_extensions
from grader.instructor.recordcheck import RecordCheck
from grader.instructor.signature import and_signed

Submitted = tuple[dt.datetime, str]  # when, and where that time came from (late.SOURCES)


@dataclass
class Finishing:
    """The instructor's files, checked; None where a file was not given."""

    catalogue: Catalogue
    adjustments: Adjustments | None = None
    extensions: Extensions | None = None
    submitted: dict[str, Submitted] = field(default_factory=dict)

    def fields(
        self,
        learner: str,
        report: dict,
        previous: dict | None = None,
        submitted: Submitted | None = None,
    ) -> dict:
        """`learner`'s "adjustments", "late" and "final" for the graded `report` (the evidence);
        `previous` is their earlier record's report, `submitted` the time their upload gives."""
        previous = previous or {}
        if self.adjustments is not None:
            adjustments = self.adjustments.for_learner(learner)
        else:
            adjustments = [dict(entry) for entry in previous.get("adjustments") or []]
        return final.derived(report, adjustments, self._late(learner, report, previous, submitted))

    def _late(
        self, learner: str, report: dict, previous: dict, submitted: Submitted | None
    ) -> dict | None:
        schedule = self.catalogue.schedule
        if schedule.due is None and not schedule.items:
            return None
        earlier = previous.get("late")
        when = self.submitted.get(learner) or submitted
        if when is None and isinstance(earlier, dict):
            when = (dt.datetime.fromisoformat(earlier["submitted_at"]), earlier["source"])
        if when is None:
            return None
        if schedule.zone is not None:  # shown in the course's zone, as its due dates are
            when = (when[0].astimezone(schedule.zone), when[1])
        if self.extensions is not None:
            extensions = self.extensions.by_learner.get(learner, {})
        else:
            extensions = kept_extensions(earlier if isinstance(earlier, dict) else None)
        item_max = {item["id"]: float(item["max_score"]) for item in report["exercises"]}
        return late_block(when[0], when[1], item_max, schedule.late, schedule.due_for, extensions)

    def check_learners(self, known: Iterable[str], ours: Callable[[str], bool]) -> None:
        """`InputError` naming the file and line of a learner no file should name (not in
        `known`); another shard's learners (`ours` false) pass."""
        names = set(known)
        if self.adjustments is not None:
            self.adjustments.check_learners(names, ours)
        if self.extensions is not None:
            for learner, line in self.extensions.lines.items():
                if learner not in names and ours(learner):
                    raise self.extensions.table.fail(
                        line,
                        "learner",
                        _("{name} is not a learner of this class").format(name=learner),
                    )

    @property
    def given(self) -> bool:
        return self.adjustments is not None or self.extensions is not None or bool(self.submitted)

    def unapplied(self, graded: Iterable[str]) -> list[str]:
        """The learners of the adjustments file who have no graded record (not graded, or on
        the roster without an upload): their adjustments apply to nothing, which is said."""
        held = set(graded)
        return sorted(set(self.adjustments.by_learner) - held) if self.adjustments else []


def load(
    catalogue: Catalogue,
    *,
    adjustments: Path | None = None,
    extensions: Path | None = None,
    submitted_at: Path | None = None,
) -> Finishing:
    """Every file given, read and checked (`InputError` naming file, line and column)."""
    points = RecordCheck(catalogue).points
    return Finishing(
        catalogue,
        read_adjustments(adjustments, catalogue, points) if adjustments else None,
        read_extensions(extensions, catalogue, catalogue.schedule) if extensions else None,
        read_submitted(submitted_at, catalogue) if submitted_at else {},
    )


def read_submitted(path: Path, catalogue: Catalogue) -> dict[str, Submitted]:
    """`--submitted-at FILE`: learner, submitted_at[, source] (git, lms, upload; default list)."""
    table = read_table(path, ("learner", "submitted_at"), ("source",))
    times: dict[str, Submitted] = {}
    for row in table.rows:
        learner, source = row.cells["learner"], row.cells.get("source") or "list"
        if not learner:
            raise table.fail(row.line, "learner", _("no learner named"))
        if learner in times:
            raise table.fail(
                row.line, "learner", _("{name} has a row already").format(name=learner)
            )
        if source not in SOURCES:
            raise table.fail(
                row.line, "source", _("write one of {sources}").format(sources=", ".join(SOURCES))
            )
        try:
            moment = parse_time(row.cells["submitted_at"], catalogue.schedule.zone, "submitted_at")
        except ScheduleError as error:
            raise table.fail(
                row.line, "submitted_at", str(error).removeprefix("submitted_at: ")
            ) from None
        times[learner] = (moment, source)
    return times


def refinish(out_dir: Path, finishing: Finishing) -> list[str]:
    """Apply `finishing` to every trusted graded record of `out_dir` whose fields it changes;
    returns those learners. Untrusted records are left for a regrade, as everywhere."""
    check = and_signed(RecordCheck(finishing.catalogue))
    changed = []
    for learner, record in records.load_records(out_dir, check).items():
        if not record.graded:
            continue
        held = record.graded_report
        report = final.evidence(held)
        fields = finishing.fields(learner, report, held)
        if fields != {key: held[key] for key in final.DERIVED if key in held}:
            records.save_report(out_dir, {**report, **fields}, record.meta)
            changed.append(learner)
    return changed


def from_options(catalogue: Catalogue, options: dict) -> Finishing:
    """The files a command's `--adjustments`, `--extensions` and `--submitted-at` name (taken out
    of `options`), read and checked before the command writes anything."""
    return load(
        catalogue,
        adjustments=options.pop("adjustments", None),
        extensions=options.pop("extensions", None),
        submitted_at=options.pop("submitted_at", None),
    )
