"""One learner's grading as a task, and the pool of batch workers that runs tasks on this machine.

A `GradingTask` is data: the learner's packed files and seed. `grade_task` lays the files out
in a scratch folder and grades them with a child `grade --all` (grader/processes/children.py),
here, or on a Dask worker (grader/instructor/cluster.py); it never raises for the learner, and
anything that goes wrong on the grader's side (staging the files, starting the child, reading
its report) is that learner's result, never the batch's end. `run_locally` runs tasks a few at
a time, each batch worker with its warm servers; when the batch is interrupted, the children
still running are stopped and nothing more is started.
"""

from __future__ import annotations

import logging
import queue
import tempfile
import time
from collections.abc import Generator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from grader.course.catalogue import EXERCISES_DIR, PACKAGE_DIR
from grader.errors import EXIT_GRADER_FAILED
from grader.instructor import records
from grader.instructor.intake import Packed, materialise
from grader.processes.children import ChildrenStopped, allow_children, run_grader, stop_children
from grader.processes.prewarm import KERAS, NUMPY, WorkerServer, servers_environment
from grader.processes.warm import WarmServer
from grader.sandbox.policy import BASE_ENVIRONMENT

log = logging.getLogger(__name__)
GRADING_TIMEOUT = (
    30 * 60
)  # one learner's whole run; the per-exercise limits normally end it far sooner
REPORT_FILE = "report.json"
# What each batch worker's warm server imports once, so that no learner's grading pays for it.
WARM_GRADING_MODULES = (
    "numpy",
    "pytest",
    "hypothesis",
    "grader.cli.app",
    "grader.grading.runner",
    "grader.grading.plugin",
    "grader.sandbox.probe:probe_early",
)
WARM_KERAS = (
    "grader.model.trainer:warm_up"  # TensorFlow (quietly, no operation run) and the digits' sklearn
)
# A batch grades one learner per core: the grading's own NumPy gets one thread, as the workers' does.
ONE_THREAD_EACH = {
    name: BASE_ENVIRONMENT[name]
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
}


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
    """What a grading task produced: the child's exit code and its report (None when it wrote
    none that could be read), why it is not graded, and the versions of the machine that ran it."""

    exit_code: int | None
    report: dict | None
    message: str
    course_version: str
    grader_version: str = ""


def grade_task(
    task: GradingTask, server: str | None = None, environment: dict[str, str] | None = None
) -> TaskResult:
    """Grade one packed submission in a child `grade --all` on this machine (forked by the warm
    server at `server` when one is given, with `environment` added: where its pre-warmed worker
    servers are); never raises for the learner, nor for a failure of the grader's own."""
    log.info(
        "batch: %s begun (seed %d%s)",
        task.learner,
        task.seed,
        ", a warm server forks it" if server else "",
    )
    started = time.monotonic()
    result = _graded(task, server, environment)
    log.info(
        "batch: %s done in %.1f s, exit code %s%s",
        task.learner,
        time.monotonic() - started,
        result.exit_code,
        f" ({result.message})" if result.message else "",
    )
    return result


def _graded(
    task: GradingTask, server: str | None, environment: dict[str, str] | None
) -> TaskResult:
    versions = (records.course_version(), records.grader_version())
    try:
        with tempfile.TemporaryDirectory(prefix="batch-") as scratch:
            folder = materialise(task.packed, Path(scratch) / "submission")
            report_path = Path(scratch) / REPORT_FILE
            arguments = [
                "--all",
                "--submission",
                str(folder),
                "--format",
                "json",
                "--output",
                str(report_path),
                "--seed",
                str(task.seed),
            ]
            if task.allow_weak_sandbox:
                arguments.append("--allow-weak-sandbox")
            child = run_grader(
                arguments, timeout=GRADING_TIMEOUT, server=server, environment=environment
            )
            if child.exit_code is None:
                return TaskResult(
                    None,
                    None,
                    f"grading took longer than {GRADING_TIMEOUT // 60} minutes",
                    *versions,
                )
            try:
                report = records.read_json(report_path)
            except ValueError as error:
                report, unread = None, f"its report could not be read ({error})"
            else:
                unread = ""
            last_line = (child.stderr.strip().splitlines() or ["no report"])[-1]
            message = unread if unread and child.exit_code in (0, 1) else last_line
            return TaskResult(child.exit_code, report, message, *versions)
    except ChildrenStopped:
        raise
    except (
        Exception
    ) as error:  # staging the files or starting the child: the grader's failure, this learner's row
        return TaskResult(EXIT_GRADER_FAILED, None, f"{type(error).__name__}: {error}", *versions)


def run_locally(
    tasks: list[GradingTask], workers: int
) -> Generator[tuple[GradingTask, TaskResult], None, None]:
    """Grade `tasks` a few at a time on this machine, yielding each as it finishes.

    Each batch worker has two kinds of warm server, started once. Its trusted server
    (grader/processes/warm.py) imported the grader, and Keras when some learner has ex07 work:
    each learner's grading is a fresh process forked from it, and ex07's training another. Its
    worker servers (grader/processes/prewarm.py) imported NumPy, and Keras for ex07, on the
    workers' side: each learner's worker is forked from one into fresh namespaces. A server
    that fails to warm up is not used: its work is started as before. When the consumer stops
    early (Ctrl-C, SIGTERM), every child still running is stopped, and no other is started.
    """
    if not tasks:
        return
    allow_children()
    slots: queue.Queue[_Slot] = queue.Queue()
    started = [_Slot.start(tasks) for _slot in range(min(workers, len(tasks)))]
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
    except BaseException:  # interrupted, or the consumer left: stop what runs, start nothing more
        stop_children()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        for slot in started:
            slot.close()
        allow_children()


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
    suites = [
        ".".join(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
        for path in sorted(
            [*EXERCISES_DIR.glob("*/test_*.py"), *EXERCISES_DIR.glob("*/hidden/test_*.py")]
        )
    ]
    return [
        *WARM_GRADING_MODULES,
        *suites,
        *([WARM_KERAS] if any(task.needs_keras for task in tasks) else []),
    ]
