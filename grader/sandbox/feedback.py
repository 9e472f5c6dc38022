"""What went wrong in a worker, in words a learner can act on.

The worker reports a learner's exception as data (type, message, the lines of their file it
passed through); a crash or a hang leaves only an exit status or a deadline. These functions
turn each into the feedback of a `LearnerFailure`, naming the limit that was hit. Every piece
of text that came from learner code is made printable, short and (for messages) single-line,
so it cannot pose as lines of the report.
"""

from __future__ import annotations

import errno
import os
import signal
from pathlib import Path

from grader.course.catalogue import Exercise
from grader.failures import LearnerFailure, LearnerRaised, NotAttempted
from grader.sanitise import clean

OUTPUT_EXCERPT_BYTES = 600  # how much of what the learner printed a feedback line may quote
SIGNAL_MEANINGS = {
    signal.SIGSEGV: "a segmentation fault",
    signal.SIGBUS: "a bus error",
    signal.SIGABRT: "an abort",
    signal.SIGKILL: "a kill signal (often the memory limit)",
    signal.SIGFPE: "a floating-point exception",
    signal.SIGILL: "an illegal instruction",
}


def error_fields(error: dict) -> tuple[str, str, str]:
    """(type, message, learner traceback) of an exception the worker reported."""
    return (clean(error.get("type", "Exception"), 80, single_line=True),
            clean(error.get("message", ""), single_line=True),
            clean(error.get("traceback", ""), 1000))


def learner_error(error: dict, name: str, call: str, exercise: Exercise) -> LearnerFailure:
    """The failure for an exception raised by the learner's function `name`."""
    limits = exercise.limits
    error_type, message, where = error_fields(error)
    if error.get("not_implemented"):
        return NotAttempted(f"not attempted: {name} still raises NotImplementedError "
                            f"(the stub). Write your code in {exercise.file}.")
    if error.get("memory_error"):
        return LearnerRaised(f"{call} ran out of memory (the limit is {limits.memory_mb} MB): "
                             "does it build a huge array?", error_type, message)
    if error_type in ("SystemExit", "KeyboardInterrupt"):
        return LearnerRaised(f"{call} raised {error_type}: a function must return its result, "
                             "not stop the program", error_type, message)
    limit = {errno.EFBIG: f"the output limit ({limits.output_kb} KB): does it print or "
                          "write in a loop?",
             errno.EAGAIN: f"the process limit ({limits.processes}): does it start "
                           "processes or threads in a loop?"}.get(error.get("errno"))
    if limit is not None:
        return LearnerRaised(f"{call} hit {limit} ({error_type}: {message})", error_type, message)
    # Every frame of the learner's own file, innermost last, as pytest shows a traceback.
    location = "".join(f"\n  {line}" for line in where.splitlines())
    return LearnerRaised(f"{call} raised {error_type}: {message}{location}", error_type, message,
                         value_error=bool(error.get("value_error")))


def load_error(error: dict, exercise: Exercise) -> str:
    """Why importing the learner's file failed: a syntax error, an exception, an exit."""
    error_type, message, where = error_fields(error)
    location = f" ({where.splitlines()[-1]})" if where else ""
    if error_type in ("SyntaxError", "IndentationError"):
        return f"{exercise.file} has a {error_type}{location}: {message}"
    if error_type in ("SystemExit", "KeyboardInterrupt"):
        return (f"{exercise.file} raised {error_type} while being imported{location}: "
                "code at the top level of the file runs on import, so call exit() nowhere")
    return f"importing {exercise.file} raised {error_type}: {message}{location}"


def timeout(name: str, which: str, exercise: Exercise) -> str:
    """A deadline passed: the exercise's, the import's, or one call's."""
    limits = exercise.limits
    if which == "exercise":
        return f"{name} was stopped: {exercise.id} used up its time limit of {limits.time_limit:g} s"
    if which == "import":
        return (f"importing {exercise.file} took longer than {limits.import_timeout:g} s: "
                "is there a loop at the top level?")
    return (f"{name} did not return within {limits.call_timeout:g} s (the time limit per call): "
            "an infinite loop, or a loop that never reaches its end?")


def exit_status(code: int | None, exercise: Exercise) -> str:
    """How a worker process ended, from its exit code (None: it did not end)."""
    limits = exercise.limits
    if code is None:
        return "it stopped answering"
    if code >= 0:
        return f"it exited with code {code}; did your code call os._exit or sys.exit?"
    number = -code
    try:
        name = signal.Signals(number).name
    except ValueError:
        name = str(number)
    meaning = {signal.SIGXCPU: f"the CPU time limit ({limits.cpu_seconds} s)",
               signal.SIGXFSZ: f"the output limit ({limits.output_kb} KB)",
               }.get(number, SIGNAL_MEANINGS.get(number, "a signal"))
    return f"killed by {meaning} ({name})"


def output_excerpt(*paths: Path) -> str:
    """The last lines printed to the first of `paths` that has any, quoted and short."""
    for path in paths:
        text = tail(path, OUTPUT_EXCERPT_BYTES)
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
