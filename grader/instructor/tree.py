"""Which files of the course tree go into a published artefact, walked without following links.

`copy_course_parts` yields every regular file under the named parts of the course (files or
folders, relative to the course root), leaving out caches, build leftovers, a learner's own
progress, anything under a hidden name (`.ipynb_checkpoints`, an editor's `.swp`) and the
folders `kept_back` names; a symbolic link is never followed into the artefact (`linked_paths` names
those a publish would meet, so that it refuses them rather than leave their files out). Of the grader package
it yields only the package's own files, as `pip install` would install them: its modules and
the data files pyproject.toml's package-data names, never an instructor's leftovers beside them
(`reference.py.orig`, `ex03_padding.py.bak`, `test_ex01.py~`).
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath

import tomllib

IGNORED = ("__pycache__", "*.pyc", ".*", "*.egg-info")
PACKAGE = "grader"


def copy_course_parts(
    root: Path, parts: Iterable[str], kept_back: Iterable[str] = ()
) -> Iterator[tuple[PurePosixPath, Path]]:
    """(path relative to the course root, file) for every file of `parts`, sorted.

    A folder named in `kept_back` (`hidden`) is skipped entirely, wherever it stands.
    """
    kept_back = set(kept_back)
    package_data = _package_data(root)
    for part in parts:
        source = root / part
        if source.is_symlink() or not source.exists():
            continue
        if source.is_file():
            if _shipped(PurePosixPath(part), package_data):
                yield PurePosixPath(part), source
            continue
        for folder, folders, files in os.walk(source):
            here = PurePosixPath(Path(folder).relative_to(root).as_posix())
            folders[:] = sorted(
                name
                for name in folders
                if not _ignored(name)
                and name not in kept_back
                and not (Path(folder) / name).is_symlink()
            )
            for name in sorted(files):
                path = Path(folder) / name
                if (
                    not _ignored(name)
                    and path.is_file()
                    and not path.is_symlink()
                    and _shipped(here / name, package_data)
                ):
                    yield here / name, path


def linked_paths(root: Path, parts: Iterable[str]) -> list[str]:
    """The symbolic links among `parts` (paths relative to the root), the folders that lead to
    them and everything inside them, relative to the root."""
    found = set()
    for part in parts:
        relative = PurePosixPath(part)
        prefixes = [
            PurePosixPath(*relative.parts[:depth]) for depth in range(1, len(relative.parts) + 1)
        ]
        link = next((prefix for prefix in prefixes if (root / prefix).is_symlink()), None)
        if link is not None:
            found.add(str(link))
            continue
        for folder, folders, files in os.walk(root / part):
            found |= {
                Path(folder, name).relative_to(root).as_posix()
                for name in folders + files
                if not _ignored(name) and Path(folder, name).is_symlink()
            }
            folders[:] = [
                name
                for name in folders
                if not _ignored(name) and not Path(folder, name).is_symlink()
            ]
    return sorted(found)


def _ignored(name: str) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in IGNORED)


def _package_data(root: Path) -> dict[PurePosixPath, list[str]]:
    """pyproject.toml's package-data: each package's folder, with its patterns."""
    try:
        project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
        declared = project["tool"]["setuptools"]["package-data"]
    except (OSError, ValueError, KeyError):
        declared = {}
    return {
        PurePosixPath(*package.split(".")): list(patterns) for package, patterns in declared.items()
    }


def _shipped(relative: PurePosixPath, package_data: dict[PurePosixPath, list[str]]) -> bool:
    """Whether `relative` is outside the grader package or one of its own files: a module, or a
    data file its package-data names (a pattern's `*` stays within one folder, as in setuptools)."""
    if relative.parts[0] != PACKAGE or relative.suffix == ".py":
        return True
    for folder, patterns in package_data.items():
        if folder in relative.parents:
            inner = relative.relative_to(folder)
            if any(
                len(inner.parts) == len(PurePosixPath(pattern).parts) and inner.match(pattern)
                for pattern in patterns
            ):
                return True
    return False
