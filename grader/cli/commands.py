"""What the learner's commands do, behind the CLI's option parsing: grade and report, list, hint.

Each function takes keyword arguments the CLI parsed and returns what to show (or writes the
report), so the commands can be used and tested without Click.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

import click

from grader.course.catalogue import Catalogue, Exercise, Quiz
from grader.errors import EXIT_FULL_MARKS, EXIT_GRADER_FAILED, EXIT_POINTS_MISSING, InputError
from grader.grading.runner import IsolationSource, grade
from grader.i18n import N_, _, current_language, with_lang
from grader.progress import Progress
from grader.reports import render
from grader.reports.text import wrap_to_terminal
from grader.results import Report
from grader.submission import find_learner_folder
from grader.terminal import reflow_lines, wrap


def grade_and_report(
    catalogue: Catalogue,
    item_ids: list[str],
    *,
    submission: Path,
    isolation: IsolationSource,
    seed: int | None,
    lang: str | None,
    output_format: str,
    output: Path | None,
    replay_ids: str,
    default_submission: Path,
) -> Report:
    """Grade, then write the report to `output` (or standard output) and remember progress."""
    report = grade(
        catalogue, item_ids, submission=submission, isolation=isolation, seed=seed, lang=lang
    )
    replay = f"grade {replay_ids} --seed {report.seed}"
    if submission != default_submission:
        replay += f" --submission {submission}"
    replay = with_lang(replay)
    text = render(report, output_format, replay=replay, lang=lang)
    if output is None:
        try:
            click.echo(text, nl=False)
        except BrokenPipeError:  # `grade --all | head`: the reader left; the verdict still stands
            silence_stdout()
    else:
        try:
            output.write_text(click.unstyle(text), encoding="utf-8")
        except OSError as error:
            raise InputError(
                _("cannot write the report to {file}: {reason}").format(
                    file=output, reason=error.strerror
                )
            ) from None
        click.echo(
            _("grade: {format} report written to {file} ({score:g} / {max_score:g})").format(
                format=output_format, file=output, score=report.score, max_score=report.max_score
            ),
            err=True,
        )
    if output_format == "text":
        folder = submission if submission.is_dir() else submission.parent  # a notebook's folder
        progress = Progress.load(folder)
        progress.record(report)
        progress.save(folder)
    return report


# The percentages are filled in with their sign ("40.0%"): a "%" in a msgid reads as a %-placeholder.
FAIL_UNDER_WORDS = (
    N_("grade: {percent} of the points, at or above --fail-under {threshold}"),
    N_("grade: {percent} of the points, below --fail-under {threshold}"),
)


def exit_code(
    report: Report,
    fail_under: float | None,
    lang: str | None,
    weights: Mapping[str, float] | None = None,
) -> int:
    """`grade`'s exit code once its report is written: 3 when the grader could not check a test
    (its failure, whatever the score and --fail-under), else by --fail-under (each item weighed
    by `weights`, its points in the course) or full marks."""
    unchecked = report.unchecked
    if unchecked:
        click.echo(
            _(
                "grade: tests the grader could not check: {count} (named in the report). This is not a verdict "
                "on the code: grade again, and tell the instructor if it happens again."
            ).format(count=len(unchecked)),
            err=True,
        )
        return EXIT_GRADER_FAILED
    if fail_under is not None:
        return fail_under_exit(report, fail_under, lang, weights)
    return EXIT_FULL_MARKS if report.full_marks else EXIT_POINTS_MISSING


def weighted_percent(report: Report, weights: Mapping[str, float] | None = None) -> float:
    """The share of the points, in percent, each graded item counted at its weight in the course
    (`weights`: id -> points; an item not named there weighs its own points in the report). A
    student release grades the public tests only, whose points are not the course's weights
    (ex07's public tests hold half of them): each item's share of its own points is weighed by
    the course's instead. An item worth no points here (a quiz without its key) is left out."""
    earned = total = 0.0
    for item in report.exercises:
        if item.max_score <= 0:
            continue
        weight = (weights or {}).get(item.id, item.max_score)
        earned += weight * item.score / item.max_score
        total += weight
    return 100 * earned / total if total else 100.0


def fail_under_exit(
    report: Report, threshold: float, lang: str | None, weights: Mapping[str, float] | None = None
) -> int:
    """Exit code for `--fail-under`: 0 at or above `threshold` percent of the points (weighed as
    `weighted_percent` says), else 1 (said in the run's language; `lang` is kept for callers
    that name it)."""
    percent = weighted_percent(report, weights)
    raw = 100 * report.score / report.max_score if report.max_score else 100.0
    passed = percent >= threshold - 1e-9
    click.echo(
        _(FAIL_UNDER_WORDS[0 if passed else 1]).format(
            percent=f"{percent:.1f}%", threshold=f"{threshold:g}%"
        ),
        err=True,
    )
    if abs(percent - raw) >= 0.05:
        click.echo(
            _(
                "grade: --fail-under weighs each exercise by its points in the course; this "
                "copy's own points give {percent}"
            ).format(percent=f"{raw:.1f}%"),
            err=True,
        )
    return EXIT_FULL_MARKS if passed else EXIT_POINTS_MISSING


def next_hint_text(item: Exercise | Quiz, submission: Path) -> str:
    """The next hint for `item` (remembered in the learner's folder), or all of them once seen,
    in the run's language."""
    lang = current_language()
    hints, title = item.hints_for(lang), item.title_for(lang)
    if not hints:
        return _("{id} has no hints.").format(id=item.id)
    progress = Progress.load(submission)
    shown = progress.next_hint(item.id, hints)
    if shown is None:
        listed = "\n".join(
            wrap_to_terminal(f"{number}. {text}", "  ")
            for number, text in enumerate(hints, start=1)
        )
        return (
            wrap(
                _("You have seen all {count} hints for {id}:").format(count=len(hints), id=item.id)
            )
            + "\n"
            + listed
        )
    number, text = shown
    progress.save(submission)
    heading = _("Hint {number} of {count} for {id} ({title}):").format(
        number=number, count=len(hints), id=item.id, title=title
    )
    return f"{wrap(heading, hanging='  ')}\n{wrap_to_terminal(text, '  ')}"


def show_text(catalogue: Catalogue, item: Exercise | Quiz) -> str:
    """What `grade show ID` prints, in the run's language: the exercise's task, formulas and
    worked example, then each function's signature and docstring (grader/course/instructions.py)."""
    from grader.course.instructions import show_text as instructions_text

    if isinstance(item, Quiz):
        raise InputError(
            _("{id} is a quiz: take it with `{command}`").format(
                id=item.id, command=with_lang(f"grade quiz {item.id}")
            )
        )
    path = catalogue.root / "exercises" / item.file
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise InputError(
            _("cannot read {file}, where the instructions of {id} are").format(
                file=path, id=item.id
            )
        ) from None
    return "\n".join(reflow_lines(instructions_text(source, item, current_language()))) + "\n"


def silence_stdout() -> None:
    """Point standard output at /dev/null: its reader is gone (a closed pipe), so neither later
    writes nor the interpreter's last flush can fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def learner_folder(given: Path | None, default: Path) -> Path:
    """The folder to grade: the one given, else the learner's folder found from here (said on
    standard error when it is not ./exercises, so the learner knows what was graded)."""
    if given is not None:
        return given
    found = find_learner_folder(default)
    if found is None:
        raise InputError(
            _(
                "no {folder}/ folder here or in any parent folder; run grade in the "
                "course folder, or name the folder with --submission DIR"
            ).format(folder=default)
        )
    if found != Path.cwd() / default:
        click.echo(_("grade: using the learner folder {folder}").format(folder=found), err=True)
        return found
    return default
