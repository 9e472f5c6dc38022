"""What `grade similar` writes: OUT/pairs.csv and OUT/similar.html.

pairs.csv has one row per flagged pair (`learner_a, learner_b, item, similarity`), cells made
safe for spreadsheets as the gradebook's are. similar.html is one self-contained page (inline
style, no script, nothing fetched): a table of the flagged pairs, then each pair's two files
side by side with the shared regions marked. Every learner name and every character of their
code is escaped, so a file holding `</pre><script>` shows as text.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

from grader.course.catalogue import Catalogue
from grader.errors import EXIT_FULL_MARKS
from grader.i18n import _
from grader.instructor.gradebook import write_csv
from grader.instructor.records import write_atomic
from grader.instructor.similar import Comparison, Pair, compare_class
from grader.sanitise import visible

PAIRS_FILE = "pairs.csv"
REPORT_FILE = "similar.html"
PAIRS_HEADER = ["learner_a", "learner_b", "item", "similarity"]
MARK_START, MARK_END = "<mark>", "</mark>"
CONTEXT_LINES = -1  # lines kept around marked code (-1: the whole file)
SHOWN_PAIRS = 20  # pairs listed on the terminal (every one is in pairs.csv and the page)
SHOWN_NAME = 60

STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; margin-bottom: 2em; }
td, th { border: 1px solid #bbb; padding: 0.25em 0.6em; text-align: left; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; margin-bottom: 3em; }
pre { background: #f6f6f6; padding: 0.6em; overflow-x: auto; font-size: 0.85em; white-space: pre; }
mark { background: #ffd27a; }
.note { color: #555; }
"""


def write_outputs(comparison: Comparison, out_dir: Path) -> tuple[Path, Path]:
    """Write pairs.csv and similar.html into `out_dir` (each whole or not at all)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    flagged = comparison.flagged
    rows: list[list] = [PAIRS_HEADER]
    rows += [[p.learner_a, p.learner_b, p.item, round(p.similarity, 3)] for p in flagged]
    write_csv(out_dir / PAIRS_FILE, rows)
    write_atomic(out_dir / REPORT_FILE, page(comparison, flagged))
    return out_dir / PAIRS_FILE, out_dir / REPORT_FILE


def page(comparison: Comparison, flagged: list[Pair]) -> str:
    escape = html.escape
    title = _("Similar code")
    parts = [
        "<!DOCTYPE html>",
        '<html><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        '<p class="note">'
        + escape(
            _(
                "Pairs whose code for one exercise shares at least {percent} of one learner's own "
                "tokens (the stub's code left out) and at least {tokens} tokens. Similar code is a "
                "reason to look, not a verdict: read both files."
            ).format(percent=f"{100 * comparison.threshold:.0f}%", tokens=comparison.min_shared)
        )
        + "</p>",
    ]
    if not flagged:
        parts.append("<p>" + escape(_("No pair is flagged.")) + "</p>")
    else:
        parts.append(_table(flagged))
    for number, pair in enumerate(flagged, 1):
        parts.append(_side_by_side(comparison, pair, number))
    if comparison.unread:
        parts.append("<h2>" + escape(_("Not compared")) + "</h2><ul>")
        parts += [
            f"<li>{escape(what)}: {escape(why)}</li>" for what, why in comparison.unread.items()
        ]
        parts.append("</ul>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _table(flagged: list[Pair]) -> str:
    escape = html.escape
    head = "".join(
        f"<th>{escape(word)}</th>"
        for word in (_("learner"), _("learner"), _("exercise"), _("similarity"), _("shared tokens"))
    )
    rows = [
        f'<tr><td><a href="#pair-{number}">{escape(p.learner_a)}</a></td>'
        f"<td>{escape(p.learner_b)}</td><td>{escape(p.item)}</td>"
        f"<td>{100 * p.similarity:.0f}%</td><td>{p.shared_tokens}</td></tr>"
        for number, p in enumerate(flagged, 1)
    ]
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _side_by_side(comparison: Comparison, pair: Pair, number: int) -> str:
    from copydetect.utils import highlight_overlap

    escape = html.escape
    columns = []
    for learner, slices, share in (
        (pair.learner_a, pair.slices_a, pair.share_a),
        (pair.learner_b, pair.slices_b, pair.share_b),
    ):
        marked, _share = highlight_overlap(
            comparison.text(pair.item, learner),
            slices,
            MARK_START,
            MARK_END,
            truncate=CONTEXT_LINES,
            escape_html=True,
        )
        shared = _("{percent} of this file shared").format(percent=f"{100 * share:.0f}%")
        columns.append(
            f"<div><h3>{escape(learner)}</h3><p class='note'>{escape(shared)}</p>"
            f"<pre>{marked}</pre></div>"
        )
    heading = f"{escape(pair.item)}: {escape(pair.learner_a)} / {escape(pair.learner_b)}"
    return f'<h2 id="pair-{number}">{heading}</h2><div class="pair">{"".join(columns)}</div>'


def similar_command(
    catalogue: Catalogue, folder: Path, out_dir: Path, *, echo: Callable[..., None]
) -> int:
    """Compare the class in `folder`, write pairs.csv and similar.html into `out_dir`, say what
    was flagged; 0 once written (2, by `InputError`, for a folder that is no class)."""
    from grader.instructor.batch import refuse_an_upload_as_out

    refuse_an_upload_as_out(folder, out_dir)
    comparison = compare_class(folder, catalogue, out_dir=out_dir)
    pairs_file, report_file = write_outputs(comparison, out_dir)
    flagged = comparison.flagged
    for pair in flagged[:SHOWN_PAIRS]:
        echo(
            f"{pair.item}  {visible(pair.learner_a, SHOWN_NAME)} ~ "
            f"{visible(pair.learner_b, SHOWN_NAME)}  {100 * pair.similarity:.0f}%"
        )
    if len(flagged) > SHOWN_PAIRS:
        echo(_("... and {count} more pairs").format(count=len(flagged) - SHOWN_PAIRS))
    for what, why in comparison.unread.items():
        echo(
            _("not compared: {what}: {why}").format(
                what=visible(what, SHOWN_NAME), why=visible(why, 300)
            ),
            err=True,
        )
    learners = {name for item in comparison.sources.values() for name in item}
    echo(
        _(
            "flagged {flagged} of {compared} pairs compared (learners with code: {learners}); "
            "written: {pairs}, {report}"
        ).format(
            flagged=len(flagged),
            compared=sum(len(item) * (len(item) - 1) // 2 for item in comparison.sources.values()),
            learners=len(learners),
            pairs=pairs_file,
            report=report_file,
        )
    )
    return EXIT_FULL_MARKS
