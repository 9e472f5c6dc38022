"""The report as GitHub-flavoured Markdown, for a CI job summary (`$GITHUB_STEP_SUMMARY`).

A heading with the total, a table with a row per exercise and quiz, then each item's failed
tests with their feedback in a collapsed section. Learner-derived text (feedback, names) has
every Markdown and HTML special character escaped, so a submission cannot add links, images
or markup to the summary. English and Korean, like the rest of what a learner reads.
"""

from __future__ import annotations

import re

from grader.results import ExerciseResult, Report

MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")
FEEDBACK_SHOWN = 600  # characters of one test's feedback in the summary
STATUS_ICONS = {"passed": "✅", "partial": "🟡", "failed": "❌", "error": "❌", "timeout": "⏱️",
                "not_attempted": "⬜"}
WORDS = {
    "en": {"title": "Grade", "points": "points", "item": "Item", "status": "Status", "failed": "failed tests",
           "details": "Seed {seed} · protection: {protection} · {seconds:.1f} s",
           "passed": "passed", "partial": "partial", "error": "error", "timeout": "timeout",
           "not_attempted": "not attempted", "failed_status": "failed"},
    "ko": {"title": "채점 결과", "points": "점", "item": "항목", "status": "상태", "failed": "실패한 테스트",
           "details": "시드 {seed} · 보호 수준: {protection} · {seconds:.1f}초",
           "passed": "통과", "partial": "부분 점수", "error": "오류", "timeout": "시간 초과",
           "not_attempted": "시도하지 않음", "failed_status": "실패"},
}


def escape(text: str) -> str:
    """`text` shown literally in Markdown: specials backslash-escaped, HTML made inert, one line."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def to_markdown(report: Report, *, lang: str | None = None) -> str:
    words = WORDS.get(lang or "en", WORDS["en"])
    percent = 100 * report.score / report.max_score if report.max_score else 100.0
    lines = [f"## {words['title']}: {report.score:g} / {report.max_score:g} {words['points']} ({percent:.1f}%)",
             "", f"| | {words['item']} | {words['points']} | {words['status']} |", "|---|---|---:|---|"]
    for item in report.exercises:
        lines.append(f"| {STATUS_ICONS.get(item.status, '')} | {escape(item.id)} {escape(item.title)} | "
                     f"{item.score:g} / {item.max_score:g} | {_status(item.status, words)} |")
    for item in report.exercises:
        lines += _failed_tests(item, words)
    lines += ["", words["details"].format(seed=report.seed, protection=escape(report.protection),
                                          seconds=report.execution_time)]
    return "\n".join(lines) + "\n"


def _status(status: str, words: dict[str, str]) -> str:
    return words["failed_status"] if status == "failed" else words.get(status, escape(status))


def _failed_tests(item: ExerciseResult, words: dict[str, str]) -> list[str]:
    failed = [test for test in item.tests if test.status != "passed"]
    if not failed or item.status == "not_attempted":
        return []
    lines = ["", f"<details><summary>{escape(item.id)}: {len(failed)} {words['failed']}</summary>", ""]
    for test in failed:
        feedback = test.feedback[:FEEDBACK_SHOWN] + ("..." if len(test.feedback) > FEEDBACK_SHOWN else "")
        lines.append(f"- **{escape(test.name)}** ({test.score:g} / {test.max_score:g}): {escape(feedback)}")
    lines += ["", "</details>"]
    return lines
