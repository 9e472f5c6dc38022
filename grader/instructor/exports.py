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
"""

from __future__ import annotations

from pathlib import Path

from grader.course.catalogue import Catalogue
from grader.instructor.gradebook import Gradebook, number, write_csv

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


def canvas_table(catalogue: Catalogue, gradebook: Gradebook) -> list[list]:
    """Canvas's gradebook import: header, Points Possible, then a row per learner."""
    maxima = item_points(catalogue, gradebook)
    total_max = next((row.max_score for row in gradebook.rows if row.max_score is not None), None)
    lines: list[list] = [[*CANVAS_FIXED, *item_titles(catalogue), TOTAL_TITLE],
                         [CANVAS_POINTS_ROW, "", "", "", "", *maxima, number(total_max)]]
    for row in gradebook.rows:
        person = row.person
        lines.append([person.name or row.learner, "", person.id, person.email, person.section,
                      *[number(row.scores.get(item_id)) for item_id in catalogue.ids], number(row.total)])
    return lines


def moodle_table(catalogue: Catalogue, gradebook: Gradebook) -> list[list]:
    """Moodle's CSV grade import: identity columns, then a grade column per item and the total."""
    lines: list[list] = [[*MOODLE_FIXED, *item_titles(catalogue), TOTAL_TITLE]]
    for row in gradebook.rows:
        person = row.person
        first, _, last = (person.name or row.learner).partition(" ")
        lines.append([first, last, person.id, person.email,
                      *[number(row.scores.get(item_id)) for item_id in catalogue.ids], number(row.total)])
    return lines


def write_exports(catalogue: Catalogue, gradebook: Gradebook, out_dir: Path, *, excel: bool = False) -> list[Path]:
    """Write canvas.csv and moodle.csv into `out_dir`; returns their paths."""
    paths = [out_dir / CANVAS_FILE, out_dir / MOODLE_FILE]
    write_csv(paths[0], canvas_table(catalogue, gradebook), excel=excel)
    write_csv(paths[1], moodle_table(catalogue, gradebook), excel=excel)
    return paths
