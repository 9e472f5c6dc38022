"""Buggy versions of a solution, stored as edits of it rather than as whole copies.

`tests/fixtures/buggy/<solution file stem>.yaml` maps each buggy version's name to the bug it
has, the phrase that names it (`feedback`) and its edits: `replace` one code line of `solutions/<file>` with one or more lines. A line
is found by its text (indentation aside), never by its number, so comments or blank lines added
to a solution do not move an edit; it must occur exactly once. An edit that no longer applies
(its line is gone, or now occurs twice) raises `StaleBuggyVersion` naming the version, so a
changed solution cannot silently turn a buggy version into a correct one or into nonsense.
"""

from __future__ import annotations

import ast
import textwrap
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import yaml

from tests.conftest import FIXTURES, SOLUTIONS

T = TypeVar("T")


def one_per_exercise(entries: Iterable[T], exercise_of: Callable[[T], str]) -> list[dict[str, T]]:
    """`entries` split into rounds holding at most one entry per exercise (exercise id -> entry),
    so that one graded run of a round grades one buggy version of each exercise."""
    by_exercise: dict[str, list[T]] = defaultdict(list)
    for entry in entries:
        by_exercise[exercise_of(entry)].append(entry)
    depth = max(len(found) for found in by_exercise.values())
    return [
        {exercise: found[index] for exercise, found in by_exercise.items() if index < len(found)}
        for index in range(depth)
    ]


BUGGY = FIXTURES / "buggy"


class StaleBuggyVersion(AssertionError):
    """A buggy version's edit no longer fits the solution it edits."""


@dataclass(frozen=True)
class BuggyVersion:
    name: str
    file: str  # the solution's file name, which the buggy version stands in for
    bug: str
    edits: tuple[tuple[str, str], ...]  # (line replaced, its replacement)
    feedback: str = ""  # a phrase the first failing test's feedback must contain


def _spec_files() -> list[Path]:
    return sorted(BUGGY.glob("ex[0-9][0-9]_*.yaml"))


def buggy_versions(exercise: str | None = None) -> dict[str, BuggyVersion]:
    """Every buggy version stored as edits (of one exercise, e.g. "ex08", if given), by name."""
    versions = {}
    for spec_file in _spec_files():
        if exercise is not None and not spec_file.name.startswith(f"{exercise}_"):
            continue
        for name, entry in yaml.safe_load(spec_file.read_text(encoding="utf-8")).items():
            edits = tuple((edit["replace"], edit["with"]) for edit in entry["edits"])
            versions[name] = BuggyVersion(
                name, f"{spec_file.stem}.py", entry["bug"], edits, entry.get("feedback", "")
            )
    return versions


def apply_edits(source: str, version: BuggyVersion) -> str:
    """`source` with `version`'s edits made, in order."""
    lines = source.splitlines(keepends=True)
    for old, new in version.edits:
        matches = [index for index, line in enumerate(lines) if line.strip() == old.strip()]
        if len(matches) != 1:
            found = "is not" if not matches else f"occurs {len(matches)} times"
            raise StaleBuggyVersion(
                f"buggy version {version.name}: the line {old.strip()!r} {found} in "
                f"solutions/{version.file}; update tests/fixtures/buggy/"
                f"{Path(version.file).stem}.yaml"
            )
        line = lines[matches[0]]
        indent = line[: len(line) - len(line.lstrip())]
        lines[matches[0] : matches[0] + 1] = [
            indent + text + "\n" if text.strip() else "\n"
            for text in textwrap.dedent(new).splitlines()
        ]
    edited = "".join(lines)
    try:
        ast.parse(edited)
    except SyntaxError as error:
        raise StaleBuggyVersion(
            f"buggy version {version.name}: the edited solutions/{version.file} "
            f"no longer parses ({error})"
        ) from None
    return edited


def buggy_source(name: str) -> tuple[str, str]:
    """The file name and text of the buggy version `name`."""
    version = buggy_versions()[name]
    return version.file, apply_edits(
        (SOLUTIONS / version.file).read_text(encoding="utf-8"), version
    )


def write_buggy(name: str, folder: Path) -> Path:
    """Write the buggy version `name` into `folder` (made if needed) as its exercise's file; the
    path of that file."""
    file, text = buggy_source(name)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / file).write_text(text, encoding="utf-8")
    return folder / file
