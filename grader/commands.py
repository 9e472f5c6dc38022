"""What the learner's commands do, behind the CLI's option parsing: grade and report, list, hint.

Each function takes keyword arguments the CLI parsed and returns what to show (or writes the
report), so the commands can be used and tested without Click.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from grader.course.catalogue import Catalogue, Exercise, Quiz
from grader.errors import EXIT_FULL_MARKS, EXIT_POINTS_MISSING, InputError
from grader.grading.runner import IsolationSource, grade
from grader.progress import Progress
from grader.reports import render
from grader.results import Report
from grader.submission import Submission, find_learner_folder


def grade_and_report(catalogue: Catalogue, item_ids: list[str], *, submission: Path,
                     isolation: IsolationSource, seed: int | None, lang: str | None,
                     output_format: str, output: Path | None, replay_ids: str,
                     default_submission: Path) -> Report:
    """Grade, then write the report to `output` (or standard output) and remember progress."""
    report = grade(catalogue, item_ids, submission=submission, isolation=isolation, seed=seed,
                   lang=lang)
    replay = f"grade {replay_ids} --seed {report.seed}"
    if submission != default_submission:
        replay += f" --submission {submission}"
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
            raise InputError(f"cannot write the report to {output}: {error.strerror}") from None
        click.echo(f"grade: {output_format} report written to {output} "
                   f"({report.score:g} / {report.max_score:g})", err=True)
    if output_format == "text":
        progress = Progress.load(submission)
        progress.record(report)
        progress.save(submission)
    return report


FAIL_UNDER_WORDS = {
    "en": ("grade: {percent:.1f}% of the points, at or above --fail-under {threshold:g}%",
           "grade: {percent:.1f}% of the points, below --fail-under {threshold:g}%"),
    "ko": ("grade: 점수 {percent:.1f}%, 기준(--fail-under {threshold:g}%) 이상입니다",
           "grade: 점수 {percent:.1f}%, 기준(--fail-under {threshold:g}%)에 못 미칩니다"),
}


def fail_under_exit(report: Report, threshold: float, lang: str | None) -> int:
    """Exit code for `--fail-under`: 0 at or above `threshold` percent of the points, else 1."""
    percent = 100 * report.score / report.max_score if report.max_score else 100.0
    passed = percent >= threshold - 1e-9
    words = FAIL_UNDER_WORDS.get(lang or "en", FAIL_UNDER_WORDS["en"])
    click.echo(words[0 if passed else 1].format(percent=percent, threshold=threshold), err=True)
    return EXIT_FULL_MARKS if passed else EXIT_POINTS_MISSING


def list_lines(catalogue: Catalogue, submission: Path) -> list[str]:
    """One line per exercise and quiz: id, title, status and best score so far."""
    progress = Progress.load(submission)
    learner = Submission.open(submission) if submission.is_dir() else None
    lines = []
    for item in (*catalogue.exercises, *catalogue.quizzes):
        present = learner is not None and learner.kind(_item_path(learner, item)) == "file"
        status = progress.status.get(item.id, "not graded yet" if present else "not started")
        best = progress.best.get(item.id)
        best_text = f"best {best:g}" if best is not None else ""
        lines.append(f"{item.id}  {item.title:<44} {status.replace('_', ' '):<16} {best_text}".rstrip())
    return lines


def _item_path(learner: Submission, item: Exercise | Quiz):
    return learner.exercise_path(item.file) if isinstance(item, Exercise) else learner.answers_path(item.id)


def next_hint_text(item: Exercise | Quiz, submission: Path) -> str:
    """The next hint for `item` (remembered in the learner's folder), or all of them once seen."""
    if not item.hints:
        return f"{item.id} has no hints."
    progress = Progress.load(submission)
    shown = progress.next_hint(item.id, item.hints)
    if shown is None:
        listed = "\n".join(f"  {number}. {text}" for number, text in enumerate(item.hints, start=1))
        return f"You have seen all {len(item.hints)} hints for {item.id}:\n{listed}"
    number, text = shown
    progress.save(submission)
    return f"Hint {number} of {len(item.hints)} for {item.id} ({item.title}):\n  {text}"


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
        raise InputError(f"no {default}/ folder here or in any parent folder; run grade in the "
                         "course folder, or name the folder with --submission DIR (이 폴더와 상위 "
                         f"폴더에 {default}/ 폴더가 없습니다. 과정 폴더에서 실행하거나 --submission으로 "
                         "폴더를 지정하세요)")
    if found != Path.cwd() / default:
        click.echo(f"grade: using the learner folder {found} (채점할 폴더)", err=True)
        return found
    return default
