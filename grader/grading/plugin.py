"""The pytest plugin of the trusted run: markers, the `learner` and `rng` fixtures, results.

Suites declare grading metadata next to each test (`@pytest.mark.points(2)`,
`@pytest.mark.feedback("...")`, module-level `pytestmark = pytest.mark.exercise("ex04")`).
The `learner` fixture hands a test a proxy whose calls run in that exercise's worker; this
plugin turns every outcome into a `TestResult` and never lets a traceback through. It starts
and stops no worker itself: it tells the run's `Workers` (grader/grading/runner.py) when an
exercise's tests begin and end.

A grade is evidence (docs/design.md#a-grade-is-evidence): a test that passed without judging
any learner result, a test the grader itself failed to carry out (an exception other than a
`GradingFailure`) and a test whose sandbox never started are "could not check", never a pass
and never the learner's 0.
Such a test runs once more, from a fresh setup; if it still cannot be checked, its result says
so (status "error", no points, `unchecked`), and `grade` exits 3 after writing its report.
"""

from __future__ import annotations

import logging
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pytest

from grader import evidence
from grader.checks import describe_call
from grader.course.catalogue import Exercise
from grader.failures import STATUS_ERROR, GradingFailure, LearnerFailure, SandboxNotStarted
from grader.grading.manifest import ManifestEntry
from grader.i18n import N_, _, translated_title
from grader.results import TestResult
from grader.sandbox.client import WorkerClient
from grader.sanitise import clean

MARKERS = (
    "points(n): how many points the test is worth (default 1)",
    "feedback(text): a teaching sentence added when the test fails without naming a mistake",
    "exercise(id): the exercise a suite module grades, e.g. ex04",
)
DEFAULT_POINTS = 1.0
PUBLIC_SUITE = (
    "test_public.py"  # an exercise's public suite; its hidden one is hidden/test_hidden.py
)
log = logging.getLogger(__name__)
NOTE = "grader-note"  # the user_properties key of a passing test's feedback
MAX_PRINTED_CALLS = 3  # a test's feedback quotes what at most this many calls printed
JUDGING = pytest.StashKey[evidence.Judging]()  # a test's record of the results it judged
# "could not check" feedback: the grader's failure, which the learner should not take for a verdict
NOTHING_JUDGED = N_(
    "could not check: this test ended without judging any result of your code. This is not a "
    "verdict on your code: grade again, and tell your instructor if it happens again."
)
GRADER_FAILED = N_(
    "could not check: the grader failed while checking ({error}: {message}). This is not a "
    "verdict on your code: grade again, and tell your instructor if it happens again."
)
SANDBOX_FAILED = N_(
    "could not check: {reason}"
)  # the reason says that no code of the learner's ran


class Workers(Protocol):
    """The run's workers, as the plugin sees them (the runner owns their lifecycle)."""

    def client(self, exercise_id: str) -> WorkerClient: ...

    def entering(self, exercise_id: str) -> None: ...

    def leaving(self, exercise_id: str) -> None: ...

    def retrying(self, exercise_id: str) -> None: ...


@dataclass
class RunContext:
    """What the runner hands the plugin: the exercises, their workers and the seed."""

    exercises: dict[str, Exercise]
    workers: Workers | None
    seed: int
    runnable: frozenset[str] | None = (
        None  # the exercises whose tests run (None: all); the rest are collected only
    )


class Learner:
    """A test's handle on the learner's module: `learner.conv2d(x, k)` runs in the worker."""

    def __init__(self, exercise: Exercise, client: WorkerClient):
        self.exercise = exercise
        self.client = client

    def __getattr__(self, name: str) -> Any:
        if name in self.exercise.functions:
            return lambda *args, **kwargs: self._call(name, args, kwargs)
        raise AttributeError(name)

    def call_returning_args(self, name: str, *args: Any, **kwargs: Any) -> tuple[Any, list]:
        """The result of `name(*args, **kwargs)` and the arguments as they were afterwards."""
        return self._call(name, args, kwargs, return_args=True)

    def _call(self, name: str, args: tuple, kwargs: dict, return_args: bool = False) -> Any:
        return self.client.call(
            name,
            args,
            kwargs,
            description=describe_call(name, *args, **kwargs),
            return_args=return_args,
        )

    def get(self, name: str) -> Any:
        """A module-level constant of the learner's file."""
        return self.client.get(name)


def exercise_of(item: pytest.Item) -> str:
    marker = item.get_closest_marker("exercise")
    return str(marker.args[0]) if marker else ""


def points_of(item: pytest.Item) -> float:
    marker = item.get_closest_marker("points")
    return float(marker.args[0]) if marker else DEFAULT_POINTS


