"""Renderers: one `Report`, five formats (text, json, gradescope, junit, markdown). None recomputes a score.

The text report is for a learner at a terminal: one header line per exercise with its points
and status, then a row per test with its feedback underneath. JSON follows SPEC section 4,
Gradescope's results.json its documented fields, JUnit the XML that CI systems annotate.
"""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ElementTree

import click

from grader.i18n import N_, _, display_width, pad_to_width
from grader.markdown_report import to_markdown
from grader.results import ExerciseResult, Report, TestResult

DEFAULT_WIDTH = 80  # columns of the text report when standard output is not a terminal
STATUS_COLUMNS = 13  # display columns of the widest status word ("not attempted")
MIN_WIDTH, MAX_WIDTH = 40, 100
FORMATS = ("text", "json", "gradescope", "junit", "markdown")  # the one list: the CLI's --format reads it
STATUS_WORDS = {"passed": "pass", "failed": "FAIL", "error": "ERR ", "timeout": "TIME"}
STATUS_NAMES = {"passed": N_("passed"), "partial": N_("partial"), "failed": N_("failed"),
                "error": N_("error"), "timeout": N_("timeout"), "not_attempted": N_("not attempted")}
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
    total = "{total} {points}".format(total=_("Total"), points=_points(report.score, report.max_score))
    lines.append(click.style(total, bold=True))
    protection = report.protection + (f" ({report.protection_note})" if report.protection_note else "")
    details = [_("seed {seed}").format(seed=report.seed), _("protection: {protection}").format(protection=protection),
               _("{seconds:.1f} s").format(seconds=report.execution_time)]
    lines.append("(" + ", ".join(details) + ")")
    if replay:
        lines.append(_("Replay these random cases with: {command}").format(command=replay))
    lines += _unchecked_lines(report)
    lines = [part for line in lines for part in ([line] if "\x1b" in line else _fit(line, "  "))]
    return "\n".join(lines) + "\n"


def _unchecked_lines(report: Report) -> list[str]:
    """The tests the grader could not check, named after the total: not a verdict on the code."""
    unchecked = report.unchecked
    if not unchecked:
        return []
    heading = _("Tests the grader could not check: {count}. The grade is incomplete, and this is not a verdict on "
                "your code: grade again, and tell your instructor if it happens again.").format(count=len(unchecked))
    return ["", *(click.style(part, fg="red", bold=True) for part in _fit(heading, "")),
            *(part for name in unchecked for part in _fit(f"  {name}", "    "))]


def _exercise_lines(exercise: ExerciseResult) -> list[str]:
    status = exercise.status
    header = (f"{exercise.id}  {_points(exercise.score, exercise.max_score):>9}  "
              f"{pad_to_width(_status_name(status), STATUS_COLUMNS)}  {exercise.title}")
    lines = [click.style(part, fg=STATUS_COLOURS.get(status), bold=True)
             for part in _fit(header, " " * 6)]
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
        lines += [click.style(part, fg="green" if test.status == "passed" else "red")
                  for part in _fit(row, " " * 19)]
        if test.feedback and test.feedback != shared:
            lines += _indent(test.feedback, " " * 19)
    return lines


def _status_name(status: str) -> str:
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
    syllable takes two columns); a paragraph that starts with two spaces (a printed matrix)
    keeps its layout unless it is too wide."""
    lines = []
    for paragraph in text.splitlines() or [""]:
        lines += _fit(prefix + paragraph, prefix + ("" if paragraph.startswith("  ") else "  "))
    return lines


def wrap_to_terminal(text: str, indent: str = "") -> str:
    """`text` indented and wrapped to the terminal's width by display width."""
    return "\n".join(_indent(text, indent))


def report_width() -> int:
    """The text report's width: the terminal's (80 when it is not a terminal), at most 100."""
    return max(MIN_WIDTH, min(shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns, MAX_WIDTH))


def _starts_a_report_line(word: str) -> bool:
    """Words that begin a report's own lines (a total, a test row, an exercise header)."""
    return (word in (_("Total"), "Total", *(status.strip() for status in STATUS_WORDS.values()))
            or bool(re.fullmatch(r"(ex|q)\d\d", word, flags=re.IGNORECASE)))


def _fit(line: str, continuation: str, width: int | None = None) -> list[str]:
    """`line` broken at spaces (or, for a word too long, between characters) into lines of at
    most `width` columns, the later ones starting with `continuation`."""
    width = width or report_width()
    if display_width(line) <= width:
        return [line]
    body = line.lstrip(" ")
    lines, current = [], line[: len(line) - len(body)]
    for word in body.split(" "):
        candidate = f"{current} {word}" if current.strip() else current + word
        if display_width(candidate) <= width:
            current = candidate
            continue
        if current.strip():
            head, _space, last = current.rstrip().rpartition(" ")
            if _starts_a_report_line(word) and head.strip():  # learner text never opens a line with
                lines.append(head.rstrip())                   # a word that could pose as a report row
                current = f"{continuation}{last} {word}"
            else:
                lines.append(current.rstrip())
                current = continuation + word
        else:
            current = candidate
        while display_width(current) > width:  # a word wider than the line: cut it
            cut = _cut(current, width)
            lines.append(current[:cut])
            current = continuation + current[cut:]
    return [*lines, current.rstrip()] if current.strip() else lines


def _cut(text: str, width: int) -> int:
    """How many characters of `text` fit in `width` columns, in one pass (a learner's 1,000
    characters without a space once took a second per paragraph, minutes per report)."""
    used = 0
    for end, char in enumerate(text):
        used += display_width(char)
        if used > width:
            return end
    return len(text)


def _points(score: float, max_score: float) -> str:
    """`13.67 / 15`: two decimals at most (a quiz's partial credit is a fraction of a point)."""
    return f"{round(score, 2):g} / {round(max_score, 2):g}"


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
    return [{"name": _("{id} answers file").format(id=exercise.id), "score": 0.0, "max_score": 0.0,
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
