"""One line of activity on a terminal while a long wait lasts: ex07's training, a call that hangs.

A learner who waits 16 s for ex07's training, or 20 s for an infinite loop to reach its time
limit, sees what the grader is doing on standard error, rewritten in place and erased when the
wait ends. Only on a terminal: when standard error is a pipe, a file or a CI log, nothing is
written at all, so no output format (JSON, JUnit, Gradescope) ever holds a trace of it. A run
that writes a machine-readable report turns it off (`set_enabled(False)`), and `grade batch`,
whose children's standard error is a file, never shows it.
"""

from __future__ import annotations

import os
import time
from typing import TextIO

from grader.i18n import _, display_width

QUIET_SECONDS = 1.5  # a wait shorter than this shows nothing (most calls take milliseconds)
REDRAW_SECONDS = 0.25  # at most four redraws a second
ERASE_LINE = "\r\x1b[K"
MAX_COLUMNS = 78  # Korean text is double width: the line stays well inside 80 columns

_enabled: bool | None = None  # None: on exactly when standard error is a terminal


def _terminal() -> TextIO | None:
    """Standard error as it is when the grader starts: the suites run in pytest, whose capture
    replaces file descriptor 2 while a test runs, and the line must still reach the terminal."""
    try:
        if os.isatty(2):
            return os.fdopen(os.dup(2), "w", encoding="utf-8", errors="replace")
    except OSError:
        pass
    return None


TERMINAL = _terminal()  # a private copy (not inherited by any child process), or None


def set_enabled(enabled: bool | None) -> None:
    """Turn the activity line on or off for this process (None: on when stderr is a terminal)."""
    global _enabled
    _enabled = enabled


def enabled(stream: TextIO | None = None) -> bool:
    stream = stream or TERMINAL
    if _enabled is False or stream is None:
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False


class Line:
    """The activity line of one wait: `show` redraws it (rate-limited), `close` erases it."""

    def __init__(self, stream: TextIO | None = None, quiet_seconds: float = QUIET_SECONDS):
        self.stream = stream or TERMINAL
        self.started = time.monotonic()
        self.quiet_until = self.started + quiet_seconds
        self.last_drawn = 0.0
        self.drawn = False
        self.on = enabled(self.stream)

    def show(self, text: str, *, force: bool = False) -> None:
        now = time.monotonic()
        if (
            not self.on
            or (now < self.quiet_until and not force)
            or (now - self.last_drawn < REDRAW_SECONDS and not force)
        ):
            return
        self.last_drawn = now
        self._write(ERASE_LINE + _fit(text))
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self._write(ERASE_LINE)
            self.drawn = False

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def _write(self, text: str) -> None:
        if self.stream is None:  # no terminal: `on` is False, nothing is drawn
            return
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a terminal that went away must not stop the grading
            self.on = False


def waiting_text(exercise_id: str, name: str, seconds: float, limit: float) -> str:
    return _("{exercise}: {function} is still running ({seconds} s of at most {limit} s)").format(
        exercise=exercise_id, function=name, seconds=int(seconds), limit=f"{limit:g}"
    )


def loading_text(exercise_id: str, file: str, seconds: float) -> str:
    return _("{exercise}: loading {file} ({seconds} s)").format(
        exercise=exercise_id, file=file, seconds=int(seconds)
    )


def training_text(epoch: int, epochs: int, accuracy: float | None) -> str:
    if accuracy is None or epoch == 0:
        return _("ex07: the grader is training your model (starting)")
    return _(
        "ex07: the grader trains your model: epoch {epoch}/{epochs}, training accuracy {accuracy}"
    ).format(epoch=epoch, epochs=epochs, accuracy=f"{accuracy:.1%}")


def _fit(text: str) -> str:
    """`text` on one line, cut to the terminal's width counting Hangul as two columns."""
    text = " ".join(text.split())
    width, kept = 0, []
    for character in text:
        width += display_width(character)
        if width > MAX_COLUMNS:
            break
        kept.append(character)
    return "".join(kept)


class TrainingProgress:
    """A listener for the trainer's output lines (grader/processes/children.py): each progress
    event (`{"progress": {"epoch": 3, "epochs": 20, "accuracy": 0.91}}`) redraws the line."""

    def __init__(self, stream: TextIO | None = None):
        self.line = Line(stream, quiet_seconds=0.0)
        self.epoch, self.epochs = 0, 0
        self.accuracy: float | None = None

    def __call__(self, lines: list[str]) -> None:
        for text in lines:
            self._read(text)
        self.line.show(training_text(self.epoch, self.epochs, self.accuracy))

    def close(self) -> None:
        self.line.close()

    def _read(self, text: str) -> None:
        import json

        try:
            event = json.loads(text).get("progress")
            epoch, epochs, accuracy = (
                int(event["epoch"]),
                int(event["epochs"]),
                float(event["accuracy"]),
            )
        except (ValueError, TypeError, KeyError, AttributeError):
            return  # the outcome line, or anything else: not progress
        self.epoch, self.epochs, self.accuracy = epoch, epochs, accuracy
