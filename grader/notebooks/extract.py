"""An exercise's file written from a notebook's code cells: its functions and what they use.

A notebook holds exploration as well as answers: calls, prints, plots, `import matplotlib`. Run
as a module, any of it could fail in the jail, which has NumPy and the standard library only.
So the file graded for an exercise holds only the top-level definitions the exercise needs: its
functions and constants (`Exercise.functions`, `.constants`), and, following their references
(found by `symtable`, as Python resolves global names), the imports, helper functions, classes
and assignments they use, in notebook order. Everything else is left out, never run. A name
bound twice keeps both statements in order, so the later definition wins, as it would in the
kernel; for an exercise function that is said in a note.

Which cells count (`scope`): all code cells, unless a cell marks an exercise with a comment
line `# grade: ex01`. Then ex01's cells are those from each of its markers to the next marker,
plus the cells before the first marker (imports and helpers shared by all). An exercise that no
marker names is looked for in the shared cells, and where they do not define it, in every cell. docs/design.md#notebooks has the whole rule.
"""

from __future__ import annotations

import ast
import builtins
import symtable
from dataclasses import dataclass

from grader.i18n import _
from grader.notebooks.read import CodeCell, NotebookCode
from grader.sanitise import clean

MAX_NOTES = 12  # notes shown for one exercise; the rest are counted


@dataclass(frozen=True)
class ExerciseCode:
    """The file the jail grades for one exercise, and what the report says about how it was made."""

    source: bytes
    notes: tuple[str, ...]


@dataclass(frozen=True)
class _Statement:
    cell: int
    start: int  # first and last line in the cell, 1-based, decorators included
    end: int
    binds: frozenset[str]
    uses: frozenset[str]
    definition: bool  # a def or a class (not an import or an assignment)
    future: bool = False
    star: bool = False


def scope(
    code: NotebookCode, exercise_id: str, names: tuple[str, ...] = ()
) -> tuple[CodeCell, ...]:
    """The cells in which `exercise_id`'s code is looked for (see the module's docstring)."""
    owned: list[tuple[CodeCell, tuple[str, ...] | None]] = []
    owner = None
    for cell in code.cells:
        owner = cell.markers or owner
        owned.append((cell, owner))
    if code.marked(exercise_id):
        return tuple(cell for cell, owner in owned if owner is None or exercise_id in owner)
    shared = tuple(cell for cell, owner in owned if owner is None)
    if _binds(shared) & set(names) or len(shared) == len(code.cells):
        return shared
    return code.cells  # unmarked, and not among the shared cells: looked for everywhere


def _binds(cells: tuple[CodeCell, ...]) -> set[str]:
    return {name for cell in cells for statement in _parsed(cell, []) for name in statement.binds}


def defines(code: NotebookCode, exercise_id: str, names: tuple[str, ...]) -> bool:
    """Whether the notebook holds `exercise_id`: a marker names it, or it defines one of `names`."""
    if code.marked(exercise_id):
        return True
    return bool(_binds(code.cells) & set(names))


def exercise_code(code: NotebookCode, exercise_id: str, names: tuple[str, ...]) -> ExerciseCode:
    """The file to grade as `exercise_id` (`names`: its functions and constants), with notes."""
    notes: list[str] = []
    statements: list[_Statement] = []
    for cell in scope(code, exercise_id, names):
        notes += cell.notes
        statements += _parsed(cell, notes)
    binders: dict[str, list[int]] = {}
    for index, statement in enumerate(statements):
        for name in statement.binds:
            binders.setdefault(name, []).append(index)
    notes += _twice(statements, binders, names)
    kept = _needed(statements, binders, names)
    texts = {cell.number: cell.text.splitlines() for cell in code.cells}
    lines = [f"# {exercise_id}, from the code cells of a notebook: definitions only, in order"]
    lines += [_segment(texts, statements[index]) for index in kept if statements[index].future]
    shown: set[tuple[int, int, int]] = set()
    current_cell = None
    for index in kept:
        statement = statements[index]
        where = (statement.cell, statement.start, statement.end)
        if statement.future or where in shown:  # `a = 1; b = 2` is one line, written once
            continue
        shown.add(where)
        if statement.cell != current_cell:
            current_cell = statement.cell
            lines.append(f"\n# cell {statement.cell}")
        lines.append(_segment(texts, statement))
    return ExerciseCode(("\n".join(lines) + "\n").encode("utf-8"), _capped(notes))


