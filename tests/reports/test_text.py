"""The CI and Gradescope renderers: JUnit XML that the common schema accepts, with the points
where report viewers show them, and a Gradescope summary that tells nothing hidden."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from grader.reports import render
from grader.results import ExerciseResult, Report, TestResult
from tests.conftest import FIXTURES, STUBS, course_data

SCHEMA = etree.XMLSchema(etree.parse(str(FIXTURES / "junit.xsd")))


def parse(xml_text: str) -> etree._Element:
    return etree.fromstring(xml_text.encode("utf-8"))


def sample_report(hidden_passes: bool) -> Report:
    tests = [
        TestResult("public case", "passed", 1.0, 1.0, "public", "right"),
        TestResult(
            "hidden case",
            "passed" if hidden_passes else "failed",
            2.0 if hidden_passes else 0.0,
            2.0,
            "hidden",
            "" if hidden_passes else "expected 7, got 8",
        ),
    ]
    quiz = [TestResult("Q1 lenet_year", "passed", 1.0, 1.0, "public", "Correct.\n1989.")]
    return Report(
        [
            ExerciseResult("ex06", "sizes", 3.0, tests),
            ExerciseResult("q01", "quiz", 1.0, quiz, kind="quiz"),
        ],
        seed=7,
        protection="namespaces",
        started="2026-12-01T09:30:00",
    )


def test_the_junit_report_passes_the_common_schema(grade, tmp_path):
    buggy = tmp_path / "submission"
    buggy.mkdir()
    (buggy / "ex01_convolution.py").write_text(
        (FIXTURES / "buggy" / "convolve_flipped_kernel.py").read_text()
    )
    for submission in (STUBS, buggy):
        run = grade("ex01", "ex06", "q01", "--submission", submission, "--format", "junit")
        document = parse(run.stdout)
        SCHEMA.assertValid(document)
    assert document.xpath("//testcase/failure")  # the flipped kernel fails something


def test_the_schema_itself_can_say_no():
    broken = parse(render(sample_report(False), "junit").replace('classname="ex06.public" ', ""))
    assert not SCHEMA.validate(broken)


def test_points_show_where_report_viewers_look():
    document = parse(render(sample_report(False), "junit"))
    SCHEMA.assertValid(document)
    suite = document.find("testsuite")
    assert {item.get("name"): item.get("value") for item in suite.iter("property")} == {
        "score": "1",
        "max_score": "3",
    }
    failure = document.xpath("//testcase[@name='hidden case']/failure")[0]
    assert failure.get("message").startswith("0 / 2 points")
    outputs = [case.findtext("system-out") for case in suite.iter("testcase")]
    assert outputs[0].startswith("1 / 1 points") and outputs[1].startswith("0 / 2 points")
    assert suite.get("timestamp") == "2026-12-01T09:30:00"


def test_gradescope_hides_what_the_due_date_hides():
    passing, failing = (render(sample_report(hidden), "gradescope") for hidden in (True, False))
    import json

    right, wrong = json.loads(passing), json.loads(failing)
    assert right["output"] == wrong["output"]  # the summary names visible tests only
    assert "3 / 3" not in right["output"] and "ex06 1 / 1" in right["output"]
    visibility = {test["name"]: test["visibility"] for test in right["tests"]}
    assert visibility == {
        "ex06 public case": "visible",
        "ex06 hidden case": "after_due_date",
        "q01 Q1 lenet_year": "visible",
    }  # a hand-made result: the default


@pytest.mark.parametrize("setting", [{"public": "after_due_date"}, {"hidden": "hidden"}])
def test_gradescope_visibility_follows_the_catalogue(grade, tmp_path, setting):
    import yaml

    data = course_data()
    data["exercises"][0]["gradescope"] = setting  # ex01
    course = tmp_path / "course.yaml"
    course.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    results = grade(
        "--course", course, "ex01", "q01", "--submission", STUBS, "--format", "gradescope"
    ).json()
    ex01 = {test["visibility"] for test in results["tests"] if test["name"].startswith("ex01")}
    expected = {"after_due_date"} if "public" in setting else {"visible", "hidden"}
    assert ex01 == expected
    quiz = {
        test["visibility"]
        for test in results["tests"]
        if test["name"].startswith("q01") and test["max_score"] > 0
    }
    assert quiz == {"after_due_date"}  # a quiz's feedback holds its answer


def test_a_bad_visibility_in_the_catalogue_is_an_input_error(grade, tmp_path):
    import yaml

    from grader.course.catalogue import CATALOGUE_PATH

    data = yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))
    data["quizzes"][0]["gradescope"] = {"public": "sometimes"}
    course = tmp_path / "course.yaml"
    course.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    run = grade("--course", course, "q01", "--submission", STUBS)
    assert (
        run.exit_code == 2 and "gradescope.public" in run.stderr and "after_due_date" in run.stderr
    )
    assert Path(course).is_file()


def test_a_quiz_on_gradescope_says_at_once_whether_its_file_was_read(grade, tmp_path):
    """Quiz questions wait for the due date, but a learner learns now that the file is broken."""
    answers = tmp_path / "answers"
    answers.mkdir(parents=True)
    (answers / "q03.yaml").write_text("answers:\n  same_stride2: [4]\n", encoding="utf-8")
    (answers / "q01.yaml").write_text("answers:\n  lenet_year: 1990\n", encoding="utf-8")
    results = grade("q01", "q03", "--submission", tmp_path, "--format", "gradescope").json()
    shown = {test["name"]: test for test in results["tests"] if test["visibility"] == "visible"}
    assert set(shown) == {"q01 answers file", "q03 answers file"}
    assert (
        shown["q01 answers file"]["status"] == "passed"
        and "1989" not in shown["q01 answers file"]["output"]
    )
    assert shown["q03 answers file"]["status"] == "failed"
    assert (
        "line 2" in shown["q03 answers file"]["output"]
        and "same_stride2" in shown["q03 answers file"]["output"]
    )
    assert all(test["max_score"] == 0 for test in shown.values())


def report_with_an_unchecked_test() -> Report:
    unchecked = TestResult(
        "sobel_edges: generated images",
        "error",
        0.0,
        1.0,
        "hidden",
        "could not check: this test ended without judging any result of your code. This is not "
        "a verdict on your code: grade again, and tell your instructor if it happens again.",
        unchecked=True,
    )
    tests = [TestResult("a 7x12 image", "passed", 1.0, 1.0, "public", ""), unchecked]
    return Report([ExerciseResult("ex02", "Sobel", 2.0, tests)], seed=7, protection="namespaces")


def test_a_test_the_grader_could_not_check_is_named_in_every_format():
    """JSON lists it under "unchecked" (and validates); the text report says which tests could
    not be checked and that this is no verdict, and so does Markdown; JUnit and Gradescope show an
    error."""
    import json

    import jsonschema

    from grader.course.catalogue import COURSE_ROOT

    report = report_with_an_unchecked_test()
    data = json.loads(render(report, "json"))
    assert data["unchecked"] == ["ex02: sobel_edges: generated images"]
    schema = json.loads(
        (COURSE_ROOT / "grader" / "schemas" / "report.schema.json").read_text(encoding="utf-8")
    )
    jsonschema.validate(data, schema)
    assert "unchecked" not in json.loads(
        render(sample_report(True), "json")
    )  # only when there is one
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**data, "unchecked": []}, schema)
    import click

    text = " ".join(click.unstyle(render(report, "text")).split())
    assert (
        "Tests the grader could not check: 1. The grade is incomplete, and this is not a verdict"
        in text
    )
    assert text.endswith("ex02: sobel_edges: generated images")
    assert "Tests the grader could not check" not in render(sample_report(False), "text")
    junit = parse(render(report, "junit"))
    assert junit.xpath("//testcase[@name='sobel_edges: generated images']/error")
    markdown = render(report, "markdown")
    assert "⚠️ Tests the grader could not check: 1\\. The grade is incomplete" in markdown
    assert "- ex02: sobel\\_edges: generated images" in markdown
    gradescope = json.loads(render(report, "gradescope"))
    assert [test["status"] for test in gradescope["tests"]] == ["passed", "failed"]


def test_the_replay_line_appears_only_when_random_cases_were_drawn():
    """The first run (every stub not attempted) and a quizzes-only run drew no cases: a replay
    command would promise nothing; a run where an exercise was graded names it."""
    from grader.reports.text import to_text

    untouched = TestResult("case", "failed", 0.0, 1.0, "public", "not attempted")
    untouched.not_attempted = True
    quiz = [TestResult("Q1 lenet_year", "passed", 1.0, 1.0, "public", "Correct.")]
    nothing_ran = Report(
        [
            ExerciseResult("ex01", "conv", 1.0, [untouched]),
            ExerciseResult("q01", "quiz", 1.0, quiz, kind="quiz"),
        ],
        seed=7,
        protection="namespaces",
    )
    assert "--seed 7" not in to_text(nothing_ran, replay="grade --all --seed 7")
    assert "--seed 7" in to_text(sample_report(False), replay="grade --all --seed 7")
