"""One grading run: stage the submission, run the workers, run the trusted suites, build a Report.

The runner copies only the files the catalogue expects from a submission (read without
following links) into fresh worker folders, starts the first worker before pytest is even
imported (its imports overlap the grader's start-up and the sandbox probe; it loads the
learner's file once the probe has decided and the worker's sandbox matches), runs pytest in this process
over trusted suites only, and scores every exercise from the manifest that run collected before
any test ran (grader/grading/manifest.py). `Workers` is the
one owner of the workers' lifecycle: it starts them, starts the next one early, and stops each
when its tests are done. Quizzes are graded from their answers files, as data.
"""

from __future__ import annotations

import logging
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path

from grader.course.catalogue import EXERCISES_DIR, Catalogue, Exercise, Quiz
from grader.errors import GraderFailure
from grader.failures import (
    GradingFailure,
    MissingLibrary,
    SandboxNotStarted,
)
from grader.grading.manifest import ManifestEntry, by_exercise, points_problem
from grader.grading.session import clean_pytest_environment, new_seed, pytest_arguments
from grader.grading.sources import learner_source
from grader.i18n import N_, _, current_language, language, translated_title
from grader.results import ExerciseResult, Report, TestResult
from grader.sandbox.client import WorkerClient
from grader.sandbox.isolation import IsolationSource
from grader.sandbox.launch import make_scratch, prepare
from grader.sandbox.policy import TENSORFLOW_ENVIRONMENT
from grader.submission import Submission

log = logging.getLogger(__name__)
TRAINER_MODULE = "grader.model.trainer"  # ex07's trusted trainer (grader/model/judge.py starts it)
NO_TENSORFLOW = N_(
    "{exercise} needs TensorFlow, which is not installed here. Install it with "
    '`python -m pip install -e ".[keras]"` (about 2 GB), then grade {exercise} again.'
)


def grade(
    catalogue: Catalogue,
    item_ids: list[str],
    *,
    submission: Path,
    isolation: IsolationSource,
    seed: int | None = None,
    lang: str | None = None,
    exercises_dir: Path = EXERCISES_DIR,
) -> Report:
    """Grade `item_ids` of `submission`; every exercise and quiz asked for is in the report.

    `isolation` is decided before any learner code runs and applies to every worker of the run;
    `lang` ("en" or "ko", default: the locale's) is the language of the quizzes' feedback.
    """
    started = time.monotonic()
    started_at = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0).isoformat()
    learner = Submission.open(submission)
    items = catalogue.select(item_ids)
    given = seed is not None
    seed = seed if seed is not None else new_seed()
    log.info(
        "seed %d (%s)",
        seed,
        "given with --seed" if given else "fresh and secret; --seed replays it",
    )
    exercises = [item for item in items if isinstance(item, Exercise)]
    results = (
        _grade_exercises(exercises, learner, seed, exercises_dir, isolation, lang)
        if exercises
        else {}
    )
    for item in items:
        if isinstance(item, Quiz):
            results[item.id] = _grade_quiz(item, catalogue, learner, lang)
    for item in items:
        results[item.id].gradescope_visibility = {
            "public": item.gradescope.public,
            "hidden": item.gradescope.hidden,
        }
    decided = isolation.get()
    return Report(
        exercises=[results[item.id] for item in items],
        seed=seed,
        protection=decided.protection,
        protection_note=decided.note,
        execution_time=time.monotonic() - started,
        submission=str(submission),
        started=started_at,
    )


