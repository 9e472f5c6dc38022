"""What `grade batch`, `grade merge` and `grade report` do, behind the CLI's option parsing.

Each function takes what the CLI parsed, does the work, echoes a short account for the
instructor and returns the exit code (0 every learner in the gradebook has full marks, 1 some
points are missing or some learner could not be graded, 3 the grader itself failed for some
learner, 130 the batch was interrupted). Learner names and statuses reach the terminal through
`sanitise.visible`: a control character in a name is shown as its escape, never obeyed.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from grader.course.catalogue import Catalogue
from grader.errors import (
    EXIT_ABORTED,
    EXIT_FULL_MARKS,
    EXIT_GRADER_FAILED,
    EXIT_POINTS_MISSING,
    InputError,
    interrupts_deferred,
)
from grader.i18n import _
from grader.instructor import finishing as finish
from grader.instructor import gradebook as book
from grader.instructor import records, summary
from grader.instructor.exports import write_exports
from grader.instructor.identical import identical_groups, write_identical
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
from grader.instructor.workbook import require_openpyxl

Echo = Callable[..., None]
GRADES_FILE = "grades.csv"


def batch_command(catalogue: Catalogue, folder: Path, out_dir: Path, **options) -> int:
    """Grade the class in `folder` into `out_dir` (skipping unchanged learners) and rebuild its
    gradebook, holding the out folder's lock (one writer at a time)."""
    from grader.instructor.batch import refuse_an_upload_as_out

    options["finishing"] = finish.from_options(catalogue, options)  # checked before any write
    refuse_an_upload_as_out(folder, out_dir)  # before the lock writes into it
    if options.get("xlsx"):
        require_openpyxl()
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
    xlsx: bool,
    allow_weak_sandbox: bool,
    finishing: finish.Finishing,
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
        finishing=finishing,
    )
    keep_roster(out_dir, roster)
    finish.refinish(out_dir, finishing)  # learners not regraded get the files given too
    found = records.load_records(out_dir, and_signed(RecordCheck(catalogue)))
    for name in [*run.graded, *run.problems]:
        if name not in found and name not in run.unrecorded:  # written, then refused when read back
            run.unrecorded[name] = run.problems[name] = (
                "not graded: its record fails the checks when read back; grade again"
            )
            run.grader_failed = True
    mismatches: list[summary.Line] = []
    gradebook = rebuild(
        catalogue,
        out_dir,
        people,
        excel=excel,
        xlsx=xlsx,
        shard=picked,
        echo=summary.collect(mismatches),
        unrecorded=run.unrecorded,
        found=found,
        # a shard holds only some learners: merge says it for the whole class
        finishing=finishing if picked is None else None,
    )
    # Only now, with the gradebook written, is anything printed: a closed pipe (`| head`) or a
    # terminal that hung up must cost neither the gradebook nor the exit code.
    lines = summary.batch_summary(run, found, gradebook, mismatches, picked, seed, out_dir)
    summary.say(echo, lines)
    if run.aborted:
        return EXIT_ABORTED
    if run.grader_failed:
        return EXIT_GRADER_FAILED
    return exit_code(gradebook)


def merge_command(
    catalogue: Catalogue,
    sources: tuple[Path, ...],
    out_dir: Path,
    *,
    echo: Echo,
    roster: Path | None,
    excel: bool,
    xlsx: bool,
    **files: Path | None,
) -> int:
    """Check every shard output, then combine them into `out_dir` and rebuild one gradebook.
    A shard that cannot be trusted stops the merge before anything is written (exit code 2)."""
    if xlsx:
        require_openpyxl()
    finishing = finish.from_options(catalogue, files)
    outputs = check_shards(list(sources), catalogue)  # before the lock makes `out_dir`
    finishing.check_learners(
        {name for output in outputs for name in output.learners}, coverage(outputs)[0]
    )
    with out_folder_lock(out_dir):
        return _merge(
            catalogue,
            sources,
            outputs,
            finishing,
            out_dir,
            echo=echo,
            roster=roster,
            excel=excel,
            xlsx=xlsx,
        )


