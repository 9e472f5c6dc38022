"""The `grade` command line: thin Click wiring over the runner, reports and course tools.

`grade ex03` grades exercises and quizzes (the default command); `grade list`, `hint`, `show`,
`quiz`, `check`, and (from grader/cli/classroom.py) `publish`, `batch`, `merge` and `report` are
subcommands. Exit codes: 0 full marks, 1 points missing, 2 usage or input error, 3 the grader
itself failed (docs/design.md#exit-codes). The course catalogue and the run's isolation reach
the commands through the Click context (`Course`), so tests can hand in their own (`--course`
is hidden).
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import click

from grader import __version__
from grader.course.catalogue import CATALOGUE_PATH, COURSE_ROOT, Catalogue, load_catalogue
from grader.errors import (
    EXIT_FULL_MARKS,
    GraderFailure,
    InputError,
    UsageError,
    exit_130_when_interrupted,
    show_tracebacks,
)
from grader.i18n import LANGUAGES, _, choose_language, with_lang
from grader.logs import configure as configure_logging
from grader.reports import FORMATS
from grader.sanitise import visible

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "show_default": True}
DEFAULT_SUBMISSION = Path("exercises")
GRADE_COMMAND = "grade-items"
INSTRUCTOR_PACKAGE = "grader.instructor"
GROUP_OPTIONS_WITH_VALUES = ("--course", "--course-root")
GROUP_FLAGS = ("--debug", "-v", "-vv", "-vvv", "--verbose")
LANG_HELP = (
    "Language of every message, report, hint and quiz: en or ko. "
    "Default: ko when LC_ALL, LC_MESSAGES or LANG starts with 'ko', else en."
)
WEAK_HELP = (
    "Grade even where the sandbox has no Linux namespaces and the grader runs as root "
    "(learner code then runs as an unprivileged user under resource limits only)."
)


@dataclass
class Course:
    """What every command works on: the catalogue, and how to decide the run's isolation.

    `isolation` is None in normal use (each command decides it once, by probe); tests may
    hand in an `Isolation` to force a mode.
    """

    catalogue_path: Path = CATALOGUE_PATH
    root: Path = COURSE_ROOT
    isolation: object | None = None
    _catalogue: Catalogue | None = None

    @property
    def catalogue(self) -> Catalogue:
        if self._catalogue is None:
            self._catalogue = load_catalogue(self.catalogue_path, root=self.root)
        return self._catalogue

    def decide_isolation(self, allow_weak: bool, *, self_check: bool = False):
        """Start deciding the run's isolation now; the probe answers on first `get()`.
        `self_check`: a learner's own grading, which may use the portable worker where no
        sandbox can be built (docs/design.md#portable-self-check); instructor commands never do."""
        if self.isolation is not None:
            return self.isolation
        from grader.sandbox.probe import IsolationProbe

        return IsolationProbe(allow_weak=allow_weak, self_check=self_check)


pass_course = click.make_pass_decorator(Course, ensure=True)


class GradeGroup(click.Group):
    """A group whose default command grades: `grade ex01 ex02` means `grade grade-items ex01 ex02`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        messages.language_from_arguments(args)  # before Click can answer a usage error
        position = 0
        while position < len(args) and args[position] in GROUP_OPTIONS_WITH_VALUES + GROUP_FLAGS:
            position += 2 if args[position] in GROUP_OPTIONS_WITH_VALUES else 1
        first = args[position] if position < len(args) else None
        if first not in self.commands and first not in ("-h", "--help", "--version"):
            args = [*args[:position], GRADE_COMMAND, *args[position:]]
        try:
            return super().parse_args(ctx, args)
        except BrokenPipeError:  # `grade --help | head -1`
            _quiet_broken_pipe()

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            raise click.exceptions.Abort() from None
        except BrokenPipeError:  # the reader left (`grade list | head -1`): end quietly, with 0
            _quiet_broken_pipe()
        except ModuleNotFoundError as error:
            if (error.name or "").startswith(INSTRUCTOR_PACKAGE):  # a student release has none
                raise InputError(
                    _(
                        "`grade {command}` is an instructor command; this student release "
                        "of the course does not include it"
                    ).format(command=ctx.invoked_subcommand)
                ) from None
            raise GraderFailure(f"internal error: {type(error).__name__}: {error}") from error
        except (
            Exception
        ) as error:  # anything else is a grader bug: one line, shown escaped (it may quote
            # a learner's name or text), exit code 3
            raise GraderFailure(
                visible(f"internal error: {type(error).__name__}: {error}", 600)
            ) from error

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage("grade", "ID [ID ...] | --all [OPTIONS]\n       grade COMMAND [ARGS]")


@click.group(
    cls=GradeGroup,
    context_settings=CONTEXT_SETTINGS,
    epilog="Grade with `grade ex01 ex02` or `grade --all`; see `grade --all --help` "
    "for the grading options (--submission, --format, --output, --seed, --lang).",
)
@click.version_option(__version__, prog_name="cnn-exercises")
@click.option(
    "--course",
    "catalogue_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    hidden=True,
    help="Another course catalogue (for tests).",
)
@click.option(
    "--course-root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    hidden=True,
    help="Another course folder with quizzes/ and solutions/ (for tests).",
)
@click.option(
    "--debug",
    is_flag=True,
    help="When the grader itself fails (exit code 3), also print the traceback.",
)
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="Log what the grader decides (isolation, seeds, workers) to standard error; -vv logs more.",
)
@click.pass_context
def cli(
    ctx: click.Context,
    catalogue_path: Path | None,
    course_root: Path | None,
    debug: bool,
    verbose: int,
) -> None:
    """Grade the CNN exercises and quizzes, and manage the course.

    Exit codes: 0 full marks, 1 some points missing, 2 a usage or input error,
    3 the grader itself failed.
    """
    show_tracebacks(debug)
    configure_logging(verbose)
    course = ctx.ensure_object(Course)
    if catalogue_path is not None:
        course.catalogue_path, course._catalogue = catalogue_path, None
    if course_root is not None:
        course.root, course._catalogue = course_root, None


def submission_option(help_text: str, notebook: bool = False):
    return click.option(
        "--submission",
        type=click.Path(file_okay=notebook, path_type=Path),
        default=None,
        callback=_learner_folder,
        show_default=False,
        help=f"{help_text} Default: exercises/ here or in a parent folder, or this "
        "folder when it holds the exercise files.",
    )


def _learner_folder(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path:
    from grader.cli.commands import learner_folder

    return learner_folder(value, DEFAULT_SUBMISSION)


def lang_option():
    """`--lang`, read first (other options' messages are in it), set once for the whole process."""
    return click.option(
        "--lang",
        type=click.Choice(LANGUAGES),
        default=None,
        show_default=False,
        is_eager=True,
        callback=lambda ctx, param, value: choose_language(value),
        help=LANG_HELP,
    )


def weak_sandbox_option():
    return click.option("--allow-weak-sandbox", is_flag=True, help=WEAK_HELP)


class GradeItemsContext(click.Context):
    """The default command's context: "grade", not "grade grade-items", in usage hints."""

    @property
    def command_path(self) -> str:
        return self.parent.command_path if self.parent else "grade"


class GradeItemsCommand(click.Command):
    """The default command: its usage reads as learners type it, never with its internal name."""

    context_class = GradeItemsContext

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage("grade", "ID [ID ...] | --all [OPTIONS]")


@cli.command(GRADE_COMMAND, cls=GradeItemsCommand, context_settings=CONTEXT_SETTINGS, hidden=True)
@click.argument("ids", nargs=-1)
@click.option(
    "--all", "grade_all", is_flag=True, help="Grade every exercise and quiz in the course."
)
@submission_option(
    "Folder with the learner's exNN_*.py files and answers/, or a notebook (.ipynb) that "
    "defines the exercises' functions.",
    notebook=True,
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="text",
    help="How to write the report.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the report to this file instead of standard output.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=None,
    help="Replay the randomised hidden cases of an earlier run (its report prints the seed).",
)
@lang_option()
@weak_sandbox_option()
@click.option(
    "--fail-under",
    type=click.FloatRange(0, 100),
    default=None,
    metavar="PERCENT",
    help="Exit 0 at or above PERCENT of the points, else 1 (for CI that accepts partial credit); "
    "each exercise counts at its points in the course, also where a student release grades its "
    "public tests only.",
)
@click.option(
    "--pictures",
    "pictures_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    metavar="DIR",
    help="Also write PNG pictures of your results (ex01-ex05, on a photograph) to DIR.",
)
@pass_course
@click.pass_context
def grade_items(
    ctx: click.Context,
    course: Course,
    ids: tuple[str, ...],
    grade_all: bool,
    submission: Path,
    output_format: str,
    output: Path | None,
    seed: int | None,
    lang: str | None,
    allow_weak_sandbox: bool,
    fail_under: float | None,
    pictures_dir: Path | None,
) -> None:
    """Grade exercises and quizzes by id (ex01..ex09, q01..), or all of them with --all."""
    catalogue = course.catalogue
    if not ids and not grade_all:
        raise UsageError(
            _("name what to grade (e.g. `{example}`) or pass --all; the course has {ids}").format(
                example=with_lang("grade ex01"), ids=", ".join(catalogue.ids)
            )
        )
    if ids and grade_all:
        raise UsageError(_("give either ids or --all, not both"))
    selected = catalogue.ids if grade_all else list(ids)
    for item_id in selected:
        catalogue.item(item_id)
    from grader.cli.commands import exit_code, grade_and_report

    with course.decide_isolation(allow_weak_sandbox, self_check=True) as isolation:
        report = grade_and_report(
            catalogue,
            selected,
            submission=submission,
            isolation=isolation,
            seed=seed,
            lang=lang,
            output_format=output_format,
            output=output,
            replay_ids="--all" if grade_all else " ".join(ids),
            default_submission=DEFAULT_SUBMISSION,
        )
        if pictures_dir is not None:
            from grader.learner.pictures import learner_pictures, picture_lines

            pictures = learner_pictures(
                catalogue,
                selected,
                submission=submission,
                isolation=isolation,
                out_dir=pictures_dir,
                run_seed=report.seed,
            )
            for line in picture_lines(pictures):
                click.echo(line, err=output_format != "text" or output is not None)
    weights = {exercise.id: exercise.points for exercise in catalogue.exercises}
    ctx.exit(exit_code(report, fail_under, lang, weights))


@cli.command("show", context_settings=CONTEXT_SETTINGS)
@click.argument("item_id", metavar="ID")
@lang_option()
@pass_course
def show(course: Course, item_id: str, lang: str) -> None:
    """Show an exercise's task, formulas, worked example and functions (in Korean: --lang ko)."""
    from grader.cli.commands import show_text

    click.echo(show_text(course.catalogue, course.catalogue.item(item_id)), nl=False)


@cli.command("quiz", context_settings=CONTEXT_SETTINGS)
@click.argument("quiz_id", metavar="ID")
@submission_option("The learner's folder; the answers go to its answers/ folder.")
@lang_option()
@pass_course
def quiz(course: Course, quiz_id: str, submission: Path, lang: str | None) -> None:
    """Take a quiz in the terminal; the answers are saved to answers/ID.yaml for `grade ID`."""
    from grader.quiz.prompt import take_quiz

    where = f" --submission {submission}" if submission != DEFAULT_SUBMISSION else ""
    take_quiz(
        course.catalogue,
        quiz_id,
        submission=submission,
        lang=lang,
        grade_command=with_lang(f"grade {quiz_id}{where}"),
    )


from grader.cli import classroom, learner, messages  # noqa: E402,F401  batch..., watch, Click's words

# The instructor's commands stay registered in a student release (which has no grader/instructor/),
# where they answer in one line that the release does not include them, but leave its --help.
INSTRUCTOR_COMMANDS = ("check", "new", "publish", "batch", "merge", "report", "feedback", "similar")
if importlib.util.find_spec(INSTRUCTOR_PACKAGE) is None:
    for name in INSTRUCTOR_COMMANDS:
        cli.commands[name].hidden = True
messages.install(cli)  # once every command is registered: their help in the run's language too


def main() -> None:
    """Console-script entry point: an interrupted run exits 130, a closed pipe ends quietly."""
    try:
        with exit_130_when_interrupted():
            cli.main(prog_name="grade")
    except BrokenPipeError:
        _quiet_broken_pipe()


def _quiet_broken_pipe() -> NoReturn:
    """The reader is gone (`grade list | head -1`): end quietly, with exit code 0."""
    from grader.cli.commands import silence_stdout

    silence_stdout()
    sys.exit(EXIT_FULL_MARKS)