def visibility_of(item: pytest.Item) -> str:
    """ "public" for an exercise's test_public.py (shipped in the release), else "hidden"."""
    return "public" if Path(str(item.path)).name == PUBLIC_SUITE else "hidden"


def title_of(item: pytest.Item) -> str:
    """The test's docstring's first line (or its name), with the parameter id if any."""
    function = getattr(item, "function", None)
    doc = (getattr(function, "__doc__", None) or "").strip().splitlines()
    title = doc[0].strip().rstrip(".") if doc else getattr(item, "originalname", item.name)
    callspec = getattr(item, "callspec", None)
    return f"{title} [{callspec.id}]" if callspec is not None else title


def manifest_entry(item: pytest.Item) -> ManifestEntry:
    return ManifestEntry(
        nodeid=item.nodeid,
        exercise=exercise_of(item),
        name=title_of(item),
        points=points_of(item),
        visibility=visibility_of(item),
    )


def shown_title_of(item: pytest.Item) -> str:
    """The test's name as the report shows it: `title_of` in the run's language."""
    return translated_title(title_of(item))


class GradingPlugin:
    """Registered with `pytest.main(plugins=[...])` by the runner for one grading run."""

    def __init__(self, context: RunContext):
        self.context = context
        self.results: dict[str, TestResult] = {}
        self.collection_errors: list[str] = []
        self.manifest: list[ManifestEntry] = []  # every test collected, before any runs
        self.started: set[str] = set()

    # ---------------------------------------------------------------- configuration

    def pytest_configure(self, config: pytest.Config) -> None:
        for line in MARKERS:
            config.addinivalue_line("markers", line)

    # ---------------------------------------------------------------- fixtures

    @pytest.fixture
    def learner(self, request: pytest.FixtureRequest) -> Learner:
        exercise_id = exercise_of(request.node)
        assert self.context.workers is not None, "collection only: no learner to call"
        return Learner(
            self.context.exercises[exercise_id], self.context.workers.client(exercise_id)
        )

    @pytest.fixture
    def rng(self, request: pytest.FixtureRequest) -> np.random.Generator:
        """Random cases from the run's seed, independent of test order (replay with --seed)."""
        return np.random.default_rng([self.context.seed, zlib.crc32(request.node.nodeid.encode())])

    @pytest.fixture
    def run_seed(self) -> int:
        """The run's seed: the trusted side derives its secret choices from it (ex07's split);
        no worker ever receives it."""
        return self.context.seed

    @pytest.fixture
    def note(self, request: pytest.FixtureRequest):
        """`note(text)`: feedback for a test that passes (an accuracy, a layer table)."""
        return lambda text: request.node.user_properties.append((NOTE, str(text)))

    # ---------------------------------------------------------------- the run

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None):
        """Each test runs inside its own `Judging` (grader/evidence.py): the checks read its
        visibility and count in it the learner results they judge. A test the grader could not
        check runs once more."""
        with evidence.judging(visibility_of(item)) as record:
            item.stash[JUDGING] = record
            outcome = yield
        result = self.results.get(item.nodeid)
        if result is not None and result.unchecked:
            log.info("%s: could not check (%s); running it once more", item.nodeid, result.feedback)
            self._run_again(item, nextitem)
            again = self.results.get(item.nodeid)
            if again is not None and again.unchecked:
                log.info(
                    "%s: could not check it again; reported unchecked (status error)", item.nodeid
                )
        return outcome

    def _run_again(self, item: pytest.Item, nextitem: pytest.Item | None) -> None:
        """Run a test the grader could not check once more, as pytest-rerunfailures does: set up
        afresh (its `rng` draws the same cases again), with a fresh worker if its sandbox never
        started. The second result is the one reported."""
        from _pytest.runner import runtestprotocol

        item.user_properties[:] = [entry for entry in item.user_properties if entry[0] != NOTE]
        if self.context.workers is not None:
            self.context.workers.retrying(exercise_of(item))
        with evidence.judging(visibility_of(item)) as record:
            item.stash[JUDGING] = record
            runtestprotocol(item, nextitem=nextitem, log=False)

    def pytest_collection_modifyitems(
        self, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        """The run's manifest is what was collected, before any test runs; the tests of an
        exercise that cannot run (no file to grade) are in it, and are then deselected."""
        self.manifest = [manifest_entry(item) for item in items]
        runnable = self.context.runnable
        if runnable is not None:
            idle = [item for item in items if exercise_of(item) not in runnable]
            if idle:
                config.hook.pytest_deselected(items=idle)
                items[:] = [item for item in items if exercise_of(item) in runnable]

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collection_errors.append(f"{report.nodeid}: {report.longreprtext.strip()[-500:]}")

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        """Tell the runner when an exercise's tests begin (it starts the next worker early)."""
        exercise_id = exercise_of(item)
        if exercise_id not in self.started and self.context.workers is not None:
            self.started.add(exercise_id)
            self.context.workers.entering(exercise_id)

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_teardown(self, item: pytest.Item, nextitem: pytest.Item | None) -> None:
        """Tell the runner when an exercise's last test is over (it stops that worker)."""
        exercise_id = exercise_of(item)
        if self.context.workers is not None and (
            nextitem is None or exercise_of(nextitem) != exercise_id
        ):
            self.context.workers.leaving(exercise_id)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo
    ) -> pytest.TestReport | None:
        """A cheap report for a graded failure: its feedback, not a formatted traceback."""
        error = call.excinfo.value if call.excinfo is not None else None
        if not isinstance(error, GradingFailure) or call.when == "collect":
            return None
        return pytest.TestReport(
            nodeid=item.nodeid,
            location=item.location,
            keywords=dict.fromkeys(item.keywords, 1),
            outcome="failed",
            longrepr=error.feedback,
            when=call.when,
            duration=call.duration,
            start=call.start,
            stop=call.stop,
            user_properties=item.user_properties,
        )

    @pytest.hookimpl(wrapper=True, specname="pytest_runtest_makereport")
    def pytest_runtest_makereport_recorder(self, item: pytest.Item, call: pytest.CallInfo):
        report = yield
        if call.when == "call" or (call.when == "setup" and report.outcome != "passed"):
            self.results[item.nodeid] = self._result(item, call, report)
        return report

    def _result(
        self, item: pytest.Item, call: pytest.CallInfo, report: pytest.TestReport
    ) -> TestResult:
        result = self._outcome(item, call, report)
        learner = getattr(item, "funcargs", {}).get("learner")
        take_printed = (
            getattr(learner.client, "take_printed", None) if isinstance(learner, Learner) else None
        )
        printed = take_printed() if take_printed is not None else []
        if printed:  # print() in the learner's function: shown with that test, pass or fail
            shown = printed[:MAX_PRINTED_CALLS]
            if len(printed) > len(shown):
                more = len(printed) - len(shown)
                shown.append(_("(more calls printed, not shown: {count})").format(count=more))
            result.feedback = "\n".join(filter(None, [result.feedback, *shown]))
        return result

    def _outcome(
        self, item: pytest.Item, call: pytest.CallInfo, report: pytest.TestReport
    ) -> TestResult:
        points = points_of(item)
        common: dict[str, Any] = {
            "name": shown_title_of(item),
            "max_score": points,
            "visibility": visibility_of(item),
            "duration": call.duration,
        }
        error = call.excinfo.value if call.excinfo is not None else None
        unchecked = _unchecked_because(item, report, error)
        if unchecked:
            return TestResult(
                status=STATUS_ERROR, score=0.0, feedback=unchecked, unchecked=True, **common
            )
        if report.passed:
            notes = "\n".join(str(text) for key, text in item.user_properties if key == NOTE)
            return TestResult(status="passed", score=points, feedback=notes, **common)
        assert isinstance(error, GradingFailure)  # anything else is unchecked
        feedback = error.feedback
        teaching = item.get_closest_marker("feedback")
        # The teaching line explains what the test is about; a failure that names its
        # mistake already says why, and the line may be about another mistake.
        if (
            teaching
            and not isinstance(error, LearnerFailure)
            and not error.not_attempted
            and not error.diagnosed
        ):
            feedback += "\n" + _(teaching.args[0])
        return TestResult(
            status=error.status,
            score=0.0,
            feedback=feedback,
            not_attempted=error.not_attempted,
            **common,
        )


def _unchecked_because(
    item: pytest.Item, report: pytest.TestReport, error: BaseException | None
) -> str:
    """Why the grader could not check this test, or "" when its outcome is a verdict: a pass
    that judged some learner result, or a `GradingFailure` of the learner's code."""
    if report.passed:
        record = item.stash.get(JUDGING, None)
        return "" if record is not None and record.judged else _(NOTHING_JUDGED)
    if isinstance(error, SandboxNotStarted):  # no code of the learner's ran
        return _(SANDBOX_FAILED).format(reason=error.feedback)
    if isinstance(error, GradingFailure):
        return ""
    if error is None or report.skipped or isinstance(error, evidence.NothingChecked):
        return _(NOTHING_JUDGED)
    return _(GRADER_FAILED).format(
        error=type(error).__name__, message=clean(error, 200, single_line=True)
    )
