"""The class gradebook: `grades.csv` rebuilt from the out folder's records, with the roster joined in.

A row per learner: learner (the folder or zip name), name, student id and email (from
`--roster`, matched whatever the Unicode form of the folder's name), status ("graded";
"incomplete: ..." when the record lacks some of the course's items; "not submitted" for a roster
row without a submission; or what kept the learner from being graded), total, max, percent,
and a column per exercise and quiz: its points, or an empty cell when the learner did not
attempt it (no file or answers for it) or was not graded, so that "not attempted" is never
mistaken for an earned 0 (the total counts it as 0).
Numbers are written as numbers; every text cell that a spreadsheet would run as a formula
(= + - @, tab, carriage return) gets a leading apostrophe (OWASP's CSV-injection rule).
`--excel` writes UTF-8 with a byte-order mark, so Excel shows Korean names correctly.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from grader.course.catalogue import Catalogue
from grader.errors import InputError
from grader.instructor.records import GRADED, Record, write_atomic
from grader.sanitise import visible

FORMULA_STARTS = (
    "=",
    "+",
    "-",
    "@",
    "\t",
    "\r",
)  # OWASP: cells a spreadsheet would run as formulas
NOT_SUBMITTED = "not submitted"
NOT_ATTEMPTED = "not_attempted"  # an item's status when no file or answer for it was handed in
INCOMPLETE = "incomplete"
FIXED_COLUMNS = ["learner", "name", "student id", "email", "status", "total", "max", "percent"]
# After the items: the total as graded, and how adjustments and late work changed it ("total" is
# the final grade, grader/instructor/final.py).
FINAL_COLUMNS = ["graded total", "adjustment", "late days", "late penalty"]
ROSTER_COLUMNS = {
    "folder": ("folder", "learner", "login", "username", "github"),
    "id": ("id", "student id", "student_id", "studentid", "sis user id", "number"),
    "name": ("name", "full name", "student", "student name"),
    "email": ("email", "e-mail", "email address", "mail"),
    "section": ("section",),
}
ROSTER_FILE = "roster.csv"


@dataclass(frozen=True)
class Person:
    """A roster row: the learner's folder name and who they are."""

    folder: str
    id: str = ""
    name: str = ""
    email: str = ""
    section: str = ""


@dataclass
class Row:
    """One learner's gradebook row; `scores` by item id, None where there is no grade."""

    learner: str
    person: Person
    status: str
    total: float | None = None
    max_score: float | None = None
    scores: dict[str, float] = field(default_factory=dict)
    item_max: dict[str, float] = field(default_factory=dict)
    graded_total: float | None = None  # before adjustments and late penalties
    adjustment: float | None = None
    late_days: float | None = None  # of the latest item, after extensions
    late_penalty: float | None = None
    statuses: dict[str, str] = field(
        default_factory=dict
    )  # item id -> "passed", "not_attempted"...

    def cell(self, item_id: str) -> int | float | str:
        """The item's gradebook cell: its points, "" when not attempted (no file for it, or the
        learner not graded) so that an LMS tells it from an earned 0."""
        if self.statuses.get(item_id) == NOT_ATTEMPTED:
            return ""
        return number(self.scores.get(item_id))

    @property
    def percent(self) -> float | None:
        if self.total is None or not self.max_score:
            return None
        return round(100 * self.total / self.max_score, 2)


@dataclass
class Gradebook:
    """The rows, and the mismatches between the submissions and the roster."""

    rows: list[Row]
    not_on_roster: list[str] = field(default_factory=list)
    not_submitted: list[str] = field(default_factory=list)
    roster_given: bool = False


