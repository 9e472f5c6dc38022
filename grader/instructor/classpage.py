"""`grade report OUT --html PAGE.html`: the class report as one self-contained page.

One file to open in a browser, mail or archive: the CSS is inline, the charts are PNG images
inside the page (data: URIs), and nothing is fetched from anywhere (a Content-Security-Policy
that allows only inline styles and data: images says so to the browser too, so nothing a
record holds could load or run anything even if it got past the escaping). Every text is
escaped; texts from records (learner names, test names, feedback, quiz answers) are also made
visible (control characters shown as escapes) and capped, as on the terminal.
"""

from __future__ import annotations

import base64
from collections.abc import Collection
from html import escape

from grader.course.catalogue import Catalogue
from grader.i18n import N_, _, current_language
from grader.instructor import classplots
from grader.instructor.itemstats import LABELS, ClassStats, QuestionStats
from grader.sanitise import visible

SHOWN_NAME = 60  # characters of a learner's name
SHOWN_TEXT = 300  # of a test name, a misconception or a problem
SHOWN_ANSWER = 120  # of a quiz answer
POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
STYLE = """
body { font-family: "Noto Sans CJK KR", "NanumGothic", "NanumBarunGothic", "Malgun Gothic",
  "Apple SD Gothic Neo", sans-serif; margin: 2rem auto; max-width: 70rem; padding: 0 1rem;
  color: #1d1d1f; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2rem;
  border-bottom: 1px solid #ccc; } h3 { font-size: 1rem; margin-bottom: 0.3rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #d0d0d0; padding: 0.2rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f0f3f7; } td.number { text-align: right; font-variant-numeric: tabular-nums; }
img { max-width: 100%; height: auto; display: block; margin: 0.5rem 0; }
.note { color: #555; font-size: 0.9rem; }
"""


def page(catalogue: Catalogue, stats: ClassStats, *, source: str) -> str:
    """The whole page as text; `source` names the out folder it was made from."""
    title = _("Class report")
    sections = [
        _summary(stats, source),
        _section(
            _("Total score"),
            _image(classplots.total_png(stats), _("Total score: learners per share of the points")),
        ),
        _items(catalogue, stats),
        _failed(catalogue, stats),
        _misconceptions(stats),
        _quizzes(stats),
        _absent(stats),
    ]
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(current_language())}">\n<head>\n'
        '<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{escape(title)}</h1>\n" + "\n".join(sections) + "\n</body>\n</html>\n"
    )


def _text(value: object, limit: int) -> str:
    """A text from a record: control characters shown as escapes, capped, HTML-escaped."""
    return escape(visible(value, limit))


def _table(header: list[str], rows: list[list[str]], numbers: Collection[int] = ()) -> str:
    """`header` (plain texts, escaped here) and `rows` of cells already escaped."""
    head = "".join(f"<th>{escape(cell)}</th>" for cell in header)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="number">{cell}</td>' if index in numbers else f"<td>{cell}</td>"
            for index, cell in enumerate(row)
        )
        + "</tr>\n"
        for row in rows
    )
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody>\n</table>"


def _image(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img alt="{escape(alt)}" src="data:image/png;base64,{data}">'


def _section(heading: str, *parts: str) -> str:
    return "\n".join([f"<section>\n<h2>{escape(heading)}</h2>", *parts, "</section>"])


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}%"


def _note(text: str) -> str:
    return f'<p class="note">{escape(text)}</p>'


def _summary(stats: ClassStats, source: str) -> str:
    numbers = stats.summary()
    rows = [
        [escape(_("learners graded")), str(stats.graded)],
        [
            escape(_("not graded (a problem with the upload or the grading)")),
            str(len(stats.not_graded)),
        ],
        [escape(_("on the roster, no upload")), str(len(stats.not_submitted))],
        *[[escape(_(name)), _percent(numbers.get(key))] for key, name in _SUMMARY_NAMES if numbers],
    ]
    note = _("From the records in {folder}; totals as grades.csv has them.").format(folder=source)
    return _section(
        _("Summary"),
        f'<p class="note">{_text(note, SHOWN_TEXT)}</p>',
        _table([_("what"), _("value")], rows, {1}),
    )


