"""`grade batch`: grade a class, one sub-folder or .zip per learner, and rerun it cheaply.

Each learner is graded by a separate child `grade --all` process (grader/instructor/tasks.py:
one learner's disaster cannot take the batch down, and no learner folder can stand in for the
grader's modules), each with a fresh secret seed of its own (recorded, instructor-side) unless
`--seed N` asks every learner to replay N. The submission travels to the child as a `Packed`
copy of its files (grader/instructor/intake.py), so the same task runs here, in a thread pool,
or on a Dask cluster's worker (grader/instructor/cluster.py).

Whatever goes wrong for one learner (their upload, an error of the system while unpacking,
staging, grading or recording, a grader that could not check some tests) becomes that
learner's status row, and the rest of the class is graded. A rerun skips a learner only when
their record graded the same files with the same course and grader (and the same seed, when
one is given); an unreadable or invalid record is never trusted. An interrupted batch stops its
children and keeps the whole records it has; a killed one resumes where it stopped.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import TextIO, cast

import click

from grader.course.catalogue import Catalogue
from grader.errors import EXIT_FULL_MARKS, EXIT_GRADER_FAILED, EXIT_POINTS_MISSING, InputError
from grader.grading.session import new_seed
from grader.instructor import records
from grader.instructor.finishing import Finishing, Submitted
from grader.instructor.intake import UNREADABLE, Learner, UploadProblem, find_learners, open_upload
from grader.instructor.late import upload_time
from grader.instructor.recordcheck import RecordCheck
from grader.instructor.shards import Shard, in_shard
from grader.instructor.signature import and_signed
from grader.instructor.tasks import GradingTask, TaskResult, grade_task, run_locally, warm_modules  # noqa: F401
from grader.sanitise import clean, visible
from grader.submission import COURSE_FILE, Submission

GRADED_EXITS = (EXIT_FULL_MARKS, EXIT_POINTS_MISSING)
MAX_STATUS = (
    1000  # characters of a status: well within what a record may hold (recordcheck.MAX_TEXT)
)


@dataclass
class BatchRun:
    """What one `grade batch` did: who was graded, skipped or not graded (and why), the seed
    given (None: a fresh one per learner), records it did not trust, and whether it was stopped."""

    seed: int | None
    graded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)
    unrecorded: dict[str, str] = field(
        default_factory=dict
    )  # learner -> status no record could keep
    invalid: dict[str, str] = field(default_factory=dict)  # record file -> why it was not trusted
    warnings: list[str] = field(default_factory=list)
    grader_failed: bool = False
    aborted: bool = False
    finishing: Finishing | None = None  # adjustments and late work (grader/instructor/finishing.py)
    earlier: dict[str, tuple[dict | None, Submitted | None]] = field(default_factory=dict)


def run_batch(
    catalogue: Catalogue,
    folder: Path,
    out_dir: Path,
    *,
    workers: int = 2,
    seed: int | None = None,
    shard: Shard | None = None,
    scheduler: str | None = None,
    force: bool = False,
    only: Iterable[str] = (),
    allow_weak_sandbox: bool = False,
    finishing: Finishing | None = None,
) -> BatchRun:
    """Grade the learners of `folder` whose records in `out_dir` are not current; returns what
    happened. Ctrl-C, SIGINT or SIGTERM end it early, with `aborted` set and whole records kept."""
    refuse_an_upload_as_out(folder, out_dir)
    everyone = find_learners(folder, out_dir)
    learners = [learner for learner in everyone if shard is None or in_shard(learner.name, shard)]
    only = _named(only, {learner.name for learner in everyone})
    unknown = only - {learner.name for learner in everyone}
    if unknown:
        raise InputError(
            visible(f"--only names no learner in {folder}: {', '.join(sorted(unknown))}", 600)
        )
    records.folder(out_dir)
    records.remove_temporaries(out_dir)
    check = RecordCheck(catalogue)
    scan = records.scan_records(
        out_dir, and_signed(check)
    )  # a record changed since it was written is regraded
    if finishing is not None:  # before anything is graded or written
        finishing.check_learners(
            {learner.name for learner in everyone} | set(scan.records),
            (lambda name: in_shard(name, shard)) if shard else (lambda name: True),
        )
    run = BatchRun(seed=seed, invalid=scan.invalid, finishing=finishing)
    try:
        tasks = _plan(
            learners,
            catalogue,
            run,
            out_dir,
            scan.records,
            check,
            force=force,
            only=only,
            allow_weak_sandbox=allow_weak_sandbox,
            shard=shard,
        )
        results = _executor(scheduler, workers)(tasks)
        try:
            with progress_bar(len(tasks)) as advance:
                for task, result in results:
                    _record(task, result, run, out_dir, check)
                    advance()
        finally:
            results.close()
    except KeyboardInterrupt:
        run.aborted = True
    return run


def refuse_an_upload_as_out(folder: Path, out_dir: Path) -> None:
    """`InputError` when `out_dir` is a learner's upload in the class `folder` (nothing written)."""
    if out_dir.resolve().parent == folder.resolve() and _holds_an_upload(out_dir):
        raise InputError(
            visible(
                f"--out {out_dir} is a learner's upload in the class folder: write the records "
                "elsewhere",
                600,
            )
        )


