"""The release scan's grading: a candidate graded by the course's suites as the function it stands for.

The candidates standing for an exercise's functions (grader/instructor/scan.py) share one worker,
jailed as in grading, whose exercise file is a stand-in: each exercise function answers as the
chosen candidate (the release's function, or a data file replayed as a table), loaded from a copy
of the release beside it, and every other function is "not implemented". The course's public
and hidden suites then grade each candidate in turn, in this process, as they grade a learner
(the same plugin, the same checks, answers coming back as data); any point one earns is a
finding. Each call has the exercise's own time limit; the worker has the time and restarts of
all its candidates together, and when one wears it out, the rest go on in a new worker (the
one that did, alone). ex01-ex06 still may not use TensorFlow, Keras or SciPy's filters.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

from grader.course.catalogue import EXERCISES_DIR, Catalogue, Exercise
from grader.errors import GraderFailure
from grader.failures import LearnerTimeout
from grader.grading.session import clean_pytest_environment, new_seed, pytest_arguments
from grader.instructor.scan import Candidate, ScanResult, jailed_worker
from grader.results import TestResult
from grader.sandbox.client import WorkerClient
from grader.sandbox.isolation import IsolationSource
from grader.sandbox.policy import FORBIDDEN_MODULES

IMPORT_SECONDS = 60.0  # a stand-in imports release modules (the grader's, Click, PyYAML) first
PRELOADED = ["keras"]  # ex07's workers import Keras before the go, as in grading
CHOICE_FILE = "_scan_choice"  # in the stand-in's folder: which candidate answers now


def stand_in(exercise: Exercise, candidates: list[Candidate]) -> bytes:
    """The exercise file whose functions answer as the chosen candidate (grader/sandbox/
    jail/instructor/scan_loader.py: `stand_ins`)."""
    rows = [(candidate.where, candidate.name, candidate.stands_for) for candidate in candidates]
    return (
        f'"""The release scan\'s stand-ins for {exercise.id}: one candidate at a time."""\n\n'
        "import os\nimport sys\n\n"
        "HERE = os.path.dirname(os.path.abspath(__file__))\n"
        "sys.path.insert(0, HERE)\n"
        "import scan_loader  # noqa: E402\n\n"
        f"scan_loader.stand_ins(globals(), {rows!r}, {list(exercise.functions)!r}, "
        f"os.path.join(HERE, {CHOICE_FILE!r}))\n"
    ).encode()


def grade_candidates(
    release: Path,
    candidates: list[Candidate],
    catalogue: Catalogue,
    isolation: IsolationSource,
    scratch: Path,
    result: ScanResult,
) -> None:
    """Grade every candidate; record in `result` what each earned, or why it was not tried."""
    owners = {
        function: exercise for exercise in catalogue.exercises for function in exercise.functions
    }
    result.seed = new_seed() if result.seed is None else result.seed
    for exercise in catalogue.exercises:
        mine = [
            candidate for candidate in candidates if owners.get(candidate.stands_for) is exercise
        ]
        pending = list(mine)
        while (
            pending
        ):  # one worker serves them in turn; one that wears it out first is graded alone
            worn = _grade_in_turn(release, exercise, pending, isolation, scratch, result)
            if worn == 0 and len(pending) > 1:
                _grade_in_turn(release, exercise, pending[:1], isolation, scratch, result)
                worn = 1
            pending = pending[worn:] if worn is not None and len(pending) > 1 else []
        result.graded += [str(candidate) for candidate in mine]


def _grade_in_turn(
    release: Path,
    exercise: Exercise,
    candidates: list[Candidate],
    isolation: IsolationSource,
    scratch: Path,
    result: ScanResult,
) -> int | None:
    """Grade `candidates` one after another in one worker with the budget of all of them; the
    index of the one during which the worker wore out (None: all were graded). A candidate
    alone that wears its worker out could not be graded: `result.untried` says so."""
    count = len(candidates)
    assert result.seed is not None  # drawn before any candidate is graded
    seed = result.seed
    limits = dataclasses.replace(
        exercise.limits,
        import_timeout=max(exercise.limits.import_timeout, IMPORT_SECONDS),
        time_limit=exercise.limits.time_limit * count,
        max_restarts=exercise.limits.max_restarts * count,
    )
    jailed = dataclasses.replace(exercise, limits=limits, tensorflow=True)  # site-packages in view
    client = jailed_worker(
        jailed,
        stand_in(exercise, candidates),
        release,
        isolation,
        scratch,
        forbidden=[] if exercise.tensorflow else list(FORBIDDEN_MODULES),
        preload=PRELOADED if exercise.tensorflow else [],
    )
    choice = Path(client.spec.config["module_dir"]) / CHOICE_FILE
    try:
        for index, candidate in enumerate(candidates):
            choice.write_text(str(index), encoding="ascii")
            results = _run_suites(jailed, client, seed)
            if _worn_out(client):
                if count == 1:
                    result.untried.append(f"{candidate}: {_why_worn_out(client)}")
                return index
            earned = [test for test in results if test.score > 0]
            if earned:
                names = "; ".join(test.name for test in earned[:3])
                result.findings.append(
                    f"{candidate} earns {sum(test.score for test in earned):g} of "
                    f"{exercise.id}'s points ({names}; seed {result.seed})"
                )
    finally:
        client.close()
    return None


def _worn_out(client: WorkerClient) -> bool:
    """The worker can no longer grade fairly: it gave up, its time is gone, or it never loaded."""
    deadline = client.exercise_deadline
    return (
        client.gave_up is not None
        or client.load_failure is not None
        or (deadline is not None and time.monotonic() >= deadline)
    )


def _why_worn_out(client: WorkerClient) -> str:
    failure = client.load_failure
    if failure is not None and not isinstance(failure, LearnerTimeout):
        return "it could not be loaded"
    text = client.gave_up or (failure.feedback if failure is not None else "its time ran out")
    return f"it could not be graded ({text.splitlines()[0][:200]})"


class _OneWorker:
    """The run's workers, as the grading plugin sees them: the stand-ins' one, kept between runs."""

    def __init__(self, client: WorkerClient):
        self._client = client

    def client(self, exercise_id: str) -> WorkerClient:
        return self._client

    def entering(self, exercise_id: str) -> None:
        self._client.start()

    def leaving(self, exercise_id: str) -> None:
        pass

    def retrying(self, exercise_id: str) -> None:
        pass  # a test run again keeps the one worker the stand-ins share


def _run_suites(exercise: Exercise, client: WorkerClient, seed: int) -> list[TestResult]:
    import pytest

    from grader.grading.plugin import GradingPlugin, RunContext

    plugin = GradingPlugin(
        RunContext(exercises={exercise.id: exercise}, workers=_OneWorker(client), seed=seed)
    )
    with clean_pytest_environment():
        pytest.main(
            pytest_arguments(exercise.suite_files(EXERCISES_DIR), EXERCISES_DIR), plugins=[plugin]
        )
    if plugin.collection_errors:
        raise GraderFailure(
            "a grading suite failed to load: " + "; ".join(plugin.collection_errors)
        )
    return list(plugin.results.values())
