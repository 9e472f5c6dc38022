"""The instructor's CSV files (adjustments, extensions, submission times), read as input.

A file is read whole before anything is written: UTF-8 with or without a byte-order mark, or
the code page Excel uses on a Korean Windows (CP949) when it is not UTF-8; commas, or the
semicolons and tabs some Excel locales write. The header names the columns (any order, any
letter case, spaces or underscores); rows whose cells are all empty (Excel's trailing rows)
are skipped. Every problem is one `InputError` line naming the file, the line and the column.
Cells are kept whole (a Korean name is never split) and stripped of surrounding spaces.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from grader.errors import InputError
from grader.i18n import _
from grader.sanitise import visible

MAX_CSV_BYTES = 16 << 20  # far more than a class's adjustments; more is not such a file
ENCODINGS = ("utf-8-sig", "cp949")  # Excel's "CSV UTF-8", then Korean Excel's "CSV"
DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class CsvRow:
    """One data row: its line in the file (1 is the header) and its cells by column key."""

    line: int
    cells: dict[str, str]


@dataclass(frozen=True)
class CsvTable:
    """A checked CSV file: where it is, the header as written (key -> title), and its rows."""

    path: Path
    titles: dict[str, str]
    rows: list[CsvRow]

    def fail(self, line: int, column: str, message: str) -> InputError:
        """An `InputError` naming this file, `line` and the `column` (by its key)."""
        return csv_error(self.path, line, self.titles.get(column, column), message)


def csv_error(path: Path, line: int, column: str, message: str) -> InputError:
    return InputError(
        visible(
            _("{path}, line {line}, column {column}: {message}").format(
                path=path, line=line, column=column, message=message
            ),
            600,
        )
    )


def column_key(title: str) -> str:
    """`Learner`, ` submitted_at `, `Submitted At` -> "learner", "submitted_at"."""
    return "_".join(title.strip().lower().replace("_", " ").split())


def read_table(path: Path, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> CsvTable:
    """The CSV at `path` with the `required` columns (and maybe `optional` ones, no others)."""
    text = _decoded(path)
    first = text.split("\n", 1)[0]
    delimiter = next((mark for mark in DELIMITERS if mark in first), ",")
    try:
        lines = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as error:
        raise csv_error(path, 0, "-", str(error)) from None
    if not lines or not any(cell.strip() for cell in lines[0]):
        raise csv_error(
            path,
            1,
            "-",
            _("no header row; the columns are {columns}").format(columns=_listed(required)),
        )
    titles: dict[str, str] = {}
    for title in lines[0]:
        key = column_key(title)
        if key not in (*required, *optional):
            raise csv_error(
                path,
                1,
                title,
                _("unknown column; the columns are {columns}").format(
                    columns=_listed((*required, *optional))
                ),
            )
        if key in titles:
            raise csv_error(path, 1, title, _("this column is there twice"))
        titles[key] = title.strip()
    missing = [key for key in required if key not in titles]
    if missing:
        raise csv_error(path, 1, missing[0], _("this column is missing"))
    keys = [column_key(title) for title in lines[0]]
    rows = []
    for number, cells in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(keys):
            raise csv_error(
                path,
                number,
                "-",
                _("{count} cells, more than the header's").format(count=len(cells)),
            )
        values = {key: unicodedata.normalize("NFC", cell.strip()) for key, cell in zip(keys, cells)}
        rows.append(CsvRow(number, {key: values.get(key, "") for key in keys}))
    return CsvTable(path, titles, rows)


def _decoded(path: Path) -> str:
    try:
        with open(path, "rb") as stream:
            data = stream.read(MAX_CSV_BYTES + 1)
    except OSError as error:
        raise InputError(
            visible(_("cannot read {path}: {why}").format(path=path, why=error.strerror), 600)
        ) from None
    if len(data) > MAX_CSV_BYTES:
        raise InputError(_("{path} is larger than 16 MB").format(path=path))
    if b"\x00" in data:
        raise InputError(_("{path} is not a CSV text file (it holds NUL bytes)").format(path=path))
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding).replace("\r\n", "\n").replace("\r", "\n")
        except UnicodeDecodeError:
            continue
    raise InputError(
        _("{path} is neither UTF-8 nor Excel's Korean encoding; save it as CSV UTF-8").format(
            path=path
        )
    )


def _listed(keys: tuple[str, ...]) -> str:
    return ", ".join(keys)
