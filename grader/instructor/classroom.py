"""What `grade batch`, `grade merge` and `grade report` do, behind the CLI's option parsing.

Each function takes what the CLI parsed, does the work, echoes a short account for the
instructor and returns the exit code (0 every learner in the gradebook has full marks, 1 some
points are missing or some learner could not be graded, 3 the grader itself failed).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from grader.course.catalogue import Catalogue
from grader.errors import EXIT_FULL_MARKS, EXIT_GRADER_FAILED, EXIT_POINTS_MISSING, InputError
from grader.instructor import gradebook as book
from grader.instructor import records
from grader.instructor.exports import write_exports
from grader.instructor.shards import Shard, in_shard, merge_outputs, parse_shard

Echo = Callable[..., None]
GRADES_FILE = "grades.csv"
LISTED = 12  # names shown in one line before "and N more"


def batch_command(catalogue: Catalogue, folder: Path, out_dir: Path, *, echo: Echo, workers: int,
                  seed: int | None, shard: str | None, scheduler: str | None, roster: Path | None,
                  force: bool, only: tuple[str, ...], excel: bool, allow_weak_sandbox: bool) -> int:
    """Grade the class in `folder` into `out_dir` (skipping unchanged learners) and rebuild its gradebook."""
    from grader.instructor.batch import run_batch

    picked = parse_shard(shard) if shard else None
    only = tuple(name.strip() for names in only for name in names.split(",") if name.strip())
    people = resolve_roster(out_dir, roster)
    run = run_batch(catalogue, folder, out_dir, workers=workers, seed=seed, shard=picked,
                    scheduler=scheduler, force=force, only=only, allow_weak_sandbox=allow_weak_sandbox)
    found = records.load_records(out_dir)
    for name in run.graded:
        report = found[name].report
        echo(f"{name:<24} {report['score']:g} / {report['max_score']:g}")
    for name, problem in run.problems.items():
        echo(f"{name:<24} {problem}")
    if run.skipped:
        echo(f"{len(run.skipped)} unchanged since their report, not regraded (--force regrades them)")
    gradebook = rebuild(catalogue, out_dir, people, excel=excel, shard=picked)
    where = f" (shard {picked.index}/{picked.count})" if picked else ""
    echo(f"{len(gradebook.rows)} learners in the gradebook{where}, seed {run.seed}; "
         f"{GRADES_FILE}, canvas.csv and moodle.csv in {out_dir}")
    if run.grader_failed:
        return EXIT_GRADER_FAILED
    return exit_code(gradebook)


def merge_command(catalogue: Catalogue, sources: tuple[Path, ...], out_dir: Path, *, echo: Echo,
                  roster: Path | None, excel: bool) -> int:
    """Combine shard outputs into `out_dir` and rebuild one gradebook from all their records."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if roster is None:
        roster = next((source / book.ROSTER_FILE for source in sources if (source / book.ROSTER_FILE).is_file()),
                      None)
    people = resolve_roster(out_dir, roster)
    seeds = merge_outputs(list(sources), out_dir)
    distinct = sorted({seed for found in seeds.values() for seed in found})
    if len(distinct) > 1:
        echo(f"warning: the shards were graded with different seeds ({', '.join(map(str, distinct))}); "
             "scores are not comparable across them", err=True)
    gradebook = rebuild(catalogue, out_dir, people, excel=excel)
    echo(f"{len(sources)} outputs merged: {len(gradebook.rows)} learners; {GRADES_FILE}, canvas.csv and "
         f"moodle.csv in {out_dir}")
    return exit_code(gradebook)


def resolve_roster(out_dir: Path, roster: Path | None) -> dict[str, book.Person] | None:
    """The roster given (kept as OUT/roster.csv for reruns and merges), else the one kept, else None."""
    kept = out_dir / book.ROSTER_FILE
    if roster is not None:
        people = book.read_roster(roster)
        out_dir.mkdir(parents=True, exist_ok=True)
        if not kept.exists() or not roster.resolve().samefile(kept):
            shutil.copyfile(roster, kept)
        return people
    return book.read_roster(kept) if kept.is_file() else None


def rebuild(catalogue: Catalogue, out_dir: Path, people: dict | None, *, excel: bool = False,
            shard: Shard | None = None, echo: Echo | None = None) -> book.Gradebook:
    """grades.csv, canvas.csv and moodle.csv from the records in `out_dir`, joined with the roster."""
    expected = (lambda name: in_shard(name, shard)) if shard else (lambda name: True)
    gradebook = book.build(catalogue, records.load_records(out_dir), people, expected)
    book.write_csv(out_dir / GRADES_FILE, book.table(catalogue, gradebook), excel=excel)
    write_exports(catalogue, gradebook, out_dir, excel=excel)
    if people is not None:
        _mismatches(gradebook, echo or _stderr_echo)
    return gradebook


def _mismatches(gradebook: book.Gradebook, echo: Echo) -> None:
    if gradebook.not_on_roster:
        echo(f"not on the roster ({len(gradebook.not_on_roster)}): {_names(gradebook.not_on_roster)}", err=True)
    if gradebook.not_submitted:
        echo(f"on the roster, no submission ({len(gradebook.not_submitted)}): "
             f"{_names(gradebook.not_submitted)}", err=True)


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:LISTED])
    return shown + (f" and {len(names) - LISTED} more" if len(names) > LISTED else "")


def _stderr_echo(message: str, err: bool = True) -> None:
    import click

    click.echo(message, err=err)


def exit_code(gradebook: book.Gradebook) -> int:
    full = bool(gradebook.rows) and all(
        row.status == records.GRADED and row.total is not None and row.total >= (row.max_score or 0)
        for row in gradebook.rows)
    return EXIT_FULL_MARKS if full else EXIT_POINTS_MISSING


def report_command(catalogue: Catalogue, out_dir: Path, *, echo: Echo, png: Path | None) -> int:
    """Print the class summary of `out_dir`; write its histogram PNG where matplotlib is installed."""
    from grader.instructor.classreport import summarise, write_png

    found = records.load_records(out_dir)
    if not found:
        raise InputError(f"{out_dir} holds no batch records; run `grade batch DIR --out {out_dir}` first")
    echo(summarise(catalogue, found), nl=False)
    target = png or out_dir / "class-report.png"
    if write_png(catalogue, found, target):
        echo(f"histograms: {target}")
    else:
        echo("(install matplotlib for a PNG of the histograms)")
    return EXIT_FULL_MARKS
