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

GRADESCOPE_SHOWN = "visible"
GRADESCOPE_LATER_NOTE = ("Hidden tests and quiz answers are graded now and shown after the due date, "
                         "with your total.")
GRADESCOPE_RECEIVED = ("Your answers were read and graded; each question, with its answer and explanation, "
                       "is shown after the due date.\n답안을 읽고 채점했습니다. 문항별 결과와 정답, 해설은 "
                       "마감 후 공개됩니다.")
GRADESCOPE_LATER_NOTE_KO = "숨겨진 테스트와 퀴즈 정답은 지금 채점되며, 마감 후 총점과 함께 공개됩니다."


def to_gradescope(report: Report) -> dict:
    """Gradescope's results.json (its "autograder specifications").

    Each test carries the visibility course.yaml gives its item: public tests at once, hidden
    tests and quiz questions (whose feedback holds the answer) after the due date. Gradescope
    hides the total while any test is not yet visible, so the top-level `output`, which is
    always shown, sums up only the tests a learner can already see.
    """
    tests = []
    for exercise in report.exercises:
        for test in exercise.tests:
            tests.append({
                "name": f"{exercise.id} {test.name}",
                "score": test.score,
                "max_score": test.max_score,
                "status": "passed" if test.status == "passed" else "failed",
                "output": test.feedback,
                "visibility": exercise.gradescope_visibility.get(test.visibility, "after_due_date"),
            })
        tests += _receipt(exercise)
    return {
        "score": report.score,
        "execution_time": round(report.execution_time, 3),
        "output": _visible_summary(report),
        "visibility": GRADESCOPE_SHOWN,
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def _receipt(exercise: ExerciseResult) -> list[dict]:
    """For a quiz none of whose questions is visible yet, a visible 0-point test that says whether
    its answers file was read (a broken file is the learner's to fix now, and tells no answer)."""
    if exercise.kind != "quiz" or not exercise.tests or any(
            exercise.gradescope_visibility.get(test.visibility) == GRADESCOPE_SHOWN for test in exercise.tests):
        return []
    graded = exercise.status not in ("not_attempted", "error")
    return [{"name": f"{exercise.id} answers file", "score": 0.0, "max_score": 0.0,
             "status": "passed" if graded else "failed",
             "output": GRADESCOPE_RECEIVED if graded else exercise.tests[0].feedback,
             "visibility": GRADESCOPE_SHOWN}]


def _visible_summary(report: Report) -> str:
    """What a learner may read before the due date, in English and Korean (Gradescope shows one
    text to everyone): the points of the tests already visible, and the protection used."""
    parts, later = [], False
    for exercise in report.exercises:
        shown = [test for test in exercise.tests
                 if exercise.gradescope_visibility.get(test.visibility) == GRADESCOPE_SHOWN]
        later = later or len(shown) < len(exercise.tests)
        if shown:
            parts.append(f"{exercise.id} {_points(sum(t.score for t in shown), sum(t.max_score for t in shown))}")
    listed = "; ".join(parts)
    english = f"Visible now: {listed}." if parts else "Nothing is shown before the due date."
    korean = f"지금 보이는 결과: {listed}." if parts else "마감 전에는 공개되는 결과가 없습니다."
    if later:
        english, korean = f"{english} {GRADESCOPE_LATER_NOTE}", f"{korean} {GRADESCOPE_LATER_NOTE_KO}"
    return f"{english} Protection: {report.protection}.\n{korean} 보호 수준: {report.protection}."


# ------------------------------------------------------------------------------- junit


def to_junit(report: Report) -> str:
    """JUnit XML as CI systems read it: testsuites > testsuite (an item) > testcase (a test).

    The elements and attributes are those of the common schema (Jenkins' junit-10.xsd, which
    GitLab and GitHub's report actions read). Points travel as `score`/`max_score` properties of
    each suite, and as "N / M points" in each case's system-out and failure message, which the
    report viewers show.
    """
    root = ElementTree.Element("testsuites", name="cnn-exercises", tests=str(_count(report)),
                               failures=str(_count(report, "failed")),
                               errors=str(_count(report, "error") + _count(report, "timeout")),
                               time=f"{report.execution_time:.3f}")
    for exercise in report.exercises:
        suite = ElementTree.SubElement(
            root, "testsuite", name=exercise.id, tests=str(len(exercise.tests)),
            failures=str(sum(t.status == "failed" for t in exercise.tests)),
            errors=str(sum(t.status in ("error", "timeout") for t in exercise.tests)),
            skipped="0", time=f"{sum(t.duration for t in exercise.tests):.3f}",
            timestamp=report.started or "1970-01-01T00:00:00")
        _points_properties(suite, exercise.score, exercise.max_score)
        for test in exercise.tests:
            _junit_case(suite, exercise, test)
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n"


def _junit_case(suite: ElementTree.Element, exercise: ExerciseResult, test: TestResult) -> None:
    case = ElementTree.SubElement(suite, "testcase", classname=f"{exercise.id}.{test.visibility}",
                                  name=test.name, time=f"{test.duration:.3f}")
    points = f"{_points(test.score, test.max_score)} points"
    if test.status != "passed":
        tag = "failure" if test.status == "failed" else "error"
        first_line = (test.feedback.splitlines() or [test.status])[0]
        element = ElementTree.SubElement(case, tag, message=f"{points}: {first_line}"[:300], type=test.status)
        element.text = test.feedback
    ElementTree.SubElement(case, "system-out").text = f"{points}\n{test.feedback}".rstrip()


def _points_properties(element: ElementTree.Element, score: float, max_score: float) -> None:
    properties = ElementTree.SubElement(element, "properties")
    ElementTree.SubElement(properties, "property", name="score", value=f"{score:g}")
    ElementTree.SubElement(properties, "property", name="max_score", value=f"{max_score:g}")


def _count(report: Report, status: str | None = None) -> int:
    return sum(1 for exercise in report.exercises for test in exercise.tests
               if status is None or test.status == status)
