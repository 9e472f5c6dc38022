"""Errors the CLI turns into one-line messages and documented exit codes.

Exit codes (docs/design.md#exit-codes): 0 full marks, 1 points missing, 2 usage or input error,
3 the grader itself failed; 130 a run that was interrupted (Ctrl-C, SIGINT, SIGTERM, SIGHUP). A
learner's broken code is never an exception here: it is a 0-point test with feedback.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
import traceback
from collections.abc import Iterator
from typing import IO, Any

import click

from grader.i18n import _
from grader.sanitise import visible
from grader.terminal import wrap_lines

EXIT_FULL_MARKS = 0
EXIT_POINTS_MISSING = 1
EXIT_INPUT_ERROR = 2
EXIT_GRADER_FAILED = 3
EXIT_ABORTED = 130  # 128 + SIGINT, as shells report a command that Ctrl-C stopped


def wrapped_message(message: str) -> str:
    """`message` as it follows Click's "Error: " on a terminal: wrapped to its width by display
    width (grader/terminal.py), the later lines indented. Into a pipe or a file (a script, a CI
    log) it stays one line."""
    if not sys.stderr.isatty():  # (click.get_text_stream is deprecated from Click 8.5)
        return message
    prefix = _("Error: {message}").format(message="")
    lines = wrap_lines(prefix + message, hanging="  ")
    return "\n".join([lines[0][len(prefix) :], *lines[1:]])


class InputError(click.ClickException):
    """Bad input from the person running `grade`: unknown id, missing folder, bad YAML."""

    exit_code = EXIT_INPUT_ERROR

    def format_message(self) -> str:
        return wrapped_message(self.message)


class UsageError(click.UsageError):
    """A command used the wrong way (no id, ids and --all): Click's usage hint, then the
    message wrapped to the terminal."""

    def format_message(self) -> str:
        return wrapped_message(self.message)


class GraderFailure(click.ClickException):
    """The grader could not finish: a bug or a broken installation, never the learner's code.

    Shown as one line; under `grade --debug` (`show_tracebacks(True)`) its whole traceback
    follows, with the error that caused it, each line escaped as the message is.
    """

    exit_code = EXIT_GRADER_FAILED

    def show(self, file: IO[Any] | None = None) -> None:
        super().show(file)
        if _debug["tracebacks"]:
            lines = "".join(traceback.format_exception(self)).rstrip("\n").splitlines()
            click.echo(
                "\n".join(visible(line, TRACEBACK_LINE_LIMIT) for line in lines),
                file=file,
                err=True,
            )


TRACEBACK_LINE_LIMIT = 2000
_debug = {"tracebacks": False}


def show_tracebacks(on: bool) -> None:
    """`grade --debug`: a grader failure shows its traceback after its one line (standard error)."""
    _debug["tracebacks"] = on


_deferral = {"depth": 0, "pending": False}  # interrupts held back while whole files are written


@contextlib.contextmanager
def exit_130_when_interrupted() -> Iterator[None]:
    """Within: SIGINT, SIGTERM and SIGHUP raise KeyboardInterrupt in the main thread, as Ctrl-C
    does (even where SIGINT came ignored, as in a job a script started in the background; SIGHUP
    stays ignored under `nohup`), and a run one of them stopped exits EXIT_ABORTED, whatever exit
    code the interrupted command chose."""
    stopped = threading.Event()

    def stop(signum: int, frame: object) -> None:
        stopped.set()
        if _deferral["depth"]:
            _deferral["pending"] = True
            return
        raise KeyboardInterrupt

    hangup = getattr(signal, "SIGHUP", None)
    for signum in (signal.SIGINT, signal.SIGTERM, *([hangup] if hangup is not None else [])):
        try:
            if signum == hangup and signal.getsignal(signum) == signal.SIG_IGN:
                continue  # `nohup grade batch ...`: the instructor asked for the run to outlive the terminal
            signal.signal(signum, stop)
        except ValueError:  # not the main thread (an embedding program): its own handling stands
            break
    try:
        yield
    except SystemExit:
        if stopped.is_set():
            raise SystemExit(EXIT_ABORTED) from None
        raise


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Within: an interrupt waits until the block is done, then stops the run as usual, so files
    written together (a gradebook and its exports) are all written or none is."""
    _deferral["depth"] += 1
    try:
        yield
    finally:
        _deferral["depth"] -= 1
        if not _deferral["depth"] and _deferral["pending"]:
            _deferral["pending"] = False
            raise KeyboardInterrupt
