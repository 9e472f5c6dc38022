"""No point without evidence: a test the grader could not check is retried once, then reported.

docs/design.md#a-grade-is-evidence. The plugin's rule is tested with `pytester` suites and
fake workers: a pass that judged no learner result, an error of the grader's own and a sandbox
that never started are "could not check" (status "error", no points, `unchecked`), run once
more from a fresh setup, and never the learner's 0 or a pass; a learner's own failures stay
theirs, with no second run. Then end to end through `grade`: a generated-case test whose budget
is spent before its first case, a grader error inside a check helper and a sandbox that fails
to start, each next to an honest exercise whose result is untouched; `grade` writes its report,
names the tests, and exits 3.
"""

from __future__ import annotations

import json

import pytest

from grader import evidence
from grader.exercises.hidden import examples, properties
from grader.grading.manifest import collect_manifest
from grader.sandbox import client as client_module
from tests.conftest import SOLUTIONS, STUBS
from tests.grading.test_plugin import run_suite

pytest_plugins = ["pytester"]

EVIDENCE_SUITE = '''
import pytest
from grader import evidence
from grader.checks import check_number
from grader.failures import (GradingFailure, LearnerRaised, LearnerTimeout, NotAttempted, SandboxNotStarted,
                             WorkerCrashed)

pytestmark = pytest.mark.exercise("ex01")
DRAWN = []  # what each run of test_flaky_grader drew from its rng


def test_judges_nothing(learner):
    """judges nothing"""
    learner.filter_response([1], [2])  # a result comes back, and nobody looks at it


def test_flaky_grader(learner, rng, note):
    """a grader error the first time only"""
    DRAWN.append(rng.random())
    note(f"run {len(DRAWN)}")
    got = learner.filter_response([1], [round(DRAWN[-1], 9)])  # the fake worker records the call
    check_number(float(len(got) > 0), 1.0, call="filter_response")
    if len(DRAWN) == 1:
        raise RuntimeError("the grader tripped")


def test_broken_check(learner):
    """a check helper that fails itself"""
    check_number(3.0, "six", call="filter_response([1], [2])")


def test_sandbox(learner):
    """a sandbox that never started"""
    learner.filter_response([1], [2])
    raise SandboxNotStarted("the sandbox could not start ex01_convolution.py (it did not start in time); "
                            "no code of yours ran, and this is not a verdict on it: tell your instructor")


def test_nothing_checked(learner):
    """a helper that checked no case"""
    learner.filter_response([1], [2])
    evidence.judged()  # a fixed case judged first does not make up for the generated ones
    raise evidence.NothingChecked("ex01.convolve2d: no generated case was checked")


def test_skipped(learner):
    """a skipped test"""
    learner.filter_response([1], [2])
    pytest.skip("not today")


@pytest.mark.parametrize("failure", [GradingFailure("expected 6600, got 0"), NotAttempted("not attempted: stub"),
                                     LearnerTimeout("did not return within 5 s"), WorkerCrashed("segfault"),
                                     LearnerRaised("raised ZeroDivisionError", "ZeroDivisionError", "")],
                         ids=["wrong", "stub", "timeout", "crash", "raised"])
def test_learner_failure(learner, failure):
    """a learner failure"""
    learner.filter_response([1], [2])
    raise failure


@pytest.fixture
def model(learner):
    evidence.judged()  # judged in setup, as ex07's model fixture does
    return learner.filter_response([1], [2])


def test_judged_in_setup(model):
    """judged by its fixture"""
'''


@pytest.fixture
def evidence_run(pytester):
    return run_suite(pytester, EVIDENCE_SUITE)


def test_a_pass_that_judged_nothing_is_not_a_pass(evidence_run):
    results, workers = evidence_run
    result = results["judges nothing"]
    assert (result.status, result.score, result.unchecked) == ("error", 0.0, True)
    assert result.feedback.startswith(
        "could not check: this test ended without judging any result of your code"
    )
    assert (
        "not a verdict on your code" in result.feedback
        and "tell your instructor" in result.feedback
    )


