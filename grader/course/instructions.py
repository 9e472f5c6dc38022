"""An exercise's instructions in the learner's language: for `grade show` and for Korean stubs.

English instructions are the stub itself (its module docstring: the task, the letters, the
formulas and a worked example; each function's signature and docstring; its TODO lines), read
with `ast`, so they cannot drift from the file a learner edits. The Korean ones live in the
exercise's folder, grader/exercises/exNN/instructions.ko.yaml: the same parts, written in
Korean, plus the fingerprint of the English they translate, so a test fails when a stub's text changes and its translation
does not (`python -m grader.course.instructions exNN` prints the new fingerprint).
`korean_stub` rewrites a stub with the Korean docstrings and TODO lines; its code stays the same.
"""

from __future__ import annotations

import ast
import hashlib
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

from grader.course import yamlfile
from grader.course.catalogue import EXERCISES_DIR, Exercise
from grader.errors import InputError
from grader.i18n import _, wrap_to_width

INSTRUCTIONS_FILE = "instructions.ko.yaml"  # in the exercise's folder, grader/exercises/exNN/
TODO_WIDTH = 96  # characters of a Korean TODO comment line, indentation included


@dataclass(frozen=True)
class Instructions:
    """The parts of an exercise a learner reads, in one language."""

    module: str
    docs: dict[str, str]  # function name -> docstring, every documented function of the file
    todos: tuple[str, ...]  # the TODO comments, in file order, without "# TODO(exNN): "
    comments: dict[str, str]  # the other comment lines: English -> this language (English: itself)


@dataclass(frozen=True)
class _Todo:
    first_line: int  # 0-based
    last_line: int
    indent: str
    text: str


def english(source: str, exercise: Exercise) -> Instructions:
    """The instructions the stub's own text gives."""
    tree = _parse(source, exercise)
    docs = {
        node.name: ast.get_docstring(node) or ""
        for node in _functions(tree)
        if ast.get_docstring(node)
    }
    lines = source.splitlines()
    comments = {text: text for text in _comments(lines, exercise.id)}
    return Instructions(
        ast.get_docstring(tree) or "",
        docs,
        tuple(todo.text for todo in _todos(lines, exercise.id)),
        comments,
    )


