"""The gradebook in the CSV layouts that learning-management systems import.

Canvas (Grades > Import): the columns of Canvas's own gradebook export, `Student`, `ID`,
`SIS User ID`, `SIS Login ID`, `Section`, then one column per assignment; a second row
`Points Possible` gives each assignment's points. Canvas matches a row by its SIS User ID (or
its ID, or the student's name), creates an assignment for each column it does not know and
adds every assignment into the course total. So `canvas.csv` holds the total alone (one
assignment, the file to import) and `canvas-items.csv` one assignment per exercise and quiz
without the total; importing both would count every point twice. The roster's id is the SIS
User ID, its email the SIS Login ID.

Moodle (Grade administration > Import > CSV file): a header row, then a row per learner. At
import, "Map from" picks the column that identifies a user and "Map to" the field it matches:
`Email address` -> useremail or `ID number` -> useridnumber; each grade column is then mapped
to a grade item (or a new one): the total, or the items, not both. Names stay as plain text
columns; a name in Hangul (or another East Asian script) stays whole in `First name`.

Learners without a grade (not submitted, or an upload with a problem) get empty cells, which
both systems leave ungraded ("-" or empty: no grade, in Moodle's grade/import/csv), rather than
a zero an instructor did not decide on; so does an item the learner did not attempt (no file or
answers for it), which an earned 0 never is.

Neither file ever holds two rows that the LMS would match to one learner. Canvas's importer
(GradebookImporter#process_student) takes a row's Canvas ID, else its SIS User ID, else its SIS
Login ID, and only when none is given looks the learner up by the name in `Student`; Moodle
matches the column the instructor maps (ID number or email). So a row is left out of both files,
and named on the terminal, when it is not on the roster (when there is one: a folder `Alice Kim`
would otherwise be matched by name to the real Alice Kim), or when it shares an ID or email with
another row, or has neither and carries another row's name.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from pathlib import Path

from grader.course.catalogue import Catalogue
from grader.instructor.gradebook import Gradebook, Row, number, write_csv

CANVAS_FILE = "canvas.csv"  # the total alone: one Canvas assignment (import this one)
CANVAS_ITEMS_FILE = "canvas-items.csv"  # one Canvas assignment per item, no total
MOODLE_FILE = "moodle.csv"
WORKBOOK_FILE = "grades.xlsx"
CANVAS_FIXED = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_POINTS_ROW = "    Points Possible"  # as Canvas's own export spells it
MOODLE_FIXED = ["First name", "Last name", "ID number", "Email address"]
TOTAL_TITLE = "CNN exercises total"


def item_titles(catalogue: Catalogue) -> list[str]:
    """Column titles an LMS shows: "ex01 The convolution operation"."""
    return [f"{item.id} {item.title}" for item in (*catalogue.exercises, *catalogue.quizzes)]


def item_points(catalogue: Catalogue, gradebook: Gradebook) -> list[float | str]:
    """Each item's points, read from a graded report (quizzes' points live in their banks)."""
    points = next((row.item_max for row in gradebook.rows if row.item_max), {})
    return [number(points.get(item_id)) for item_id in catalogue.ids]


def canvas_table(
    catalogue: Catalogue,
    gradebook: Gradebook,
    points_from: Gradebook | None = None,
    *,
    items: bool = False,
) -> list[list]:
    """Canvas's gradebook import: header, Points Possible (read from `points_from`, by default the
    same gradebook), then a row per learner. Canvas makes an assignment of every new column and
    adds them all up, so a file holds either the total alone (one assignment) or, with `items`,
    one column per item and no total: never both, which Canvas would count twice."""
    source = points_from or gradebook
    if items:
        titles, maxima = item_titles(catalogue), item_points(catalogue, source)
    else:
        total_max = next((row.max_score for row in source.rows if row.max_score is not None), None)
        titles, maxima = [TOTAL_TITLE], [number(total_max)]
    lines: list[list] = [
        [*CANVAS_FIXED, *titles],
        [CANVAS_POINTS_ROW, "", "", "", "", *maxima],
    ]
    for row in gradebook.rows:
        person = row.person
        cells = [row.cell(item_id) for item_id in catalogue.ids] if items else [number(row.total)]
        lines.append(
            [person.name or row.learner, "", person.id, person.email, person.section, *cells]
        )
    return lines


def moodle_table(catalogue: Catalogue, gradebook: Gradebook) -> list[list]:
    """Moodle's CSV grade import: identity columns, then a grade column per item and the total
    (the instructor maps either the total or the items to grade items, and ignores the rest)."""
    lines: list[list] = [[*MOODLE_FIXED, *item_titles(catalogue), TOTAL_TITLE]]
    for row in gradebook.rows:
        person = row.person
        first, last = split_name(person.name or row.learner)
        lines.append(
            [
                first,
                last,
                person.id,
                person.email,
                *[row.cell(item_id) for item_id in catalogue.ids],
                number(row.total),
            ]
        )
    return lines


def split_name(name: str) -> tuple[str, str]:
    """(first name, last name) for Moodle: "Alice Kim" -> ("Alice", "Kim"). A name in Hangul or
    another East Asian script is kept whole (its family name comes first, and where one part
    ends is not the space's to say): "김 민수" -> ("김 민수", "")."""
    if any(unicodedata.east_asian_width(char) in "WF" for char in name):
        return name.strip(), ""
    first, _separator, last = name.strip().partition(" ")
    return first, last.strip()


def exported(gradebook: Gradebook) -> tuple[Gradebook, dict[str, str]]:
    """The gradebook with only the rows an LMS can take safely, and the rows left out (learner ->
    why): not on the roster, or matched by the LMS to the same learner as another row."""
    left_out = (
        {learner: "not on the roster" for learner in gradebook.not_on_roster}
        if gradebook.roster_given
        else {}
    )
    rows = [row for row in gradebook.rows if row.learner not in left_out]
    for learner, others in _same_person(rows).items():
        left_out[learner] = f"an LMS would take it for the same learner as {', '.join(others)}"
    return replace(gradebook, rows=[row for row in rows if row.learner not in left_out]), left_out


def _same_person(rows: list[Row]) -> dict[str, list[str]]:
    """Learner -> the other learners whose rows Canvas or Moodle would match to the same person."""
    holders: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        for key in _identities(row):
            holders.setdefault(key, []).append(row.learner)
    clashes: dict[str, list[str]] = {}
    for row in rows:
        ids = [key for key in _identities(row) if key[0] != "name"]
        name = ("name", _folded(row.person.name or row.learner))
        keys = ids or [name]  # matched by name only when the row has no ID and no email
        others = {other for key in keys for other in holders.get(key, []) if other != row.learner}
        for other in others:
            clashes.setdefault(row.learner, []).append(other)
            clashes.setdefault(other, []).append(row.learner)
    return {learner: sorted(set(others)) for learner, others in clashes.items()}


def _identities(row: Row) -> list[tuple[str, str]]:
    person = row.person
    keys = [("id", _folded(person.id)), ("email", _folded(person.email))]
    return [key for key in keys if key[1]] + [("name", _folded(person.name or row.learner))]


def _folded(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip().casefold()


def write_exports(
    catalogue: Catalogue,
    gradebook: Gradebook,
    out_dir: Path,
    *,
    excel: bool = False,
    xlsx: bool = False,
) -> dict[str, str]:
    """Write canvas.csv, canvas-items.csv and moodle.csv into `out_dir` (and grades.xlsx, with
    `xlsx`); returns the rows left out of the LMS files (learner -> why)."""
    safe, left_out = exported(gradebook)
    write_csv(out_dir / CANVAS_FILE, canvas_table(catalogue, safe, gradebook), excel=excel)
    write_csv(
        out_dir / CANVAS_ITEMS_FILE,
        canvas_table(catalogue, safe, gradebook, items=True),
        excel=excel,
    )
    write_csv(out_dir / MOODLE_FILE, moodle_table(catalogue, safe), excel=excel)
    if xlsx:
        from grader.instructor.workbook import write_workbook

        write_workbook(catalogue, gradebook, out_dir / WORKBOOK_FILE)
    return left_out
