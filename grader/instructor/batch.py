"""`grade batch`: grade a class, one sub-folder or .zip per learner, and rerun it cheaply.

Each learner is graded by a separate child `grade --all` process (grader/sandbox/children.py:
one learner's disaster cannot take the batch down, and no learner folder can stand in for the
grader's modules), all with the same seed, so scores are comparable and replayable. On this
machine, that child is forked from its batch worker's warm server (grader/sandbox/warm.py),
which paid the grader's imports (and TensorFlow's, for ex07) once for the whole class. The
submission travels to the child as a `Packed` copy of its files (grader/instructor/intake.py),
so the same task runs here, in a thread pool, or on a Dask cluster's worker
(grader/instructor/cluster.py). A rerun skips every learner whose submitted files, course
version and seed are those of their record in the out folder (records.py); the gradebook is
then rebuilt from the records (gradebook.py).
"""

from __future__ import annotations

import json
import queue
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePath

import click

from grader.course.catalogue import PACKAGE_DIR, SUITES_DIR, Catalogue
from grader.errors import EXIT_FULL_MARKS, EXIT_GRADER_FAILED, EXIT_POINTS_MISSING, InputError
from grader.grading.session import new_seed
from grader.instructor import records
from grader.instructor.intake import Learner, Packed, UploadProblem, find_learners, materialise, open_upload
from grader.instructor.shards import Shard, in_shard
from grader.sandbox.children import run_grader
from grader.sandbox.policy import BASE_ENVIRONMENT
from grader.sandbox.prewarm import KERAS, NUMPY, WorkerServer, servers_environment
from grader.sandbox.warm import WarmServer

GRADING_TIMEOUT = 30 * 60  # one learner's whole run; the per-exercise limits normally end it far sooner
# What each batch worker's warm server imports once, so that no learner's grading pays for it.
WARM_GRADING_MODULES = ("numpy", "pytest", "hypothesis", "grader.cli", "grader.grading.runner",
                        "grader.grading.plugin", "grader.sandbox.probe:probe_early")
WARM_KERAS = "grader.model.trainer:warm_up"  # TensorFlow (quietly, no operation run) and the digits' sklearn
# A batch grades one learner per core: the grading's own NumPy gets one thread, as the workers' does.
ONE_THREAD_EACH = {name: BASE_ENVIRONMENT[name] for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                                             "MKL_NUM_THREADS")}


@dataclass(frozen=True)
class GradingTask:
    """One learner's grading, as data: what a worker on any machine needs."""

    learner: str
    packed: Packed
    seed: int
    allow_weak_sandbox: bool = False
    needs_keras: bool = False  # the upload holds the file of an exercise that uses Keras (ex07)


@dataclass(frozen=True)
class TaskResult:
    """What a grading task produced: the child's exit code and its report, or why there is none."""

    exit_code: int | None
    report: dict | None
    message: str
    course_version: str


@dataclass
class BatchRun:
    """What one `grade batch` did: who was graded, skipped or had a problem, and the seed used."""

    seed: int
    graded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)
    grader_failed: bool = False


def grade_task(task: GradingTask, server: str | None = None,
               environment: dict[str, str] | None = None) -> TaskResult:
    """Grade one packed submission in a child `grade --all` on this machine (forked by the warm
    server at `server` when one is given, with `environment` added: where its pre-warmed worker
    servers are); never raises for the learner."""
    version = records.course_version()
    with tempfile.TemporaryDirectory(prefix="batch-") as scratch:
        folder = materialise(task.packed, Path(scratch) / "submission")
        report_path = Path(scratch) / "report.json"
        arguments = ["--all", "--submission", str(folder), "--format", "json",
                     "--output", str(report_path), "--seed", str(task.seed)]
        if task.allow_weak_sandbox:
            arguments.append("--allow-weak-sandbox")
        child = run_grader(arguments, timeout=GRADING_TIMEOUT, server=server, environment=environment)
        if child.exit_code is None:
            return TaskResult(None, None, f"grading took longer than {GRADING_TIMEOUT // 60} minutes", version)
        if child.exit_code not in (EXIT_FULL_MARKS, EXIT_POINTS_MISSING) or not report_path.is_file():
            message = (child.stderr.strip().splitlines() or ["no report"])[-1]
            return TaskResult(child.exit_code, None, message, version)
        return TaskResult(child.exit_code, json.loads(report_path.read_text(encoding="utf-8")), "", version)


