"""The learner's `grade watch`, `grade list` and `grade hint` commands and `grade show ID
--picture`: thin Click wiring over grader/learner/ (watch.py, pictures.py) and grader/cli/.

It joins the group of grader/cli/app.py, which imports this module once its group, its shared
options and `show` exist (as grader/cli/classroom.py does for the class commands); `--picture` is
added to `show` here, so the pictures' options live with the pictures.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import click

from grader.cli.app import (
    CONTEXT_SETTINGS,
    DEFAULT_SUBMISSION,
    Course,
    cli,
    lang_option,
    pass_course,
    submission_option,
    weak_sandbox_option,
)
from grader.course.catalogue import Exercise
from grader.errors import InputError
from grader.i18n import _, with_lang
from grader.terminal import echo_wrapped, wrap

DEFAULT_PICTURES = Path("pictures")


@cli.command("watch", context_settings=CONTEXT_SETTINGS)
@click.argument("item_id", metavar="ID")
@submission_option(
    "The learner's folder, with the exercise file to watch, or a notebook (.ipynb) to watch.",
    notebook=True,
)
@lang_option()
@weak_sandbox_option()
@pass_course
@click.pass_context
def watch_exercise(
    ctx: click.Context,
    course: Course,
    item_id: str,
    submission: Path,
    lang: str | None,
    allow_weak_sandbox: bool,
) -> None:
    """Grade an exercise now and again on every save of its file or notebook; Ctrl-C stops."""
    from grader.learner.watch import watch, watched_file

    watched_file(course.catalogue, item_id, submission)  # a quiz or an unknown id: one line, exit 2
    with course.decide_isolation(allow_weak_sandbox, self_check=True) as isolation:
        ctx.exit(watch(course.catalogue, item_id, submission=submission, isolation=isolation))


@cli.command("reset", context_settings=CONTEXT_SETTINGS)
@click.argument("item_id", metavar="ID")
@submission_option("The learner's folder, with the exercise file to reset.")
@click.option("--yes", is_flag=True, help="Reset without asking first.")
@lang_option()
@pass_course
def reset(course: Course, item_id: str, submission: Path, yes: bool, lang: str | None) -> None:
    """Put an exercise's stub back; your file is kept as a backup (the command says where)."""
    from grader.learner.reset import is_stub, learner_file, released_stub, reset_exercise

    item = course.catalogue.item(item_id)
    if not isinstance(item, Exercise):
        raise InputError(
            _("{id} is a quiz: to answer it again, run `{command}` and choose redo").format(
                id=item.id, command=with_lang(f"grade quiz {item.id}")
            )
        )
    stub = released_stub(item) or _course_stub(course, item)
    path = learner_file(item, submission)
    if is_stub(item, submission, stub):
        echo_wrapped(
            _("{file} is already the stub of {id}: nothing to reset.").format(file=path, id=item.id)
        )
        return
    if not yes and not _confirmed(path, item.id):
        echo_wrapped(_("Nothing changed."))
        return
    backup = reset_exercise(item, submission, stub)
    done = _("{file} is the stub of {id} again.").format(file=path, id=item.id)
    if backup is not None:
        done += " " + _("Your file is kept as {backup}.").format(backup=backup)
    echo_wrapped(done)


def _confirmed(path: Path, item_id: str) -> bool:
    """Asks before a reset; no answer at all (no terminal, the input closed) asks for --yes."""
    question = _("Replace {file} with the stub of {id}? Your file is kept as a backup.").format(
        file=path, id=item_id
    )
    try:
        return click.confirm(wrap(question), default=False)
    except click.exceptions.Abort:
        click.echo("")
        raise InputError(
            _("no answer, so nothing changed: add --yes to reset without asking")
        ) from None


def _course_stub(course: Course, item: Exercise) -> str:
    """The stub the course repository's marked solution gives (a release has its own data)."""
    try:
        from grader.instructor.source import course_stubs
    except ModuleNotFoundError:
        raise InputError(
            _("this copy of the course has no stub of {id} to reset to").format(id=item.id)
        ) from None
    return course_stubs(course.catalogue)[f"exercises/{item.file}"]


def _options(*decorators) -> list[click.Parameter]:
    """The Click parameters that option decorators would attach to a command, in order."""

    def holder() -> None: ...

    decorated: Any = holder  # each decorator adds its parameter to `__click_params__`
    for decorator in decorators:
        decorated = decorator(decorated)
    return list(reversed(decorated.__click_params__))


def add_picture_option(command: click.Command) -> None:
    """`grade show ID --picture [--pictures-dir DIR]`: after the task, draw the learner's own
    results for ID (their functions run in the sandbox) and name the files."""
    command.params += [
        click.Option(
            ["--picture"],
            is_flag=True,
            help="Also draw your results for ID as PNG files (ex01-ex05, ex07), next to the expected ones.",
        ),
        click.Option(
            ["--pictures-dir"],
            type=click.Path(file_okay=False, path_type=Path),
            default=DEFAULT_PICTURES,
            show_default=True,
            help="Where --picture writes the PNG files.",
        ),
        # the folder is looked for only with --picture: `grade show ID` alone works anywhere
        click.Option(
            ["--submission"],
            type=click.Path(file_okay=False, path_type=Path),
            default=None,
            help="The learner's folder, whose functions --picture runs. Default: exercises/ "
            "here or in a parent folder, or this folder when it holds the exercise files.",
        ),
        *_options(weak_sandbox_option()),
    ]
    show = command.callback
    assert show is not None  # `grade show` has its function

    @functools.wraps(show)
    @pass_course
    def show_then_draw(
        course: Course,
        *,
        picture: bool,
        pictures_dir: Path,
        submission: Path | None,
        allow_weak_sandbox: bool,
        **shown,
    ) -> None:
        show(**shown)
        if not picture:
            return
        from grader.cli.commands import learner_folder
        from grader.learner.pictures import learner_pictures, picture_lines

        submission = learner_folder(submission, DEFAULT_SUBMISSION)

        item = course.catalogue.item(shown["item_id"])
        with course.decide_isolation(allow_weak_sandbox, self_check=True) as isolation:
            pictures = learner_pictures(
                course.catalogue,
                [item.id],
                submission=submission,
                isolation=isolation,
                out_dir=pictures_dir,
            )
        click.echo("")
        for line in picture_lines(pictures):
            click.echo(line)

    command.callback = show_then_draw


if "show" in cli.commands:
    add_picture_option(cli.commands["show"])


@cli.command("list", context_settings=CONTEXT_SETTINGS)
@submission_option("The learner's folder.")
@lang_option()
@pass_course
def list_items(course: Course, submission: Path, lang: str) -> None:
    """Every exercise and quiz with your status and best score so far."""
    from grader.cli.course_path import list_lines

    for line in list_lines(course.catalogue, submission):
        click.echo(line)


@cli.command("hint", context_settings=CONTEXT_SETTINGS)
@click.argument("item_id", metavar="ID")
@submission_option("The learner's folder (where seen hints are remembered).")
@lang_option()
@pass_course
def hint(course: Course, item_id: str, submission: Path, lang: str) -> None:
    """Show the next hint for an exercise or quiz; each call reveals one more."""
    from grader.cli.commands import next_hint_text

    click.echo(next_hint_text(course.catalogue.item(item_id), submission))
