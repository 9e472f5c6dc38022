"""The pytest plugin of the trusted run: markers, the `learner` and `rng` fixtures, results.

Suites declare grading metadata next to each test (`@pytest.mark.points(2)`,
`@pytest.mark.feedback("...")`, module-level `pytestmark = pytest.mark.exercise("ex04")`).
The `learner` fixture hands a test a proxy whose calls run in that exercise's worker; this
plugin turns every outcome into a `TestResult` and never lets a traceback through. It starts
and stops no worker itself: it tells the run's `Workers` (grader/grading/runner.py) when an
exercise's tests begin and end.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pytest

from grader.checks import describe_call
from grader import evidence
from grader.course.catalogue import Exercise
from grader.failures import STATUS_ERROR, GradingFailure, LearnerFailure
from grader.i18n import _, translated_title
from grader.results import TestResult
from grader.sandbox.client import WorkerClient
from grader.sanitise import clean

MARKERS = (
    "points(n): how many points the test is worth (default 1)",
    "feedback(text): a teaching sentence added when the test fails without naming a mistake",
    "exercise(id): the exercise a suite module grades, e.g. ex04",
)
DEFAULT_POINTS = 1.0
NOTE = "grader-note"  # the user_properties key of a passing test's feedback
MAX_PRINTED_CALLS = 3  # a test's feedback quotes what at most this many calls printed
JUDGING = pytest.StashKey[evidence.Judging]()  # a test's record of the results it judged


class Workers(Protocol):
    """The run's workers, as the plugin sees them (the runner owns their lifecycle)."""

    def client(self, exercise_id: str) -> WorkerClient: ...

    def entering(self, exercise_id: str) -> None: ...

    def leaving(self, exercise_id: str) -> None: ...


@dataclass
class RunContext:
    """What the runner hands the plugin: the exercises, their workers and the seed."""

    exercises: dict[str, Exercise]
    workers: Workers | None
    seed: int


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
        return self.client.call(name, args, kwargs, description=describe_call(name, *args, **kwargs),
                                return_args=return_args)

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
    return "public" if Path(str(item.path)).parent.name == "public" else "hidden"


def title_of(item: pytest.Item) -> str:
    """The test's docstring's first line (or its name), with the parameter id if any."""
    function = getattr(item, "function", None)
    doc = (getattr(function, "__doc__", None) or "").strip().splitlines()
    title = doc[0].strip().rstrip(".") if doc else getattr(item, "originalname", item.name)
    callspec = getattr(item, "callspec", None)
    return f"{title} [{callspec.id}]" if callspec is not None else title


def shown_title_of(item: pytest.Item) -> str:
    """The test's name as the report shows it: `title_of` in the run's language."""
    return translated_title(title_of(item))


class GradingPlugin:
    """Registered with `pytest.main(plugins=[...])` by the runner for one grading run."""

    def __init__(self, context: RunContext):
        self.context = context
        self.results: dict[str, TestResult] = {}
        self.collection_errors: list[str] = []
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
        return Learner(self.context.exercises[exercise_id], self.context.workers.client(exercise_id))

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
        visibility and count in it the learner results they judge."""
        with evidence.judging(visibility_of(item)) as record:
            item.stash[JUDGING] = record
            return (yield)

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
        if self.context.workers is not None and (nextitem is None or exercise_of(nextitem) != exercise_id):
            self.context.workers.leaving(exercise_id)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> pytest.TestReport | None:
        """A cheap report for a graded failure: its feedback, not a formatted traceback."""
        error = call.excinfo.value if call.excinfo is not None else None
        if not isinstance(error, GradingFailure):
            return None
        return pytest.TestReport(
            nodeid=item.nodeid, location=item.location, keywords=dict.fromkeys(item.keywords, 1),
            outcome="failed", longrepr=error.feedback, when=call.when, duration=call.duration,
            start=call.start, stop=call.stop, user_properties=item.user_properties)

    @pytest.hookimpl(wrapper=True, specname="pytest_runtest_makereport")
    def pytest_runtest_makereport_recorder(self, item: pytest.Item, call: pytest.CallInfo):
        report = yield
        if call.when == "call" or (call.when == "setup" and report.outcome != "passed"):
            self.results[item.nodeid] = self._result(item, call, report)
        return report

    def _result(self, item: pytest.Item, call: pytest.CallInfo, report: pytest.TestReport) -> TestResult:
        result = self._outcome(item, call, report)
        learner = getattr(item, "funcargs", {}).get("learner")
        take_printed = getattr(learner.client, "take_printed", None) if isinstance(learner, Learner) else None
        printed = take_printed() if take_printed is not None else []
        if printed:  # print() in the learner's function: shown with that test, pass or fail
            shown = printed[:MAX_PRINTED_CALLS]
            if len(printed) > len(shown):
                more = len(printed) - len(shown)
                shown.append(_("(more calls printed, not shown: {count})").format(count=more))
            result.feedback = "\n".join(filter(None, [result.feedback, *shown]))
        return result

    def _outcome(self, item: pytest.Item, call: pytest.CallInfo, report: pytest.TestReport) -> TestResult:
        points = points_of(item)
        common = {"name": shown_title_of(item), "max_score": points, "visibility": visibility_of(item),
                  "duration": call.duration}
        if report.passed:
            notes = "\n".join(text for key, text in item.user_properties if key == NOTE)
            return TestResult(status="passed", score=points, feedback=notes, **common)
        error = call.excinfo.value if call.excinfo is not None else None
        status, feedback, not_attempted = "failed", "", False
        if isinstance(error, GradingFailure):
            status, feedback, not_attempted = error.status, error.feedback, error.not_attempted
            teaching = item.get_closest_marker("feedback")
            # The teaching line explains what the test is about; a failure that names its
            # mistake already says why, and the line may be about another mistake.
            if (teaching and not isinstance(error, LearnerFailure) and not error.not_attempted
                    and not error.diagnosed):
                feedback += "\n" + _(teaching.args[0])
        elif isinstance(error, AssertionError):
            feedback = str(error) or _("the check failed")
        elif report.skipped:
            feedback = _("this test did not run")
        else:
            status = STATUS_ERROR
            feedback = _("the grader could not check this result ({error}: {message})").format(
                error=type(error).__name__, message=clean(error, 200))
        return TestResult(status=status, score=0.0, feedback=feedback, not_attempted=not_attempted,
                          **common)
