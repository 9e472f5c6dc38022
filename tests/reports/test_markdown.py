"""The Markdown report for CI job summaries: totals, a row per item, failed tests, escaped learner text."""

from __future__ import annotations

from grader.reports import FORMATS, render
from grader.reports.markdown import escape, to_markdown
from grader.results import Report
from tests.conftest import SOLUTIONS, STUBS
from tests.reports import samples


def sample_report() -> Report:
    return samples.sample_report(
        "random [1]",
        "conv2d(x): got [link](http://evil) <img src=x> | *bold*",
        seed=7,
    )


def test_markdown_is_one_of_the_formats():
    assert "markdown" in FORMATS
    assert render(sample_report(), "markdown") == to_markdown(sample_report())


def test_the_summary_has_the_total_a_row_per_item_and_the_failed_tests():
    text = to_markdown(sample_report())
    assert text.startswith("## Grade: 2 / 15 points (13.3%)")
    assert "| ex04 Strided convolution layer | 2 / 5 | partial |" in text
    assert "| ex01 The convolution operation | 0 / 10 | not attempted |" in text
    assert "<details><summary>ex04: 1 failed tests</summary>" in text
    assert "ex01: " not in text.split("|---|")[1].split("Seed")[0].replace(
        "| ex01", ""
    )  # stubs: no details
    assert "Seed 7" in text


def test_learner_text_cannot_add_links_images_or_table_cells():
    text = to_markdown(sample_report())
    failed_line = next(line for line in text.splitlines() if line.startswith("- **random"))
    assert "](http" not in failed_line and "<img" not in failed_line
    assert "\\[link\\]" in failed_line and "&lt;img" in failed_line and "\\|" in failed_line
    assert escape("a\nb") == "a b"


def test_the_summary_speaks_korean():
    text = to_markdown(sample_report(), lang="ko")
    assert (
        text.startswith("## 채점 결과: 2 / 15 점")
        and "부분 점수" in text
        and "시도하지 않음" in text
    )


def test_grade_writes_markdown_for_a_job_summary(grade, tmp_path, make_submission):
    folder = make_submission(ex01=SOLUTIONS, ex06=STUBS)
    summary = tmp_path / "summary.md"
    run = grade(
        "ex01",
        "ex06",
        "--submission",
        folder,
        "--format",
        "markdown",
        "--output",
        summary,
        "--lang",
        "en",
    )
    assert run.exit_code == 1
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## Grade: 10 / 25 points (40.0%)") and "| ex06 " in text