class Workers:
    """The workers of one run, in suite order: the only place that starts and stops them."""

    def __init__(self, clients: dict[str, WorkerClient]):
        self.clients = clients
        self.order = list(clients)
        self.prestarted = False  # a trainer was started early for this run (ex07)
        self.sandbox_retried: set[str] = set()  # exercises whose sandbox had its second chance

    def client(self, exercise_id: str) -> WorkerClient:
        return self.clients[exercise_id]

    def start_first(self) -> None:
        """The first worker, and every worker that imports Keras: TensorFlow's import takes
        seconds, so it overlaps the other exercises' tests (its time starts with its first call)."""
        for position, exercise_id in enumerate(self.order):
            if position == 0 or self.clients[exercise_id].exercise.tensorflow:
                self._start(exercise_id)

    def entering(self, exercise_id: str) -> None:
        """An exercise's tests begin: start the next exercise's worker, to import meanwhile."""
        if exercise_id in self.order:
            position = self.order.index(exercise_id)
            if position + 1 < len(self.order):
                self._start(self.order[position + 1])

    def _start(self, exercise_id: str) -> None:
        client = self.clients[exercise_id]
        client.start()
        if client.exercise.tensorflow and client.load_failure is None:
            # The grader's trainer imports TensorFlow while the worker does, on the other core.
            from grader.processes import children  # only here: ex01-ex06 never pay for it

            children.prestart(TRAINER_MODULE, TENSORFLOW_ENVIRONMENT)
            self.prestarted = True

    def leaving(self, exercise_id: str) -> None:
        """An exercise's tests are over: its worker goes."""
        if exercise_id in self.clients:
            self.clients[exercise_id].close()

    def retrying(self, exercise_id: str) -> None:
        """A test is run again because the grader could not check it. If the exercise's sandbox
        never started (no learner code ran), it gets one fresh worker and a fresh time limit, once
        per run: a sandbox that fails again fails the exercise's remaining tests at once."""
        client = self.clients.get(exercise_id)
        if (
            client is None
            or not isinstance(client.load_failure, SandboxNotStarted)
            or exercise_id in self.sandbox_retried
        ):
            return
        self.sandbox_retried.add(exercise_id)
        log.info("%s: its sandbox never started; a fresh worker for the retry", exercise_id)
        client.close()
        fresh = WorkerClient(client.spec, client.exercise, client.isolation)
        fresh.restarts = max(0, client.restarts - 1)  # the failed start was not the learner's
        self.clients[exercise_id] = fresh

    def close_all(self) -> None:
        for client in self.clients.values():
            client.close()
        if self.prestarted:
            from grader.processes import children

            children.discard_prestarted()


def _grade_exercises(
    exercises: list[Exercise],
    learner: Submission,
    seed: int,
    exercises_dir: Path,
    isolation: IsolationSource,
    lang: str | None,
) -> dict[str, ExerciseResult]:
    blocked: dict[str, GradingFailure] = {}
    sources: dict[str, bytes] = {}
    notes: dict[str, str] = {}
    for exercise in exercises:
        found = learner_source(learner, exercise)
        if not isinstance(found, GradingFailure):
            notes[exercise.id] = "\n".join(found.notes)
            found = _missing_library(exercise, lang) or found
        if isinstance(found, GradingFailure):
            blocked[exercise.id] = found
        else:
            sources[exercise.id] = found.content
    files = [path for exercise in exercises for path in exercise.suite_files(exercises_dir)]
    if not sources:  # nothing to run: the suites are collected for the manifest alone
        outcomes, manifest = _run_pytest(files, exercises, None, seed, exercises_dir, frozenset())
    else:
        scratch = make_scratch("grade-")
        workers = Workers(
            {
                exercise.id: WorkerClient(
                    prepare(exercise, sources[exercise.id], scratch, seed), exercise, isolation
                )
                for exercise in exercises
                if exercise.id in sources
            }
        )
        try:
            # The first workers start while the probe decides (and import NumPy while pytest is
            # imported here); none loads learner code before the decision and its own check.
            workers.start_first()
            _import_pytest()
            isolation.get()
            outcomes, manifest = _run_pytest(
                files, exercises, workers, seed, exercises_dir, frozenset(sources)
            )
        finally:
            workers.close_all()
            shutil.rmtree(scratch, ignore_errors=True)
    grouped = by_exercise(manifest)
    results = {
        exercise.id: _score(
            exercise,
            grouped.get(exercise.id, []),
            outcomes,
            blocked.get(exercise.id),
            full=len(exercise.suite_files(exercises_dir)) == 2,
        )
        for exercise in exercises
    }
    for exercise_id, note in notes.items():
        results[exercise_id].note = note  # how a notebook became the exercise's file
    return results


