"""Each exercise's single source: its solution file, with the answers marked; the stub follows.

As in otter-grader (`otter assign`) and nbgrader, solution code sits between a `# BEGIN SOLUTION`
line and an `# END SOLUTION` line, indented as the code is. The stub has, in their place, the
`# STUB:` lines that follow `# END SOLUTION` at the same indentation, each without its `# STUB:`
prefix (and the one space after it); a bare `# STUB:` stands for an empty line. Without `# STUB:`
lines, a block inside a function becomes `raise NotImplementedError("exNN: NAME is not
implemented yet")`, nbgrader's default in this course's words; a block outside a function needs
them. Every other line of the solution is the stub's, byte for byte. docs/authoring.md shows an
example; `python -m grader.instructor.source` writes exercises/ from solutions/ (`--check` only
names the stubs that differ; an instructor's attempt there is never overwritten without
`--force`), and `grade publish` builds the release's stubs here too.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from grader.course.catalogue import Catalogue, load_catalogue
from grader.errors import InputError

BEGIN = "# BEGIN SOLUTION"
END = "# END SOLUTION"
STUB = "# STUB:"
# What looks like a marker but is none of ours: another tool's (`### BEGIN SOLUTION`, otter's
# `# BEGIN PROMPT` or one-line `# SOLUTION`), or a misspelt one (`# STUB` without its colon).
MARKER_LIKE = re.compile(
    r"#+\s*(BEGIN|END)\s+[A-Z]|#+\s*STUB\b|.*#\s*SOLUTION(\s+NO\s+PROMPT)?\s*$"
)
ENCLOSING_DEF = re.compile(r"(\s*)(?:async\s+)?def\s+(\w+)\s*\(")


class MarkerError(InputError):
    """A solution file whose markers cannot give a stub: `FILE:LINE: what is wrong`."""


@dataclass
class _Block:
    begin: int  # 1-based line number of `# BEGIN SOLUTION`
    indent: str
    ending: str  # the marker line's end ("\n", "\r\n"), for a default replacement
    ended: bool = False
    stub: list[str] = field(default_factory=list)  # the stub's lines, endings kept


def stub_from_solution(text: str, *, exercise_id: str, where: str = "solution") -> str:
    """The stub a marked solution gives; `MarkerError` names the file (`where`) and line."""
    lines = text.splitlines(keepends=True)
    stub: list[str] = []
    block: _Block | None = None
    for number, line in enumerate(lines, start=1):
        content = line.rstrip("\r\n")
        stripped, indent = content.strip(), content[: len(content) - len(content.lstrip())]
        if block is not None and block.ended and content.startswith(block.indent + STUB):
            block.stub.append(_stub_line(content[len(block.indent + STUB) :], block.indent, line))
            continue
        if block is not None and block.ended:
            stub += _replacement(block, lines, exercise_id, where)
            block = None
        if stripped == BEGIN:
            if block is not None:
                raise MarkerError(
                    f"{where}:{number}: {BEGIN} inside the block begun on line {block.begin}; "
                    f"end that one first with {END}"
                )
            block = _Block(number, indent, line[len(content) :])
        elif stripped == END:
            if block is None:
                raise MarkerError(f"{where}:{number}: {END} without a {BEGIN} before it")
            if indent != block.indent:
                raise MarkerError(
                    f"{where}:{number}: {END} is indented differently from its {BEGIN} "
                    f"on line {block.begin}"
                )
            block.ended = True
        elif stripped.startswith(STUB):
            raise MarkerError(
                f"{where}:{number}: a {STUB} line belongs right after an {END} line, "
                "at its indentation"
            )
        elif MARKER_LIKE.match(stripped):
            raise MarkerError(
                f"{where}:{number}: unknown marker {stripped!r}; this course knows "
                f"{BEGIN!r}, {END!r} and {STUB!r} lines (docs/authoring.md)"
            )
        elif block is None:
            stub.append(line)
    if block is not None and not block.ended:
        raise MarkerError(f"{where}:{block.begin}: {BEGIN} has no {END} after it")
    if block is not None:
        stub += _replacement(block, lines, exercise_id, where)
    return "".join(stub)


def _stub_line(rest: str, indent: str, line: str) -> str:
    """One `# STUB:` line's contribution: `rest` (less one leading space) at `indent`."""
    ending = line[len(line.rstrip("\r\n")) :]
    rest = rest[1:] if rest.startswith(" ") else rest
    return (indent + rest if rest else "") + ending


