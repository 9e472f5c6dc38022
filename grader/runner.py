"""One grading run: stage the submission, start workers, run the trusted suites, build a Report.

The runner copies only the files the catalogue expects from a submission into a fresh folder,
starts the first worker before pytest is even imported (the learner's import overlaps the
grader's start-up), runs pytest in this process over trusted suites only, and scores every
exercise from the fixed manifest. Quizzes are graded from their answers files, as data.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import time
from pathlib import Path

from grader.catalogue import SUITES_DIR, Catalogue, Exercise, Quiz
from grader.errors import GraderFailure, InputError
from grader.failures import ForbiddenModule, GradingFailure, LearnerFailure, NotAttempted
from grader.manifest import ManifestEntry, clean_pytest_environment, load_manifest, pytest_arguments
from grader.results import ExerciseResult, Report, TestResult
from grader.sandbox import prepare, protection_level, protection_note
from grader.static_checks import forbidden_imports
from grader.workers import WorkerClient

MAX_SOURCE_BYTES = 1 << 20  # a learner file larger than this is not graded
SEED_RANGE = 2**31


def grade(catalogue: Catalogue, item_ids: list[str], *, submission: Path, seed: int | None = None,
          lang: str | None = None, suites_dir: Path = SUITES_DIR) -> Report:
    """Grade `item_ids` of `submission`; every exercise and quiz asked for is in the report.

    `lang` ("en" or "ko", default: the locale's) is the language of the quizzes' feedback.
    """
    started = time.monotonic()
    if not submission.is_dir():
        raise InputError(f"submission folder {submission} does not exist")
    items = catalogue.select(item_ids)
    seed = secrets.randbelow(SEED_RANGE) if seed is None else seed
    manifest = load_manifest(suites_dir / "manifest.json")
    scratch = Path(tempfile.mkdtemp(prefix="grade-"))
    try:
        exercises = [item for item in items if isinstance(item, Exercise)]
        results = _grade_exercises(exercises, submission, scratch, seed, manifest, suites_dir)
        for item in items:
            if isinstance(item, Quiz):
                results[item.id] = _grade_quiz(item, catalogue, submission, lang)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return Report(exercises=[results[item.id] for item in items], seed=seed,
                  protection=protection_level(), protection_note=protection_note(),
                  execution_time=time.monotonic() - started,
                  submission=str(submission))


def _grade_exercises(exercises: list[Exercise], submission: Path, scratch: Path, seed: int,
                     manifest: dict[str, list[ManifestEntry]], suites_dir: Path) -> dict[str, ExerciseResult]:
    blocked: dict[str, GradingFailure] = {}
    sources: dict[str, str] = {}
    clients: dict[str, WorkerClient] = {}
    for exercise in exercises:
        content = _read_learner_file(submission / exercise.file)
        if isinstance(content, GradingFailure):
            blocked[exercise.id] = content
            continue
        sources[exercise.id] = content.decode("utf-8", errors="replace")
        if not exercise.tensorflow:
            banned = forbidden_imports(sources[exercise.id])
            if banned:
                blocked[exercise.id] = ForbiddenModule(
                    f"{exercise.file} uses {', '.join(banned)}: {exercise.id} must do the work with "
                    "NumPy (tensorflow, keras, scipy.signal and scipy.ndimage are not allowed)")
                continue
        clients[exercise.id] = WorkerClient(prepare(exercise, content, scratch))
    if clients:
        next(iter(clients.values())).start()  # overlaps the learner's import with pytest's

    outcomes: dict[str, TestResult] = {}
    try:
        # A blocked exercise (no file, a banned import) scores from the manifest alone.
        files = [path for exercise in exercises if exercise.id in clients
                 for path in exercise.suite_files(suites_dir)]
        if files:
            outcomes = _run_pytest(files, exercises, clients, sources, seed, suites_dir)
    finally:
        for client in clients.values():
            client.close()

    results = {}
    for exercise in exercises:
        entries = manifest.get(exercise.id, [])
        if not entries:
            raise GraderFailure(f"no tests for {exercise.id} in the manifest; rebuild it with "
                                "`python -m grader.manifest`")
        results[exercise.id] = ExerciseResult(
            id=exercise.id, title=exercise.title, max_score=sum(entry.points for entry in entries),
            tests=[outcomes.get(entry.nodeid) or _unreported(entry, blocked.get(exercise.id))
                   for entry in entries])
    return results


def _run_pytest(files: list[Path], exercises: list[Exercise], clients: dict[str, WorkerClient],
                sources: dict[str, str], seed: int, suites_dir: Path) -> dict[str, TestResult]:
    import pytest

    from grader.pytest_plugin import GradingPlugin, RunContext

    context = RunContext(exercises={exercise.id: exercise for exercise in exercises},
                         clients=clients, seed=seed, sources=sources)
    plugin = GradingPlugin(context)
    with clean_pytest_environment():
        exit_code = pytest.main(pytest_arguments(files, suites_dir), plugins=[plugin])
    if plugin.collection_errors:
        raise GraderFailure("a grading suite failed to load: " + "; ".join(plugin.collection_errors))
    if exit_code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        raise GraderFailure(f"the grading suites stopped early (pytest exit code {int(exit_code)})")
    return plugin.results


def _unreported(entry: ManifestEntry, failure: GradingFailure | None) -> TestResult:
    """A manifest test with no result: the exercise was blocked, or the test never reported."""
    failure = failure or GradingFailure("this test did not report a result, so it earns no points")
    return TestResult(name=entry.name, status=failure.status, score=0.0, max_score=entry.points,
                      visibility=entry.visibility, feedback=failure.feedback,
                      not_attempted=failure.not_attempted)


def _read_learner_file(path: Path) -> bytes | GradingFailure:
    """The bytes of a learner's file, or why it cannot be graded (missing, a link, too big)."""
    if path.is_symlink():
        return LearnerFailure(f"{path.name} is a symbolic link; submit the file itself")
    if not path.is_file():
        return NotAttempted(f"not attempted: {path.name} is not in the submission folder")
    try:
        with open(path, "rb") as stream:
            content = stream.read(MAX_SOURCE_BYTES + 1)
    except OSError as error:
        return LearnerFailure(f"{path.name} cannot be read: {error.strerror}")
    if len(content) > MAX_SOURCE_BYTES:
        return LearnerFailure(f"{path.name} is larger than {MAX_SOURCE_BYTES >> 10} KB; it is not graded")
    return content


def _grade_quiz(quiz: Quiz, catalogue: Catalogue, submission: Path, lang: str | None) -> ExerciseResult:
    from grader.quizzes import grade_quiz

    return grade_quiz(quiz, catalogue, submission, lang=lang)
