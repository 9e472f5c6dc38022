"""The class report's charts as PNG bytes, drawn with matplotlib's Agg canvas (no pyplot state).

Every chart has a title and labelled axes. Labels follow the language in use where a font with
Hangul is installed (grader/learner/drawing.py finds one, also when it was installed after
matplotlib built its font cache), English otherwise: a font without Hangul would draw boxes.
Texts are drawn as they are (no mathtext), and none comes from a learner: ids and titles are
the course's, counts are numbers.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

from grader.course.catalogue import Catalogue
from grader.i18n import _, current_language, language
from grader.instructor.itemstats import LABELS, NOT_ATTEMPTED, NOT_SUBMITTED, ClassStats, total_bins

SCORE_COLOUR = "#4878a8"  # blue: learners by share of the points
ABSENT_COLOUR = "#a0a0a0"  # grey: not submitted, not attempted
TOTAL_COLOUR = "#d9822b"  # orange: the total
CORRECT_COLOUR = "#3c9a5f"  # green: a quiz question's share correct
COLUMNS = 4
DPI = 100
TITLE_CHARACTERS = 28  # of an item's title beside its id


@contextmanager
def _drawing() -> Iterator[str]:
    """The font to draw with; labels in English inside when no font has Hangul."""
    import matplotlib

    from grader.learner.drawing import hangul_font

    font = hangul_font()
    with (
        language(None if font else "en"),
        matplotlib.rc_context(
            {
                "text.parse_math": False,
                "text.usetex": False,
                "font.family": [font or "DejaVu Sans", "sans-serif"],
                "axes.spines.top": False,
                "axes.spines.right": False,
            }
        ),
    ):
        yield font or "sans-serif"


def _png(figure) -> bytes:
    picture = io.BytesIO()
    figure.savefig(picture, format="png", dpi=DPI)
    return picture.getvalue()


def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _total_axis(axis, stats: ClassStats) -> None:
    bins = total_bins(stats.percents)
    labels = [_(NOT_SUBMITTED), *(label for label, _count in bins)]
    counts = [len(stats.not_submitted), *(count for _label, count in bins)]
    colours = [ABSENT_COLOUR, *[TOTAL_COLOUR] * len(bins)]
    axis.bar(labels, counts, color=colours)
    axis.set_title(_("Total score: learners per share of the points"))
    axis.set_xlabel(_("share of the course's points"))
    axis.set_ylabel(_("learners"))
    axis.tick_params(axis="x", labelrotation=45, labelsize=8)
    axis.yaxis.get_major_locator().set_params(integer=True)


def _item_axis(axis, catalogue: Catalogue, stats: ClassStats, item_id: str) -> None:
    title = catalogue.item(item_id).title_for(current_language())
    if len(title) > TITLE_CHARACTERS:
        title = title[: TITLE_CHARACTERS - 1] + "…"
    colours = [
        ABSENT_COLOUR if label in (NOT_SUBMITTED, NOT_ATTEMPTED) else SCORE_COLOUR
        for label in LABELS
    ]
    axis.bar(
        [_(label) for label in LABELS],
        [stats.bins[item_id][label] for label in LABELS],
        color=colours,
    )
    axis.set_title(f"{item_id} {title}", fontsize=9)
    axis.set_xlabel(_("share of the item's points"), fontsize=8)
    axis.set_ylabel(_("learners"), fontsize=8)
    axis.tick_params(axis="x", labelrotation=60, labelsize=7)
    axis.tick_params(axis="y", labelsize=7)
    axis.yaxis.get_major_locator().set_params(integer=True)


def total_figure(stats: ClassStats):
    """The total's distribution, with the learners not submitted apart."""
    with _drawing():
        figure = _figure(8, 3.6)
        _total_axis(figure.subplots(), stats)
        return figure


def total_png(stats: ClassStats) -> bytes:
    """`total_figure` as PNG bytes."""
    return _png(total_figure(stats))


def items_figure(catalogue: Catalogue, stats: ClassStats, *, with_total: bool = False):
    """One chart per item (`with_total`: the total's chart above them, as class-report.png has)."""
    rows = -(-len(catalogue.ids) // COLUMNS)
    with _drawing():
        figure = _figure(3.4 * COLUMNS, 2.9 * rows + (3.4 if with_total else 0))
        grid = figure.add_gridspec(rows + with_total, COLUMNS)
        if with_total:
            _total_axis(figure.add_subplot(grid[0, :]), stats)
        for index, item_id in enumerate(catalogue.ids):
            row, column = divmod(index, COLUMNS)
            axis = figure.add_subplot(grid[row + with_total, column])
            _item_axis(axis, catalogue, stats, item_id)
        return figure


def items_png(catalogue: Catalogue, stats: ClassStats, *, with_total: bool = False) -> bytes:
    """`items_figure` as PNG bytes."""
    return _png(items_figure(catalogue, stats, with_total=with_total))


def quiz_png(stats: ClassStats) -> bytes | None:
    """Each quiz question's share correct, one chart per quiz; None when no quiz was attempted."""
    quizzes = [(quiz_id, questions) for quiz_id, questions in stats.questions.items() if questions]
    if not quizzes:
        return None
    tallest = max(len(questions) for _quiz, questions in quizzes)
    with _drawing():
        figure = _figure(3.2 * len(quizzes), 1.2 + 0.22 * tallest)
        for axis, (quiz_id, questions) in zip(
            figure.subplots(1, len(quizzes), squeeze=False)[0], quizzes
        ):
            names = [question.name.split(" ")[0] for question in questions]
            shares = [100 * (question.share_correct or 0) for question in questions]
            axis.barh(names, shares, color=CORRECT_COLOUR)
            axis.invert_yaxis()  # Q1 at the top
            axis.set_xlim(0, 100)
            axis.set_title(_("{quiz}: share correct").format(quiz=quiz_id), fontsize=9)
            axis.set_xlabel(_("learners who answered correctly (%)"), fontsize=8)
            axis.set_ylabel(_("question"), fontsize=8)
            axis.tick_params(labelsize=7)
        return _png(figure)