def test_could_not_check_is_retried_exactly_once(evidence_run):
    results, workers = evidence_run
    retried = [event for event in workers.events if event[0] == "retrying"]
    unchecked = [name for name, result in results.items() if result.unchecked]
    assert set(unchecked) == {
        "judges nothing",
        "a check helper that fails itself",
        "a sandbox that never started",
        "a helper that checked no case",
        "a skipped test",
    }
    # every test that could not be checked ran twice (one retry each), and only those
    assert len(retried) == len(unchecked) + 1  # + the flaky test, which passed on its retry
    simple = [call for call in workers.calls if call == "filter_response([1], [2])"]
    calling_unchecked = len(unchecked) - 1  # the broken check calls nothing
    learner_failures, judged_in_setup = 5, 1  # run once each
    assert len(simple) == 2 * calling_unchecked + learner_failures + judged_in_setup


def test_the_retry_sets_up_afresh_and_its_result_stands(evidence_run):
    """The second run of a test draws the same cases (a fresh `rng` from the seed) and keeps
    only its own notes; its pass, on evidence, is the result."""
    results, workers = evidence_run
    flaky = results["a grader error the first time only"]
    assert (flaky.status, flaky.score, flaky.unchecked) == ("passed", 1.0, False)
    assert flaky.feedback == "run 2"
    drawn = [call for call in workers.calls if call != "filter_response([1], [2])"]
    assert len(drawn) == 2 and drawn[0] == drawn[1]  # the same draw from a fresh rng


def test_a_grader_error_inside_a_check_is_could_not_check(evidence_run):
    results, _workers = evidence_run
    broken = results["a check helper that fails itself"]
    assert (broken.status, broken.score, broken.unchecked) == ("error", 0.0, True)
    assert broken.feedback.startswith("could not check: the grader failed while checking (")


def test_a_sandbox_that_never_started_is_the_graders_failure(evidence_run):
    results, _workers = evidence_run
    sandbox = results["a sandbox that never started"]
    assert (sandbox.status, sandbox.unchecked) == ("error", True)
    assert sandbox.feedback.startswith(
        "could not check: the sandbox could not start ex01_convolution.py"
    )


def test_a_helper_that_checked_no_case_or_a_skip_is_not_a_pass(evidence_run):
    results, _workers = evidence_run
    for name in ("a helper that checked no case", "a skipped test"):
        assert results[name].unchecked and results[name].status == "error", name


def test_the_learners_own_failures_stay_theirs_and_run_once(evidence_run):
    results, _workers = evidence_run
    expected = {
        "wrong": "failed",
        "stub": "failed",
        "timeout": "timeout",
        "crash": "error",
        "raised": "failed",
    }
    for case, status in expected.items():
        result = results[f"a learner failure [{case}]"]
        assert (result.status, result.score, result.unchecked) == (status, 0.0, False), case
        assert not result.feedback.startswith("could not check")
    assert results["a learner failure [stub]"].not_attempted


def test_a_result_judged_in_setup_counts(evidence_run):
    results, _workers = evidence_run
    assert results["judged by its fixture"].status == "passed"


def test_judging_is_counted_only_inside_a_test():
    """Outside a grading test (a unit test, the pictures), `judged()` records nothing."""
    evidence.judged()
    assert evidence.current() is None
    with evidence.judging("public") as record:
        evidence.judged(2)
        assert record.judged == 2 and not evidence.hidden()
    assert evidence.current() is None and evidence.hidden()


# ------------------------------------------------------------------ end to end, through `grade`


