"""The report as GitHub-flavoured Markdown, for a CI job summary (`$GITHUB_STEP_SUMMARY`).

A heading with the total, a table with a row per exercise and quiz, then each item's failed
tests with their feedback in a collapsed section. Learner-derived text (feedback, names) has
every Markdown and HTML special character escaped, so a submission cannot add links, images
or markup to the summary. English and Korean, like the rest of what a learner reads.
"""

from __future__ import annotations

import html
import re

from grader.i18n import N_, _, language
from grader.reports.registry import Options, register
from grader.results import ExerciseResult, Report, TestResult

MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")
FEEDBACK_SHOWN = 600  # characters of one test's feedback in the summary
STATUS_ICONS = {
    "passed": "✅",
    "partial": "🟡",
    "failed": "❌",
    "error": "❌",
    "timeout": "⏱️",
    "not_attempted": "⬜",
}
WORDS = {
    "title": N_("Grade"),
    "points": N_("points"),
    "item": N_("Item"),
    "status": N_("Status"),
    "failed": N_("failed tests"),
    "details": N_("Seed {seed} · protection: {protection} · {seconds:.1f} s"),
    "handed_back_details": N_("Protection: {protection} · {seconds:.1f} s"),
    "passed": N_("passed"),
    "partial": N_("partial"),
    "error": N_("error"),
    "timeout": N_("timeout"),
    "not_attempted": N_("not attempted"),
    "failed_status": N_("failed"),
    "unchecked": N_(
        "Tests the grader could not check: {count}. The grade is incomplete, and this is not a "
        "verdict on your code: grade again, and tell your instructor if it happens again."
    ),
}


def escape(text: str) -> str:
    """`text` shown literally in Markdown: specials backslash-escaped, HTML made inert, one line."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


@register("markdown")
def render_markdown(report: Report, options: Options) -> str:
    return to_markdown(report, lang=options.lang, handed_back=options.handed_back)


def to_markdown(report: Report, *, lang: str | None = None, handed_back: bool = False) -> str:
    """The summary; `handed_back` (a file given back after an official grading) leaves the
    grading's secret seed out and shows each failed test's feedback whole, as it was written."""
    with language(lang):  # None: the run's language
        words = {key: _(text) for key, text in WORDS.items()}
    percent = 100 * report.score / report.max_score if report.max_score else 100.0
    lines = [
        f"## {words['title']}: {report.score:g} / {report.max_score:g} {words['points']} ({percent:.1f}%)",
        "",
        f"| | {words['item']} | {words['points']} | {words['status']} |",
        "|---|---|---:|---|",
    ]
    for item in report.exercises:
        lines.append(
            f"| {STATUS_ICONS.get(item.status, '')} | {escape(item.id)} {escape(item.title)} | "
            f"{item.score:g} / {item.max_score:g} | {_status(item.status, words)} |"
        )
    if report.unchecked:  # the grader's failure, not the learner's: said before any failed test
        lines += [
            "",
            "⚠️ " + escape(words["unchecked"].format(count=len(report.unchecked))),
            "",
            *(f"- {escape(name)}" for name in report.unchecked),
        ]
    for item in report.exercises:
        lines += _failed_tests(item, words, whole=handed_back)
    details = words["handed_back_details" if handed_back else "details"]
    lines += [
        "",
        details.format(
            seed=report.seed, protection=escape(report.protection), seconds=report.execution_time
        ),
    ]
    return "\n".join(lines) + "\n"


def _status(status: str, words: dict[str, str]) -> str:
    return words["failed_status"] if status == "failed" else words.get(status, escape(status))


def _failed_tests(item: ExerciseResult, words: dict[str, str], whole: bool = False) -> list[str]:
    failed = [test for test in item.tests if test.status != "passed"]
    if not failed or item.status == "not_attempted":
        return []
    lines = [
        "",
        f"<details><summary>{escape(item.id)}: {len(failed)} {words['failed']}</summary>",
        "",
    ]
    if whole:
        return [*lines, *(line for test in failed for line in _whole_feedback(test)), "</details>"]
    for test in failed:
        feedback = test.feedback[:FEEDBACK_SHOWN] + (
            "..." if len(test.feedback) > FEEDBACK_SHOWN else ""
        )
        lines.append(
            f"- **{escape(test.name)}** ({test.score:g} / {test.max_score:g}): {escape(feedback)}"
        )
    lines += ["", "</details>"]
    return lines


def _whole_feedback(test: TestResult) -> list[str]:
    """A failed test with its feedback whole, line breaks kept, in an HTML <pre> block: the text
    is HTML-escaped, so no line of it can close the block or add markup."""
    lines = [f"**{escape(test.name)}** ({test.score:g} / {test.max_score:g})", ""]
    if test.feedback:
        lines += [f"<pre>{html.escape(test.feedback, quote=False)}</pre>", ""]
    return lines


def table(headers: list[str], rows: list[list[object]]) -> list[str]:
    """A Markdown table of plain-text cells, each escaped; numbers right-aligned."""
    numeric = [
        bool(rows) and all(isinstance(row[column], (int, float)) for row in rows)
        for column in range(len(headers))
    ]
    lines = [
        "| " + " | ".join(escape(header) for header in headers) + " |",
        "|" + "|".join("---:" if right else "---" for right in numeric) + "|",
    ]
    for row in rows:
        cells = [
            f"{cell:g}" if isinstance(cell, (int, float)) else escape(str(cell)) for cell in row
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines
