"""The `grade` command line: thin Click wiring over the runner, reports and course tools.

`grade ex03` grades exercises and quizzes (the default command); `grade list`, `hint`, `quiz`,
`check`, `publish` and `batch` are subcommands. Exit codes: 0 full marks, 1 points missing,
2 usage or input error, 3 the grader itself failed (SPEC section 4).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from grader import __version__
from grader.catalogue import Catalogue, load_catalogue
from grader.errors import (
    EXIT_FULL_MARKS,
    EXIT_GRADER_FAILED,
    EXIT_POINTS_MISSING,
    GraderFailure,
    InputError,
)

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "show_default": True}
DEFAULT_SUBMISSION = Path("exercises")
GRADE_COMMAND = "grade-items"
QUIZ_LANGUAGES = ("en", "ko")  # grader.quiz_text.LANGUAGES, kept here so --help imports nothing
LANG_HELP = ("Language of quiz questions, feedback and explanations: en or ko. "
             "Default: ko when LC_ALL, LC_MESSAGES or LANG starts with 'ko', else en.")


class GradeGroup(click.Group):
    """A group whose default command grades: `grade ex01 ex02` means `grade grade-items ex01 ex02`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        first = args[0] if args else None
        if first not in self.commands and first not in ("-h", "--help", "--version"):
            args = [GRADE_COMMAND, *args]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            raise click.exceptions.Abort() from None
        except Exception as error:  # anything else is a grader bug: one line, exit code 3
            raise GraderFailure(f"internal error: {type(error).__name__}: {error}") from error

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage("grade", "ID [ID ...] | --all [OPTIONS]\n       grade COMMAND [ARGS]")


@click.group(cls=GradeGroup, context_settings=CONTEXT_SETTINGS,
             epilog="Grade with `grade ex01 ex02` or `grade --all`; see `grade grade-items --help` "
                    "for the grading options (--submission, --format, --output, --seed, --lang).")
@click.version_option(__version__, prog_name="cnn-exercises")
def cli() -> None:
    """Grade the CNN exercises and quizzes, and manage the course.

    Exit codes: 0 full marks, 1 some points missing, 2 a usage or input error,
    3 the grader itself failed.
    """


def _catalogue() -> Catalogue:
    return load_catalogue()


@cli.command(GRADE_COMMAND, context_settings=CONTEXT_SETTINGS)
@click.argument("ids", nargs=-1)
@click.option("--all", "grade_all", is_flag=True, help="Grade every exercise and quiz in the course.")
@click.option("--submission", type=click.Path(file_okay=False, path_type=Path),
              default=DEFAULT_SUBMISSION,
              help="Folder with the learner's exNN_*.py files and answers/.")
@click.option("--format", "output_format", type=click.Choice(["text", "json", "gradescope", "junit"]),
              default="text", help="How to write the report.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the report to this file instead of standard output.")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="Replay the randomised hidden cases of an earlier run (its report prints the seed).")
@click.option("--lang", type=click.Choice(QUIZ_LANGUAGES), default=None, show_default=False,
              help=LANG_HELP)
@click.pass_context
def grade_items(ctx: click.Context, ids: tuple[str, ...], grade_all: bool, submission: Path,
                output_format: str, output: Path | None, seed: int | None, lang: str | None) -> None:
    """Grade exercises and quizzes by id (ex01..ex07, q01..), or all of them with --all."""
    from grader.progress import Progress
    from grader.reports import render
    from grader.runner import grade

    catalogue = _catalogue()
    if not ids and not grade_all:
        raise click.UsageError("name what to grade (e.g. `grade ex01`) or pass --all; "
                               f"the course has {', '.join(catalogue.ids)}")
    if ids and grade_all:
        raise click.UsageError("give either ids or --all, not both")
    if not submission.is_dir():
        raise InputError(f"submission folder {submission} does not exist")
    selected = catalogue.ids if grade_all else list(ids)
    for item_id in selected:
        catalogue.item(item_id)
    report = grade(catalogue, selected, submission=submission, seed=seed, lang=lang)

    which = "--all" if grade_all else " ".join(ids)
    replay = f"grade {which} --seed {report.seed}"
    if submission != DEFAULT_SUBMISSION:
        replay += f" --submission {submission}"
    text = render(report, output_format, replay=replay)
    if output is None:
        click.echo(text, nl=False)
    else:
        try:
            output.write_text(click.unstyle(text), encoding="utf-8")
        except OSError as error:
            raise InputError(f"cannot write the report to {output}: {error.strerror}") from None
        click.echo(f"grade: {output_format} report written to {output} "
                   f"({report.score:g} / {report.max_score:g})", err=True)
    if output_format == "text":
        progress = Progress.load(submission)
        progress.record(report)
        progress.save(submission)
    ctx.exit(EXIT_FULL_MARKS if report.full_marks else EXIT_POINTS_MISSING)


@cli.command("list", context_settings=CONTEXT_SETTINGS)
@click.option("--submission", type=click.Path(file_okay=False, path_type=Path),
              default=DEFAULT_SUBMISSION, help="The learner's folder.")
def list_items(submission: Path) -> None:
    """Every exercise and quiz with your status and best score so far."""
    from grader.progress import Progress

    catalogue = _catalogue()
    progress = Progress.load(submission)
    for item in (*catalogue.exercises, *catalogue.quizzes):
        present = (submission / (item.file if item.kind == "exercise" else item.answers_file)).is_file()
        status = progress.status.get(item.id, "not graded yet" if present else "not started")
        best = progress.best.get(item.id)
        best_text = f"best {best:g}" if best is not None else ""
        click.echo(f"{item.id}  {item.title:<44} {status.replace('_', ' '):<16} {best_text}")


