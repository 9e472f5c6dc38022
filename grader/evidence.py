"""What the trusted run knows about the grading test now running: its visibility, and the
evidence it has gathered.

The pytest plugin (grader/grading/plugin.py) opens a `Judging` around each grading test. The
check helpers (grader/checks.py) read it to decide what a failure may show (a hidden case's
expected value never reaches the learner) and count every learner result they judge in it, so
that a test which judged nothing never passes (docs/design.md#a-grade-is-evidence). A suite
that judges a result without those helpers calls `judged()` itself. Outside a grading test
(a unit test of the helpers, the pictures) there is no `Judging`, and a check behaves as in a
hidden test: the cautious side.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

PUBLIC = "public"
HIDDEN = "hidden"


@dataclass
class Judging:
    """One grading test's record: its visibility and how many learner results it judged."""

    visibility: str
    judged: int = 0

    @property
    def hidden(self) -> bool:
        return self.visibility != PUBLIC


class NothingChecked(Exception):
    """A test helper ran out of its budget (of calls, of cases) before it checked anything: the
    grader's failure, never a pass (the plugin reports the test as "could not check")."""


_current: ContextVar[Judging | None] = ContextVar("grader_judging", default=None)


@contextmanager
def judging(visibility: str) -> Iterator[Judging]:
    """The record of the test about to run (`visibility` "public" or "hidden")."""
    record = Judging(visibility)
    token = _current.set(record)
    try:
        yield record
    finally:
        _current.reset(token)


def current() -> Judging | None:
    """The running test's record, or None outside a grading test."""
    return _current.get()


def judged(count: int = 1) -> None:
    """Count `count` learner results judged (compared, whatever the outcome) by the running test."""
    record = _current.get()
    if record is not None:
        record.judged += count


def hidden() -> bool:
    """Whether what is being judged now must not show its expected value (a hidden test, or no
    test at all)."""
    record = _current.get()
    return record is None or record.hidden
