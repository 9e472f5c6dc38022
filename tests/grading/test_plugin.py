"""The grading pytest plugin, tested as pytest plugins are: with `pytester`.

Each test writes a small suite, runs it in-process with the plugin and a fake set of workers,
and reads the plugin's results: points from markers, feedback from failures, notes on passes,
and the start and end of each exercise reported to the workers' owner in order. The tests of
"could not check" (a pass on no evidence, a grader error, a sandbox that never started) are in
test_evidence.py.
"""

from __future__ import annotations

import pytest

from grader.course.catalogue import load_catalogue
from grader.grading.plugin import GradingPlugin, RunContext

pytest_plugins = ["pytester"]

SUITE = '''
import pytest
from grader import evidence
from grader.failures import GradingFailure, NamedMistake, NotAttempted

pytestmark = pytest.mark.exercise("ex01")


@pytest.mark.points(2)
def test_passes(learner, note):
    """adds up"""
    if learner.filter_response([1], [2]) != "filter_response([1], [2])":
        raise GradingFailure("not what the fake worker answers")
    evidence.judged()
    note("well done")


@pytest.mark.points(1.5)
@pytest.mark.feedback("Multiply, then sum.")
def test_graded_failure(learner):
    """a graded failure"""
    raise GradingFailure("expected 6600, got 0")


@pytest.mark.feedback("Multiply, then sum.")
def test_named_mistake(learner):
    """a named mistake"""
    raise NamedMistake("you averaged the products")


def test_not_attempted(learner):
    raise NotAttempted("not attempted: the stub")


def test_plain_assertion():
    assert 1 == 2, "one is not two"


def test_grader_bug():
    {}["missing"]


@pytest.mark.parametrize("case", [1, 2])
def test_random(rng, case):
    """draws from the run's seed"""
    if not 0 <= rng.random() < 1:
        raise GradingFailure("out of range")
    evidence.judged()
'''


class FakeClient:
    """Answers every call with its description, and counts the calls in `calls`."""

    def __init__(self, calls):
        self.calls = calls

    def call(self, name, args, kwargs, *, description, return_args=False):
        self.calls.append(description)
        return description


class FakeWorkers:
    """Records what the plugin tells the workers' owner, and the learner calls made."""

    def __init__(self):
        self.events = []
        self.calls = []

    def client(self, exercise_id):
        return FakeClient(self.calls)

    def entering(self, exercise_id):
        self.events.append(("entering", exercise_id))

    def leaving(self, exercise_id):
        self.events.append(("leaving", exercise_id))

    def retrying(self, exercise_id):
        self.events.append(("retrying", exercise_id))


def run_suite(pytester, source: str, seed: int = 7):
    """The plugin's results of a suite (by test name) and the fake workers it talked to."""
    path = pytester.makepyfile(test_suite=source)
    workers = FakeWorkers()
    exercise = load_catalogue().item("ex01")
    plugin = GradingPlugin(RunContext(exercises={"ex01": exercise}, workers=workers, seed=seed))
    pytester.inline_run(str(path), "-p", "no:cacheprovider", "--assert=plain", plugins=[plugin])
    return {result.name: result for result in plugin.results.values()}, workers


@pytest.fixture
def graded(pytester):
    return lambda source=SUITE: run_suite(pytester, source)


def test_markers_are_registered(pytester):
    plugin = GradingPlugin(RunContext(exercises={}, workers=None, seed=0))
    result = pytester.runpytest("--markers", plugins=[plugin])
    result.stdout.fnmatch_lines(["*points(n)*", "*feedback(text)*", "*exercise(id)*"])


def test_points_come_from_markers_and_passes_carry_notes(graded):
    results, _workers = graded()
    passed = results["adds up"]
    assert (passed.status, passed.score, passed.max_score) == ("passed", 2.0, 2.0)
    assert passed.feedback == "well done"


def test_a_graded_failure_carries_its_feedback_and_the_teaching_line(graded):
    results, _workers = graded()
    failed = results["a graded failure"]
    assert (failed.status, failed.score, failed.max_score) == ("failed", 0.0, 1.5)
    assert failed.feedback == "expected 6600, got 0\nMultiply, then sum."


def test_a_named_mistake_leaves_out_the_teaching_line(graded):
    """The failure already says what went wrong; the test's general line may be about another
    mistake, so it is not added."""
    results, _workers = graded()
    named = results["a named mistake"]
    assert named.status == "failed" and named.feedback == "you averaged the products"


def test_not_attempted_and_plain_assertions_and_grader_bugs(graded):
    """A stub is the learner's (not attempted); a bare assertion or a KeyError in a suite is the
    grader's own failure: "could not check", never the learner's 0."""
    results, _workers = graded()
    stub = results["test_not_attempted"]
    assert stub.not_attempted and not stub.unchecked and "Multiply" not in stub.feedback
    for name, error in (
        ("test_plain_assertion", "AssertionError: one is not two"),
        ("test_grader_bug", "KeyError"),
    ):
        bug = results[name]
        assert (bug.status, bug.score, bug.unchecked) == ("error", 0.0, True)
        assert bug.feedback.startswith(
            "could not check: the grader failed while checking (" + error
        )
        assert "not a verdict on your code" in bug.feedback and "Traceback" not in bug.feedback


def test_parametrized_names_and_seeded_randomness(graded):
    results, _workers = graded()
    assert {"draws from the run's seed [1]", "draws from the run's seed [2]"} <= set(results)
    assert all(results[f"draws from the run's seed [{case}]"].status == "passed" for case in (1, 2))


def test_the_plugin_reports_each_exercise_start_and_end_once(graded):
    _results, workers = graded()
    assert [event for event in workers.events if event[0] != "retrying"] == [
        ("entering", "ex01"),
        ("leaving", "ex01"),
    ]
