"""Buggy versions of the solutions, of two kinds, loaded as one list (`buggy_versions`).

Most are stored as edits of a solution rather than as whole copies:
`tests/fixtures/buggy/<solution file stem>.yaml` maps each buggy version's name to the bug it
has, the phrase that names it (`feedback`) and its edits: `replace` one code line of `solutions/<file>` with one or more lines. A line
is found by its text (indentation aside), never by its number, so comments or blank lines added
to a solution do not move an edit; it must occur exactly once. An edit that no longer applies
(its line is gone, or now occurs twice) raises `StaleBuggyVersion` naming the version, so a
changed solution cannot silently turn a buggy version into a correct one or into nonsense.

Older ones of ex01-ex06 are whole files, `tests/fixtures/buggy/<name>.py`, each listed in
`tests/fixtures/buggy/catalogue.yaml` with the exercise it stands in for, its `bug` and `feedback`;
such a version is named by its file's stem and graded as its exercise's file.
"""

from __future__ import annotations

import ast
import textwrap
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from tests.conftest import FIXTURES, SOLUTIONS

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
    whole_file: str = ""  # a whole-file version: its file in BUGGY (then there are no edits)

    @property
    def exercise(self) -> str:
        return self.file[:4]


def _spec_files() -> list[Path]:
    return sorted(BUGGY.glob("ex[0-9][0-9]_*.yaml"))


def whole_file_versions() -> dict[str, BuggyVersion]:
    """Every whole-file buggy version listed in catalogue.yaml, by its file's stem."""
    files = {path.name[:4]: path.name for path in SOLUTIONS.glob("ex[0-9][0-9]_*.py")}
    versions = {}
    for entry in yaml.safe_load((BUGGY / "catalogue.yaml").read_text(encoding="utf-8")):
        name = entry["file"].removesuffix(".py")
        versions[name] = BuggyVersion(
            name, files[entry["exercise"]], entry["bug"], (), entry["feedback"], entry["file"]
        )
    return versions


def buggy_versions(exercise: str | None = None) -> dict[str, BuggyVersion]:
    """Every buggy version, edits and whole files (of one exercise, e.g. "ex08", if given), by
    name."""
    return {
        name: version
        for name, version in _all_versions().items()
        if exercise is None or version.exercise == exercise
    }


@cache
def _all_versions() -> dict[str, BuggyVersion]:
    versions = whole_file_versions()
    for spec_file in _spec_files():
        for name, entry in yaml.safe_load(spec_file.read_text(encoding="utf-8")).items():
            assert name not in versions, f"two buggy versions are named {name}"
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
    if version.whole_file:
        return version.file, (BUGGY / version.whole_file).read_text(encoding="utf-8")
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


def one_per_exercise(versions: Iterable[BuggyVersion]) -> list[dict[str, BuggyVersion]]:
    """`versions` split into rounds holding at most one version per exercise (exercise id ->
    version), so that one graded run of a round grades one buggy version of each exercise."""
    by_exercise: dict[str, list[BuggyVersion]] = defaultdict(list)
    for version in versions:
        by_exercise[version.exercise].append(version)
    depth = max(len(found) for found in by_exercise.values())
    return [
        {exercise: found[index] for exercise, found in by_exercise.items() if index < len(found)}
        for index in range(depth)
    ]
