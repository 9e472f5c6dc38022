"""The report as GitHub-flavoured Markdown, for a CI job summary (`$GITHUB_STEP_SUMMARY`).

A heading with the total, a table with a row per exercise and quiz, then each item's failed
tests with their feedback in a collapsed section. Learner-derived text (feedback, names) has
every Markdown and HTML special character escaped, so a submission cannot add links, images
or markup to the summary. English and Korean, like the rest of what a learner reads.
"""

from __future__ import annotations

import re

from grader.i18n import N_, _, language
from grader.reports.registry import Options, register
from grader.results import ExerciseResult, Report

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
    return to_markdown(report, lang=options.lang)


def to_markdown(report: Report, *, lang: str | None = None) -> str:
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
        lines += _failed_tests(item, words)
    lines += [
        "",
        words["details"].format(
            seed=report.seed, protection=escape(report.protection), seconds=report.execution_time
        ),
    ]
    return "\n".join(lines) + "\n"


def _status(status: str, words: dict[str, str]) -> str:
    return words["failed_status"] if status == "failed" else words.get(status, escape(status))


def _failed_tests(item: ExerciseResult, words: dict[str, str]) -> list[str]:
    failed = [test for test in item.tests if test.status != "passed"]
    if not failed or item.status == "not_attempted":
        return []
    lines = [
        "",
        f"<details><summary>{escape(item.id)}: {len(failed)} {words['failed']}</summary>",
        "",
    ]
    for test in failed:
        feedback = test.feedback[:FEEDBACK_SHOWN] + (
            "..." if len(test.feedback) > FEEDBACK_SHOWN else ""
        )
        lines.append(
            f"- **{escape(test.name)}** ({test.score:g} / {test.max_score:g}): {escape(feedback)}"
        )
    lines += ["", "</details>"]
    return lines