def read_roster(path: Path) -> dict[str, Person]:
    """Folder name -> Person from a CSV with a header row (folder, id, name, email; any order)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read the roster {path}: {error}") from None
    try:
        return _roster_people(path, csv.DictReader(io.StringIO(text)))
    except csv.Error as error:  # a NUL byte, a cell over the csv module's size limit...
        raise InputError(f"cannot read the roster {path}: {error}") from None


def _roster_people(path: Path, reader: csv.DictReader) -> dict[str, Person]:
    columns = {_roster_key(name): name for name in reader.fieldnames or [] if _roster_key(name)}
    if "folder" not in columns:
        raise InputError(
            f"{path}: the roster needs a 'folder' column (the learner's folder or zip "
            f"name); its columns are {visible(', '.join(reader.fieldnames or []), 300)}"
        )
    people: dict[str, Person] = {}
    seen: set[str] = set()
    for line, entry in enumerate(reader, start=2):
        values = {key: (entry.get(column) or "").strip() for key, column in columns.items()}
        if not values["folder"]:
            continue
        if _key(values["folder"]) in seen:  # in any Unicode form: folders are matched in NFC
            raise InputError(
                f"{path}, line {line}: {visible(values['folder'], 60)} is on the roster twice"
            )
        people[values["folder"]] = Person(**values)
        seen.add(_key(values["folder"]))
    return people


def _roster_key(column: str | None) -> str:
    wanted = (column or "").strip().lower().replace("_", " ")
    return next((key for key, names in ROSTER_COLUMNS.items() if wanted in names), "")


def build(
    catalogue: Catalogue,
    found: dict[str, Record],
    roster: dict[str, Person] | None,
    expected: Callable[[str], bool] = lambda name: True,
    unrecorded: dict[str, str] | None = None,
) -> Gradebook:
    """The gradebook of `found` records joined with `roster`; roster rows for which `expected` is
    false (another shard's learners) are left out rather than called "not submitted".
    `unrecorded` holds learners whose outcome no record could keep (name -> status): it stands
    in for any record of theirs, which this run did not confirm."""
    people = {_key(name): person for name, person in (roster or {}).items()}
    unrecorded = unrecorded or {}
    rows = [
        _row(catalogue, record, people.get(_key(name), Person(name)))
        for name, record in found.items()
        if name not in unrecorded
    ]
    rows += [
        Row(name, people.get(_key(name), Person(name)), status)
        for name, status in unrecorded.items()
    ]
    present = {_key(row.learner) for row in rows}
    missing = [name for name in (roster or {}) if _key(name) not in present and expected(name)]
    rows += [Row(name, (roster or {})[name], NOT_SUBMITTED) for name in missing]
    rows.sort(key=lambda row: row.learner)
    not_on_roster = [
        row.learner for row in rows if roster is not None and _key(row.learner) not in people
    ]
    return Gradebook(rows, not_on_roster, missing, roster is not None)


def _key(name: str) -> str:
    """A folder name as the roster is matched to it: macOS writes names decomposed (NFD)."""
    return unicodedata.normalize("NFC", name)


def _row(catalogue: Catalogue, record: Record, person: Person) -> Row:
    if not record.graded:
        return Row(record.learner, person, record.status)
    report = record.graded_report
    items = [
        item
        for item in report.get("exercises", [])
        if isinstance(item, dict)
        and str(item.get("id")) in catalogue.ids
        and _is_number(item.get("score"))
    ]
    missing = [
        item_id for item_id in catalogue.ids if item_id not in {str(item["id"]) for item in items}
    ]
    status = f"{INCOMPLETE}: no result for {', '.join(missing)}" if missing else GRADED
    total, max_score = report.get("score"), report.get("max_score")
    row = Row(
        record.learner,
        person,
        status,
        total if _is_number(total) else None,
        max_score if _is_number(max_score) else None,
        {str(item["id"]): item["score"] for item in items},
        {str(item["id"]): item["max_score"] for item in items if _is_number(item.get("max_score"))},
        statuses={str(item["id"]): str(item.get("status", "")) for item in items},
        graded_total=total if _is_number(total) else None,
    )
    return _finalised(row, report) if isinstance(report.get("final"), dict) else row


def _finalised(row: Row, report: dict) -> Row:
    """`row` with the record's final grade (grader/instructor/final.py) in place of the graded one."""
    final = report["final"]
    entries = final["items"]
    row.scores = {item_id: entry["points"] for item_id, entry in entries.items()}
    row.total, row.max_score = final["total"], final["max"]
    row.adjustment = sum(entry["adjustment"] for entry in entries.values())
    row.late_penalty = sum(entry["late_penalty"] for entry in entries.values())
    late_items = (report.get("late") or {}).get("items") or {}
    if late_items:
        row.late_days = max(entry["late_seconds"] for entry in late_items.values()) / 86_400
    return row


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def table(catalogue: Catalogue, gradebook: Gradebook) -> list[list]:
    """grades.csv as rows of cells (header first), numbers as numbers."""
    lines: list[list] = [[*FIXED_COLUMNS, *catalogue.ids, *FINAL_COLUMNS]]
    for row in gradebook.rows:
        person = row.person
        lines.append(
            [
                row.learner,
                person.name,
                person.id,
                person.email,
                row.status,
                number(row.total),
                number(row.max_score),
                number(row.percent),
                *[row.cell(item_id) for item_id in catalogue.ids],
                number(row.graded_total),
                number(row.adjustment),
                number(None if row.late_days is None else round(row.late_days, 2)),
                number(row.late_penalty),
            ]
        )
    return lines


def number(value: float | None) -> int | float | str:
    """A score for a CSV cell: 10 rather than 10.0, "" for no grade."""
    if value is None:
        return ""
    return int(value) if float(value).is_integer() else round(float(value), 4)


def write_csv(path: Path, lines: list[list], *, excel: bool = False) -> None:
    """Write `lines` as CSV, every cell made safe; UTF-8 with a byte-order mark when `excel`."""
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\r\n")
    for line in lines:
        writer.writerow(safe_row(line))
    write_atomic(path, ("\ufeff" if excel else "") + stream.getvalue())


def safe_cell(value: object) -> object:
    """A CSV cell a spreadsheet shows as text: numbers stay numbers, a text that starts like a
    formula (= + - @, tab, carriage return) gets a leading apostrophe (OWASP's CSV-injection rule)."""
    if _is_number(value):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_row(values: list) -> list:
    return [safe_cell(value) for value in values]
