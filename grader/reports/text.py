"""The text report, for a learner at a terminal: one header line per exercise with its points
and status, then a row per test with its feedback underneath, wrapped to the terminal by
display width (a Hangul syllable takes two columns).
"""

from __future__ import annotations

import re

import click

from grader.i18n import N_, _, pad_to_width
from grader.reports.registry import Options, register
from grader.results import ExerciseResult, Report, TestResult
from grader.terminal import fit, terminal_width, wrap_lines

STATUS_COLUMNS = 13  # display columns of the widest status word ("not attempted")
STATUS_WORDS = {
    "passed": N_("pass"),
    "failed": N_("FAIL"),
    "error": N_("ERR"),
    "timeout": N_("TIME"),
}
STATUS_WORD_COLUMNS = 4  # display columns of a test row's status word (통과, 실패: four too)
PROTECTIONS = {  # the JSON names, in English
    "namespaces": N_("namespaces"),
    "limits": N_("limits"),
    "self-check": N_("self-check"),
}
STATUS_NAMES = {
    "passed": N_("passed"),
    "partial": N_("partial"),
    "failed": N_("failed"),
    "error": N_("error"),
    "timeout": N_("timeout"),
    "not_attempted": N_("not attempted"),
}
STATUS_COLOURS = {
    "passed": "green",
    "partial": "yellow",
    "failed": "red",
    "error": "red",
    "timeout": "red",
    "not_attempted": "blue",
}


@register("text")
def render_text(report: Report, options: Options) -> str:
    return to_text(report, replay=options.replay)


def to_text(report: Report, *, replay: str = "") -> str:
    lines: list[str] = []
    for exercise in report.exercises:
        lines += _exercise_lines(exercise)
        lines.append("")
    total = "{total} {points}".format(
        total=_("Total"), points=_points(report.score, report.max_score)
    )
    lines.append(click.style(total, bold=True))
    protection = protection_name(report.protection) + (
        f" ({report.protection_note})" if report.protection_note else ""
    )
    details = [
        _("seed {seed}").format(seed=report.seed),
        _("protection: {protection}").format(protection=protection),
        _("{seconds:.1f} s").format(seconds=report.execution_time),
    ]
    lines.append("(" + ", ".join(details) + ")")
    if replay and _drew_cases(report):
        lines.append(_("Replay these random cases with: {command}").format(command=replay))
    lines += _unchecked_lines(report)
    lines = [part for line in lines for part in ([line] if "\x1b" in line else _fit(line, "  "))]
    return "\n".join(lines) + "\n"


def _drew_cases(report: Report) -> bool:
    """Whether the run drew random cases to replay: some exercise's tests ran (a quiz draws
    none, and an untouched stub runs nothing)."""
    return any(
        item.kind == "exercise" and item.status != "not_attempted" for item in report.exercises
    )


def _unchecked_lines(report: Report) -> list[str]:
    """The tests the grader could not check, named after the total: not a verdict on the code."""
    unchecked = report.unchecked
    if not unchecked:
        return []
    heading = _(
        "Tests the grader could not check: {count}. The grade is incomplete, and this is not a verdict on "
        "your code: grade again, and tell your instructor if it happens again."
    ).format(count=len(unchecked))
    return [
        "",
        *(click.style(part, fg="red", bold=True) for part in _fit(heading, "")),
        *(part for name in unchecked for part in _fit(f"  {name}", "    ")),
    ]


def _exercise_lines(exercise: ExerciseResult) -> list[str]:
    status = exercise.status
    header = (
        f"{exercise.id}  {_points(exercise.score, exercise.max_score):>9}  "
        f"{pad_to_width(status_name(status), STATUS_COLUMNS)}  {exercise.title}"
    )
    lines = [
        click.style(part, fg=STATUS_COLOURS.get(status), bold=True)
        for part in _fit(header, " " * 6)
    ]
    if exercise.kind == "exercise" and exercise.note:  # how a notebook became the exercise's file
        lines += _indent(exercise.note, "      ")
    shared = _shared_feedback(exercise.tests)
    if status == "not_attempted":
        distinct = dict.fromkeys(test.feedback for test in exercise.tests)
        for feedback in list(distinct)[:4]:
            lines += _indent(feedback, "        ")
        return lines
    if shared:
        lines += _indent(shared, "        ")
    for test in exercise.tests:
        word = pad_to_width(_status_word(test.status), STATUS_WORD_COLUMNS)
        row = f"  {word}  {_points(test.score, test.max_score):>9}  {test.name}"
        lines += [
            click.style(part, fg="green" if test.status == "passed" else "red")
            for part in _fit(row, " " * 19)
        ]
        if test.feedback and test.feedback != shared:
            lines += _indent(test.feedback, " " * 19)
    return lines


def _status_word(status: str) -> str:
    return _(STATUS_WORDS[status]) if status in STATUS_WORDS else status


def protection_name(protection: str) -> str:
    """The protection a report names ("namespaces", "limits") in the current language."""
    return _(PROTECTIONS[protection]) if protection in PROTECTIONS else protection


def status_name(status: str) -> str:
    """An item's or a test's status in the current language ("not attempted")."""
    return _(STATUS_NAMES[status]) if status in STATUS_NAMES else status.replace("_", " ")


def _shared_feedback(tests: list[TestResult]) -> str:
    """The feedback every test shares when none passed (an import error, a stub), or ''.

    With a test passed, each failure keeps its own feedback: a lone failure among passes
    must still show why it failed.
    """
    if any(test.status == "passed" for test in tests):
        return ""
    feedback = {test.feedback for test in tests}
    return feedback.pop() if len(feedback) == 1 and len(tests) > 1 else ""


def _indent(text: str, prefix: str) -> list[str]:
    """`text` under `prefix`, each paragraph wrapped to the terminal by display width (a Hangul
    syllable takes two columns); lines that start with two spaces (a printed matrix, ex07's
    layer table) keep their layout, moved left as a block when too wide."""
    return wrap_lines(text, prefix, keep_off_line_start=_starts_a_report_line)


def wrap_to_terminal(text: str, indent: str = "") -> str:
    """`text` indented and wrapped to the terminal's width by display width."""
    return "\n".join(_indent(text, indent))


def report_width() -> int:
    """The text report's width: the terminal's (80 when it is not a terminal), at most 100."""
    return terminal_width()


def _starts_a_report_line(word: str) -> bool:
    """Words that begin a report's own lines (a total, a test row, an exercise header)."""
    return word in (
        _("Total"),
        "Total",
        *STATUS_WORDS.values(),
        *(_status_word(status) for status in STATUS_WORDS),
    ) or bool(re.fullmatch(r"(ex|q)\d\d", word, flags=re.IGNORECASE))


def _fit(line: str, continuation: str, width: int | None = None) -> list[str]:
    """`line` wrapped as the report wraps it (grader/terminal.py): learner text never opens a
    line with a word that could pose as a report row."""
    return fit(line, continuation, width, keep_off_line_start=_starts_a_report_line)


def _points(score: float, max_score: float) -> str:
    """`13.67 / 15`: two decimals at most (a quiz's partial credit is a fraction of a point)."""
    return f"{round(score, 2):g} / {round(max_score, 2):g}"
