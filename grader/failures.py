"""Why a graded test lost its points, as exceptions that carry the feedback a learner reads.

Suites raise `GradingFailure` (through the helpers in `grader.checks`) when a result is
wrong; the worker client raises the `LearnerFailure` kinds when the learner's code could not
produce a result at all. The pytest plugin turns each into a test status and a feedback line,
so no traceback from the grader ever reaches the learner.
"""

from __future__ import annotations

STATUS_FAILED = "failed"
STATUS_ERROR = "error"
STATUS_TIMEOUT = "timeout"


class GradingFailure(Exception):
    """A result came back and it is wrong; `feedback` says how."""

    status = STATUS_FAILED
    not_attempted = False
    diagnosed = False  # True when the feedback names the mistake (see NamedMistake)
    ran = True  # False when the call was never made (the exercise's time or restarts were used up)

    def __init__(self, feedback: str):
        super().__init__(feedback)
        self.feedback = feedback


class NamedMistake(GradingFailure):
    """A wrong result that matches a known mistake: the feedback names it.

    The named mistake is the explanation, so the test's general teaching line (its
    `feedback` marker, which may be about something else) is left out.
    """

    diagnosed = True


class NotAttempted(GradingFailure):
    """The learner has not started: the stub's NotImplementedError, or a constant still None."""

    not_attempted = True


class LearnerFailure(GradingFailure):
    """The learner's code did not produce a result: it raised, crashed, hung or did not load."""


class LearnerRaised(LearnerFailure):
    """The learner's function raised an exception (reported as data by the worker)."""

    def __init__(self, feedback: str, error_type: str, message: str, value_error: bool = False):
        super().__init__(feedback)
        self.error_type = error_type
        self.message = message
        self.value_error = value_error


class MissingName(LearnerFailure):
    """The learner's module has no function or constant of the required name."""


class BadReturn(LearnerFailure):
    """The learner's function returned something that is not data (an object, a generator).

    `returned` says what came back ("a generator") and `detail` why it cannot cross, so that a
    suite can put them in its own words.
    """

    def __init__(self, feedback: str, returned: str = "", detail: str = ""):
        super().__init__(feedback)
        self.returned = returned
        self.detail = detail


class ForbiddenModule(LearnerFailure):
    """The learner's code used tensorflow, keras, scipy.signal or scipy.ndimage."""


class LoadFailed(LearnerFailure):
    """The learner's file could not be imported: syntax error, exception, exit at import."""

    status = STATUS_ERROR


class SandboxNotStarted(LoadFailed):
    """The worker's sandbox failed before any learner code ran in it: the grader's failure, not
    a verdict on the learner's code (the plugin reports the test as "could not check")."""


class WorkerCrashed(LearnerFailure):
    """The worker process died during a call (segfault, os._exit, a limit's signal)."""

    status = STATUS_ERROR


class LearnerTimeout(LearnerFailure):
    """A call, the import, or the exercise as a whole ran past its time limit."""

    status = STATUS_TIMEOUT


class MissingLibrary(GradingFailure):
    """The machine lacks a library the exercise needs (TensorFlow for ex07): not the learner's
    fault, and nothing of theirs ran."""

    status = STATUS_ERROR
