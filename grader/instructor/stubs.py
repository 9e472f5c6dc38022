"""Whether the stubs the solutions give are the course's own, before `grade publish` hands them out.

A release's stubs are built from the marked solutions (grader/instructor/source.py), never
copied from exercises/, where an instructor may have tried the exercises. A marker left out
would hand out an answer, so a stub is the course's own only when:

- its texts (module docstring, docstrings, comments, TODO lines) are the ones its Korean
  instructions translate: their recorded `source` fingerprint (grader/course/instructions.py),
  which must be there to read;
- its code is its solution's with each exercise function's body cut to the docstring and
  `raise NotImplementedError("exNN: NAME is not implemented yet")`, and each exercise constant
  set to None: every other function, and every import, is the solution's own, word for word.

The notebook (`exercises/course.ipynb`, copied as it is) must not have been run (no outputs) and
holds `%` commands only. Anything else in exercises/ (answers files, scratch files) is never
published, so it is no reason to refuse.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

from grader.course.catalogue import Catalogue, Exercise
from grader.course.instructions import english, fingerprint, korean
from grader.errors import InputError
from grader.instructor.source import course_stubs

NOTEBOOK = "course.ipynb"


def changed_files(catalogue: Catalogue) -> list[str]:
    """`solutions/FILE (why)` for each solution whose stub is not the course's own, and
    `exercises/course.ipynb (why)`; a solution's broken markers raise `MarkerError`."""
    stubs = course_stubs(catalogue)
    problems = [
        f"solutions/{exercise.file} (its stub: {why})"
        for exercise in catalogue.exercises
        for why in [
            _stub_problem(
                stubs[f"exercises/{exercise.file}"],
                catalogue.root / "solutions" / exercise.file,
                exercise,
            )
        ]
        if why
    ]
    notebook = catalogue.root / "exercises" / NOTEBOOK
    if notebook.is_file() and not notebook.is_symlink():
        why = notebook_problem(notebook)
        problems += [f"exercises/{NOTEBOOK} ({why})"] if why else []
    return problems


def _stub_problem(source: str, solution: Path, exercise: Exercise) -> str:
    try:
        tree = ast.parse(source)
        reference = ast.parse(solution.read_text(encoding="utf-8"))
    except SyntaxError:
        return "not valid Python"
    leaked = code_problem(tree, reference, exercise)  # an answer left unmarked says so first
    if leaked:
        return leaked
    try:
        recorded = korean(exercise)[1]
    except InputError as unreadable:  # no record of the course's texts: a comment could be anything
        return f"its texts cannot be checked against the course's: {unreadable}"
    if fingerprint(english(source, exercise)) != recorded:
        return "its docstrings, comments or TODO lines differ from the course's"
    return ""


def code_problem(stub: ast.Module, solution: ast.Module, exercise: Exercise) -> str:
    """Why the stub's code is not its solution's with the answers taken out, or ""."""
    functions = {node.name: node for node in solution.body if isinstance(node, ast.FunctionDef)}
    imports = {
        ast.dump(node) for node in solution.body if isinstance(node, (ast.Import, ast.ImportFrom))
    }
    for position, node in enumerate(stub.body):
        if position == 0 and _is_docstring(node):
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)) and ast.dump(node) in imports:
            continue
        if isinstance(node, ast.Assign) and _constant_left_out(node, exercise):
            continue
        if isinstance(node, ast.FunctionDef) and node.name in functions:
            if node.name in exercise.functions:
                if (
                    _body(node) == [_not_implemented(exercise, node.name)]
                    and ast.dump(node.args) == ast.dump(functions[node.name].args)
                    and not node.decorator_list
                ):
                    continue
                return f"{node.name} does more than raise NotImplementedError"
            if _code(node) == _code(functions[node.name]):
                continue
        return f"line {node.lineno}: code the course's stub does not have"
    return ""


def notebook_problem(path: Path) -> str:
    """Why the course's notebook is not fit to hand out (run, or holding code), or ""."""
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        code = [cell for cell in cells if cell.get("cell_type") == "code"]
        sources = ["".join(cell.get("source", [])) for cell in code]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return "not a notebook"
    if any(cell.get("outputs") or cell.get("execution_count") is not None for cell in code):
        return "it was run: clear its outputs"
    for text in sources:
        if any(
            line.strip() and not line.lstrip().startswith(("%", "#")) for line in text.splitlines()
        ):
            return "a code cell holds more than %-commands"
    return ""


def _is_docstring(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _constant_left_out(node: ast.Assign, exercise: Exercise) -> bool:
    return (
        len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id in exercise.constants
        and isinstance(node.value, ast.Constant)
        and node.value.value is None
    )


def _statements(node: ast.FunctionDef) -> list[ast.stmt]:
    """The function's statements but its docstring."""
    return node.body[1:] if ast.get_docstring(node) is not None else node.body


def _body(node: ast.FunctionDef) -> list[str]:
    return [ast.dump(statement) for statement in _statements(node)]


def _not_implemented(exercise: Exercise, name: str) -> str:
    message = f"{exercise.id}: {name} is not implemented yet"
    return ast.dump(ast.parse(f"raise NotImplementedError({message!r})").body[0])


def _code(node: ast.FunctionDef) -> str:
    """A function without its docstring, for comparing code alone."""
    copy = ast.FunctionDef(
        name=node.name,
        args=node.args,
        body=_statements(node),
        decorator_list=node.decorator_list,
        returns=node.returns,
        type_comment=None,
    )
    return ast.dump(copy)