def report_of(path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_a_property_whose_budget_is_spent_before_its_first_case_never_passes(
    grade, monkeypatch, tmp_path
):
    """An untouched ex02 stub and the ex02 solution, with no call left for the generated cases:
    the test is "could not check" on both (never a pass, never a 0 of the learner's), run twice,
    and the report is written; ex01 (no hypothesis) in the same run keeps its honest result."""
    monkeypatch.setattr(properties, "CALL_BUDGET", 0)
    runs = []
    original = properties.run_property
    monkeypatch.setattr(
        properties,
        "run_property",
        lambda *args, **kwargs: (runs.append(kwargs["name"]), original(*args, **kwargs))[1],
    )
    import grader.exercises.ex02.hidden.test_hidden as suite

    monkeypatch.setattr(suite, "run_property", properties.run_property)
    for folder, ex01_score in ((STUBS, 0), (SOLUTIONS, 10)):
        output = tmp_path / f"{folder.name}.json"
        runs.clear()
        run = grade(
            "ex02",
            "ex01",
            "--submission",
            folder,
            "--seed",
            "3",
            "--format",
            "json",
            "--output",
            output,
        )
        assert run.exit_code == 3, run.stderr
        assert "could not check: 1" in run.stderr
        report = report_of(output)
        generated = (
            "ex02: sobel_edges: generated images of several sizes and dtypes against the reference"
        )
        assert report["unchecked"] == [generated]
        ex02 = next(item for item in report["exercises"] if item["id"] == "ex02")
        test = next(test for test in ex02["tests"] if generated.endswith(test["name"]))
        assert (test["status"], test["score"]) == ("error", 0)
        assert test["feedback"].startswith("could not check")
        assert runs == ["ex02.sobel_edges", "ex02.sobel_edges"]  # the first run and one retry
        assert (
            next(item for item in report["exercises"] if item["id"] == "ex01")["score"]
            == ex01_score
        )


def test_ex01s_generated_cases_with_no_case_left_are_not_a_pass(grade, monkeypatch, tmp_path):
    monkeypatch.setattr(examples, "CONVOLVE_CASES", 0)
    run = grade("ex01", "--submission", SOLUTIONS, "--seed", "3", "--format", "json")
    assert run.exit_code == 3
    report = run.json()
    [unchecked] = report["unchecked"]
    generated = next(
        test for test in report["exercises"][0]["tests"] if unchecked == f"ex01: {test['name']}"
    )
    assert generated["status"] == "error" and "convolve2d" in generated["name"]
    assert report["score"] == 10 - generated["max_score"]  # every other ex01 test, on its evidence


def test_a_grader_error_inside_a_check_leaves_other_exercises_intact(grade, monkeypatch):
    """A bug in check_array (ex01 and ex02's helper) is could-not-check for their tests, with
    exit 3 even under --fail-under; ex06, judged by check_exact, keeps full marks."""
    import grader.checks as checks

    def broken(got, expected):
        raise RuntimeError("a bug in the grader")

    monkeypatch.setattr(checks, "close_enough", broken)
    run = grade(
        "ex02",
        "ex06",
        "--submission",
        SOLUTIONS,
        "--seed",
        "3",
        "--format",
        "json",
        "--fail-under",
        "0",
    )
    assert run.exit_code == 3
    report = run.json()
    ex02, ex06 = report["exercises"]
    assert ex06["score"] == ex06["max_score"] == 15 and "unchecked" in report
    broken_tests = [test for test in ex02["tests"] if test["status"] == "error"]
    assert broken_tests and all(
        "RuntimeError: a bug in the grader" in test["feedback"] for test in broken_tests
    )
    assert len(report["unchecked"]) == len(broken_tests)


def test_a_sandbox_that_fails_to_start_once_is_retried_with_a_fresh_worker(grade, monkeypatch):
    """The first start of ex01's worker fails before any learner code ran: the test runs again
    with a fresh worker and earns its points; nothing says "could not check"."""
    original, failed = client_module.WorkerProcess, []

    def failing_once(spec, isolation):
        if spec.folder.name.startswith("ex01-") and not failed:
            failed.append(spec)
            raise OSError("no more namespaces")
        return original(spec, isolation)

    monkeypatch.setattr(client_module, "WorkerProcess", failing_once)
    run = grade("ex01", "ex06", "--submission", SOLUTIONS, "--seed", "3", "--format", "json")
    assert failed and run.exit_code == 0, run.stdout[-2000:]
    assert "unchecked" not in run.json()


def test_a_sandbox_that_never_starts_is_could_not_check_not_a_zero(grade, monkeypatch, tmp_path):
    """ex01's worker never starts: each ex01 test is "could not check" (one fresh worker tried,
    once), the text report says which and why, and ex06 keeps its marks."""
    original, starts = client_module.WorkerProcess, []

    def never(spec, isolation):
        if spec.folder.name.startswith("ex01-"):
            starts.append(spec)
            raise OSError("no more namespaces")
        return original(spec, isolation)

    monkeypatch.setattr(client_module, "WorkerProcess", never)
    output = tmp_path / "report.txt"
    run = grade("ex01", "ex06", "--submission", SOLUTIONS, "--seed", "3", "--output", output)
    assert run.exit_code == 3
    assert len(starts) == 2  # the first worker and one fresh one, not one per test
    text = " ".join(output.read_text(encoding="utf-8").split())  # as one line, unwrapped
    ex01_tests = sum(entry.exercise == "ex01" for entry in collect_manifest())
    assert f"Tests the grader could not check: {ex01_tests}." in text
    assert "could not check: the sandbox could not start ex01_convolution.py" in text
    assert "ex06 15 / 15 passed" in text
