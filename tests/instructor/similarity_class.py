"""A class for measuring `grade similar`: honest independent solutions and planted copies.

Each *family* is one way of solving the exercises, written independently of the others:
`solution` (solutions/), `loops` (tests/fixtures/submissions/honest_loops/), `vectorised` and
`helpers` (tests/fixtures/similarity/: strided views and einsum; helpers of their own). A
family's functions are written into the course's stub, as a learner fills it in (docstrings and
provided helpers kept). A planted copy is a family's files put through a disguise: local
variables renamed, functions reordered, comments removed and others added, whitespace changed,
or all four. Two learners of one family are a copy; of two families, independent.
benchmarks/similarity.py measures precision and recall on the full class;
tests/instructor/test_similar.py checks a small one.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

from tests.conftest import SOLUTIONS

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
STUBS_DIR = SOLUTIONS.parent / "exercises"
FAMILIES = {
    "solution": SOLUTIONS,
    "loops": FIXTURES / "submissions" / "honest_loops",
    "vectorised": FIXTURES / "similarity" / "vectorised",
    "helpers": FIXTURES / "similarity" / "helpers",
}
MARKERS = ("# BEGIN SOLUTION", "# END SOLUTION", "# STUB:")
NEW_NAMES = ("acc", "tmp", "val", "res", "cur", "arr", "buf", "num", "idx", "elem", "aux", "part")
ADDED_COMMENTS = ("# compute this step", "# see the lecture notes", "# TODO tidy up", "# ok")


def family_files(family: str) -> dict[str, Path]:
    """File name -> path, for every exercise file the family solves (ex07 left out: Keras)."""
    return {
        path.name: path
        for path in sorted(FAMILIES[family].glob("ex*.py"))
        if not path.name.startswith("ex07")
    }


def filled_stub(file_name: str, family: str) -> str:
    """The course's stub for `file_name` with the family's functions written into it."""
    source = FAMILIES[family] / file_name
    text = source.read_text(encoding="utf-8")
    if family == "solution":  # the marked solution: drop the markers and the stub lines
        return "".join(
            line for line in text.splitlines(keepends=True) if not line.strip().startswith(MARKERS)
        )
    return _splice((STUBS_DIR / file_name).read_text(encoding="utf-8"), text)


def _body_start(node: ast.FunctionDef) -> int:
    """0-based line of a function's first statement after its docstring (or of its body)."""
    body = node.body
    if len(body) > 1 and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        return body[1].lineno - 1
    return body[0].lineno - 1


def _splice(stub: str, answer: str) -> str:
    """`stub` with each function's body replaced by `answer`'s function of that name; the
    answer's other functions and imports added after the stub's imports."""
    stub_lines, answer_lines = stub.splitlines(keepends=True), answer.splitlines(keepends=True)
    stub_tree, answer_tree = ast.parse(stub), ast.parse(answer)
    stub_functions = {n.name: n for n in stub_tree.body if isinstance(n, ast.FunctionDef)}
    extra: list[str] = []
    replacements = []
    for node in answer_tree.body:
        code = answer_lines[node.lineno - 1 : node.end_lineno]
        if isinstance(node, ast.FunctionDef) and node.name in stub_functions:
            target = stub_functions[node.name]
            body = answer_lines[_body_start(node) : node.end_lineno]
            replacements.append((_body_start(target), target.end_lineno, body))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            if "".join(code) not in stub:
                extra += code
        elif isinstance(node, ast.FunctionDef):
            extra += ["\n", "\n", *code]
    for start, end, body in sorted(replacements, reverse=True):
        stub_lines[start:end] = body
    after_imports = max(
        n.end_lineno for n in stub_tree.body if isinstance(n, ast.Import | ast.ImportFrom)
    )
    stub_lines[after_imports:after_imports] = extra
    text = "".join(stub_lines)
    ast.parse(text)
    return text


def rename_locals(text: str) -> str:
    """Every name assigned inside a function (not its parameters) renamed consistently."""
    tree = ast.parse(text)
    parameters = {arg.arg for arg in ast.walk(tree) if isinstance(arg, ast.arg)}
    assigned = sorted(
        {
            name.id
            for function in ast.walk(tree)
            if isinstance(function, ast.FunctionDef)
            for name in ast.walk(function)
            if isinstance(name, ast.Name) and isinstance(name.ctx, ast.Store)
        }
        - parameters
    )
    mapping = {name: f"{NEW_NAMES[i % len(NEW_NAMES)]}{i}" for i, name in enumerate(assigned)}
    lines = text.splitlines(keepends=True)
    names = [
        token
        for token in tokenize.generate_tokens(io.StringIO(text).readline)
        if token.type == tokenize.NAME and token.string in mapping
    ]
    for token in reversed(names):  # from the end, so earlier columns stay valid
        row, column = token.start
        line = lines[row - 1]
        lines[row - 1] = line[:column] + mapping[token.string] + line[column + len(token.string) :]
    return _checked("".join(lines))