def run_batch(catalogue: Catalogue, folder: Path, out_dir: Path, *, workers: int = 2,
              seed: int | None = None, shard: Shard | None = None, scheduler: str | None = None,
              force: bool = False, only: Iterable[str] = (), allow_weak_sandbox: bool = False) -> BatchRun:
    """Grade the learners of `folder` whose records in `out_dir` are not current; returns what happened."""
    everyone = find_learners(folder)
    learners = [learner for learner in everyone if shard is None or in_shard(learner.name, shard)]
    only = set(only)
    unknown = only - {learner.name for learner in everyone}
    if unknown:
        raise InputError(f"--only names no learner in {folder}: {', '.join(sorted(unknown))}")
    out_dir.mkdir(parents=True, exist_ok=True)
    if seed is None:
        seed = records.recorded_seed(out_dir)
    if seed is None and shard is not None:
        raise InputError("give --seed with --shard, so that every shard grades the same random cases")
    run = BatchRun(seed=new_seed() if seed is None else seed)
    version = records.course_version()
    existing = records.load_records(out_dir)
    tasks: dict[str, GradingTask] = {}
    hashes: dict[str, str] = {}
    for learner in learners:
        if only and learner.name not in only:
            continue
        task = _prepare(learner, catalogue, run, out_dir, version, allow_weak_sandbox)
        if task is None:
            continue
        hashes[learner.name] = task.packed.digest
        if not force and not only and records.is_current(existing.get(learner.name), hashes[learner.name],
                                                         version, run.seed):
            run.skipped.append(learner.name)
        else:
            tasks[learner.name] = task
    execute = _executor(scheduler, workers)
    with progress_bar(len(tasks)) as advance:
        for task, result in execute(list(tasks.values())):
            _record(task, result, run, out_dir, hashes[task.learner], version)
            advance()
    return run


def _prepare(learner: Learner, catalogue: Catalogue, run: BatchRun, out_dir: Path, version: str,
             allow_weak_sandbox: bool) -> GradingTask | None:
    """The learner's grading task, or None after recording why their upload cannot be graded."""
    with tempfile.TemporaryDirectory(prefix="batch-upload-") as scratch:
        try:
            packed = open_upload(learner, Path(scratch), catalogue)
        except UploadProblem as problem:
            run.problems[learner.name] = str(problem)
            records.save_problem(out_dir, str(problem), records.batch_meta(learner.name, "", version, run.seed))
            return None
    keras_files = {exercise.file for exercise in catalogue.exercises if exercise.tensorflow}
    needs_keras = any(PurePath(path).name in keras_files for path, kind, _ in packed.entries if kind == "file")
    return GradingTask(learner.name, packed, run.seed, allow_weak_sandbox, needs_keras)


def _record(task: GradingTask, result: TaskResult, run: BatchRun, out_dir: Path, submission_hash: str,
            version: str) -> None:
    meta = records.batch_meta(task.learner, submission_hash, result.course_version, task.seed)
    if result.report is not None and result.course_version != version:
        result = TaskResult(result.exit_code, None, f"the worker has course version {result.course_version}, "
                                                    f"this machine {version}: install one version everywhere",
                            version)
    if result.report is None:
        status = f"not graded: {result.message}"
        run.problems[task.learner] = status
        run.grader_failed = run.grader_failed or result.exit_code in (None, EXIT_GRADER_FAILED)
        records.save_problem(out_dir, status, meta)
    else:
        run.graded.append(task.learner)
        records.save_report(out_dir, result.report, meta)


