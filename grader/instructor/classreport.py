"""`grade report OUT`: what a class got right and wrong, so an instructor sees what to reteach.

From the records of a batch out folder and its roster (grader/instructor/itemstats.py counts):
the totals, each item's score distribution as a text histogram ("not submitted" and "not
attempted" apart from "0%"), each exercise's tests most often failed by the learners who
attempted it, the misconceptions the feedback most often named (the sentence a suite's
known-mistake check puts after the call, such as "your output matches a flipped kernel"), each
quiz question's share correct and its most common wrong answer, and the roster's learners
without an upload. The same as charts in a PNG (grader/instructor/classplots.py) and as one
self-contained HTML page (grader/instructor/classpage.py).
"""

from __future__ import annotations

from pathlib import Path

from grader.course.catalogue import Catalogue
from grader.errors import InputError
from grader.i18n import _, current_language, display_width, pad_to_width
from grader.instructor.itemstats import LABELS, ClassStats, bin_label, misconception
from grader.instructor.records import write_atomic
from grader.sanitise import visible

__all__ = ["bin_label", "misconception", "summarise", "write_html", "write_png"]

BAR_WIDTH = 30
SHOWN = 300  # characters of a test name or misconception: records are input, shown escaped
SHOWN_ANSWER = 80  # of a quiz answer
SHOWN_NAME = 60  # of a learner's name
COUNT_WIDTH = 10  # columns of `2 of 3` before a test's name


def summarise(catalogue: Catalogue, stats: ClassStats) -> str:
    """The class summary as text; whatever comes from a record (names, feedback) is shown escaped."""
    lines = [
        _(
            "Class summary: {graded} learners graded, {problems} not graded, "
            "{absent} on the roster without an upload"
        ).format(
            graded=stats.graded, problems=len(stats.not_graded), absent=len(stats.not_submitted)
        )
    ]
    numbers = stats.summary()
    if numbers:
        lines.append(
            _(
                "Total: mean {mean:.1f}%, median {median:.1f}%, lowest {lowest:.1f}%, "
                "highest {highest:.1f}%"
            ).format(**numbers)
        )
    lines += ["", *_distributions(catalogue, stats), "", *_failed(catalogue, stats)]
    lines += ["", _("Misconceptions most often named in feedback:")]
    lines += [
        f"  {_of(count, stats.graded)}  {visible(text, SHOWN)}"
        for text, count in stats.misconceptions
    ] or ["  " + _("none")]
    lines += ["", *_quizzes(stats)]
    if stats.not_submitted:
        names = ", ".join(visible(name, SHOWN_NAME) for name in stats.not_submitted)
        lines += [
            "",
            _("On the roster, no upload ({count}): {names}").format(
                count=len(stats.not_submitted), names=names
            ),
        ]
    for learner, status in stats.not_graded:
        lines.append(
            _("not graded: {learner}: {why}").format(
                learner=visible(learner, SHOWN_NAME), why=visible(status, SHOWN)
            )
        )
    return "\n".join(lines) + "\n"


def _distributions(catalogue: Catalogue, stats: ClassStats) -> list[str]:
    lines = [
        _(
            "Score distribution per item (learners per share of the item's points; "
            '"not submitted": on the roster, no upload; "not attempted": the item left untouched):'
        )
    ]
    labels = [_(label) for label in LABELS]
    width = max(display_width(label) for label in labels)
    for item in catalogue.items:
        lines.append(f"{item.id} {item.title_for(current_language())}")
        counts = stats.bins[item.id]
        most = max(counts.values(), default=0) or 1
        for label, shown in zip(LABELS, labels):
            bar = "#" * round(BAR_WIDTH * counts[label] / most)
            lines.append(f"  {pad_to_width(shown, width)} {bar:<{BAR_WIDTH}} {counts[label]}")
    return lines


def _failed(catalogue: Catalogue, stats: ClassStats) -> list[str]:
    lines = [_("Tests most often failed, per exercise (of the learners who attempted it):")]
    for exercise in catalogue.exercises:
        attempted = stats.attempted[exercise.id]
        lines.append(
            _("{item} (learners who attempted it: {count})").format(
                item=exercise.id, count=attempted
            )
        )
        lines += [
            f"  {_of(count, attempted)}  {visible(name, SHOWN)}"
            for name, count in stats.failed[exercise.id]
        ] or ["  " + _("none failed")]
    return lines


def _quizzes(stats: ClassStats) -> list[str]:
    lines = [_("Quiz questions (share correct of the learners who attempted the quiz):")]
    for quiz_id, questions in stats.questions.items():
        if not questions:
            lines.append(_("{quiz}: no learner attempted it").format(quiz=quiz_id))
            continue
        lines.append(quiz_id)
        width = max(len(visible(question.name, SHOWN)) for question in questions)
        for question in questions:
            share = 100 * (question.share_correct or 0)
            line = f"  {visible(question.name, SHOWN):<{width}} {share:5.1f}%"
            wrong = question.most_common_wrong
            if wrong:
                line += "  " + _("most common wrong answer: {answer} ({count})").format(
                    answer=visible(wrong[0], SHOWN_ANSWER), count=wrong[1]
                )
            lines.append(line)
    return lines


def _of(count: int, total: int) -> str:
    """`   2 of 3`, right-aligned so that the names after it line up."""
    shown = _("{count} of {total}").format(count=count, total=total)
    return " " * max(COUNT_WIDTH - display_width(shown), 0) + shown


def write_png(
    catalogue: Catalogue, stats: ClassStats, path: Path, *, replace: bool = False
) -> bool:
    """The total's and each item's distribution as charts into `path` (`replace`: a new file in its
    place, never written through a link there); False when matplotlib is not installed."""
    try:
        from grader.instructor.classplots import items_png

        picture = items_png(catalogue, stats, with_total=True)
    except ImportError:
        return False
    if replace:
        write_atomic(path, picture)
    else:  # a path the instructor named (perhaps /dev/stdout): written as named
        path.write_bytes(picture)
    return True


def write_html(catalogue: Catalogue, stats: ClassStats, path: Path, *, source: str) -> None:
    """The class report as one self-contained HTML page at `path` (written whole, then renamed
    into place)."""
    from grader.instructor.classpage import page

    try:
        write_atomic(path, page(catalogue, stats, source=source))
    except OSError as error:
        raise InputError(
            _("cannot write {path}: {why}").format(path=path, why=error.strerror or error)
        ) from None
