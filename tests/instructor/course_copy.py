"""A temporary copy of the course repository, and `grade` run with the copy's own grader.

A new exercise's folder lives in the grader package (grader/exercises/exNN/), so a test that
grades one runs `python -m grader` in the copy: its working folder comes first on the module
path, ahead of the editable install of the course under test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from grader.course.catalogue import COURSE_ROOT

COURSE_PARTS = ("pyproject.toml", "grader", "quizzes", "solutions", "exercises")
RUN_TIMEOUT = 15 * 60  # one command in the copy: `grade publish` scans the whole release


def copy_course(root: Path) -> Path:
    """Copy the course's parts into `root` (a new folder); `root`."""
    for part in COURSE_PARTS:
        source = COURSE_ROOT / part
        if source.is_dir():
            ignored = shutil.ignore_patterns("__pycache__", ".grade")
            shutil.copytree(source, root / part, ignore=ignored)
        else:
            root.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, root / part)
    return root


def run_in_copy(
    root: Path, *args: str | Path, module: str = "grader"
) -> subprocess.CompletedProcess:
    """`python -m MODULE ARGS` in the copy at `root`, with the copy's grader; its output as text."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in ("PYTHONPATH", "PYTHONSAFEPATH", "PYTHONNOUSERSITE")
    }
    return subprocess.run(
        [sys.executable, "-m", module, *map(str, args)],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )


def tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` and its bytes, by path relative to `root`."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }
