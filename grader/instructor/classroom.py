"""What `grade batch`, `grade merge` and `grade report` do, behind the CLI's option parsing.

Each function takes what the CLI parsed, does the work, echoes a short account for the
instructor and returns the exit code (0 every learner in the gradebook has full marks, 1 some
points are missing or some learner could not be graded, 3 the grader itself failed for some
learner, 130 the batch was interrupted). Learner names and statuses reach the terminal through
`sanitise.visible`: a control character in a name is shown as its escape, never obeyed.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from grader.course.catalogue import Catalogue
from grader.errors import (
    EXIT_ABORTED,
    EXIT_FULL_MARKS,
    EXIT_GRADER_FAILED,
    EXIT_POINTS_MISSING,
    InputError,
    interrupts_deferred,
)
from grader.instructor import gradebook as book
from grader.instructor import records
from grader.instructor.exports import write_exports
from grader.instructor.outlock import out_folder_lock
from grader.instructor.recordcheck import RecordCheck
from grader.instructor.shards import (
    Shard,
    check_shards,
    coverage,
    in_shard,
    merge_outputs,
    parse_shard,
)
from grader.instructor.signature import and_signed
from grader.sanitise import visible

if TYPE_CHECKING:  # imported when a batch runs: it brings the grading machinery
    from grader.instructor.batch import BatchRun

Echo = Callable[..., None]
Line = tuple[str, bool]  # a message, and whether it goes to standard error
GRADES_FILE = "grades.csv"
LISTED = 12  # names shown in one line before "and N more"
NAME_WIDTH = 24
SHOWN_NAME = 60  # characters of a learner's name on a terminal line
SHOWN_STATUS = 300


def batch_command(catalogue: Catalogue, folder: Path, out_dir: Path, **options) -> int:
    """Grade the class in `folder` into `out_dir` (skipping unchanged learners) and rebuild its
    gradebook, holding the out folder's lock (one writer at a time)."""
    from grader.instructor.batch import refuse_an_upload_as_out

    refuse_an_upload_as_out(folder, out_dir)  # before the lock writes into it
    with out_folder_lock(out_dir):
        return _batch(catalogue, folder, out_dir, **options)


def _batch(
    catalogue: Catalogue,
    folder: Path,
    out_dir: Path,
    *,
    echo: Echo,
    workers: int,
    seed: int | None,
    shard: str | None,
    scheduler: str | None,
    roster: Path | None,
    force: bool,
    only: tuple[str, ...],
    excel: bool,
    allow_weak_sandbox: bool,
) -> int:
    from grader.instructor.batch import run_batch

    picked = parse_shard(shard) if shard else None
    people = read_roster(out_dir, roster)
    run = run_batch(
        catalogue,
        folder,
        out_dir,
        workers=workers,
        seed=seed,
        shard=picked,
        scheduler=scheduler,
        force=force,
        only=only,
        allow_weak_sandbox=allow_weak_sandbox,
    )
    keep_roster(out_dir, roster)
    found = records.load_records(out_dir, and_signed(RecordCheck(catalogue)))
    for name in [*run.graded, *run.problems]:
        if name not in found and name not in run.unrecorded:  # written, then refused when read back
            run.unrecorded[name] = run.problems[name] = (
                "not graded: its record fails the checks when read back; grade again"
            )
            run.grader_failed = True
    mismatches: list[Line] = []
    gradebook = rebuild(
        catalogue,
        out_dir,
        people,
        excel=excel,
        shard=picked,
        echo=_collect(mismatches),
        unrecorded=run.unrecorded,
        found=found,
    )
    # Only now, with the gradebook written, is anything printed: a closed pipe (`| head`) or a
    # terminal that hung up must cost neither the gradebook nor the exit code.
    lines = _summary(run, found, gradebook, mismatches, picked, seed, out_dir)
    say(echo, lines)
    if run.aborted:
        return EXIT_ABORTED
    if run.grader_failed:
        return EXIT_GRADER_FAILED
    return exit_code(gradebook)


