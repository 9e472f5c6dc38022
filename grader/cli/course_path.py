"""The learner's way through the course: `grade list` (status, best scores, a total) and the item
to do next, which `grade list` marks and `grade watch` names.

The next item follows the course's recommended order (course.yaml's `order`: rising in
difficulty, the advanced items last) and the learner's progress: an item with full marks is
never suggested. In a student release a quiz cannot be marked locally, so a quiz taken there
(its answers file saved) counts as done.
"""

from __future__ import annotations

from pathlib import Path

from grader.course.catalogue import Catalogue, Exercise, Quiz
from grader.i18n import N_, _, current_language, display_width, pad_to_width
from grader.progress import Progress
from grader.quiz.answers import key_path
from grader.quiz.bank import load_bank
from grader.reports.text import STATUS_NAMES
from grader.submission import Submission
from grader.terminal import fit, terminal_width

LIST_STATUS = {  # a report's statuses, and two of the list's own
    "not graded yet": N_("not graded yet"),
    "not started": N_("not started"),
    **STATUS_NAMES,
}
MIN_TITLE_COLUMNS = 24  # narrower than this beside the other columns: the title goes below
TITLE_BELOW = " " * 6


def _learner(submission: Path) -> Submission | None:
    try:
        return Submission.open(submission) if submission.is_dir() else None
    except (OSError, ValueError):
        return None


def _present(learner: Submission | None, item: Exercise | Quiz) -> bool:
    if learner is None:
        return False
    path = (
        learner.exercise_path(item.file)
        if isinstance(item, Exercise)
        else learner.answers_path(item.id)
    )
    return learner.kind(path) == "file"


def _graded_here(catalogue: Catalogue, item: Exercise | Quiz) -> bool:
    """Whether this copy of the course can mark `item` (a release has no quiz keys)."""
    return isinstance(item, Exercise) or key_path(catalogue, item).exists()


def done_items(catalogue: Catalogue, submission: Path, progress: Progress) -> set[str]:
    """The items the learner has finished: full marks, or a quiz taken where it cannot be marked."""
    learner = _learner(submission)
    return {
        item.id
        for item in catalogue.items
        if progress.status.get(item.id) == "passed"
        or (not _graded_here(catalogue, item) and _present(learner, item))
    }


def next_item(
    catalogue: Catalogue, submission: Path, progress: Progress, after: str | None = None
) -> Exercise | Quiz | None:
    """What to do next: the first unfinished item in the recommended order (after `after`)."""
    return catalogue.next_item(done_items(catalogue, submission, progress), after=after)


def item_points(catalogue: Catalogue, item: Exercise | Quiz) -> float:
    return item.points if isinstance(item, Exercise) else load_bank(catalogue, item).max_score


def list_lines(catalogue: Catalogue, submission: Path) -> list[str]:
    """One line per exercise and quiz in the recommended order (id, status, best score, hints,
    title, [advanced], <- next), laid out for the terminal's width, then the total."""
    progress = Progress.load(submission)
    learner = _learner(submission)
    following = next_item(catalogue, submission, progress)
    rows = [_row(item, progress, _present(learner, item), following) for item in catalogue.in_order]
    widths = [max(display_width(row[column]) for row in rows) for column in range(4)]
    title_column = sum(widths) + 2 * len(widths)
    width = terminal_width()
    lines = []
    for row in rows:
        cells = "".join(pad_to_width(cell, size) + "  " for cell, size in zip(row[:4], widths))
        if width - title_column >= MIN_TITLE_COLUMNS:
            lines += fit(cells + row[4], " " * title_column, width)
        else:
            lines += [cells.rstrip(), *fit(TITLE_BELOW + row[4], TITLE_BELOW + "  ", width)]
    return [*(line.rstrip() for line in lines), "", *fit(_total(catalogue, progress), "  ", width)]


def _row(
    item: Exercise | Quiz, progress: Progress, present: bool, following: Exercise | Quiz | None
) -> tuple[str, str, str, str, str]:
    status = progress.status.get(item.id, "not graded yet" if present else "not started")
    best = progress.best.get(item.id)
    best_text = _("best {score:g}").format(score=round(best, 2)) if best is not None else ""
    status_text = _(LIST_STATUS[status]) if status in LIST_STATUS else status.replace("_", " ")
    hints_text = (
        _("hints {shown}/{total}").format(
            shown=min(progress.hints_shown.get(item.id, 0), len(item.hints)),
            total=len(item.hints),
        )
        if item.hints
        else ""
    )
    title = item.title_for(current_language())
    if item.advanced:
        title += " " + _("[advanced]")
    if following is not None and item.id == following.id:
        title += "  " + _("<- next")
    return item.id, status_text, best_text, hints_text, title


def _total(catalogue: Catalogue, progress: Progress) -> str:
    """The best scores added up, over the points this copy of the course can mark."""
    graded = [item for item in catalogue.items if _graded_here(catalogue, item)]
    best = sum(progress.best.get(item.id, 0.0) for item in graded)
    points = sum(item_points(catalogue, item) for item in graded)
    total = _("Total of your best scores: {score:g} / {points:g}").format(
        score=round(best, 2), points=round(points, 2)
    )
    if len(graded) < len(catalogue.items):
        total += " " + _("(the quizzes are graded when you hand them in)")
    return total
