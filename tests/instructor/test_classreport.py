"""`grade report OUT`: distributions (not submitted and not attempted apart from 0%), each
exercise's most-failed tests, the misconceptions named, quiz questions, the roster's absentees,
the PNG's labelled charts and the self-contained HTML page."""

from __future__ import annotations

import base64
import json
import re
import shutil

import pytest

from grader.i18n import language
from grader.instructor.classreport import bin_label, misconception
from grader.instructor.itemstats import given_answer
from grader.quiz.text import message
from tests.conftest import run_grade
from tests.instructor.reported_class import HTML_ANSWER, HTML_NAME, reported_class


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """The class of tests/instructor/reported_class.py graded once, its out folder."""
    root = tmp_path_factory.mktemp("reported")
    folder, roster = reported_class(root)
    out = root / "out"
    run = run_grade("batch", folder, "--out", out, "--roster", roster, "--seed", "2")
    assert run.exit_code == 1, run.stderr
    return out


@pytest.fixture(scope="module")
def report(graded_class):
    """`grade report` on that class, with its page: (the run, the page's text)."""
    page = graded_class.parent / "page.html"
    run = run_grade("report", graded_class, "--html", page, "--png", graded_class.parent / "c.png")
    assert run.exit_code == 0, run.stderr
    return run, page.read_text(encoding="utf-8")


def _section(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end, text.index(start))]


def _bins(text: str, item: str, following: str) -> dict[str, int]:
    lines = _section(text, f"\n{item} ", f"\n{following} ").splitlines()[2:]
    return {line[:16].strip(): int(line.split()[-1]) for line in lines if line.strip()}


def test_the_summary_counts_graded_not_graded_and_not_submitted_apart(report):
    text = report[0].stdout
    assert "5 learners graded, 1 not graded, 1 on the roster without an upload" in text
    assert "On the roster, no upload (1): erin" in text
    assert f"not graded: {HTML_NAME}: empty upload" in text


def test_not_submitted_and_not_attempted_are_bins_of_their_own_apart_from_zero(report):
    text = report[0].stdout
    ex01 = _bins(text, "ex01", "ex02")
    # erin has no upload; bob, 김민수 and eve left ex01 untouched; carol's earned 0; alice's all
    assert ex01 == {
        "not submitted": 1,
        "not attempted": 3,
        "0%": 1,
        "1-24%": 0,
        "25-49%": 0,
        "50-74%": 0,
        "75-99%": 0,
        "100%": 1,
    }
    ex04 = _bins(text, "ex04", "ex05")
    assert ex04["not attempted"] == 2 and ex04["0%"] == 0 and ex04["100%"] == 1
    assert sum(ex04[label] for label in ("1-24%", "25-49%", "50-74%", "75-99%")) == 2


def test_every_exercise_gets_its_own_most_failed_tests(report):
    text = report[0].stdout
    failed = _section(text, "Tests most often failed", "Misconceptions")
    ex01 = _section(failed, "ex01 (learners who attempted it: 2)", "ex02 ")
    ex04 = _section(failed, "ex04 (learners who attempted it: 3)", "ex05 ")
    assert re.search(r"\n +1 of 2  convolve2d", ex01)  # carol's, counted of those who attempted
    assert re.search(r"\n +2 of 3  conv2d", ex04)  # ex01's failures do not crowd ex04's out
    assert "none failed" in _section(failed, "ex02 ", "ex03 ")
    named = text[text.index("Misconceptions") :]
    assert "ex04 your output matches a flipped kernel" in named
    assert "values differ" not in named and "conv2d((" not in named


def test_quiz_questions_show_the_share_correct_and_the_most_common_wrong_answer(report):
    text = report[0].stdout
    quiz = _section(text, "Quiz questions", "q02: ")
    detection = next(line for line in quiz.splitlines() if " task_detection " in line)
    # alice and eve right; bob, carol and 김민수 chose a): 2 of 5
    assert " 40.0%" in detection
    assert "most common wrong answer: a) Classification with localisation (3)" in detection
    classification = next(line for line in quiz.splitlines() if " task_classification " in line)
    assert " 80.0%" in classification and ": c) " in classification and "(1)" in classification
    lenet = next(line for line in quiz.splitlines() if " lenet_year " in line)
    assert "100.0%" in lenet and "wrong answer" not in lenet
    assert "q02: no learner attempted it" in text


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize(
    "verdict, given",
    [
        ("wrong", "b) Object detection"),
        ("partial", "a, c"),
        ("wrong", "b) 객체 탐지"),
    ],
)
def test_a_wrong_answer_is_read_back_from_its_verdict_in_either_language(lang, verdict, given):
    feedback = (
        message(lang, verdict, given=given, expected="c) Segmentation", right=1, wrong=1)
        + "\nThe explanation."
    )
    assert given_answer(feedback) == given


@pytest.mark.parametrize("verdict", ["correct", "unanswered"])
def test_other_verdicts_hold_no_wrong_answer(verdict):
    assert given_answer(message("en", verdict, expected="b", quiz="q01") + "\nWhy.") is None


def test_the_report_in_korean_draws_no_glyph_its_font_lacks(graded_class, recwarn):
    """matplotlib warns of every glyph its font lacks (Hangul drawn as boxes): none here, as the
    charts are labelled in Korean only where a font with Hangul is installed."""
    run = run_grade("report", graded_class, "--lang", "ko", "--png", graded_class / "ko.png")
    assert run.exit_code == 0, run.stderr
    assert "Class summary" not in run.stdout and "제출하지 않음" in run.stdout
    quiz = run.stdout[run.stdout.index("퀴즈 문항") :]  # the records hold English verdicts
    assert "가장 흔한 오답: a) Classification with localisation (3명)" in quiz
    missing = [
        str(warning.message) for warning in recwarn if "missing from" in str(warning.message)
    ]
    assert missing == []