def _merge(
    catalogue: Catalogue,
    sources: tuple[Path, ...],
    outputs: list,
    finishing: finish.Finishing,
    out_dir: Path,
    *,
    echo: Echo,
    roster: Path | None,
    excel: bool,
    xlsx: bool,
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
    finish.refinish(out_dir, finishing)  # the files given, or what each record holds
    keep_roster(out_dir, roster)
    lines: list[summary.Line] = []
    if len(seeds) > 1:
        lines.append(
            (
                _(
                    "warning: the shards were graded with different seeds ({seeds}); scores are "
                    "not comparable across them"
                ).format(seeds=", ".join(map(str, sorted(seeds)))),
                True,
            )
        )
    expected, missing = coverage(outputs)
    if missing:
        lines.append(
            (
                _(
                    "warning: shards not given: {shards}; their learners are not in this "
                    "gradebook (merge their outputs too)"
                ).format(shards=", ".join(missing)),
                True,
            )
        )
    gradebook = rebuild(
        catalogue,
        out_dir,
        people,
        excel=excel,
        xlsx=xlsx,
        echo=summary.collect(lines),
        expected=expected,
        finishing=None if missing else finishing,
    )
    lines.append(summary.merged_line(len(sources), len(gradebook.rows), out_dir))
    summary.say(echo, lines)
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
    xlsx: bool = False,
    shard: Shard | None = None,
    echo: Echo | None = None,
    unrecorded: dict[str, str] | None = None,
    found: dict[str, records.Record] | None = None,
    expected: Callable[[str], bool] | None = None,
    finishing: finish.Finishing | None = None,
) -> book.Gradebook:
    """grades.csv, canvas.csv and moodle.csv from the trusted records in `out_dir` (`found`, when
    the caller has just read them), joined with the roster (and `unrecorded`: learners whose
    outcome no record could keep); roster rows of another `shard` (or not `expected`) are left out.
    With `finishing` (the whole class's records are here), the learners whose adjustments apply
    to no graded record are named."""
    if expected is None:
        expected = (lambda name: in_shard(name, shard)) if shard else (lambda name: True)
    if found is None:
        scan = records.scan_records(out_dir, and_signed(RecordCheck(catalogue)))
        found = scan.records
        if scan.invalid:  # never a learner gone from the gradebook without a word
            (echo or summary.stderr_echo)(
                _("records not trusted, left out of the gradebook ({count}): {names}").format(
                    count=len(scan.invalid),
                    names=summary.names([f"{name} ({why})" for name, why in scan.invalid.items()]),
                ),
                err=True,
            )
    gradebook = book.build(catalogue, found, people, expected, unrecorded)
    with (
        interrupts_deferred()
    ):  # an interrupt now would leave grades.csv and the exports disagreeing
        book.write_csv(out_dir / GRADES_FILE, book.table(catalogue, gradebook), excel=excel)
        left_out = write_exports(catalogue, gradebook, out_dir, excel=excel, xlsx=xlsx)
        identical = identical_groups(found)
        write_identical(out_dir, found, identical, excel=excel)
    summary.mismatches(gradebook, left_out, echo or summary.stderr_echo)
    graded = [name for name, record in found.items() if record.graded]
    unapplied = finishing.unapplied(graded) if finishing else []
    if unapplied:
        (echo or summary.stderr_echo)(
            _("adjustments not applied: no graded record for {names}").format(
                names=summary.names(unapplied)
            ),
            err=True,
        )
    if identical:
        (echo or summary.stderr_echo)(
            _("identical submissions (the same files; identical.csv): {groups}").format(
                groups=summary.names([" = ".join(group) for group in identical])
            ),
            err=True,
        )
    return gradebook


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
    **files: Path | None,
) -> int:
    """Print the class summary of `out_dir` (joined with its roster); write its charts as a PNG
    where matplotlib is installed, and as one HTML page when `html` is given. With
    `--adjustments` or `--extensions`, first apply them to the records and the gradebook."""
    from grader.instructor.classreport import summarise, write_html, write_png
    from grader.instructor.finish_report import apply_files
    from grader.instructor.itemstats import analyse

    if html is not None and html.exists() and not (html.is_file() or html.is_symlink()):
        raise InputError(_("{path}: --html writes a file; this is not one").format(path=html))
    if html is not None and not html.parent.is_dir():
        raise InputError(_("{path}: its folder does not exist").format(path=html))
    people = read_roster(out_dir, roster)
    apply_files(catalogue, out_dir, files, echo)
    scan = records.scan_records(out_dir, RecordCheck(catalogue))
    found = scan.records
    if scan.invalid:
        echo(
            _("records not trusted, left out ({count}): {names}").format(
                count=len(scan.invalid),
                names=summary.names([f"{name} ({why})" for name, why in scan.invalid.items()]),
            ),
            err=True,
        )
    if not found:
        raise InputError(
            _("{folder} holds no batch records; run `grade batch DIR --out {folder}` first").format(
                folder=out_dir
            )
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
