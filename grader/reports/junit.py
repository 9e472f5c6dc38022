"""The report as JUnit XML, which CI systems (Jenkins, GitLab, GitHub's report actions) annotate."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

from grader.reports.registry import Options, register
from grader.results import ExerciseResult, Report, TestResult


@register("junit")
def render_junit(report: Report, options: Options) -> str:
    return to_junit(report)


def to_junit(report: Report) -> str:
    """JUnit XML as CI systems read it: testsuites > testsuite (an item) > testcase (a test).

    The elements and attributes are those of the common schema (Jenkins' junit-10.xsd, which
    GitLab and GitHub's report actions read). Points travel as `score`/`max_score` properties of
    each suite, and as "N / M points" in each case's system-out and failure message, which the
    report viewers show.
    """
    root = ElementTree.Element(
        "testsuites",
        name="cnn-exercises",
        tests=str(_count(report)),
        failures=str(_count(report, "failed")),
        errors=str(_count(report, "error") + _count(report, "timeout")),
        time=f"{report.execution_time:.3f}",
    )
    for exercise in report.exercises:
        suite = ElementTree.SubElement(
            root,
            "testsuite",
            name=exercise.id,
            tests=str(len(exercise.tests)),
            failures=str(sum(t.status == "failed" for t in exercise.tests)),
            errors=str(sum(t.status in ("error", "timeout") for t in exercise.tests)),
            skipped="0",
            time=f"{sum(t.duration for t in exercise.tests):.3f}",
            timestamp=report.started or "1970-01-01T00:00:00",
        )
        _points_properties(suite, exercise.score, exercise.max_score)
        for test in exercise.tests:
            _junit_case(suite, exercise, test)
    ElementTree.indent(root)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        + ElementTree.tostring(root, encoding="unicode")
        + "\n"
    )


def _junit_case(suite: ElementTree.Element, exercise: ExerciseResult, test: TestResult) -> None:
    case = ElementTree.SubElement(
        suite,
        "testcase",
        classname=f"{exercise.id}.{test.visibility}",
        name=test.name,
        time=f"{test.duration:.3f}",
    )
    points = f"{_points(test.score, test.max_score)} points"
    if test.status != "passed":
        tag = "failure" if test.status == "failed" else "error"
        first_line = (test.feedback.splitlines() or [test.status])[0]
        element = ElementTree.SubElement(
            case, tag, message=f"{points}: {first_line}"[:300], type=test.status
        )
        element.text = test.feedback
    ElementTree.SubElement(case, "system-out").text = f"{points}\n{test.feedback}".rstrip()


def _points_properties(element: ElementTree.Element, score: float, max_score: float) -> None:
    properties = ElementTree.SubElement(element, "properties")
    ElementTree.SubElement(properties, "property", name="score", value=f"{score:g}")
    ElementTree.SubElement(properties, "property", name="max_score", value=f"{max_score:g}")


def _count(report: Report, status: str | None = None) -> int:
    return sum(
        1
        for exercise in report.exercises
        for test in exercise.tests
        if status is None or test.status == status
    )


def _points(score: float, max_score: float) -> str:
    """`13.67 / 15`, as the text report writes points."""
    return f"{round(score, 2):g} / {round(max_score, 2):g}"