def fingerprint(parts: Instructions) -> str:
    """A short hash of the texts, to tell whether a translation still matches its source."""
    text = "\x00".join(
        [
            parts.module,
            *(f"{name}\x01{doc}" for name, doc in sorted(parts.docs.items())),
            *parts.todos,
            *sorted(parts.comments),
        ]
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def korean(exercise: Exercise, exercises_dir: Path = EXERCISES_DIR) -> tuple[Instructions, str]:
    """The Korean instructions of `exercise` and the fingerprint of the English they translate."""
    path = exercise.folder(exercises_dir) / INSTRUCTIONS_FILE
    if not path.is_file():
        raise InputError(
            _("{id} has no Korean instructions yet ({file})").format(id=exercise.id, file=path.name)
        )
    data = yamlfile.read_yaml(path, InputError, "Korean instructions")
    where = str(path)
    if not (
        isinstance(data, dict)
        and isinstance(data.get("module"), str)
        and isinstance(data.get("docs"), dict)
        and isinstance(data.get("todos"), list)
        and isinstance(data.get("source"), str)
        and isinstance(data.get("comments", {}), dict)
    ):
        raise InputError(
            f"{where}: needs 'source', 'module', 'docs' (name: text), 'todos' (a list) "
            "and 'comments' (English: Korean)"
        )
    docs = {str(name): str(text).strip() for name, text in data["docs"].items()}
    comments = {str(key): str(text).strip() for key, text in data.get("comments", {}).items()}
    todos = tuple(str(todo).strip() for todo in data["todos"])
    return Instructions(data["module"].strip(), docs, todos, comments), data["source"]


def instructions(source: str, exercise: Exercise, lang: str) -> Instructions:
    return korean(exercise)[0] if lang == "ko" else english(source, exercise)


def show_text(source: str, exercise: Exercise, lang: str) -> str:
    """What `grade show` prints: the task, then each required function's signature and docstring."""
    parts = instructions(source, exercise, lang)
    tree = _parse(source, exercise)
    lines = [f"{exercise.id}  {exercise.title_for(lang)}", "", parts.module, ""]
    if exercise.advanced:
        lines[1:1] = [_("Advanced: this exercise goes beyond the course notes.")]
    for node in _functions(tree):
        if node.name in exercise.functions:
            lines += [
                f"def {node.name}({ast.unparse(node.args)}):",
                textwrap.indent(parts.docs.get(node.name, ""), "    "),
                "",
            ]
    return "\n".join(lines).rstrip() + "\n"


def korean_stub(source: str, exercise: Exercise) -> str:
    """`source` with its docstrings and TODO comments in Korean; the code is left as it is."""
    parts, translated = korean(exercise)
    if translated != fingerprint(english(source, exercise)):
        raise InputError(
            _(
                "the Korean instructions of {id} translate an older {file}: update "
                "grader/exercises/{id}/instructions.ko.yaml"
            ).format(id=exercise.id, file=exercise.file)
        )
    lines = source.splitlines()
    tree = _parse(source, exercise)
    edits: list[tuple[int, int, list[str]]] = []  # (first, last, new lines), 0-based and inclusive
    documented = [tree] + [node for node in _functions(tree) if ast.get_docstring(node)]
    for node in documented:
        text = parts.module if isinstance(node, ast.Module) else parts.docs.get(node.name)
        expression = node.body[0]
        if text:
            indent = " " * expression.col_offset
            body = textwrap.indent(text, indent).splitlines()
            edits.append(
                (
                    expression.lineno - 1,
                    (expression.end_lineno or expression.lineno) - 1,
                    [f'{indent}"""{body[0].lstrip()}', *body[1:], f'{indent}"""'],
                )
            )
    for todo, text in zip(_todos(lines, exercise.id), parts.todos):
        wrapped = wrap_to_width(
            f"TODO({exercise.id}): {text}", TODO_WIDTH - len(todo.indent) - 2, "  "
        )
        edits.append(
            (todo.first_line, todo.last_line, [f"{todo.indent}# {line}" for line in wrapped])
        )
    for number, line in enumerate(lines):
        text = line.lstrip()[1:].strip() if line.lstrip().startswith("#") else None
        if text in parts.comments:
            edits.append(
                (
                    number,
                    number,
                    [f"{line[: len(line) - len(line.lstrip())]}# {parts.comments[text]}"],
                )
            )
    for first, last, new in sorted(edits, reverse=True):
        lines[first : last + 1] = new
    return "\n".join(lines) + "\n"


def _comments(lines: list[str], exercise_id: str) -> list[str]:
    """The comment lines that are not part of a TODO: explanations a learner reads."""
    in_todo: set[int] = set()
    for todo in _todos(lines, exercise_id):
        in_todo.update(range(todo.first_line, todo.last_line + 1))
    return [
        line.lstrip()[1:].strip()
        for number, line in enumerate(lines)
        if line.lstrip().startswith("#") and number not in in_todo and line.lstrip()[1:].strip()
    ]


def _parse(source: str, exercise: Exercise) -> ast.Module:
    try:
        return ast.parse(source)
    except SyntaxError as error:
        raise InputError(
            _(
                "cannot read the instructions of {id}: {file} line {line} is not valid Python"
            ).format(id=exercise.id, file=exercise.file, line=error.lineno)
        ) from None


def _functions(tree: ast.Module) -> list[ast.FunctionDef]:
    return [node for node in tree.body if isinstance(node, ast.FunctionDef)]


def _todos(lines: list[str], exercise_id: str) -> list[_Todo]:
    """Each `# TODO(exNN): ...` comment with the comment lines that continue it."""
    marker = f"# TODO({exercise_id}):"
    found, number = [], 0
    while number < len(lines):
        stripped = lines[number].lstrip()
        if stripped.startswith(marker):
            indent = lines[number][: len(lines[number]) - len(stripped)]
            text, last = [stripped[len(marker) :].strip()], number
            while (
                last + 1 < len(lines)
                and lines[last + 1].startswith(indent + "#")
                and not lines[last + 1].lstrip().startswith("# TODO")
            ):
                last += 1
                text.append(lines[last].lstrip()[1:].strip())
            found.append(_Todo(number, last, indent, " ".join(text)))
            number = last
        number += 1
    return found


if __name__ == "__main__":  # python -m grader.course.instructions ex01: the stub's fingerprint now
    from grader.course.catalogue import load_catalogue

    catalogue = load_catalogue()
    for item_id in sys.argv[1:]:
        item = catalogue.item(item_id)
        if not isinstance(item, Exercise):
            sys.exit(f"{item_id} is a quiz: only an exercise has a stub")
        stub = (catalogue.root / "exercises" / item.file).read_text(encoding="utf-8")
        print(item.id, fingerprint(english(stub, item)))