@cli.command("hint", context_settings=CONTEXT_SETTINGS)
@click.argument("item_id", metavar="ID")
@click.option("--submission", type=click.Path(file_okay=False, path_type=Path),
              default=DEFAULT_SUBMISSION, help="The learner's folder (where seen hints are remembered).")
def hint(item_id: str, submission: Path) -> None:
    """Show the next hint for an exercise or quiz; each call reveals one more."""
    from grader.progress import Progress

    item = _catalogue().item(item_id)
    if not item.hints:
        click.echo(f"{item.id} has no hints.")
        return
    progress = Progress.load(submission)
    shown = progress.next_hint(item.id, item.hints)
    if shown is None:
        click.echo(f"You have seen all {len(item.hints)} hints for {item.id}:")
        for number, text in enumerate(item.hints, start=1):
            click.echo(f"  {number}. {text}")
        return
    number, text = shown
    progress.save(submission)
    click.echo(f"Hint {number} of {len(item.hints)} for {item.id} ({item.title}):\n  {text}")


@cli.command("quiz", context_settings=CONTEXT_SETTINGS)
@click.argument("quiz_id", metavar="ID")
@click.option("--submission", type=click.Path(file_okay=False, path_type=Path),
              default=DEFAULT_SUBMISSION,
              help="The learner's folder; the answers go to its answers/ folder.")
@click.option("--lang", type=click.Choice(QUIZ_LANGUAGES), default=None, show_default=False,
              help=LANG_HELP)
def quiz(quiz_id: str, submission: Path, lang: str | None) -> None:
    """Take a quiz in the terminal; the answers are saved to answers/ID.yaml for `grade ID`."""
    from grader.quiz_prompt import take_quiz

    grade_command = f"grade {quiz_id}"
    if submission != DEFAULT_SUBMISSION:
        grade_command += f" --submission {submission}"
    if lang:
        grade_command += f" --lang {lang}"
    take_quiz(_catalogue(), quiz_id, submission=submission, lang=lang, grade_command=grade_command)


@cli.command("check", context_settings=CONTEXT_SETTINGS)
@click.pass_context
def check(ctx: click.Context) -> None:
    """Instructor self-check: the solutions score full marks and the stubs score zero."""
    from grader.runner import grade

    catalogue = _catalogue()
    problems = []
    for folder, want_full in ((catalogue.root / "solutions", True), (catalogue.root / "exercises", False)):
        if not folder.is_dir():
            raise InputError(f"{folder} does not exist; `grade check` runs in the course repository")
        report = grade(catalogue, catalogue.ids, submission=folder)
        for item in report.exercises:
            good = item.score >= item.max_score if want_full else item.score == 0
            expectation = "full marks" if want_full else "zero"
            click.echo(f"{'ok  ' if good else 'BAD '} {folder.name:<9} {item.id}  "
                       f"{item.score:g} / {item.max_score:g} (want {expectation})")
            if not good:
                problems.append(f"{folder.name}/{item.id}")
    if problems:
        click.echo(f"{len(problems)} problem(s): {', '.join(problems)}", err=True)
    ctx.exit(EXIT_POINTS_MISSING if problems else EXIT_FULL_MARKS)


@cli.command("publish", context_settings=CONTEXT_SETTINGS)
@click.argument("out_dir", metavar="OUTDIR", type=click.Path(file_okay=False, path_type=Path))
def publish_course(out_dir: Path) -> None:
    """Write a student release (no solutions, hidden suites or quiz keys) and a Gradescope bundle."""
    from grader.publish import publish

    published = publish(_catalogue(), out_dir)
    click.echo(f"student release:     {published.student}")
    click.echo(f"Gradescope autograder: {published.autograder_zip}")


@cli.command("batch", context_settings=CONTEXT_SETTINGS)
@click.argument("folder", metavar="DIR", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for one JSON report per learner and grades.csv.")
@click.option("--workers", type=click.IntRange(min=1), default=2,
              help="How many learners to grade at the same time.")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="The seed for every learner's random cases (default: a new one, printed).")
@click.pass_context
def batch(ctx: click.Context, folder: Path, out_dir: Path, workers: int, seed: int | None) -> None:
    """Grade a class: DIR holds one sub-folder or .zip per learner."""
    from grader.batch import run_batch

    outcomes, seed = run_batch(_catalogue(), folder, out_dir, workers, seed)
    for outcome in outcomes:
        if outcome.report is None:
            click.echo(f"{outcome.learner:<24} not graded: {outcome.problem}")
        else:
            click.echo(f"{outcome.learner:<24} {outcome.report['score']:g} / {outcome.report['max_score']:g}")
    click.echo(f"{len(outcomes)} learners, seed {seed}; reports and grades.csv in {out_dir}")
    if any(outcome.exit_code == EXIT_GRADER_FAILED for outcome in outcomes):
        ctx.exit(EXIT_GRADER_FAILED)
    full = all(outcome.exit_code == EXIT_FULL_MARKS for outcome in outcomes)
    ctx.exit(EXIT_FULL_MARKS if full else EXIT_POINTS_MISSING)


def main() -> None:
    """Console-script entry point."""
    cli.main(prog_name="grade")


if __name__ == "__main__":
    sys.exit(main())
