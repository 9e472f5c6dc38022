"""A learner's progress, kept beside their work: best scores for `grade list`, hints seen.

The state lives in `<submission>/.grade/progress.json`. It is a convenience, never a source
of marks: a folder that cannot be written just means no progress is remembered. The folder is
the learner's, and the grader may run as root, so the state is read and written without
following any link, never from or into anything but a regular file, and read with a size cap.
"""

from __future__ import annotations

import json
import math
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from grader.results import Report

STATE_FOLDER = ".grade"
STATE_NAME = "progress.json"
STATE_FILE = Path(STATE_FOLDER) / STATE_NAME
MAX_STATE_BYTES = 1 << 20  # a progress file larger than this is ignored
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO planted as the state file must not hang the grader


@dataclass
class Progress:
    """Best score and last status per item, and how many hints each item has shown."""

    best: dict[str, float] = field(default_factory=dict)
    status: dict[str, str] = field(default_factory=dict)
    hints_shown: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, submission: Path) -> Progress:
        """The progress kept in `submission`; none when the file is missing or holds anything
        but what `save` writes (the learner's folder: anything can be written over it)."""
        try:
            data = json.loads(_read_state(submission))
            progress = cls(
                best={str(k): float(v) for k, v in data.get("best", {}).items()},
                status={str(k): str(v) for k, v in data.get("status", {}).items()},
                hints_shown={str(k): int(v) for k, v in data.get("hints_shown", {}).items()},
            )
        except (OSError, ValueError, TypeError, AttributeError, ArithmeticError, RecursionError):
            return cls()
        scores_sane = all(math.isfinite(v) and v >= 0 for v in progress.best.values())
        if not scores_sane or any(v < 0 for v in progress.hints_shown.values()):
            return cls()
        return progress

    def save(self, submission: Path) -> None:
        text = json.dumps(
            {"best": self.best, "status": self.status, "hints_shown": self.hints_shown}, indent=1
        )
        try:
            _write_state(submission, text.encode("utf-8"))
        except OSError:
            pass

    def record(self, report: Report) -> None:
        """Remember each item's best score and latest status."""
        for item in report.exercises:
            self.best[item.id] = max(self.best.get(item.id, 0.0), item.score)
            self.status[item.id] = item.status

    def next_hint(self, item_id: str, hints: tuple[str, ...]) -> tuple[int, str] | None:
        """The next hint (1-based number, text) for `item_id`, or None when all were shown."""
        shown = self.hints_shown.get(item_id, 0)
        if shown >= len(hints):
            return None
        self.hints_shown[item_id] = shown + 1
        return shown + 1, hints[shown]


def _state_folder(submission: Path, create: bool) -> int:
    """A descriptor of `<submission>/.grade`, opened without following a link."""
    folder = os.open(submission, os.O_RDONLY | os.O_DIRECTORY)
    try:
        if create:
            try:
                os.mkdir(STATE_FOLDER, 0o755, dir_fd=folder)
            except FileExistsError:
                pass
        return os.open(STATE_FOLDER, os.O_RDONLY | os.O_DIRECTORY | NOFOLLOW, dir_fd=folder)
    finally:
        os.close(folder)


def _open_state(submission: Path, flags: int, create: bool) -> int:
    """A descriptor of the state file, which must be a regular file with one name."""
    state_folder = _state_folder(submission, create)
    try:
        handle = os.open(STATE_NAME, flags | NOFOLLOW | NONBLOCK, 0o644, dir_fd=state_folder)
    finally:
        os.close(state_folder)
    info = os.fstat(handle)
    if not stat.S_ISREG(info.st_mode) or info.st_nlink > 1:
        os.close(handle)
        raise OSError(f"{STATE_FILE} is not a plain file")
    return handle


def _read_state(submission: Path) -> str:
    with os.fdopen(_open_state(submission, os.O_RDONLY, create=False), "rb") as stream:
        data = stream.read(MAX_STATE_BYTES + 1)
    if len(data) > MAX_STATE_BYTES:
        raise ValueError(f"{STATE_FILE} is too large")
    return data.decode("utf-8")


def _write_state(submission: Path, data: bytes) -> None:
    # No O_TRUNC at open: a file that turns out not to be plain is left as it was.
    with os.fdopen(_open_state(submission, os.O_WRONLY | os.O_CREAT, create=True), "wb") as stream:
        stream.truncate(0)
        stream.write(data)