def _summary(
    run: BatchRun,
    found: dict[str, records.Record],
    gradebook: book.Gradebook,
    mismatches: list[Line],
    picked: Shard | None,
    seed: int | None,
    out_dir: Path,
) -> list[Line]:
    """What `grade batch` prints: a line per learner, then warnings and where the gradebook is."""
    lines: list[Line] = []
    for name in run.graded:
        if name in found and found[name].graded:
            report = found[name].graded_report
            lines.append(
                (
                    f"{visible(name, SHOWN_NAME):<{NAME_WIDTH}} {report['score']:g} / {report['max_score']:g}",
                    False,
                )
            )
    for name, problem in run.problems.items():
        lines.append(
            (f"{visible(name, SHOWN_NAME):<{NAME_WIDTH}} {visible(problem, SHOWN_STATUS)}", False)
        )
    if run.skipped:
        lines.append(
            (
                f"{len(run.skipped)} unchanged since their report, not regraded (--force regrades them)",
                False,
            )
        )
    lines += [(f"warning: {visible(warning, SHOWN_STATUS)}", True) for warning in run.warnings]
    if run.invalid:
        lines.append(
            (
                f"records not trusted ({len(run.invalid)}), their learners graded again: "
                f"{_names([f'{name} ({why})' for name, why in run.invalid.items()])}",
                True,
            )
        )
    where = f" (shard {picked.index}/{picked.count})" if picked else ""
    seeds = (
        f"seed {seed}" if seed is not None else "a fresh seed for each learner (in their records)"
    )
    lines += [
        *mismatches,
        (
            f"{len(gradebook.rows)} learners in the gradebook{where}, {seeds}; "
            f"{GRADES_FILE}, canvas.csv and moodle.csv in {out_dir}",
            False,
        ),
    ]
    if run.aborted:
        lines.append(
            (
                "interrupted: the whole records so far are kept and in the gradebook; run the same command "
                "again to grade the rest",
                True,
            )
        )
    return lines


def _collect(lines: list[Line]) -> Echo:
    """An echo that keeps what it is given, to be said later."""
    return lambda message, err=False: lines.append((message, err))


def say(echo: Echo, lines: list[Line]) -> None:
    """Echo `lines` ((text, to standard error)); a stream whose reader is gone (a closed pipe, a
    terminal that hung up) is silenced: what was to be written is written, and the exit code stands."""
    gone: set[bool] = set()
    for message, err in lines:
        if err in gone:
            continue
        try:
            echo(message, err=err)
        except OSError:
            gone.add(err)
            try:  # so that neither later writes nor the interpreter's last flush fail
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 2 if err else 1)
            except OSError:
                pass


def merge_command(
    catalogue: Catalogue,
    sources: tuple[Path, ...],
    out_dir: Path,
    *,
    echo: Echo,
    roster: Path | None,
    excel: bool,
) -> int:
    """Check every shard output, then combine them into `out_dir` and rebuild one gradebook.
    A shard that cannot be trusted stops the merge before anything is written (exit code 2)."""
    outputs = check_shards(list(sources), catalogue)  # before the lock makes `out_dir`
    with out_folder_lock(out_dir):
        return _merge(catalogue, sources, outputs, out_dir, echo=echo, roster=roster, excel=excel)


def _merge(
    catalogue: Catalogue,
    sources: tuple[Path, ...],
    outputs: list,
    out_dir: Path,
    *,
    echo: Echo,
    roster: Path | None,
    excel: bool,
) -> int:
    if roster is None:
        roster = next(
            (
                source / book.ROSTER_FILE
                for source in sources
                if (source / book.ROSTER_FILE).is_file()
            ),
            None,
        )
    people = read_roster(out_dir, roster)
    seeds = merge_outputs(outputs, out_dir, catalogue)
    keep_roster(out_dir, roster)
    lines: list[Line] = []
    if len(seeds) > 1:
        lines.append(
            (
                f"warning: the shards were graded with different seeds ({', '.join(map(str, sorted(seeds)))}); "
                "scores are not comparable across them",
                True,
            )
        )
    expected, missing = coverage(outputs)
    if missing:
        lines.append(
            (
                f"warning: shards not given: {', '.join(missing)}; their learners are not in this "
                "gradebook (merge their outputs too)",
                True,
            )
        )
    gradebook = rebuild(
        catalogue, out_dir, people, excel=excel, echo=_collect(lines), expected=expected
    )
    lines.append(
        (
            f"{len(sources)} outputs merged: {len(gradebook.rows)} learners; {GRADES_FILE}, canvas.csv and "
            f"moodle.csv in {out_dir}",
            False,
        )
    )
    say(echo, lines)
    return exit_code(gradebook)


def read_roster(out_dir: Path, roster: Path | None) -> dict[str, book.Person] | None:
    """The roster given, else the one kept in `out_dir` (from an earlier run), else None."""
    kept = out_dir / book.ROSTER_FILE
    if roster is not None:
        return book.read_roster(roster)
    return book.read_roster(kept) if kept.is_file() and not kept.is_symlink() else None


def keep_roster(out_dir: Path, roster: Path | None) -> None:
    """Keep the roster given as OUT/roster.csv, for reruns and merges."""
    kept = out_dir / book.ROSTER_FILE
    if roster is None or (kept.exists() and roster.resolve().samefile(kept)):
        return
    records.folder(out_dir)
    kept.unlink(missing_ok=True)  # never write through a link left there
    shutil.copyfile(roster, kept)


