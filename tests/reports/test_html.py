"""The HTML report: one self-contained page, learner text escaped, pictures inline, the seed
left out of a report handed back after an official grading."""

from __future__ import annotations

import base64

from grader.reports import FORMATS, render
from grader.reports.html import to_html
from grader.results import Report, report_from_dict
from tests.reports import samples

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def sample_report() -> Report:
    return samples.sample_report(
        "<i>named</i>",
        'got <img src=x onerror="x()">\n  [1 2]',
        seed=424242,
    )


def test_html_is_a_format_and_renders_a_page():
    assert "html" in FORMATS
    page = render(sample_report(), "html")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "Total: 2 / 15 points" in page and "ex04 Strided convolution layer: 2 / 5" in page
    assert "Seed 424242" in page


def test_learner_text_is_escaped_and_kept_whole():
    page = render(sample_report(), "html")
    assert "<img" not in page and "<i>" not in page
    assert "&lt;i&gt;named&lt;/i&gt;" in page
    assert "got &lt;img src=x onerror=&quot;x()&quot;&gt;\n  [1 2]" in page  # line breaks kept


def test_a_handed_back_page_has_no_seed():
    page = render(sample_report(), "html", handed_back=True)
    assert "424242" not in page and "Protection: namespaces" in page


def test_pictures_are_inline_data_and_nothing_is_loaded():
    page = to_html(sample_report(), pictures=[("ex01 <yours>.png", PNG)])
    assert f'src="data:image/png;base64,{base64.b64encode(PNG).decode()}"' in page
    assert "ex01 &lt;yours&gt;.png" in page
    assert "default-src 'none'" in page and "http" not in page.replace("http-equiv", "")


def test_korean_page():
    page = render(sample_report(), "html", lang="ko")
    assert '<html lang="ko">' in page and "합계" in page and "시도하지 않음" in page


def test_a_report_read_back_renders_as_it_was():
    report = sample_report()
    again = report_from_dict(report.to_dict())
    assert again.to_dict() == report.to_dict()
    assert render(again, "html") == render(report, "html")
