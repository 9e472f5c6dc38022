"""Renderers: one `Report`, five formats (text, json, gradescope, junit, markdown). None recomputes a score.

The text report is for a learner at a terminal: one header line per exercise with its points
and status, then a row per test with its feedback underneath. JSON follows SPEC section 4,
Gradescope's results.json its documented fields, JUnit the XML that CI systems annotate.
"""

from __future__ import annotations

import json
import textwrap
import xml.etree.ElementTree as ElementTree

import click

from grader.markdown_report import to_markdown
from grader.results import ExerciseResult, Report, TestResult

FORMATS = ("text", "json", "gradescope", "junit", "markdown")  # the one list: the CLI's --format reads it
STATUS_WORDS = {"passed": "pass", "failed": "FAIL", "error": "ERR ", "timeout": "TIME"}
STATUS_COLOURS = {"passed": "green", "partial": "yellow", "failed": "red", "error": "red",
                  "timeout": "red", "not_attempted": "blue"}
GRADESCOPE_VISIBILITY = {"public": "visible", "hidden": "after_due_date"}


def render(report: Report, output_format: str, *, replay: str = "", lang: str | None = None) -> str:
    """The report as text in `output_format`; `replay` is the command that repeats this run,
    `lang` the language of the Markdown summary (a CI job summary a learner reads)."""
    if output_format == "json":
        return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
    if output_format == "gradescope":
        return json.dumps(to_gradescope(report), indent=2, ensure_ascii=False) + "\n"
    if output_format == "junit":
        return to_junit(report)
    if output_format == "markdown":
        return to_markdown(report, lang=lang)
    return to_text(report, replay=replay)


# ------------------------------------------------------------------------------- text


def to_text(report: Report, *, replay: str = "") -> str:
    lines: list[str] = []
    for exercise in report.exercises:
        lines += _exercise_lines(exercise)
        lines.append("")
    total = f"Total {_points(report.score, report.max_score)}"
    lines.append(click.style(total, bold=True))
    protection = report.protection + (f" ({report.protection_note})" if report.protection_note else "")
    details = [f"seed {report.seed}", f"protection: {protection}", f"{report.execution_time:.1f} s"]
    lines.append("(" + ", ".join(details) + ")")
    if replay:
        lines.append(f"Replay these random cases with: {replay}")
    return "\n".join(lines) + "\n"


def _exercise_lines(exercise: ExerciseResult) -> list[str]:
    status = exercise.status
    header = (f"{exercise.id}  {_points(exercise.score, exercise.max_score):>9}  "
              f"{status.replace('_', ' '):<13}  {exercise.title}")
    lines = [click.style(header, fg=STATUS_COLOURS.get(status), bold=True)]
    shared = _shared_feedback(exercise.tests)
    if status == "not_attempted":
        distinct = dict.fromkeys(test.feedback for test in exercise.tests)
        for feedback in list(distinct)[:4]:
            lines += _indent(feedback, "        ")
        return lines
    if shared:
        lines += _indent(shared, "        ")
    for test in exercise.tests:
        word = STATUS_WORDS.get(test.status, test.status)
        row = f"  {word}  {_points(test.score, test.max_score):>9}  {test.name}"
        lines.append(click.style(row, fg="green" if test.status == "passed" else "red"))
        if test.feedback and test.feedback != shared:
            lines += _indent(test.feedback, " " * 19)
    return lines


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
    lines = []
    for paragraph in text.splitlines() or [""]:
        wrapped = textwrap.wrap(paragraph, width=96, subsequent_indent="  ",
                                replace_whitespace=False) if not paragraph.startswith("  ") else [paragraph]
        lines += [prefix + line for line in wrapped or [""]]
    return lines


def _points(score: float, max_score: float) -> str:
    return f"{score:g} / {max_score:g}"


# ------------------------------------------------------------------------------- gradescope


def to_gradescope(report: Report) -> dict:
    """Gradescope's results.json: one test per graded test, hidden ones shown after the due date."""
    tests = []
    for exercise in report.exercises:
        for test in exercise.tests:
            tests.append({
                "name": f"{exercise.id} {test.name}",
                "score": test.score,
                "max_score": test.max_score,
                "status": "passed" if test.status == "passed" else "failed",
                "output": test.feedback,
                "visibility": GRADESCOPE_VISIBILITY.get(test.visibility, "after_due_date"),
            })
    summary = "; ".join(f"{item.id} {_points(item.score, item.max_score)} {item.status}"
                        for item in report.exercises)
    return {
        "score": report.score,
        "execution_time": round(report.execution_time, 3),
        "output": f"{summary}. Seed {report.seed}; protection: {report.protection}.",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


# ------------------------------------------------------------------------------- junit


def to_junit(report: Report) -> str:
    """JUnit XML: a testsuite per exercise, a testcase per test, feedback in <failure>."""
    root = ElementTree.Element("testsuites", name="cnn-exercises", tests=str(_count(report)),
                               failures=str(_count(report, "failed")),
                               errors=str(_count(report, "error") + _count(report, "timeout")),
                               time=f"{report.execution_time:.3f}")
    for exercise in report.exercises:
        suite = ElementTree.SubElement(
            root, "testsuite", name=exercise.id, tests=str(len(exercise.tests)),
            failures=str(sum(t.status == "failed" for t in exercise.tests)),
            errors=str(sum(t.status in ("error", "timeout") for t in exercise.tests)),
            time=f"{sum(t.duration for t in exercise.tests):.3f}")
        ElementTree.SubElement(ElementTree.SubElement(suite, "properties"), "property",
                               name="score", value=_points(exercise.score, exercise.max_score))
        for test in exercise.tests:
            case = ElementTree.SubElement(suite, "testcase", classname=exercise.id, name=test.name,
                                          time=f"{test.duration:.3f}")
            if test.status != "passed":
                tag = "failure" if test.status == "failed" else "error"
                first_line = (test.feedback.splitlines() or [test.status])[0]
                element = ElementTree.SubElement(case, tag, message=first_line[:200], type=test.status)
                element.text = test.feedback
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n"


def _count(report: Report, status: str | None = None) -> int:
    return sum(1 for exercise in report.exercises for test in exercise.tests
               if status is None or test.status == status)