def _holds_an_upload(folder: Path) -> bool:
    """Whether `folder` holds a learner's files, by the rule grading finds them with (any nesting)."""
    try:
        submission = Submission.open(folder)
        return (
            any(COURSE_FILE.match(name) for name in os.listdir(folder / submission.base))
            or bool(submission.notebooks())
            or submission.kind(submission.base / "answers") != "missing"
        )
    except (OSError, InputError):
        return False


def _named(values: Iterable[str], names: set[str]) -> set[str]:
    """The learners `--only` names: each value as it is when a learner has that name (`kim, alice`),
    else its comma-separated parts (`alice,bob`), each as it is or without its spaces."""
    picked: set[str] = set()
    for value in values:
        parts = [value] if value in names else value.split(",")
        picked.update(part if part in names else part.strip() for part in parts if part.strip())
    return picked


def _plan(
    learners: list[Learner],
    catalogue: Catalogue,
    run: BatchRun,
    out_dir: Path,
    existing: dict[str, records.Record],
    check: RecordCheck,
    *,
    force: bool,
    only: set[str],
    allow_weak_sandbox: bool,
    shard: Shard | None,
) -> list[GradingTask]:
    """The learners to grade now; upload problems are recorded, current learners skipped, and
    the out folder's intake list (what it found, with each upload's hash) is written."""
    tasks: list[GradingTask] = []
    found: dict[str, str] = {}
    for learner in learners:
        if only and learner.name not in only:
            continue
        record = existing.get(learner.name)
        task = _prepare(learner, catalogue, run, out_dir, record, allow_weak_sandbox)
        found[learner.name] = task.packed.digest if task is not None else ""
        if task is None:
            continue
        run.earlier[learner.name] = (
            record.graded_report if record is not None and record.graded else None,
            upload_time(learner.path),
        )
        if (
            not force
            and not only
            and records.is_current(record, found[learner.name], run.seed)
            and record is not None  # is_current() says so
            and not check.missing_items(record.graded_report)
        ):  # an incomplete record is graded again
            run.skipped.append(learner.name)
        else:
            tasks.append(task)
    try:
        _write_intake(out_dir, found, shard)
    except (
        OSError,
        InputError,
    ) as error:  # the grades can still be kept; only `grade merge` needs it
        run.warnings.append(
            f"{records.INTAKE_FILE} could not be written ({getattr(error, 'strerror', None) or error})"
        )
        run.grader_failed = True
    return tasks


def _prepare(
    learner: Learner,
    catalogue: Catalogue,
    run: BatchRun,
    out_dir: Path,
    existing: records.Record | None,
    allow_weak_sandbox: bool,
) -> GradingTask | None:
    """The learner's grading task, or None after recording why their upload cannot be graded."""
    with tempfile.TemporaryDirectory(prefix="batch-upload-", ignore_cleanup_errors=True) as scratch:
        try:
            packed = open_upload(learner, Path(scratch), catalogue)
        except (UploadProblem, OSError) as problem:
            status = _status(
                problem
                if isinstance(problem, UploadProblem)
                else f"{UNREADABLE}: {problem.strerror}"
            )
            run.problems[learner.name] = status
            if not _same_problem(existing, status):
                _keep(
                    run,
                    out_dir,
                    learner.name,
                    status,
                    None,
                    records.batch_meta(learner.name, "", None, False),
                )
            return None
    keras_files = {exercise.file for exercise in catalogue.exercises if exercise.tensorflow}
    needs_keras = any(
        PurePath(path).name in keras_files
        for path, kind, _content in packed.entries
        if kind == "file"
    )
    seed = new_seed() if run.seed is None else run.seed
    return GradingTask(learner.name, packed, seed, allow_weak_sandbox, needs_keras)


def _same_problem(existing: records.Record | None, status: str) -> bool:
    """Whether the learner's record already says exactly this, made by this course and grader
    (then it stays as it is, rather than filling history/ with copies)."""
    return (
        existing is not None
        and not existing.graded
        and existing.status == status
        and existing.meta.get("course_version") == records.course_version()
        and existing.meta.get("grader_version") == records.grader_version()
    )


