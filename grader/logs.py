"""What the grader decides, for the people who run and develop it: stdlib logging, off by default.

`grade -v ...` logs at INFO to standard error: the isolation mode chosen and why, the run's seed,
workers started and stopped, tests run again or left unchecked, ex07's training runs, each batch
learner begun and done; `-vv` adds DEBUG lines. Every module logs through
`logging.getLogger(__name__)` under the "grader" logger, which `configure` alone gives a handler,
so nothing logged reaches a report, its JSON or a learner. Log lines are English (developers'
words, like tracebacks), and each passes `visible` first: a learner's name or text in one cannot
move a terminal's cursor or start a line of its own.
"""

from __future__ import annotations

import logging
import os
import sys

from grader.sanitise import visible

ROOT = "grader"
FORMAT = "grade [%(levelname)s] %(name)s: %(message)s"
LINE_LIMIT = 2000  # characters of one log line
LEVELS = {0: logging.WARNING, 1: logging.INFO}  # and DEBUG from -vv on

logging.getLogger(ROOT).addHandler(logging.NullHandler())  # quiet by default, even at WARNING


class StderrHandler(logging.StreamHandler):
    """Writes to standard error as it was when configured, through a descriptor of its own where
    it has one: the grader's in-process pytest redirects descriptor 2 while the suites run, and
    the log still reaches the terminal. (Click's test runner's stream has no descriptor: used as is.)"""

    def __init__(self) -> None:
        stream = sys.stderr
        self.owned = False
        try:
            stream = open(
                os.dup(stream.fileno()),
                "w",
                encoding=getattr(stream, "encoding", None) or "utf-8",
                errors="backslashreplace",
                buffering=1,
            )
            self.owned = True
        except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is an OSError
            pass
        super().__init__(stream)

    def close(self) -> None:
        super().close()
        if self.owned:
            self.stream.close()


class VisibleFormatter(logging.Formatter):
    """One printable line per record: control characters and newlines shown as escapes."""

    def format(self, record: logging.LogRecord) -> str:
        return visible(super().format(record), LINE_LIMIT)


def configure(verbosity: int) -> None:
    """Log the grader's decisions to standard error at `verbosity` (0 nothing, 1 INFO, 2 DEBUG);
    called once per `grade` command, so a later command in the same process starts quiet."""
    logger = logging.getLogger(ROOT)
    for handler in [handler for handler in logger.handlers if isinstance(handler, StderrHandler)]:
        logger.removeHandler(handler)
        handler.close()
    if verbosity <= 0:
        logger.setLevel(logging.NOTSET)
        logger.propagate = True
        return
    handler = StderrHandler()
    handler.setFormatter(VisibleFormatter(FORMAT))
    logger.addHandler(handler)
    logger.setLevel(LEVELS.get(verbosity, logging.DEBUG))
    logger.propagate = False  # once, here, even where an embedding program logs too
