"""Which files of the course tree go into a published artefact, walked without following links.

`copy_course_parts` yields every regular file under the named parts of the course (files or
folders, relative to the course root), leaving out caches, build leftovers, a learner's own
progress and whatever `leave_out` names; a symbolic link is never followed into the artefact.
"""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path, PurePosixPath
from typing import Iterable, Iterator

IGNORED = ("__pycache__", "*.pyc", ".grade", "*.egg-info", ".pytest_cache", ".hypothesis")


def copy_course_parts(root: Path, parts: Iterable[str],
                      leave_out: Iterable[str] = ()) -> Iterator[tuple[PurePosixPath, Path]]:
    """(path relative to the course root, file) for every file of `parts`, sorted.

    `leave_out` holds paths relative to the root (`grader/suites/hidden`) to skip entirely.
    """
    skipped = {PurePosixPath(item) for item in leave_out}
    for part in parts:
        source = root / part
        if source.is_symlink() or not source.exists():
            continue
        if source.is_file():
            yield PurePosixPath(part), source
            continue
        for folder, folders, files in os.walk(source):
            here = PurePosixPath(Path(folder).relative_to(root).as_posix())
            folders[:] = sorted(name for name in folders
                                if not _ignored(name) and here / name not in skipped
                                and not (Path(folder) / name).is_symlink())
            for name in sorted(files):
                path = Path(folder) / name
                if not _ignored(name) and here / name not in skipped and path.is_file() \
                        and not path.is_symlink():
                    yield here / name, path


def _ignored(name: str) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in IGNORED)
