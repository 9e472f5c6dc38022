"""What went wrong in a worker, in words a learner can act on.

The worker reports a learner's exception as data (type, message, the lines of their file it
passed through); a crash or a hang leaves only an exit status or a deadline. These functions
turn each into the feedback of a `LearnerFailure`, naming the limit that was hit. Every piece
of text that came from learner code is made printable, short and (for messages) single-line,
so it cannot pose as lines of the report, and names no worker folder (a new name each run).
"""

from __future__ import annotations

import errno
import os
import re
import signal
from pathlib import Path
from typing import Any

from grader.course.catalogue import Exercise
from grader.failures import GradingFailure, LearnerRaised, NotAttempted
from grader.i18n import N_, _
from grader.sanitise import clean

ERROR_TEXTS = ("type", "message", "traceback")  # what a worker says about a learner's exception
ERROR_FLAGS = ("not_implemented", "value_error", "memory_error")
MEMORY_ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{8,16}\b")  # where an object lies: new in every run
OUTPUT_EXCERPT_BYTES = 600  # how much of what the learner printed a feedback line may quote
SIGNAL_MEANINGS: dict[int, str] = {
    signal.SIGSEGV: N_("a segmentation fault"),
    signal.SIGBUS: N_("a bus error"),
    signal.SIGABRT: N_("an abort"),
    signal.SIGKILL: N_("a kill signal (often the memory limit)"),
    signal.SIGFPE: N_("a floating-point exception"),
    signal.SIGILL: N_("an illegal instruction"),
}


def reported_error(value: Any, folder: Path | None = None) -> dict:
    """The exception a worker reported, keeping only the fields the grader reads, each of the
    type it expects: a frame written by learner code may hold anything where they belong. Its
    texts lose the worker's `folder` (see `placeless`)."""
    if not isinstance(value, dict):
        return {}
    error: dict[str, Any] = {
        key: placeless(value[key], folder) for key in ERROR_TEXTS if isinstance(value.get(key), str)
    }
    error.update({flag: value.get(flag) is True for flag in ERROR_FLAGS})
    number = value.get("errno")
    error["errno"] = number if isinstance(number, int) and not isinstance(number, bool) else None
    return error


def error_fields(error: dict) -> tuple[str, str, str]:
    """(type, message, learner traceback) of an exception the worker reported."""
    return (
        clean(error.get("type", "Exception"), 80, single_line=True),
        clean(error.get("message", ""), single_line=True),
        clean(error.get("traceback", ""), 1000),
    )


def learner_error(error: dict, name: str, call: str, exercise: Exercise) -> GradingFailure:
    """The failure for an exception raised by the learner's function `name`."""
    limits = exercise.limits
    error_type, message, where = error_fields(error)
    if error.get("not_implemented"):
        return NotAttempted(
            _(
                "not attempted: {name} still raises NotImplementedError "
                "(the stub). Write your code in {file}."
            ).format(name=name, file=exercise.file)
        )
    if error.get("memory_error"):
        return LearnerRaised(
            _(
                "{call} ran out of memory (the limit is {limit} MB): does it build a huge array?"
            ).format(call=call, limit=limits.memory_mb),
            error_type,
            message,
        )
    if error_type in ("SystemExit", "KeyboardInterrupt"):
        return LearnerRaised(
            _(
                "{call} raised {error}: a function must return its result, not stop the program"
            ).format(call=call, error=error_type),
            error_type,
            message,
        )
    limits_hit: dict[int | None, str] = {
        errno.EFBIG: _("the output limit ({limit} KB): does it print or write in a loop?").format(
            limit=limits.output_kb
        ),
        errno.EAGAIN: _(
            "the process limit ({limit}): does it start processes or threads in a loop?"
        ).format(limit=limits.processes),
    }
    limit = limits_hit.get(error.get("errno"))
    if limit is not None:
        return LearnerRaised(
            _("{call} hit {limit} ({error}: {message})").format(
                call=call, limit=limit, error=error_type, message=message
            ),
            error_type,
            message,
        )
    # Every frame of the learner's own file, innermost last, as pytest shows a traceback.
    location = "".join(f"\n  {line}" for line in where.splitlines())
    return LearnerRaised(
        _("{call} raised {error}: {message}").format(call=call, error=error_type, message=message)
        + location,
        error_type,
        message,
        value_error=bool(error.get("value_error")),
    )


