"""What `grade batch` and `grade merge` tell the instructor, in the language of `--lang`.

A line per learner, names aligned by display width (a Hangul syllable takes two columns, so
`김민수` and `alice` line up), then warnings, mismatches with the roster and where the gradebook
is. Learner names and statuses reach the terminal through `sanitise.visible`: a control
character in a name is shown as its escape, never obeyed. Nothing is printed before the
gradebook is written, and a reader that left (a closed pipe) costs nothing (`say`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from grader.i18n import _, pad_to_width
from grader.instructor import gradebook as book
from grader.instructor import records
from grader.instructor.final import shown_total as final_total
from grader.sanitise import visible

if TYPE_CHECKING:  # imported when a batch runs: it brings the grading machinery
    from pathlib import Path

    from grader.instructor.batch import BatchRun
    from grader.instructor.shards import Shard

Echo = Callable[..., None]
Line = tuple[str, bool]  # a message, and whether it goes to standard error
LISTED = 12  # names shown in one line before "and N more"
NAME_WIDTH = 24  # display columns of the names' column
SHOWN_NAME = 60  # characters of a learner's name on a terminal line
SHOWN_STATUS = 300
EXPORTS = "grades.csv, canvas.csv, canvas-items.csv, moodle.csv"


def learner_line(name: str, outcome: str) -> str:
    """`name` padded to NAME_WIDTH display columns, then `outcome`."""
    return f"{pad_to_width(visible(name, SHOWN_NAME), NAME_WIDTH)} {outcome}"


def batch_summary(
    run: BatchRun,
    found: dict[str, records.Record],
    gradebook: book.Gradebook,
    mismatches: list[Line],
    picked: Shard | None,
    seed: int | None,
    out_dir: Path,
) -> list[Line]:
    """What `grade batch` prints: a line per learner, then warnings and where the gradebook is."""
    lines: list[Line] = []
    for name in run.graded:
        if name in found and found[name].graded:
            report = found[name].graded_report
            lines.append((learner_line(name, final_total(report)), False))
    for name, problem in run.problems.items():
        lines.append((learner_line(name, visible(problem, SHOWN_STATUS)), False))
    if run.skipped:
        message = _("{count} unchanged since their report, not regraded (--force regrades them)")
        lines.append((message.format(count=len(run.skipped)), False))
    lines += [
        (_("warning: {message}").format(message=visible(warning, SHOWN_STATUS)), True)
        for warning in run.warnings
    ]
    if run.invalid:
        message = _("records not trusted ({count}), their learners graded again: {names}")
        listed = names([f"{name} ({why})" for name, why in run.invalid.items()])
        lines.append((message.format(count=len(run.invalid), names=listed), True))
    seeds = (
        _("seed {seed}").format(seed=seed)
        if seed is not None
        else _("a fresh seed for each learner (in their records)")
    )
    done = (
        _("{count} learners in the gradebook (shard {shard}), {seeds}; {files} in {folder}")
        if picked
        else _("{count} learners in the gradebook, {seeds}; {files} in {folder}")
    )
    shard = f"{picked.index}/{picked.count}" if picked else ""
    lines += [
        *mismatches,
        (
            done.format(
                count=len(gradebook.rows), shard=shard, seeds=seeds, files=EXPORTS, folder=out_dir
            ),
            False,
        ),
    ]
    if run.aborted:
        message = _(
            "interrupted: every record written in full so far is kept and in the gradebook; run the same "
            "command again to grade the rest"
        )
        lines.append((message, True))
    return lines


def merged_line(sources: int, learners: int, out_dir: Path) -> Line:
    message = _("{outputs} outputs merged: {count} learners; {files} in {folder}")
    return (
        message.format(outputs=sources, count=learners, files=EXPORTS, folder=out_dir),
        False,
    )


def collect(lines: list[Line]) -> Echo:
    """An echo that keeps what it is given, to be said later."""
    return lambda message, err=False: lines.append((message, err))


def say(echo: Echo, lines: list[Line]) -> None:
    """Echo `lines` ((text, to standard error)); a stream whose reader is gone (a closed pipe, a
    terminal that hung up) is silenced: what was to be written is written, and the exit code stands."""
    gone: set[bool] = set()
    for message, err in lines:
        if err in gone:
            continue
        try:
            echo(message, err=err)
        except OSError:
            gone.add(err)
            try:  # so that neither later writes nor the interpreter's last flush fail
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 2 if err else 1)
            except OSError:
                pass


def mismatches(gradebook: book.Gradebook, left_out: dict[str, str], echo: Echo) -> None:
    """The roster's mismatches and the rows left out of the LMS files, on standard error."""
    if gradebook.not_on_roster:
        message = _("not on the roster ({count}): {names}")
        shown = names(gradebook.not_on_roster)
        echo(message.format(count=len(gradebook.not_on_roster), names=shown), err=True)
    if gradebook.not_submitted:
        message = _("on the roster, no submission ({count}): {names}")
        shown = names(gradebook.not_submitted)
        echo(message.format(count=len(gradebook.not_submitted), names=shown), err=True)
    if left_out:
        message = _("left out of canvas.csv, canvas-items.csv and moodle.csv ({count}): {names}")
        shown = names([f"{name} ({why})" for name, why in left_out.items()])
        echo(message.format(count=len(left_out), names=shown), err=True)


def names(listed: list[str]) -> str:
    """Names for one line, escaped: the first LISTED, then "and N more"."""
    shown = ", ".join(visible(name, SHOWN_STATUS) for name in listed[:LISTED])
    if len(listed) > LISTED:
        shown += " " + _("and {count} more").format(count=len(listed) - LISTED)
    return shown


def stderr_echo(message: str, err: bool = True) -> None:
    import click

    click.echo(message, err=err)
