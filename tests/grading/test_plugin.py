"""The grading pytest plugin, tested as pytest plugins are: with `pytester`.

Each test writes a small suite, runs it in-process with the plugin and a fake set of workers,
and reads the plugin's results: points from markers, feedback from failures, notes on passes,
and the start and end of each exercise reported to the workers' owner in order.
"""

from __future__ import annotations

import pytest

from grader.course.catalogue import load_catalogue
from grader.grading.plugin import GradingPlugin, RunContext

pytest_plugins = ["pytester"]

SUITE = '''
import pytest
from grader.failures import GradingFailure, NamedMistake, NotAttempted

pytestmark = pytest.mark.exercise("ex01")


@pytest.mark.points(2)
def test_passes(learner, note):
    """adds up"""
    assert learner.filter_response([1], [2]) == "filter_response([1], [2])"
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
    assert 0 <= rng.random() < 1
'''


class FakeClient:
    def call(self, name, args, kwargs, *, description, return_args=False):
        return description


class FakeWorkers:
    """Records what the plugin tells the workers' owner."""

    def __init__(self):
        self.events = []

    def client(self, exercise_id):
        return FakeClient()

    def entering(self, exercise_id):
        self.events.append(("entering", exercise_id))

    def leaving(self, exercise_id):
        self.events.append(("leaving", exercise_id))


@pytest.fixture
def graded(pytester):
    def run(source: str = SUITE):
        path = pytester.makepyfile(test_suite=source)
        workers = FakeWorkers()
        exercise = load_catalogue().item("ex01")
        plugin = GradingPlugin(RunContext(exercises={"ex01": exercise}, workers=workers, seed=7))
        pytester.inline_run(str(path), "-p", "no:cacheprovider", "--assert=plain", plugins=[plugin])
        return {result.name: result for result in plugin.results.values()}, workers
    return run


def test_markers_are_registered(pytester):
    plugin = GradingPlugin(RunContext(exercises={}, workers=None, seed=0))
    result = pytester.runpytest("--markers", plugins=[plugin])
    result.stdout.fnmatch_lines(["*points(n)*", "*feedback(text)*", "*exercise(id)*"])


def test_points_come_from_markers_and_passes_carry_notes(graded):
    results, _ = graded()
    passed = results["adds up"]
    assert (passed.status, passed.score, passed.max_score) == ("passed", 2.0, 2.0)
    assert passed.feedback == "well done"


def test_a_graded_failure_carries_its_feedback_and_the_teaching_line(graded):
    results, _ = graded()
    failed = results["a graded failure"]
    assert (failed.status, failed.score, failed.max_score) == ("failed", 0.0, 1.5)
    assert failed.feedback == "expected 6600, got 0\nMultiply, then sum."


def test_a_named_mistake_leaves_out_the_teaching_line(graded):
    """The failure already says what went wrong; the test's general line may be about another
    mistake, so it is not added."""
    results, _ = graded()
    named = results["a named mistake"]
    assert named.status == "failed" and named.feedback == "you averaged the products"


def test_not_attempted_and_plain_assertions_and_grader_bugs(graded):
    results, _ = graded()
    stub = results["test_not_attempted"]
    assert stub.not_attempted and "Multiply" not in stub.feedback
    assert results["test_plain_assertion"].feedback.startswith("one is not two")
    bug = results["test_grader_bug"]
    assert bug.status == "error" and "could not check this result (KeyError" in bug.feedback
    assert "Traceback" not in bug.feedback


def test_parametrized_names_and_seeded_randomness(graded):
    results, _ = graded()
    assert {"draws from the run's seed [1]", "draws from the run's seed [2]"} <= set(results)
    assert all(results[f"draws from the run's seed [{case}]"].status == "passed" for case in (1, 2))


def test_the_plugin_reports_each_exercise_start_and_end_once(graded):
    _, workers = graded()
    assert workers.events == [("entering", "ex01"), ("leaving", "ex01")]