def _replacement(block: _Block, lines: list[str], exercise_id: str, where: str) -> list[str]:
    """The block's `# STUB:` lines, or the enclosing function's `raise NotImplementedError`."""
    if block.stub:
        return block.stub
    for line in reversed(lines[: block.begin - 1]):
        found = ENCLOSING_DEF.match(line)
        if found and len(found.group(1)) < len(block.indent):
            message = f"{exercise_id}: {found.group(2)} is not implemented yet"  # ids and names: no quotes
            return [
                f'{block.indent}raise NotImplementedError("{message}")' + (block.ending or "\n")
            ]
    raise MarkerError(
        f"{where}:{block.begin}: this block is outside any function; follow its {END} "
        f"with {STUB} lines giving the stub's code"
    )


def course_stubs(catalogue: Catalogue) -> dict[str, str]:
    """`exercises/FILE` -> the stub solutions/FILE gives, for every exercise of the catalogue."""
    stubs = {}
    for exercise in catalogue.exercises:
        solution = catalogue.root / "solutions" / exercise.file
        try:
            text = solution.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as unreadable:
            raise InputError(f"solutions/{exercise.file}: cannot read it ({unreadable})") from None
        stubs[f"exercises/{exercise.file}"] = stub_from_solution(
            text, exercise_id=exercise.id, where=f"solutions/{exercise.file}"
        )
    return stubs


def drifted(catalogue: Catalogue) -> list[str]:
    """The stubs of exercises/ that are not what their solutions give (missing ones included)."""
    root = catalogue.root
    return [
        relative
        for relative, text in course_stubs(catalogue).items()
        if (root / relative).is_symlink()
        or not (root / relative).is_file()
        or (root / relative).read_bytes() != text.encode("utf-8")
    ]


def write_stubs(catalogue: Catalogue, *, force: bool = False) -> list[str]:
    """Write each stub that differs from what its solution gives; the ones written. Unless
    `force`, a file that is not a stub (an instructor's attempt: a graded function that does
    more than raise, a constant set, a link) is named in an `InputError` and nothing is written."""
    stubs = course_stubs(catalogue)  # every solution's markers checked before any file is written
    written = drifted(catalogue)
    attempts = [relative for relative in written if not force and _attempted(catalogue, relative)]
    if attempts:
        raise InputError(
            f"nothing written: not a stub, but maybe your work: {', '.join(attempts)} (a graded "
            "function does more than raise, a constant is set, or a link); keep it elsewhere "
            "(`git stash`) or pass --force"
        )
    for relative in written:
        target = catalogue.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink():
            target.unlink()  # replace the link itself, never the file it points to
        target.write_bytes(stubs[relative].encode("utf-8"))
    return written


def _attempted(catalogue: Catalogue, relative: str) -> bool:
    """Whether exercises/FILE exists and is more than a stub: a link, unreadable, or a graded
    function whose body (after its docstring) is not one `raise`, or a graded constant not None."""
    path = catalogue.root / relative
    if path.is_symlink():
        return True
    if not path.exists():
        return False
    exercise = next(item for item in catalogue.exercises if f"exercises/{item.file}" == relative)
    try:
        tree = ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return True
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in exercise.functions:
            body = node.body[1:] if ast.get_docstring(node) is not None else node.body
            if len(body) != 1 or not isinstance(body[0], ast.Raise):
                return True
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id in exercise.constants
            for target in node.targets
        ):
            if not (isinstance(node.value, ast.Constant) and node.value.value is None):
                return True
    return False


def main(argv: list[str], root: Path | None = None) -> int:
    """`python -m grader.instructor.source [--check | --force]`: 0 when exercises/ matches or
    was written, 1 when `--check` finds stubs that differ, 2 on a usage or marker error, or an
    instructor's attempt in the way (one line on stderr)."""
    if len(argv) > 1 or any(argument not in ("--check", "--force") for argument in argv):
        print("usage: python -m grader.instructor.source [--check | --force]", file=sys.stderr)
        return 2
    try:
        catalogue = load_catalogue(root=root) if root is not None else load_catalogue()
        if "--check" in argv:
            stale = drifted(catalogue)
            for relative in stale:
                print(
                    f"{relative} differs from what its solution gives; "
                    "run python -m grader.instructor.source",
                    file=sys.stderr,
                )
            return 1 if stale else 0
        for relative in write_stubs(catalogue, force="--force" in argv):
            print(f"wrote {relative}", file=sys.stderr)
    except InputError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