def _needed(
    statements: list[_Statement], binders: dict[str, list[int]], names: tuple[str, ...]
) -> list[int]:
    """Indices of the statements that bind `names` and, transitively, what those use, in order."""
    kept: set[int] = set()
    pending = [name for name in names if name in binders]
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        for index in binders[name]:
            if index not in kept:
                kept.add(index)
                pending += [used for used in statements[index].uses if used in binders]
    used = {name for index in kept for name in statements[index].uses}
    unresolved = used - set(binders) - set(dir(builtins))
    for index, statement in enumerate(statements):
        if statement.future or (statement.star and unresolved and kept):
            kept.add(index)
    return sorted(kept)


def _twice(
    statements: list[_Statement], binders: dict[str, list[int]], names: tuple[str, ...]
) -> list[str]:
    notes = []
    for name in names:
        definitions = [
            statements[index].cell
            for index in binders.get(name, [])
            if statements[index].definition
        ]
        if len(definitions) > 1:
            notes.append(
                _(
                    "{name} is defined {count} times (cells {cells}); the last one, in cell "
                    "{last}, is graded, as Python would use it"
                ).format(
                    name=name,
                    count=len(definitions),
                    cells=", ".join(str(cell) for cell in definitions),
                    last=definitions[-1],
                )
            )
    return notes


def _capped(notes: list[str]) -> tuple[str, ...]:
    unique = list(dict.fromkeys(notes))
    if len(unique) <= MAX_NOTES:
        return tuple(unique)
    more = _("... and {count} more notes like these").format(count=len(unique) - MAX_NOTES)
    return (*unique[:MAX_NOTES], more)


def _segment(texts: dict[int, list[str]], statement: _Statement) -> str:
    return "\n".join(texts[statement.cell][statement.start - 1 : statement.end])


def _parsed(cell: CodeCell, notes: list[str]) -> list[_Statement]:
    """The cell's top-level definitions; a cell that is not Python is left out with a note."""
    if not cell.text.strip():
        return []
    try:
        tree = ast.parse(cell.text)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        line = getattr(error, "lineno", None) or 1
        notes.append(
            _("cell {cell} is not valid Python (line {line}: {reason}); it was left out").format(
                cell=cell.number,
                line=line,
                reason=clean(getattr(error, "msg", type(error).__name__), 80, single_line=True),
            )
        )
        return []
    lines = cell.text.splitlines()
    found = []
    for node in tree.body:
        binds, future, star = _binding(node)
        if not binds and not star:
            continue  # a call, a loop, a print: not a definition, never run
        start = min([node.lineno, *(item.lineno for item in getattr(node, "decorator_list", []))])
        end = node.end_lineno or node.lineno
        text = "\n".join(lines[start - 1 : end])
        found.append(
            _Statement(
                cell=cell.number,
                start=start,
                end=end,
                binds=frozenset(binds),
                uses=frozenset(_references(text, node)),
                definition=isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)),
                future=future,
                star=star,
            )
        )
    return found


def _binding(node: ast.stmt) -> tuple[set[str], bool, bool]:
    """(names a top-level statement binds, is it a __future__ import, is it a star import)."""
    if isinstance(node, ast.Import):
        return {alias.asname or alias.name.split(".")[0] for alias in node.names}, False, False
    if isinstance(node, ast.ImportFrom):
        star = any(alias.name == "*" for alias in node.names)
        imported = {alias.asname or alias.name for alias in node.names if alias.name != "*"}
        return imported, node.module == "__future__", star
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}, False, False
    if isinstance(node, ast.Assign):
        targets: list[ast.expr] = list(node.targets)
    elif isinstance(node, (ast.AugAssign, ast.AnnAssign)) and node.value is not None:
        targets = [node.target]
    else:
        return set(), False, False
    names: set[str] = set()
    for target in targets:
        for part in ast.walk(target):
            if isinstance(part, ast.Name):  # x = ..., a, b = ..., grid[0] = ... (grid changes)
                names.add(part.id)
    return names, False, False


def _references(text: str, node: ast.stmt) -> set[str]:
    """The global names a top-level statement reads, at once or when its functions run."""
    try:
        table = symtable.symtable(text, "<cell>", "exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {part.id for part in ast.walk(node) if isinstance(part, ast.Name)}
    found: set[str] = set()
    pending = [table]
    while pending:
        current = pending.pop()
        top = current.get_type() == "module"
        for symbol in current.get_symbols():
            if symbol.is_referenced() and (top or symbol.is_global()):
                found.add(symbol.get_name())
        pending += current.get_children()
    return found
