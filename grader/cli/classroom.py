"""The `grade` commands for a course and a class: `new`, `publish`, `batch`, `merge` and `report`
(instructor-facing).

Thin Click wiring, like grader/cli/app.py, whose group they join: grader/cli/app.py imports this module
once its group and shared options exist. Each command parses its options and calls a function
of grader/instructor/classroom.py, imported only when the command runs (a student release
has no grader/instructor/, and `grade ex01` never pays for it).
"""

from __future__ import annotations

from pathlib import Path

import click

from grader.cli.app import (
    CONTEXT_SETTINGS,
    Course,
    cli,
    lang_option,
    pass_course,
    weak_sandbox_option,
)
from grader.i18n import language_asked


@cli.command("publish", context_settings=CONTEXT_SETTINGS)
@click.argument("out_dir", metavar="OUTDIR", type=click.Path(file_okay=False, path_type=Path))
@lang_option()
@weak_sandbox_option()
@pass_course
def publish_course(course: Course, out_dir: Path, lang: str, allow_weak_sandbox: bool) -> None:
    """Write a student release (no solutions, keys or hidden suites; --lang ko: Korean stubs) and a
    Gradescope bundle, once the stubs are the course's own and no function or data in the release
    earns a point."""
    from grader.instructor.publish import publish

    with course.decide_isolation(allow_weak_sandbox) as isolation:
        published = publish(
            course.catalogue,
            out_dir,
            stubs_lang=lang if language_asked() else "en",
            isolation=isolation,
        )
    click.echo(f"student release:     {published.student}")
    click.echo(f"Gradescope autograder: {published.autograder_zip}")
    click.echo(published.scan)


@cli.command("batch", context_settings=CONTEXT_SETTINGS)
@click.argument(
    "folder", metavar="DIR", type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for one JSON record per learner, grades.csv, canvas.csv and moodle.csv.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=2,
    help="How many learners to grade at the same time (on this machine).",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0, max=2**31 - 1),
    default=None,  # what a record holds
    help="Replay this seed for every learner's random cases (default: a fresh secret seed for each).",
)
@click.option(
    "--shard", default=None, metavar="K/N", help="Grade only shard K of N (by a hash of each name)."
)
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDR",
    help="Grade on the Dask cluster whose scheduler is at ADDR (tcp://host:8786).",
)
@click.option(
    "--roster",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="CSV with folder, id, name, email per learner (kept in the out folder for reruns).",
)
@click.option("--force", is_flag=True, help="Regrade every learner, changed or not.")
@click.option(
    "--only", multiple=True, metavar="NAME", help="Regrade only these learners (repeat, or a,b)."
)
@click.option(
    "--excel", is_flag=True, help="Write the CSV files as UTF-8 with a byte-order mark, for Excel."
)
@weak_sandbox_option()
@pass_course
@click.pass_context
def batch(ctx: click.Context, course: Course, folder: Path, out_dir: Path, **options) -> None:
    """Grade a class: DIR holds one sub-folder or .zip per learner; unchanged learners are skipped."""
    from grader.instructor.classroom import batch_command

    ctx.exit(batch_command(course.catalogue, folder, out_dir, echo=click.echo, **options))


@cli.command("merge", context_settings=CONTEXT_SETTINGS)
@click.argument(
    "sources",
    metavar="OUT...",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the merged records and gradebook.",
)
@click.option(
    "--roster",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Roster CSV (default: the one kept in the first shard output that has one).",
)
@click.option(
    "--excel", is_flag=True, help="Write the CSV files as UTF-8 with a byte-order mark, for Excel."
)
@pass_course
@click.pass_context
def merge(
    ctx: click.Context, course: Course, sources: tuple[Path, ...], out_dir: Path, **options
) -> None:
    """Combine `grade batch --shard` outputs into one gradebook."""
    from grader.instructor.classroom import merge_command

    ctx.exit(merge_command(course.catalogue, sources, out_dir, echo=click.echo, **options))


@cli.command("report", context_settings=CONTEXT_SETTINGS)
@click.argument(
    "out_dir", metavar="OUT", type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option(
    "--png",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the charts (default: OUT/class-report.png; needs matplotlib).",
)
@click.option(
    "--html",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the report as one self-contained HTML page, with charts and tables.",
)
@click.option(
    "--roster",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Roster CSV, to list its learners without an upload (default: OUT/roster.csv, if kept).",
)
@lang_option()
@pass_course
def class_report(
    course: Course,
    out_dir: Path,
    png: Path | None,
    html: Path | None,
    roster: Path | None,
    lang: str | None,
) -> None:
    """A class summary: score distributions, the tests most often failed, quiz questions."""
    from grader.instructor.classroom import report_command

    report_command(course.catalogue, out_dir, echo=click.echo, png=png, html=html, roster=roster)


@cli.group("new", context_settings=CONTEXT_SETTINGS)
def new() -> None:
    """Scaffold a new exercise or quiz in the course, ready for `grade check` (docs/authoring.md)."""


@new.command("exercise", context_settings=CONTEXT_SETTINGS)
@click.argument("exercise_id", metavar="ID")
@click.argument("title", metavar="TITLE")
@pass_course
def new_exercise(course: Course, exercise_id: str, title: str) -> None:
    """Write a marked solution, its stub and the exercise's folder (exercise.yaml, Korean
    placeholders, a public and a hidden test) for exercise ID (ex10) called TITLE."""
    from grader.instructor.scaffold import new_exercise as scaffold

    written = scaffold(course.root, exercise_id, title)
    _say_written(
        written.files,
        f"write the task in {written.files[0]} and its tests in grader/exercises/{exercise_id}/ "
        f'(docs/authoring.md, "Recipe: an exercise"), then `grade check {exercise_id}`',
    )


@new.command("quiz", context_settings=CONTEXT_SETTINGS)
@click.argument("quiz_id", metavar="ID")
@click.argument("title", metavar="[TITLE]", required=False)
@pass_course
def new_quiz(course: Course, quiz_id: str, title: str | None) -> None:
    """Write a question bank with one question, its key and the catalogue's entry for quiz ID
    (q06) called TITLE."""
    from grader.instructor.scaffold import new_quiz as scaffold

    written = scaffold(course.root, quiz_id, title)
    _say_written(
        written.files,
        f"write the questions in {written.files[0]} and their keys in {written.files[1]} "
        f'(docs/authoring.md, "Recipe: a quiz question"), then `grade check {quiz_id}`',
    )


def _say_written(files: list[str], next_step: str) -> None:
    for relative in files:
        click.echo(f"wrote {relative}")
    click.echo(f"next: {next_step}")
