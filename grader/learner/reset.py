"""`grade reset exNN`: put the exercise's stub back, keeping the learner's file as a backup.

The stub is the course's generated one: in a student release, `stubs.json` beside this module
(`grade publish` writes it with the stubs it publishes, Korean ones included); in the course
repository, the one the marked solutions give (the CLI hands it in). The learner's file is
copied to `<folder>/.grade/backups/<file>.<time>` first, then the stub is written under a
temporary name and renamed over it, so an interrupted reset leaves either file whole. Neither
is followed through a symbolic link.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from grader.course.catalogue import Exercise
from grader.errors import InputError
from grader.i18n import _
from grader.progress import STATE_FOLDER, Progress
from grader.submission import Submission

STUB_DATA = Path(__file__).resolve().parent / "stubs.json"
BACKUP_FOLDER = Path(STATE_FOLDER) / "backups"
MAX_LEARNER_FILE = 8 << 20  # bytes of a learner's file a reset backs up
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def released_stub(exercise: Exercise) -> str | None:
    """The stub a student release was published with, or None outside a release."""
    try:
        stubs = json.loads(STUB_DATA.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    stub = stubs.get(exercise.file) if isinstance(stubs, dict) else None
    return stub if isinstance(stub, str) else None


def write_stub_data(stubs: dict[str, str], path: Path = STUB_DATA) -> None:
    """`grade publish`: the release's stubs by file name, for `grade reset`."""
    path.write_text(json.dumps(stubs, ensure_ascii=False, indent=1), encoding="utf-8")


def learner_file(exercise: Exercise, submission: Path) -> Path:
    """Where the learner's file for `exercise` is (or would be) in `submission`."""
    try:
        path = submission / Submission.open(submission).exercise_path(exercise.file)
    except (OSError, ValueError):
        path = submission / exercise.file
    if path.is_symlink():
        raise InputError(_("{file} is a symbolic link: reset it by hand").format(file=path))
    return path


def reset_exercise(exercise: Exercise, submission: Path, stub: str) -> Path | None:
    """Back up the learner's file (returning the backup's path, None when there was no file)
    and write `stub` in its place; the item's status is forgotten, its best score kept."""
    path = learner_file(exercise, submission)
    backup = None
    if path.exists():
        backup = _backup_path(submission, exercise)
        _write_whole(backup, _read_learner_file(path))
    _write_whole(path, stub.encode("utf-8"))
    progress = Progress.load(submission)
    progress.status.pop(exercise.id, None)
    progress.save(submission)
    return backup


def _backup_path(submission: Path, exercise: Exercise) -> Path:
    """A new name in the backups folder: the file's name and the time (a count if taken)."""
    stem = f"{exercise.file}.{time.strftime('%Y%m%d-%H%M%S')}"
    folder = submission / BACKUP_FOLDER
    candidate, count = folder / stem, 1
    while candidate.exists() or candidate.is_symlink():
        count += 1
        candidate = folder / f"{stem}-{count}"
    return candidate


def is_stub(exercise: Exercise, submission: Path, stub: str) -> bool:
    path = learner_file(exercise, submission)
    try:
        return path.is_file() and _read_learner_file(path) == stub.encode("utf-8")
    except InputError:
        return False


def _read_learner_file(path: Path) -> bytes:
    try:
        handle = os.open(path, os.O_RDONLY | NOFOLLOW)
        with os.fdopen(handle, "rb") as stream:
            data = stream.read(MAX_LEARNER_FILE + 1)
    except OSError as error:
        raise InputError(
            _("cannot read {file}: {reason}").format(file=path, reason=error.strerror)
        ) from None
    if len(data) > MAX_LEARNER_FILE:
        raise InputError(
            _("{file} is too large to back up: move it away by hand").format(file=path)
        )
    return data


def _write_whole(path: Path, data: bytes) -> None:
    """`data` written under a temporary name beside `path`, then renamed to it."""
    temporary = path.with_name(f".{path.name}.partial-{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.unlink(missing_ok=True)
        with open(temporary, "xb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise InputError(
            _("cannot write {file}: {reason}").format(
                file=path, reason=error.strerror or type(error).__name__
            )
        ) from None