_SUMMARY_NAMES = (
    ("mean", N_("mean total")),
    ("median", N_("median total")),
    ("lowest", N_("lowest total")),
    ("highest", N_("highest total")),
)


def _items(catalogue: Catalogue, stats: ClassStats) -> str:
    rows = [
        [
            escape(item_id),
            escape(catalogue.item(item_id).title_for(current_language())),
            str(stats.attempted[item_id]),
            *[str(stats.bins[item_id][label]) for label in LABELS],
        ]
        for item_id in catalogue.ids
    ]
    header = [_("item"), _("title"), _("attempted"), *[_(label) for label in LABELS]]
    picture = classplots.items_png(catalogue, stats)
    alt = _("One chart per item: learners per share of its points")
    note = _(
        'Learners per share of each item\'s points. "not submitted": on the roster, no upload; '
        '"not attempted": an upload that left the item untouched; "0%": attempted, no points.'
    )
    return _section(
        _("Score distribution per item"),
        _image(picture, alt),
        _note(note),
        _table(header, rows, set(range(2, len(header)))),
    )


def _failed(catalogue: Catalogue, stats: ClassStats) -> str:
    parts = []
    for exercise in catalogue.exercises:
        attempted = stats.attempted[exercise.id]
        heading = _("{item} {title} (learners who attempted it: {count})").format(
            item=exercise.id, title=exercise.title_for(current_language()), count=attempted
        )
        parts.append(f"<h3>{escape(heading)}</h3>")
        failed = stats.failed[exercise.id]
        if failed:
            rows = [[_text(name, SHOWN_TEXT), str(count), str(attempted)] for name, count in failed]
            parts.append(_table([_("test"), _("learners who failed it"), _("of")], rows, {1, 2}))
        else:
            parts.append(_note(_("none failed")))
    return _section(_("Tests most often failed, per exercise"), *parts)


def _misconceptions(stats: ClassStats) -> str:
    heading = _("Misconceptions most often named in feedback")
    if not stats.misconceptions:
        return _section(heading, _note(_("none")))
    rows = [[_text(text, SHOWN_TEXT), str(count)] for text, count in stats.misconceptions]
    return _section(heading, _table([_("mistake"), _("learners")], rows, {1}))


def _quizzes(stats: ClassStats) -> str:
    heading = _("Quiz questions")
    picture = classplots.quiz_png(stats)
    if picture is None:
        return _section(heading, _note(_("no learner attempted a quiz")))
    parts = [_image(picture, _("Share correct per quiz question"))]
    header = [
        _("question"),
        _("attempted"),
        _("correct"),
        _("most common wrong answer"),
        _("learners"),
        _("unanswered"),
    ]
    for quiz_id, questions in stats.questions.items():
        if questions:
            parts.append(f"<h3>{escape(quiz_id)}</h3>")
            parts.append(
                _table(header, [_question(question) for question in questions], {1, 2, 4, 5})
            )
    return _section(heading, *parts)


def _question(question: QuestionStats) -> list[str]:
    wrong = question.most_common_wrong
    share = question.share_correct
    return [
        _text(question.name, SHOWN_TEXT),
        str(question.attempted),
        _percent(None if share is None else 100 * share),
        _text(wrong[0], SHOWN_ANSWER) if wrong else "",
        str(wrong[1]) if wrong else "",
        str(question.unanswered + question.unreadable),
    ]


def _absent(stats: ClassStats) -> str:
    missing = "".join(f"<li>{_text(name, SHOWN_NAME)}</li>" for name in stats.not_submitted)
    problems = "".join(
        f"<li>{_text(name, SHOWN_NAME)}: {_text(why, SHOWN_TEXT)}</li>"
        for name, why in stats.not_graded
    )
    none = _note(_("none"))
    return "\n".join(
        [
            _section(_("On the roster, no upload"), f"<ul>{missing}</ul>" if missing else none),
            _section(_("Not graded"), f"<ul>{problems}</ul>" if problems else none),
        ]
    )
