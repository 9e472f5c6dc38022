"""The gradebook in the CSV layouts that learning-management systems import.

Canvas (Grades > Import): the columns of Canvas's own gradebook export, `Student`, `ID`,
`SIS User ID`, `SIS Login ID`, `Section`, then one column per assignment; a second row
`Points Possible` gives each assignment's points. Canvas matches a row by its SIS User ID (or
its ID, or the student's name) and creates an assignment for a column it does not know, so
this file adds one assignment per exercise and quiz and one for the total. The roster's id is
the SIS User ID, its email the SIS Login ID.

Moodle (Grade administration > Import > CSV file): a header row, then a row per learner. At
import, "Map from" picks the column that identifies a user and "Map to" the field it matches:
`Email address` -> useremail or `ID number` -> useridnumber; each grade column is then mapped
to a grade item (or a new one). Names stay as plain text columns.

Learners without a grade (not submitted, or an upload with a problem) get empty cells, which
both systems leave ungraded, rather than a zero an instructor did not decide on.

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

CANVAS_FILE = "canvas.csv"
MOODLE_FILE = "moodle.csv"
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
    catalogue: Catalogue, gradebook: Gradebook, points_from: Gradebook | None = None
) -> list[list]:
    """Canvas's gradebook import: header, Points Possible (read from `points_from`, by default the
    same gradebook), then a row per learner."""
    maxima = item_points(catalogue, points_from or gradebook)
    total_max = next(
        (row.max_score for row in (points_from or gradebook).rows if row.max_score is not None),
        None,
    )
    lines: list[list] = [
        [*CANVAS_FIXED, *item_titles(catalogue), TOTAL_TITLE],
        [CANVAS_POINTS_ROW, "", "", "", "", *maxima, number(total_max)],
    ]
    for row in gradebook.rows:
        person = row.person
        lines.append(
            [
                person.name or row.learner,
                "",
                person.id,
                person.email,
                person.section,
                *[number(row.scores.get(item_id)) for item_id in catalogue.ids],
                number(row.total),
            ]
        )
    return lines


def moodle_table(catalogue: Catalogue, gradebook: Gradebook) -> list[list]:
    """Moodle's CSV grade import: identity columns, then a grade column per item and the total."""
    lines: list[list] = [[*MOODLE_FIXED, *item_titles(catalogue), TOTAL_TITLE]]
    for row in gradebook.rows:
        person = row.person
        first, _separator, last = (person.name or row.learner).partition(" ")
        lines.append(
            [
                first,
                last,
                person.id,
                person.email,
                *[number(row.scores.get(item_id)) for item_id in catalogue.ids],
                number(row.total),
            ]
        )
    return lines


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
    catalogue: Catalogue, gradebook: Gradebook, out_dir: Path, *, excel: bool = False
) -> dict[str, str]:
    """Write canvas.csv and moodle.csv into `out_dir`; returns the rows left out (learner -> why)."""
    safe, left_out = exported(gradebook)
    write_csv(out_dir / CANVAS_FILE, canvas_table(catalogue, safe, gradebook), excel=excel)
    write_csv(out_dir / MOODLE_FILE, moodle_table(catalogue, safe), excel=excel)
    return left_out