def _write_intake(out_dir: Path, found: dict[str, str], shard: Shard | None) -> None:
    """Intake list: the learners found now, and those of the earlier list that this run did not look at."""
    try:
        earlier = records.read_intake(out_dir)["learners"]
    except ValueError:
        earlier = {}
    records.write_intake(
        out_dir, {**earlier, **found}, f"{shard.index}/{shard.count}" if shard else None
    )


def _record(
    task: GradingTask, result: TaskResult, run: BatchRun, out_dir: Path, check: RecordCheck
) -> None:
    """Keep what grading `task` gave: the report, or why the learner is not graded."""
    meta = records.batch_meta(task.learner, task.packed.digest, task.seed, run.seed is not None)
    report, status, failed = _outcome(result, meta, check)
    status = _status(status)
    if status:
        run.problems[task.learner] = status
        run.grader_failed = run.grader_failed or failed
    else:
        run.graded.append(task.learner)
        if run.finishing is not None and report is not None:
            previous, submitted = run.earlier.get(task.learner, (None, None))
            report = {**report, **run.finishing.fields(task.learner, report, previous, submitted)}
    _keep(run, out_dir, task.learner, status, report, meta)


def _outcome(result: TaskResult, meta: dict, check: RecordCheck) -> tuple[dict | None, str, bool]:
    """(report, status, grader failed): status "" for a graded learner."""
    versions = (records.course_version(), records.grader_version())
    if (
        result.report is not None
        and (result.course_version, result.grader_version or versions[1]) != versions
    ):
        return (
            None,
            (
                f"not graded: the worker has course version {result.course_version} and grader "
                f"{result.grader_version}, this machine {versions[0]} and {versions[1]}: install one "
                "version everywhere"
            ),
            True,
        )
    report = result.report
    unchecked = report.get("unchecked") if report is not None else None
    if isinstance(unchecked, list) and unchecked:
        count = len(unchecked)
        return (
            report,
            f"not graded: the grader could not check {count} test{'s' if count != 1 else ''}",
            True,
        )
    if report is None or result.exit_code not in GRADED_EXITS:
        return None, f"not graded: {result.message}", result.exit_code in (None, EXIT_GRADER_FAILED)
    problem = check({**report, "batch": meta})
    if problem:
        return None, f"not graded: the grader's report failed its checks ({problem})", True
    return report, "", False


def _status(text: object) -> str:
    """A status as the gradebook and the problem record keep it: one line of printable text, capped
    (it may quote names and the system's messages), so that the record holding it stays valid."""
    return clean(text, MAX_STATUS, single_line=True)


def _keep(
    run: BatchRun, out_dir: Path, learner: str, status: str, report: dict | None, meta: dict
) -> None:
    """Write the learner's record; a record the system refuses leaves the status in `run`, for
    the gradebook, and marks the batch as failed."""
    try:
        if status:
            records.save_problem(out_dir, status, meta, report)
        else:
            assert report is not None  # a learner without a problem status was graded
            records.save_report(out_dir, report, meta)
    except (OSError, InputError) as error:
        message = getattr(error, "strerror", None) or str(error)
        if learner in run.graded:
            run.graded.remove(learner)
        run.unrecorded[learner] = _status(
            f"not graded: its record could not be written ({message})"
        )
        run.problems[learner] = run.unrecorded[learner]
        run.grader_failed = True


Executor = Callable[[list[GradingTask]], Generator[tuple[GradingTask, TaskResult], None, None]]


def _executor(scheduler: str | None, workers: int) -> Executor:
    if scheduler:
        from grader.instructor.cluster import cluster_executor

        return cluster_executor(scheduler)
    return lambda tasks: run_locally(tasks, workers)


@contextmanager
def progress_bar(total: int) -> Iterator[Callable[[], None]]:
    """A bar with learners done / total and the time left, on a terminal only; elsewhere silent."""
    if total == 0 or not sys.stderr.isatty():
        yield lambda: None
        return
    with click.progressbar(
        length=total,
        label=f"Grading {total} learners",
        show_pos=True,
        show_eta=True,
        file=cast(TextIO, _Terminal(sys.stderr)),  # all of a stream that click's bar uses
    ) as bar:
        yield lambda: bar.update(1)


class _Terminal:
    """The progress bar's terminal: one that hung up (a dropped SSH session) silences the bar,
    never stops the batch, whose records and gradebook are still to be written."""

    def __init__(self, stream):
        self.stream = stream
        self.gone = False

    def write(self, text: str) -> None:
        self._quietly(self.stream.write, text)

    def flush(self) -> None:
        self._quietly(self.stream.flush)

    def isatty(self) -> bool:
        return not self.gone and self.stream.isatty()

    def _quietly(self, action, *arguments) -> None:
        if not self.gone:
            try:
                action(*arguments)
            except OSError:
                self.gone = True
