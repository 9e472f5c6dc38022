"""Red team: a learner cannot turn a 0 into "could not check", nor earn a pass on none.

"Could not check" (the grader's failure, exit 3) would hide a learner's 0 and make every batch
rerun regrade them; a pass that judged nothing would hand out points. Learner files whose every
function returns something odd (a different odd thing at each call: None, NaN, a complex array,
a 10**400, a dict, a ragged list, a generator, an empty array, a datetime array, a tuple with
a string...) are graded for ex01-ex06, ex08 and ex09: every test is a verdict on them (failed
or error with feedback), none is unchecked, and `grade` exits 1, never 3.
"""

from __future__ import annotations

import pytest

from grader.course.catalogue import load_catalogue

ODD_VALUES = """
import itertools
import numpy as np

def _gen():
    yield 1

_ODD = [None, True, "text", b"bytes", float("nan"), float("inf"), 10 ** 400, -0.0, [], (), {}, {"a": 1},
        [[1, 2], [3]], np.array("x"), np.array([1 + 2j]), np.zeros((0,)), np.zeros((2, 0, 3)),
        np.array([np.nan]), np.array(5), np.ones((3, 3), dtype=bool), np.ones((2, 3), dtype=np.float16),
        np.array(["2024-01-01"], dtype="datetime64[D]"), (np.ones(2), np.ones(2), "x"), [np.ones((2, 2))] * 3,
        np.int64(7), np.float32(3.5), 2 ** 63, -1, (1, 2, 3, 4, 5), np.full((4, 4, 4, 4), 1e300), _gen()]
_values = itertools.cycle(range(len(_ODD)))


def _odd(*args, **kwargs):
    value = _ODD[next(_values)]
    return _gen() if hasattr(value, "__next__") else value
"""
EXERCISES = ("ex01", "ex02", "ex03", "ex04", "ex05", "ex06", "ex08", "ex09")


@pytest.fixture
def odd_submission(tmp_path):
    folder = tmp_path / "odd"
    folder.mkdir()
    for exercise in load_catalogue().exercises:
        if exercise.id not in EXERCISES:
            continue
        lines = [ODD_VALUES, *(f"{name} = _odd" for name in exercise.functions)]
        if exercise.id == "ex02":
            lines += ["SOBEL_X = [[1, 2], [3]]", "SOBEL_Y = np.array([1 + 2j])"]
        (folder / exercise.file).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("seed", ["1", "2"])
def test_odd_returns_are_verdicts_never_could_not_check(grade, odd_submission, seed):
    run = grade(*EXERCISES, "--submission", odd_submission, "--seed", seed, "--format", "json")
    assert run.exit_code == 1, run.stderr
    report = run.json()
    assert "unchecked" not in report and report["score"] == 0  # no odd value is a right answer
    for item in report["exercises"]:
        for test in item["tests"]:
            assert test["status"] in ("failed", "error"), (item["id"], test)
            assert test["feedback"] and not test["feedback"].startswith("could not check"), (
                item["id"],
                test,
            )


CRASHES = """import os


def filter_response(patch, kernel):
    os._exit(1)
"""


def test_a_restart_cut_short_by_the_exercise_time_limit_is_the_learners_timeout(
    tmp_path, monkeypatch
):
    """A learner who crashes the worker just before the exercise's time limit (or an honest one
    killed by a limit then) leaves the next worker too little time to start. That is the
    learner's time used up ("timeout", a verdict), never "could not check": the sandbox did not
    fail, and a "could not check" made `grade` exit 3 and gave the exercise a fresh time limit."""
    import time
    import types

    import numpy as np

    from grader.failures import LearnerTimeout, SandboxNotStarted, WorkerCrashed
    from grader.sandbox import client as client_module
    from grader.sandbox.client import WorkerClient
    from grader.sandbox.isolation import Isolation, strongest_mode
    from grader.sandbox.launch import make_scratch, prepare

    exercise = load_catalogue().item("ex01")
    client = WorkerClient(
        prepare(exercise, CRASHES.encode(), make_scratch(str(tmp_path / "grade-"))),
        exercise,
        Isolation(strongest_mode()),
    )
    arguments = (np.ones((1, 1)), np.ones((1, 1)))
    try:
        with pytest.raises(WorkerCrashed):
            client.call("filter_response", arguments, {}, description="filter_response")
        # The exercise's time runs out while the next worker starts, before any learner code of
        # it ran: the clock the client reads is set back, so its limit is not yet over when the
        # call begins, but is over by the time the worker could answer.
        client.exercise_deadline = time.monotonic() - 1
        real = time.monotonic
        monkeypatch.setattr(
            client_module, "time", types.SimpleNamespace(monotonic=lambda: real() - 5)
        )
        with pytest.raises(LearnerTimeout) as raised:
            client.call("filter_response", arguments, {}, description="filter_response")
        assert not isinstance(raised.value, SandboxNotStarted)
        assert "time limit" in raised.value.feedback
    finally:
        client.close()
