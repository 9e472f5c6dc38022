"""The learner's `grade watch` command: thin Click wiring over grader/learner/watch.py.

It joins the group of grader/cli.py, which imports this module once its group and shared
options exist (as grader/cli_class.py does for the class commands).
"""

from __future__ import annotations

from pathlib import Path

import click

from grader.cli import CONTEXT_SETTINGS, Course, cli, lang_option, pass_course, submission_option, weak_sandbox_option


@cli.command("watch", context_settings=CONTEXT_SETTINGS)
@click.argument("item_id", metavar="ID")
@submission_option("The learner's folder, with the exercise file to watch.")
@lang_option()
@weak_sandbox_option()
@pass_course
@click.pass_context
def watch_exercise(ctx: click.Context, course: Course, item_id: str, submission: Path, lang: str | None,
                   allow_weak_sandbox: bool) -> None:
    """Grade an exercise now and again on every save of its file; Ctrl-C stops."""
    from grader.learner.watch import watch, watched_file

    watched_file(course.catalogue, item_id, submission)  # a quiz or an unknown id: one line, exit 2
    with course.decide_isolation(allow_weak_sandbox) as isolation:
        ctx.exit(watch(course.catalogue, item_id, submission=submission, isolation=isolation))