def test_the_html_page_is_one_self_contained_file(report):
    page = report[1]
    assert page.startswith("<!DOCTYPE html>") and "Content-Security-Policy" in page
    assert not re.search(r"(?i)<script|<link|<iframe|https?:|url\(|@import", page)
    sources = re.findall(r'src="([^"]*)"', page)
    assert len(sources) == 3  # the total, the items, the quiz questions
    for source in sources:
        prefix = "data:image/png;base64,"
        assert source.startswith(prefix)
        assert base64.b64decode(source[len(prefix) :]).startswith(b"\x89PNG")
    for heading in ("Total score", "Score distribution per item", "Quiz questions"):
        assert f"<h2>{heading}</h2>" in page
    assert "<li>erin</li>" in page and "onerror=alert(1)&gt;: empty upload" in page


def test_the_html_page_escapes_what_learners_wrote(report):
    page = report[1]
    assert HTML_NAME not in page and HTML_ANSWER not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page  # the name, shown as text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # eve's answer, shown as text


def test_the_png_has_a_labelled_total_and_a_labelled_chart_per_item(graded_class, catalogue):
    from grader.instructor import classplots, records
    from grader.instructor.gradebook import read_roster
    from grader.instructor.itemstats import analyse

    found = records.load_records(graded_class)
    stats = analyse(catalogue, found, read_roster(graded_class / "roster.csv"))
    figure = classplots.items_figure(catalogue, stats, with_total=True)
    axes = [axis for axis in figure.axes if axis.get_visible()]
    assert len(axes) == len(catalogue.ids) + 1
    assert all(axis.get_xlabel() and axis.get_ylabel() and axis.get_title() for axis in axes)
    assert axes[0].get_title().startswith("Total score")
    total = [patch.get_height() for patch in axes[0].patches]
    assert total[0] == 1 and sum(total[1:]) == 5  # erin apart; the five graded by their total
    png = graded_class.parent / "c.png"
    assert png.read_bytes().startswith(b"\x89PNG")


def test_html_to_a_folder_or_into_a_missing_one_is_an_input_error(grade, graded_class, tmp_path):
    run = grade("report", graded_class, "--html", tmp_path)
    assert run.exit_code == 2 and "--html" in run.stderr
    run = grade("report", graded_class, "--html", tmp_path / "missing" / "page.html")
    assert run.exit_code == 2 and "does not exist" in run.stderr


def test_html_replaces_a_link_rather_than_writing_through_it(grade, graded_class, tmp_path):
    target = tmp_path / "elsewhere.txt"
    target.write_text("kept")
    (tmp_path / "page.html").symlink_to(target)
    run = grade(
        "report", graded_class, "--html", tmp_path / "page.html", "--png", tmp_path / "c.png"
    )
    assert run.exit_code == 0, run.stderr
    assert target.read_text() == "kept" and not (tmp_path / "page.html").is_symlink()


def test_a_folder_without_records_is_an_input_error(grade, tmp_path):
    run = grade("report", tmp_path)
    assert run.exit_code == 2 and "no batch records" in run.stderr


@pytest.mark.parametrize(
    "feedback, named",
    [
        (
            "conv2d((2, 10, 3, 1) float64, strides=(1, 1)): your output matches a flipped kernel (textbook "
            "convolution): Keras does not flip (40 of 40 values differ; at index (0, 0) expected 1, got 2)",
            "your output matches a flipped kernel (textbook convolution): Keras does not flip",
        ),
        (
            "zero_pad((1, 3, 3, 1) uint8, 1): expected shape (1, 5, 5, 1), got (3, 5, 5, 3). all four axes "
            "were padded",
            "all four axes were padded",
        ),
        ("conv2d((1, 4, 4, 1) float64): wrong values; 3 of 9 values differ", ""),
        (
            "not attempted: conv2d raises NotImplementedError",
            "not attempted: conv2d raises NotImplementedError",
        ),
    ],
)
def test_misconceptions_are_the_sentence_without_the_call_and_numbers(feedback, named):
    assert misconception(feedback) == named


@pytest.mark.parametrize(
    "percent, label",
    [(0, "0%"), (0.5, "1-24%"), (24.9, "1-24%"), (25, "25-49%"), (99.9, "75-99%"), (100, "100%")],
)
def test_bins(percent, label):
    assert bin_label(percent) == label


def test_the_class_report_leaves_out_records_it_cannot_trust(grade, graded_class, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(graded_class, out)
    record = json.loads((out / "bob.json").read_text())
    record["score"] = 221
    (out / "bob.json").write_text(json.dumps(record))
    run = grade("report", out, "--png", tmp_path / "report.png")
    assert run.exit_code == 0 and "records not trusted, left out (1): bob.json" in run.stderr
    assert "4 learners graded" in run.stdout


def test_charts_are_labelled_in_korean_where_a_font_has_hangul(graded_class, catalogue, recwarn):
    """In Korean where a font with Hangul is installed, else in English: never in boxes."""
    from grader.instructor import classplots, records
    from grader.instructor.itemstats import analyse
    from grader.learner.drawing import hangul_font

    stats = analyse(catalogue, records.load_records(graded_class), None)
    with language("ko"):
        figure = classplots.total_figure(stats)
    figure.savefig(graded_class.parent / "ko-total.png")
    missing = [
        str(warning.message) for warning in recwarn if "missing from" in str(warning.message)
    ]
    assert missing == []
    axis = figure.axes[0]
    labels = [axis.get_xlabel(), axis.get_ylabel(), axis.get_title()]
    hangul = [re.search("[\uac00-\ud7a3]", label) is not None for label in labels]
    assert hangul == [hangul_font() is not None] * 3
