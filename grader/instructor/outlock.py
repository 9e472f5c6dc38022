"""One writer per out folder: `grade batch` and `grade merge` hold an exclusive lock on
`OUT/.lock` while they grade and write. A second run on the same folder stops at once with a
clear error (exit code 2) instead of grading learners twice or clearing away the first run's
temporary files. The lock is the kernel's (flock): it goes with the process that held it, so
a run killed with SIGKILL leaves nothing to clean up.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from grader.errors import InputError

LOCK_FILE = ".lock"
LOCK_MODE = 0o600


@contextmanager
def out_folder_lock(out_dir: Path) -> Iterator[None]:
    """Hold `out_dir`'s lock (made with the folder if missing) for the block, or refuse at once."""
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(
            out_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, LOCK_MODE
        )
    except OSError as error:
        raise InputError(
            f"cannot lock {out_dir} for writing ({error.strerror}); is {LOCK_FILE} there a link?"
        ) from None
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError(
                f"another `grade batch` or `grade merge` is writing {out_dir}: wait until it ends, "
                "or write to another --out"
            ) from None
        yield
    finally:
        os.close(descriptor)
