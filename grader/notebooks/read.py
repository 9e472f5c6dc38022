"""A notebook read as data: nbformat validates it, and the code cells' text is all that is kept.

Nothing in a notebook is run or imported here. Outputs, attachments and metadata are never
looked at (code hidden there is never read), markdown and raw cells neither. IPython syntax that
is not Python is dropped, each drop a note that names the cell and line: a cell magic (`%%bash`,
the whole cell), and, in a cell that does not parse as Python, line magics (`%timeit f()`), shell
lines (`!pip install ...`), `x = !ls` and help lines (`np.sum?`). A cell that parses is kept
as written, so a `%` or `!` inside a string is never touched. A comment line `# grade: ex01` in
a code cell marks the cells from there to the next marker as ex01's (grader/notebooks/extract.py).
"""

from __future__ import annotations

import ast
import json
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

from grader.i18n import _
from grader.sanitise import clean

MAX_NOTEBOOK_BYTES = 16 << 20  # a notebook with plots in its outputs is a few MB
MAX_CODE_CHARACTERS = (
    256 << 10
)  # of all code cells together: a learner's notebook has a few thousand
MARKER = re.compile(r"^[ \t]*#[ \t]*grade[ \t]*:[ \t]*ex[ \t]*0*(\d{1,3})[ \t]*$", re.I | re.M)
MAGIC_LINE = re.compile(
    r"^\s*[%!?]"  # %magic, !shell, ?help
    r"|^\s*[\w.,\[\] \t]+=\s*[%!]"  # files = !ls, t = %timeit -o f()
    r"|^\s*[\w.]+\s*\?{1,2}\s*$"  # np.sum?, np.sum??
)
SHOWN_LINE = 60  # characters of a dropped line quoted in a note


class NotebookError(Exception):
    """The file is not a notebook the grader can read; `message` says why, in one line."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CodeCell:
    """A code cell: `number` counts every cell from 1, as Jupyter shows them; `text` is Python."""

    number: int
    text: str
    markers: tuple[str, ...] = ()  # exercise ids its `# grade: exNN` lines name
    notes: tuple[str, ...] = ()  # what was dropped from it, and why


@dataclass(frozen=True)
class NotebookCode:
    """The code cells of one notebook, named `name` in every note."""

    name: str
    cells: tuple[CodeCell, ...]

    def marked(self, exercise_id: str) -> bool:
        return any(exercise_id in cell.markers for cell in self.cells)


def read_notebook(data: bytes, name: str) -> NotebookCode:
    """The code cells of the notebook `data`; `NotebookError` if it is not one (never another
    exception, whatever the bytes hold)."""
    shown = clean(name, 80, single_line=True)
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise NotebookError(
            _("{name} is larger than {limit} MB; clear its outputs and hand it in again").format(
                name=shown, limit=MAX_NOTEBOOK_BYTES >> 20
            )
        )
    try:
        cells = _validated_cells(data)
    except _Unreadable as error:
        raise NotebookError(
            _(
                "{name} is not a Jupyter notebook the grader can read ({reason}); save it "
                "again from Jupyter or Colab (File > Download > .ipynb)"
            ).format(name=shown, reason=error.reason)
        ) from None
    return from_cell_sources(cells, name)


def from_cell_sources(sources: Sequence[tuple[int, str]], name: str) -> NotebookCode:
    """`NotebookCode` from (cell number, source) pairs: a file's code cells, or the cells a
    notebook's kernel ran (`%grade --cells`). `NotebookError` when there is too much code."""
    if sum(len(source) for _number, source in sources) > MAX_CODE_CHARACTERS:
        raise NotebookError(
            _(
                "the code cells of {name} hold more than {limit} characters; hand in the "
                "exercise's functions in a smaller notebook or in its .py file"
            ).format(name=clean(name, 80, single_line=True), limit=MAX_CODE_CHARACTERS)
        )
    cells = []
    for number, source in sources:
        notes: list[str] = []
        python = _without_ipython(source, number, notes)
        markers = tuple(f"ex{int(found):02d}" for found in MARKER.findall(python))
        cells.append(CodeCell(number, python, markers, tuple(notes)))
    return NotebookCode(name, tuple(cells))


class _Unreadable(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _validated_cells(data: bytes) -> list[tuple[int, str]]:
    """(number, source) of each code cell of a notebook that nbformat validates; `_Unreadable`
    saying why not in the run's language (never the parser's own English)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _Unreadable(_("it is not UTF-8 text")) from None
    try:
        parsed = json.loads(text)  # its C parser refuses nesting deeper than the recursion limit
    except RecursionError:
        raise _Unreadable(_("its JSON is nested too deeply")) from None
    except ValueError:
        raise _Unreadable(_("it is not JSON")) from None
    try:
        return _code_cells(parsed)
    except Exception:  # nbformat and jsonschema raise many kinds on a hostile file
        raise _Unreadable(_("it is JSON, but not a valid notebook")) from None


def _code_cells(parsed: object) -> list[tuple[int, str]]:
    import nbformat  # here only: grading .py files never pays for its import

    if not isinstance(parsed, dict) or not isinstance(parsed.get("nbformat"), int):
        raise ValueError("not a notebook")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nbformat warns about missing cell ids and the like
        notebook = nbformat.from_dict(parsed)
        if notebook.nbformat != 4:
            notebook = nbformat.convert(notebook, 4)  # an older notebook (v3: worksheets)
        nbformat.validate(notebook)
    found = []
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(part for part in source if isinstance(part, str))
        if not isinstance(source, str):
            raise ValueError("a cell's source is not text")
        found.append((number, source))
    return found


def _without_ipython(source: str, number: int, notes: list[str]) -> str:
    """`source` with IPython's own syntax dropped (blank lines kept in its place, so the cell's
    line numbers stay), each drop noted."""
    lines = source.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        notes.append(
            _(
                "{notebook_cell}: the cell magic {magic} was left out with its whole cell "
                "(it would run another language or a shell; the grader runs Python only)"
            ).format(notebook_cell=_cell(number), magic=_quoted(lines[0].split()[0]))
        )
        return ""
    if _parses(source):
        return source
    kept = []
    for line_number, line in enumerate(lines, start=1):
        if MAGIC_LINE.match(line):
            notes.append(
                _(
                    "{notebook_cell}, line {line}: {text} was left out (IPython syntax, not "
                    "Python; it is never run)"
                ).format(notebook_cell=_cell(number), line=line_number, text=_quoted(line))
            )
            kept.append("")
        else:
            kept.append(line)
    return "\n".join(kept)


def _parses(source: str) -> bool:
    try:
        ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _cell(number: int) -> str:
    return _("cell {number}").format(number=number)


def _quoted(line: str) -> str:
    return "`" + clean(line.strip(), SHOWN_LINE, single_line=True).replace("`", "'") + "`"
