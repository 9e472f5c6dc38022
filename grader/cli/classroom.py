"""The `grade` commands for a course and a class: `check`, `new`, `publish`, `batch`, `merge`,
`report`, `feedback` and `similar` (instructor-facing).

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
from grader.errors import EXIT_FULL_MARKS, EXIT_POINTS_MISSING
from grader.i18n import language_asked

CSV_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def finishing_options(*, submitted_at: bool = False):
    """--adjustments and --extensions (and --submitted-at): grader/instructor/finishing.py."""
    options = [
        click.option(
            "--adjustments",
            type=CSV_FILE,
            default=None,
            help="CSV of grade adjustments (learner, item, points, reason, by), applied on top "
            "of the graded score; the whole list (records keep theirs when it is not given).",
        ),
        click.option(
            "--extensions",
            type=CSV_FILE,
            default=None,
            help="CSV of extended due dates (learner, item or *, due or days).",
        ),
    ]
    if submitted_at:
        options.append(
            click.option(
                "--submitted-at",
                "submitted_at",
                type=CSV_FILE,
                default=None,
                help="CSV of submission times (learner, submitted_at, source), instead of "
                "each upload's file time.",
            )
        )

    def decorate(command):
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def excel_option():
    return click.option(
        "--excel",
        is_flag=True,
        help="Write the CSV files as UTF-8 with a byte-order mark, for Excel users who want CSV.",
    )


def xlsx_option():
    return click.option(
        "--xlsx",
        is_flag=True,
        help="Also write grades.xlsx, an Excel workbook (sheets: grades, items, problems).",
    )


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
@excel_option()
@xlsx_option()
@finishing_options(submitted_at=True)
@lang_option()
@weak_sandbox_option()
@pass_course
@click.pass_context
def batch(
    ctx: click.Context, course: Course, folder: Path, out_dir: Path, lang: str | None, **options
) -> None:
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
@excel_option()
@xlsx_option()
@finishing_options()
@lang_option()
@pass_course
@click.pass_context
def merge(
    ctx: click.Context,
    course: Course,
    sources: tuple[Path, ...],
    out_dir: Path,
    lang: str | None,
    **options,
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
@finishing_options()
@lang_option()
@pass_course
def class_report(
    course: Course,
    out_dir: Path,
    png: Path | None,
    html: Path | None,
    roster: Path | None,
    lang: str | None,
    **files: Path | None,
) -> None:
    """A class summary: score distributions, the tests most often failed, quiz questions.
    With --adjustments or --extensions, the records and grades.csv are updated first."""
    from grader.instructor.classroom import report_command

    report_command(
        course.catalogue, out_dir, echo=click.echo, png=png, html=html, roster=roster, **files
    )


@cli.command("feedback", context_settings=CONTEXT_SETTINGS)
@click.argument(
    "grades", metavar="GRADES", type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for one feedback file per learner (made new, or replacing earlier feedback files).",
)
@click.option(
    "--format",
    "file_format",  # not the report's --format: a feedback file is html or md
    type=click.Choice(["html", "md"]),
    default="html",
    help="html: one self-contained page per learner; md: Markdown.",
)
@lang_option()
@pass_course
@click.pass_context
def feedback(
    ctx: click.Context,
    course: Course,
    grades: Path,
    out_dir: Path,
    file_format: str,
    lang: str | None,
) -> None:
    """Write a feedback file per learner from the records of `grade batch` in GRADES: each item's
    score, each failed test's feedback, adjustments and late penalties; nothing is graded again."""
    from grader.instructor.feedback import feedback_command

    ctx.exit(
        feedback_command(
            course.catalogue,
            grades,
            out_dir,
            echo=click.echo,
            output_format=file_format,
            lang=lang,
        )
    )


@cli.command("similar", context_settings=CONTEXT_SETTINGS)
@click.argument(
    "folder", metavar="DIR", type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for pairs.csv (one row per flagged pair) and similar.html (side by side).",
)
@pass_course
@click.pass_context
def similar(ctx: click.Context, course: Course, folder: Path, out_dir: Path) -> None:
    """Flag the pairs of learners whose code for one exercise is more alike than chance (DIR is
    the class folder `grade batch` reads; the code is read as text, never run)."""
    from grader.instructor.similar_report import similar_command

    ctx.exit(similar_command(course.catalogue, folder, out_dir, echo=click.echo))


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


@cli.command("check", context_settings=CONTEXT_SETTINGS)
@click.argument("ids", metavar="[ID]...", nargs=-1)
@click.option(
    "--no-artefacts",
    is_flag=True,
    help="Check the course only, not the student release and Gradescope bundle it publishes.",
)
@lang_option()
@weak_sandbox_option()
@pass_course
@click.pass_context
def check(
    ctx: click.Context,
    course: Course,
    ids: tuple[str, ...],
    no_artefacts: bool,
    lang: str | None,
    allow_weak_sandbox: bool,
) -> None:
    """Instructor self-check: what each exercise and quiz lacks, then the solutions score full
    marks and the stubs zero, in the course and in what `grade publish` writes (the release and
    the Gradescope bundle). With IDs, only those (the scan and the bundle cover all of it)."""
    from grader.instructor.check import check_artefacts, check_course, check_lacks

    selected = [item.id for item in course.catalogue.select(ids)] if ids else None
    problems = check_lacks(course.catalogue, selected, echo=click.echo)
    with course.decide_isolation(allow_weak_sandbox) as isolation:
        problems += check_course(course.catalogue, isolation, echo=click.echo, ids=selected)
    if not no_artefacts:
        problems += check_artefacts(
            course.catalogue, echo=click.echo, allow_weak=allow_weak_sandbox, ids=selected
        )
    if problems:
        click.echo(f"{len(problems)} problem(s): {', '.join(problems)}", err=True)
    ctx.exit(EXIT_POINTS_MISSING if problems else EXIT_FULL_MARKS)
