"""`grades.xlsx` (`grade batch --xlsx`, `grade merge --xlsx`): the gradebook as a real Excel
workbook, written with openpyxl.

Three sheets: `grades` (grades.csv's table), `items` (a row per learner and item: its status,
points and maximum, so "not attempted" reads as such) and `problems` (the learners not graded,
with why). Numbers are numbers; every text is stored as text, never as a formula, whatever it
starts with (the workbook needs no apostrophe, unlike a CSV file); characters a workbook may
not hold (control characters) are shown escaped. Excel opens it with Korean names as they are,
with no byte-order mark to think of.
"""

from __future__ import annotations

import io
from pathlib import Path

from grader.course.catalogue import Catalogue
from grader.errors import InputError
from grader.i18n import _, display_width
from grader.instructor.gradebook import GRADED, Gradebook, number, table
from grader.instructor.records import write_atomic
from grader.sanitise import visible

ITEM_COLUMNS = ["learner", "name", "item", "title", "status", "points", "max"]
PROBLEM_COLUMNS = ["learner", "name", "student id", "email", "status"]
WIDEST_COLUMN = 60  # characters: a long status stays readable without a sheet of one column


def sheets(catalogue: Catalogue, gradebook: Gradebook) -> dict[str, list[list]]:
    """The workbook's sheets by name, each a list of rows (header first)."""
    titles = {item.id: item.title for item in catalogue.items}
    items: list[list] = [ITEM_COLUMNS]
    for row in gradebook.rows:
        if row.status == GRADED or row.statuses:
            for item_id in catalogue.ids:
                status = row.statuses.get(item_id, "")
                items.append(
                    [
                        row.learner,
                        row.person.name,
                        item_id,
                        titles[item_id],
                        status.replace("_", " "),
                        row.cell(item_id),
                        number(row.item_max.get(item_id)),
                    ]
                )
    problems: list[list] = [PROBLEM_COLUMNS]
    for row in gradebook.rows:
        if row.status != GRADED:
            person = row.person
            problems.append([row.learner, person.name, person.id, person.email, row.status])
    return {"grades": table(catalogue, gradebook), "items": items, "problems": problems}


def require_openpyxl() -> None:
    """Stop with a usage error, before anything is graded or written, where openpyxl is missing."""
    try:
        import openpyxl  # noqa: F401
    except ModuleNotFoundError:
        raise InputError(
            _('--xlsx needs openpyxl: pip install "cnn-exercises[xlsx]" (or pip install openpyxl)')
        ) from None


def write_workbook(catalogue: Catalogue, gradebook: Gradebook, path: Path) -> None:
    """Write the workbook to `path` (whole, or not at all)."""
    require_openpyxl()
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets(catalogue, gradebook).items():
        sheet = workbook.create_sheet(name)
        for line in rows:
            sheet.append([_cell_value(value) for value in line])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for column in sheet.columns:
            column_cells = list(column)
            widest = max(display_width(str(cell.value or "")) for cell in column_cells)
            letter = column_cells[0].column_letter
            sheet.column_dimensions[letter].width = min(widest, WIDEST_COLUMN) + 2
        for row_cells in sheet.iter_rows():
            for cell in row_cells:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text, even one that starts with "="
    stream = io.BytesIO()
    workbook.save(stream)
    write_atomic(path, stream.getvalue())


def _cell_value(value: object) -> object:
    """A cell's value: a number as it is, "" as an empty cell, text as a workbook may hold it."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = str(value)
    if not text:
        return None
    return visible(text, len(text)) if any(ord(char) < 32 for char in text) else text