def load_error(error: dict, exercise: Exercise) -> str:
    """Why importing the learner's file failed: a syntax error, an exception, an exit."""
    error_type, message, where = error_fields(error)
    location = f" ({where.splitlines()[-1]})" if where else ""
    if error_type in ("SyntaxError", "IndentationError"):
        return _("{file} has a {error}{location}: {message}").format(
            file=exercise.file, error=error_type, location=location, message=message
        )
    if error_type in ("SystemExit", "KeyboardInterrupt"):
        return _(
            "{file} raised {error} while being imported{location}: code at the top level of the "
            "file runs on import, so call exit() nowhere"
        ).format(file=exercise.file, error=error_type, location=location)
    if len(where.splitlines()) > 1:  # every frame of the learner's file, innermost last
        location = "".join(f"\n  {line}" for line in where.splitlines())
    return _("importing {file} raised {error}: {message}{location}").format(
        file=exercise.file, error=error_type, message=message, location=location
    )


def timeout(name: str, which: str, exercise: Exercise) -> str:
    """A deadline passed: the exercise's, the import's, or one call's."""
    limits = exercise.limits
    if which == "exercise":
        return _("{name} was stopped: {id} used up its time limit of {seconds:g} s").format(
            name=name, id=exercise.id, seconds=limits.time_limit
        )
    if which == "import":
        return _(
            "importing {file} took longer than {seconds:g} s: is there a loop at the top level?"
        ).format(file=exercise.file, seconds=limits.import_timeout)
    return _(
        "{name} did not return within {seconds:g} s (the time limit per call): an infinite "
        "loop, or a loop that never reaches its end?"
    ).format(name=name, seconds=limits.call_timeout)


def exit_status(code: int | None, exercise: Exercise) -> str:
    """How a worker process ended, from its exit code (None: it did not end)."""
    limits = exercise.limits
    if code is None:
        return _("it stopped answering")
    if code >= 0:
        return _("it exited with code {code}; did your code call os._exit or sys.exit?").format(
            code=code
        )
    number = -code
    try:
        name = signal.Signals(number).name
    except ValueError:
        name = str(number)
    limits_hit: dict[int, str] = {
        signal.SIGXCPU: _("the CPU time limit ({seconds} s)").format(seconds=limits.cpu_seconds),
        signal.SIGXFSZ: _("the output limit ({limit} KB)").format(limit=limits.output_kb),
    }
    meaning = limits_hit.get(number) or _(SIGNAL_MEANINGS.get(number, N_("a signal")))
    return _("killed by {meaning} ({signal})").format(meaning=meaning, signal=name)


def placeless(value: Any, folder: Path | None) -> Any:
    """Text a worker reported without its `folder`, whose name is new in every run: a warning at
    "/tmp/grade-x1/ex01-y2/submission/ex01_convolution.py:5" is shown at "ex01_convolution.py:5",
    so that one submission graded twice gets the same feedback; for the same reason a memory
    address (`<function f at 0x7f3a2c1b4e50>`) is shown as `0x…`. Anything but text is unchanged."""
    if not isinstance(value, str):
        return value
    if folder is not None:
        value = value.replace(f"{folder / 'submission'}{os.sep}", "").replace(str(folder), ".")
    return MEMORY_ADDRESS.sub("0x…", value)


def output_excerpt(*paths: Path) -> str:
    """The last lines printed to the first of `paths` (files in the worker's folder) that has
    any, quoted and short."""
    for path in paths:
        text = placeless(tail(path, OUTPUT_EXCERPT_BYTES), path.parent)
        if text.strip():
            return "\n".join("  | " + line for line in text.strip().splitlines()[-8:])
    return ""


def tail(path: Path, limit: int) -> str:
    """The last `limit` bytes of a file, as printable text ('' if it cannot be read)."""
    try:
        with open(path, "rb") as stream:
            stream.seek(0, os.SEEK_END)
            stream.seek(max(0, stream.tell() - limit))
            data = stream.read(limit)
    except OSError:
        return ""
    return clean(data.decode("utf-8", errors="replace"), limit)