Executor = Callable[[list[GradingTask]], Iterator[tuple[GradingTask, TaskResult]]]


def _executor(scheduler: str | None, workers: int) -> Executor:
    if scheduler:
        from grader.instructor.cluster import cluster_executor

        return cluster_executor(scheduler)
    return lambda tasks: run_locally(tasks, workers)


def run_locally(tasks: list[GradingTask], workers: int) -> Iterator[tuple[GradingTask, TaskResult]]:
    """Grade `tasks` a few at a time on this machine, yielding each as it finishes.

    Each batch worker has two kinds of warm server, started once. Its trusted server
    (grader/sandbox/warm.py) imported the grader, and Keras when some learner has ex07 work:
    each learner's grading is a fresh process forked from it, and ex07's training another. Its
    worker servers (grader/sandbox/prewarm.py) imported NumPy, and Keras for ex07, on the
    workers' side: each learner's worker is forked from one into fresh namespaces. A server
    that fails to warm up is not used: its work is started as before.
    """
    if not tasks:
        return
    slots: queue.Queue[_Slot] = queue.Queue()
    started = [_Slot.start(tasks) for _ in range(min(workers, len(tasks)))]
    for slot in started:
        slots.put(slot)

    def grade_warm(task: GradingTask) -> TaskResult:
        slot = slots.get()
        try:
            return grade_task(task, slot.address(), slot.workers_environment())
        finally:
            slots.put(slot)

    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        futures = {pool.submit(grade_warm, task): task for task in tasks}
        for future in as_completed(futures):
            yield futures[future], future.result()
    finally:  # interrupted (Ctrl-C): the learners not started yet are not started at all
        pool.shutdown(wait=True, cancel_futures=True)
        for slot in started:
            slot.close()


@dataclass
class _Slot:
    """One batch worker's servers: the trusted one, and the workers' (NumPy; Keras for ex07)."""

    server: WarmServer | None
    worker_servers: list[WorkerServer]

    @classmethod
    def start(cls, tasks: list[GradingTask]) -> _Slot:
        try:
            server = WarmServer(warm_modules(tasks), ONE_THREAD_EACH)
        except OSError:  # no server: this worker starts each learner's grading itself, as before
            server = None
        kinds = [NUMPY, *([KERAS] if any(task.needs_keras for task in tasks) else [])]
        worker_servers = []
        for kind in kinds:
            try:
                worker_servers.append(WorkerServer(kind))
            except OSError:
                continue
        return cls(server, worker_servers)

    def address(self) -> str | None:
        return self.server.address if self.server is not None and self.server.wait_ready() else None

    def workers_environment(self) -> dict[str, str]:
        return servers_environment(self.worker_servers)

    def close(self) -> None:
        for server in [*([self.server] if self.server else []), *self.worker_servers]:
            server.close()


def warm_modules(tasks: list[GradingTask]) -> list[str]:
    """What a batch worker's server imports: the grading stack and the course's suites (pytest
    finds them in sys.modules and does not import them again), and Keras (imported, no operation
    run) when some learner submitted a file of an exercise that needs it."""
    suites = [".".join(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
              for path in sorted(SUITES_DIR.glob("*/test_*.py"))]
    return [*WARM_GRADING_MODULES, *suites, *([WARM_KERAS] if any(task.needs_keras for task in tasks) else [])]


@contextmanager
def progress_bar(total: int) -> Iterator[Callable[[], None]]:
    """A bar with learners done / total and the time left, on a terminal only; elsewhere silent."""
    if total == 0 or not sys.stderr.isatty():
        yield lambda: None
        return
    with click.progressbar(length=total, label=f"Grading {total} learners", show_pos=True,
                           show_eta=True, file=sys.stderr) as bar:
        yield lambda: bar.update(1)
