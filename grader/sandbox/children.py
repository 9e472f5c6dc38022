"""Trusted child processes: the grader running itself in a fresh process, isolated from its caller.

`grade batch` grades each learner with a child `grade` process, so that one learner's run
cannot take the batch down. A child runs with `python -I` (no current folder, no user
site-packages, no PYTHON* variables on the import path) in a fixed, empty working folder, so a
learner's folder named like one of the grader's modules is never imported in its place.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from dataclasses import dataclass

CHILD_STDERR_LIMIT = 4000  # characters of a failed child's standard error kept for the report


@dataclass(frozen=True)
class ChildResult:
    """How a child grader ended: its exit code (None: it ran out of time) and what it printed."""

    exit_code: int | None
    stderr: str


def run_grader(arguments: list[str], *, timeout: float) -> ChildResult:
    """Run `python -I -m grader ARGUMENTS` in an empty working folder, within `timeout` seconds."""
    with tempfile.TemporaryDirectory(prefix="grade-child-") as folder:
        try:
            completed = subprocess.run([sys.executable, "-I", "-m", "grader", *arguments],
                                       cwd=folder, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.PIPE, timeout=timeout)
        except subprocess.TimeoutExpired:
            return ChildResult(None, "")
    stderr = completed.stderr.decode("utf-8", errors="replace")[-CHILD_STDERR_LIMIT:]
    return ChildResult(completed.returncode, stderr)