def reorder_functions(text: str) -> str:
    """The module's top-level functions in reverse order (everything else where it was)."""
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    spans = [
        (node.lineno - 1, node.end_lineno)
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
    ]
    blocks = ["".join(lines[start:end]) for start, end in spans]
    pieces, position = [], 0
    for (start, end), block in zip(spans, reversed(blocks)):
        pieces += ["".join(lines[position:start]), block]
        position = end
    pieces.append("".join(lines[position:]))
    return _checked("".join(pieces))


def rewrite_comments(text: str) -> str:
    """Every comment removed, and a comment of another kind above every third statement line."""
    comments = [
        token.start
        for token in tokenize.generate_tokens(io.StringIO(text).readline)
        if token.type == tokenize.COMMENT
    ]
    lines = text.splitlines(keepends=True)
    for row, column in reversed(comments):
        kept = lines[row - 1][:column].rstrip()
        lines[row - 1] = kept + "\n" if kept else ""
    text = "".join(lines)
    statements = sorted(
        {
            node.lineno
            for node in ast.walk(ast.parse(text))
            if isinstance(node, ast.stmt) and node.col_offset
        }
    )
    lines = text.splitlines(keepends=True)
    for count, row in enumerate(reversed(statements)):
        if count % 3 == 0:
            line = lines[row - 1]
            indent = line[: len(line) - len(line.lstrip())]
            lines.insert(row - 1, indent + ADDED_COMMENTS[count % len(ADDED_COMMENTS)] + "\n")
    return _checked("".join(lines))


def change_whitespace(text: str) -> str:
    """Indents of two spaces instead of four, a space after every opening bracket and a
    blank line after every line that opens a block."""
    lines = []
    for line in text.splitlines(keepends=True):
        stripped = line.lstrip(" ")
        indent = (len(line) - len(stripped)) // 4 * 2 + (len(line) - len(stripped)) % 4
        lines.append(" " * indent + stripped)
        if stripped.rstrip().endswith(":"):
            lines.append("\n")
    text = "".join(lines)
    text = re.sub(r"\(([A-Za-z_])", r"( \1", text)  # `f(x` -> `f( x`: tokens unchanged
    return _checked(text)


def all_disguises(text: str) -> str:
    return change_whitespace(rewrite_comments(reorder_functions(rename_locals(text))))


DISGUISES = {
    "renamed": rename_locals,
    "reordered": reorder_functions,
    "comments": rewrite_comments,
    "whitespace": change_whitespace,
    "all": all_disguises,
}


def _checked(text: str) -> str:
    ast.parse(text)  # a disguise must leave valid Python
    return text


def build_class(
    root: Path,
    families: list[str],
    disguises: list[str],
    *,
    untouched: bool = True,
    only: tuple[str, ...] = (),
) -> dict[str, str]:
    """One learner per family (named after it) and one per family and disguise
    (`<family>-<disguise>`), plus an untouched stub learner; returns learner -> family.
    `only` (exercise ids) keeps those exercises' files alone."""
    family_of: dict[str, str] = {}
    for family in families:
        for disguise in ["", *disguises]:
            name = f"{family}-{disguise}" if disguise else family
            folder = root / name
            folder.mkdir(parents=True)
            for file_name in family_files(family):
                if only and not file_name.startswith(only):
                    continue
                text = filled_stub(file_name, family)
                if disguise:
                    text = DISGUISES[disguise](text)
                (folder / file_name).write_text(text, encoding="utf-8")
            family_of[name] = family
    if untouched:
        folder = root / "untouched"
        folder.mkdir()
        for path in STUBS_DIR.glob("ex*.py"):
            (folder / path.name).write_bytes(path.read_bytes())
    return family_of


def is_copy(family_of: dict[str, str], learner_a: str, learner_b: str) -> bool:
    """Whether two learners are one family (the untouched learner is no one's copy)."""
    return (
        learner_a in family_of
        and learner_b in family_of
        and family_of[learner_a] == family_of[learner_b]
    )
