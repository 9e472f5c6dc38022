"""The report as one self-contained HTML page: feedback a learner opens in any browser, offline.

Everything is inside the file: the style sheet inline, pictures as `data:` URIs, no script, no
link to anywhere (a Content-Security-Policy forbids loading anything else). Every text that
comes from a report (names, feedback, a learner's printed output) is HTML-escaped, so a
`<script>` in it stays text. English and Korean, like the rest of what a learner reads.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence

from grader.i18n import N_, _, current_language, language
from grader.reports.registry import Options, register
from grader.reports.text import protection_name, status_name
from grader.results import ExerciseResult, Report, TestResult

NOTHING_LOADED = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)
STYLE = """
body{font-family:system-ui,'Noto Sans KR','Malgun Gothic',sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;color:#1f2328;line-height:1.45}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:1.8rem}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #d0d7de;padding:.25rem .6rem;
text-align:left;vertical-align:top}td.n{text-align:right;white-space:nowrap}
pre{white-space:pre-wrap;word-break:break-word;background:#f6f8fa;padding:.5rem;margin:.3rem 0}
.passed{color:#1a7f37}.partial{color:#9a6700}.failed,.error,.timeout{color:#cf222e}
.not_attempted{color:#0969da}small{color:#59636e}img{max-width:100%}
"""
WORDS = {
    "title": N_("Grade"),
    "total": N_("Total"),
    "item": N_("Item"),
    "points": N_("points"),
    "status": N_("Status"),
    "details": N_("Seed {seed} · protection: {protection} · {seconds:.1f} s"),
    "handed_back_details": N_("Protection: {protection} · {seconds:.1f} s"),
}


def escape(text: object) -> str:
    """`text` shown literally in HTML, in element content and in quoted attributes alike."""
    return html.escape(str(text), quote=True)


def points(score: float, max_score: float) -> str:
    """`13.67 / 15`, as the text report writes points."""
    return f"{round(score, 2):g} / {round(max_score, 2):g}"


@register("html")
def render_html(report: Report, options: Options) -> str:
    return to_html(report, lang=options.lang, handed_back=options.handed_back)


def to_html(
    report: Report,
    *,
    lang: str | None = None,
    handed_back: bool = False,
    heading: str = "",
    before: Sequence[str] = (),
    pictures: Sequence[tuple[str, bytes]] = (),
) -> str:
    """The whole page. `heading` (plain text) replaces the title; `before` are sections of HTML
    already escaped by their maker, shown above the items; `pictures` are (name, PNG bytes).
    `handed_back`: the grading's secret seed is left out (grade feedback)."""
    with language(lang):  # None: the run's language
        title = heading or _(WORDS["title"])
        body = [
            f"<h1>{escape(title)}</h1>",
            *before,
            _summary(report),
            *(_item(item) for item in report.exercises),
            *(_picture(name, data) for name, data in pictures),
            _details(report, handed_back),
        ]
        return page(title, body)


def page(title: str, body: Sequence[str]) -> str:
    """A complete, self-contained page around `body` (HTML parts) in the current language."""
    return (
        f'<!DOCTYPE html>\n<html lang="{current_language()}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{NOTHING_LOADED}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], classes: str = "") -> str:
    """A table of plain-text cells (escaped here); a number is right-aligned. `classes`, one
    letter per column, may name a cell's CSS class from its value ("s": a status)."""
    head = "".join(f"<th>{escape(header)}</th>" for header in headers)
    lines = [f"<table><thead><tr>{head}</tr></thead><tbody>"]
    for row in rows:
        cells = []
        for column, cell in enumerate(row):
            kind = classes[column] if column < len(classes) else ""
            if isinstance(cell, (int, float)) and not isinstance(cell, bool):
                cells.append(f'<td class="n">{cell:g}</td>')
            elif kind == "s":
                cells.append(f'<td class="{escape(cell)}">{escape(status_name(str(cell)))}</td>')
            else:
                cells.append(f"<td>{escape(cell)}</td>")
        lines.append(f"<tr>{''.join(cells)}</tr>")
    lines.append("</tbody></table>")
    return "".join(lines)


def _summary(report: Report) -> str:
    rows = [
        [f"{item.id} {item.title}", points(item.score, item.max_score), item.status]
        for item in report.exercises
    ]
    total = escape(
        f"{_(WORDS['total'])}: {points(report.score, report.max_score)} {_(WORDS['points'])}"
    )
    headers = [_(WORDS["item"]), _(WORDS["points"]), _(WORDS["status"])]
    return f"<h2>{total}</h2>" + table(headers, rows, classes="  s")


def _item(item: ExerciseResult) -> str:
    heading = (
        f'<h2 class="{escape(item.status)}">{escape(item.id)} {escape(item.title)}: '
        f"{escape(points(item.score, item.max_score))} ({escape(status_name(item.status))})</h2>"
    )
    if item.status == "not_attempted":  # one sentence for all its tests ("not attempted")
        shared = list(dict.fromkeys(test.feedback for test in item.tests if test.feedback))
        return heading + "".join(f"<pre>{escape(text)}</pre>" for text in shared[:4])
    return heading + "".join(_test(test) for test in item.tests)


def _test(test: TestResult) -> str:
    mark = "&#10004;" if test.status == "passed" else "&#10008;"
    line = (
        f'<p class="{escape(test.status)}">{mark} {escape(points(test.score, test.max_score))} '
        f"{escape(test.name)}</p>"
    )
    if test.status != "passed" and test.feedback:
        line += f"<pre>{escape(test.feedback)}</pre>"
    return line


def _picture(name: str, data: bytes) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return (
        f'<figure><img alt="{escape(name)}" src="data:image/png;base64,{encoded}">'
        f"<figcaption>{escape(name)}</figcaption></figure>"
    )


def _details(report: Report, handed_back: bool) -> str:
    template = _(WORDS["handed_back_details" if handed_back else "details"])
    text = template.format(
        seed=report.seed,
        protection=protection_name(report.protection),
        seconds=report.execution_time,
    )
    return f"<p><small>{escape(text)}</small></p>"