def _score(
    exercise: Exercise,
    entries: list[ManifestEntry],
    outcomes: dict[str, TestResult],
    blocked: GradingFailure | None,
    *,
    full: bool,
) -> ExerciseResult:
    """The exercise's result from the tests collected for it: one that did not report earns
    nothing. With its hidden suite (not a release's public suite alone) they add up to the
    catalogue's points, or the grader failed."""
    if not entries:
        raise GraderFailure(f"no tests were collected for {exercise.id}")
    if full and points_problem(exercise.id, exercise.points, entries):
        raise GraderFailure(points_problem(exercise.id, exercise.points, entries))
    return ExerciseResult(
        id=exercise.id,
        title=exercise.title_for(current_language()),
        max_score=sum(entry.points for entry in entries),
        tests=[outcomes.get(entry.nodeid) or _unreported(entry, blocked) for entry in entries],
    )


def _import_pytest() -> None:
    import pytest  # noqa: F401

    import grader.grading.plugin  # noqa: F401


def _run_pytest(
    files: list[Path],
    exercises: list[Exercise],
    workers: Workers | None,
    seed: int,
    exercises_dir: Path,
    runnable: frozenset[str],
) -> tuple[dict[str, TestResult], list[ManifestEntry]]:
    """Run the tests of the `runnable` exercises; (their results, every test collected)."""
    import pytest

    from grader.grading.plugin import GradingPlugin, RunContext

    if not files:  # pytest given no file would collect its working folder
        return {}, []

    context = RunContext(
        exercises={exercise.id: exercise for exercise in exercises},
        workers=workers,
        seed=seed,
        runnable=runnable,
    )
    plugin = GradingPlugin(context)
    with clean_pytest_environment():
        exit_code = pytest.main(pytest_arguments(files, exercises_dir), plugins=[plugin])
    if plugin.collection_errors:
        raise GraderFailure(
            "a grading suite failed to load: " + "; ".join(plugin.collection_errors)
        )
    if exit_code not in (
        pytest.ExitCode.OK,
        pytest.ExitCode.TESTS_FAILED,
        pytest.ExitCode.NO_TESTS_COLLECTED,
    ):
        raise GraderFailure(f"the grading suites stopped early (pytest exit code {int(exit_code)})")
    return plugin.results, plugin.manifest


def _unreported(entry: ManifestEntry, failure: GradingFailure | None) -> TestResult:
    """A manifest test with no result: the exercise was blocked, or the test never reported."""
    failure = failure or GradingFailure(
        _("this test did not report a result, so it earns no points")
    )
    return TestResult(
        name=translated_title(entry.name),
        status=failure.status,
        score=0.0,
        max_score=entry.points,
        visibility=entry.visibility,
        feedback=failure.feedback,
        not_attempted=failure.not_attempted,
    )


def _missing_library(exercise: Exercise, lang: str | None) -> MissingLibrary | None:
    """Why `exercise` cannot be graded on this machine at all (ex07 without TensorFlow), or None."""
    import importlib.util

    if exercise.tensorflow and importlib.util.find_spec("tensorflow") is None:
        with language(lang):  # None: the run's language
            return MissingLibrary(_(NO_TENSORFLOW).format(exercise=exercise.id))
    return None


def _read_learner_file(learner: Submission, exercise: Exercise) -> bytes | GradingFailure:
    """The bytes of a learner's exercise code (a file, or from a notebook), or why it cannot be
    graded (the pictures read a learner's code as grading does)."""
    found = learner_source(learner, exercise)
    return found if isinstance(found, GradingFailure) else found.content


read_learner_file = _read_learner_file


def _grade_quiz(
    quiz: Quiz, catalogue: Catalogue, learner: Submission, lang: str | None
) -> ExerciseResult:
    from grader.quiz.grading import grade_quiz

    return grade_quiz(quiz, catalogue, learner, lang=lang)