def rebuild(
    catalogue: Catalogue,
    out_dir: Path,
    people: dict | None,
    *,
    excel: bool = False,
    shard: Shard | None = None,
    echo: Echo | None = None,
    unrecorded: dict[str, str] | None = None,
    found: dict[str, records.Record] | None = None,
    expected: Callable[[str], bool] | None = None,
) -> book.Gradebook:
    """grades.csv, canvas.csv and moodle.csv from the trusted records in `out_dir` (`found`, when
    the caller has just read them), joined with the roster (and `unrecorded`: learners whose
    outcome no record could keep); roster rows of another `shard` (or not `expected`) are left out."""
    if expected is None:
        expected = (lambda name: in_shard(name, shard)) if shard else (lambda name: True)
    if found is None:
        scan = records.scan_records(out_dir, and_signed(RecordCheck(catalogue)))
        found = scan.records
        if scan.invalid:  # never a learner gone from the gradebook without a word
            (echo or _stderr_echo)(
                f"records not trusted, left out of the gradebook ({len(scan.invalid)}): "
                f"{_names([f'{name} ({why})' for name, why in scan.invalid.items()])}",
                err=True,
            )
    gradebook = book.build(catalogue, found, people, expected, unrecorded)
    with (
        interrupts_deferred()
    ):  # an interrupt now would leave grades.csv and the exports disagreeing
        book.write_csv(out_dir / GRADES_FILE, book.table(catalogue, gradebook), excel=excel)
        left_out = write_exports(catalogue, gradebook, out_dir, excel=excel)
    _mismatches(gradebook, left_out, echo or _stderr_echo)
    return gradebook


def _mismatches(gradebook: book.Gradebook, left_out: dict[str, str], echo: Echo) -> None:
    if gradebook.not_on_roster:
        echo(
            f"not on the roster ({len(gradebook.not_on_roster)}): {_names(gradebook.not_on_roster)}",
            err=True,
        )
    if gradebook.not_submitted:
        echo(
            f"on the roster, no submission ({len(gradebook.not_submitted)}): "
            f"{_names(gradebook.not_submitted)}",
            err=True,
        )
    if left_out:
        echo(
            f"left out of canvas.csv and moodle.csv ({len(left_out)}): "
            f"{_names([f'{name} ({why})' for name, why in left_out.items()])}",
            err=True,
        )


def _names(names: list[str]) -> str:
    shown = ", ".join(visible(name, SHOWN_STATUS) for name in names[:LISTED])
    return shown + (f" and {len(names) - LISTED} more" if len(names) > LISTED else "")


def _stderr_echo(message: str, err: bool = True) -> None:
    import click

    click.echo(message, err=err)


def exit_code(gradebook: book.Gradebook) -> int:
    full = bool(gradebook.rows) and all(
        row.status == records.GRADED and row.total is not None and row.total >= (row.max_score or 0)
        for row in gradebook.rows
    )
    return EXIT_FULL_MARKS if full else EXIT_POINTS_MISSING


def report_command(
    catalogue: Catalogue,
    out_dir: Path,
    *,
    echo: Echo,
    png: Path | None,
    html: Path | None = None,
    roster: Path | None = None,
) -> int:
    """Print the class summary of `out_dir` (joined with its roster); write its charts as a PNG
    where matplotlib is installed, and as one HTML page when `html` is given."""
    from grader.i18n import _
    from grader.instructor.classreport import summarise, write_html, write_png
    from grader.instructor.itemstats import analyse

    if html is not None and html.exists() and not (html.is_file() or html.is_symlink()):
        raise InputError(_("{path}: --html writes a file; this is not one").format(path=html))
    if html is not None and not html.parent.is_dir():
        raise InputError(_("{path}: its folder does not exist").format(path=html))
    people = read_roster(out_dir, roster)
    scan = records.scan_records(out_dir, RecordCheck(catalogue))
    found = scan.records
    if scan.invalid:
        echo(
            f"records not trusted, left out ({len(scan.invalid)}): "
            f"{_names([f'{name} ({why})' for name, why in scan.invalid.items()])}",
            err=True,
        )
    if not found:
        raise InputError(
            f"{out_dir} holds no batch records; run `grade batch DIR --out {out_dir}` first"
        )
    stats = analyse(catalogue, found, people)
    echo(summarise(catalogue, stats), nl=False)
    target = png or out_dir / "class-report.png"
    if write_png(
        catalogue, stats, target, replace=png is None
    ):  # the out folder's own file: never through a link
        echo(_("charts: {path}").format(path=target))
    else:
        echo(_("(install matplotlib for a PNG of the charts)"))
    if html is not None:
        write_html(catalogue, stats, html, source=str(out_dir))
        echo(_("page: {path}").format(path=html))
    return EXIT_FULL_MARKS
