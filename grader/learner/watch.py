"""`grade watch ID`: re-grade on every save of the exercise file, as rustlings' watch mode does.

Each save (seen by the `watchfiles` library) grades the exercise again in the sandbox, clears
the terminal and redraws a short report: the score, each test's status, the first failure's
feedback. Full marks say so and name the next exercise. Ctrl-C ends quietly with exit code 0.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import click

from grader.cli.course_path import next_item
from grader.course.catalogue import Catalogue, Exercise
from grader.errors import GraderFailure, InputError
from grader.grading.runner import IsolationSource, grade
from grader.i18n import N_, _, current_language, pad_to_width, with_lang
from grader.progress import Progress
from grader.reports.text import wrap_to_terminal
from grader.results import ExerciseResult
from grader.terminal import fit, wrap, wrap_lines

FEEDBACK_LINES = 12  # of the first failing test's feedback, in the short report
DEBOUNCE_MS = 300  # an editor's save is often several writes: grade once they settle
STATUS_MARKS = {"passed": N_("ok"), "failed": N_("FAIL"), "error": N_("ERR"), "timeout": N_("TIME")}


def watched_file(catalogue: Catalogue, item_id: str, submission: Path) -> tuple[Exercise, Path]:
    item = catalogue.item(item_id)
    if not isinstance(item, Exercise):
        raise InputError(
            _(
                "`grade watch` watches an exercise file; {item} is a quiz: take it with `{command}`"
            ).format(item=item.id, command=with_lang(f"grade quiz {item.id}"))
        )
    return item, submission / item.file


def watch(
    catalogue: Catalogue,
    item_id: str,
    *,
    submission: Path,
    isolation: IsolationSource,
    echo: Callable[[str], None] = click.echo,
    clear: Callable[[], None] | None = None,
    changes: Iterable | None = None,
) -> int:
    """Grade now and after every change of the exercise file; 0 when the learner stops (Ctrl-C).

    `changes` is the stream of change sets (default: `watchfiles.watch` on the file's folder).
    """
    exercise, path = watched_file(catalogue, item_id, submission)
    clear = clear or (lambda: click.clear())
    interrupted = _InterruptFlag()
    try:
        with interrupted:
            _once(catalogue, exercise, path, submission, isolation, echo, clear, interrupted)
            for _changes in changes if changes is not None else _file_changes(path):
                _once(catalogue, exercise, path, submission, isolation, echo, clear, interrupted)
    except KeyboardInterrupt:
        pass
    echo(wrap(_("Stopped watching {file}.").format(file=path), hanging="  "))
    return 0


class _InterruptFlag:
    """Remembers a Ctrl-C: pytest catches one that lands while it grades, so the grader's
    "stopped early" must then mean "the learner stopped", not a failure."""

    def __init__(self):
        self.seen = False
        self.previous = None

    def __enter__(self) -> _InterruptFlag:
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, number, frame) -> None:
        self.seen = True
        raise KeyboardInterrupt

    def __exit__(self, *exc_info: object) -> None:
        if self.previous is not None:
            import signal

            signal.signal(signal.SIGINT, self.previous)


def _file_changes(path: Path):
    import watchfiles

    def is_the_file(change, changed: str) -> bool:
        return Path(changed).name == path.name

    path.parent.mkdir(parents=True, exist_ok=True)
    yield from watchfiles.watch(
        path.parent, watch_filter=is_the_file, debounce=DEBOUNCE_MS, raise_interrupt=True
    )


def _once(
    catalogue: Catalogue,
    exercise: Exercise,
    path: Path,
    submission: Path,
    isolation: IsolationSource,
    echo: Callable[[str], None],
    clear: Callable[[], None],
    interrupted: _InterruptFlag,
) -> None:
    try:
        report = grade(catalogue, [exercise.id], submission=submission, isolation=isolation)
    except GraderFailure as failure:
        if interrupted.seen:
            raise KeyboardInterrupt from None
        echo(wrap(_("grade: {problem}; save the file to try again").format(problem=failure)))
        return
    progress = Progress.load(submission)
    progress.record(report)
    progress.save(submission)
    clear()
    for line in short_report(report.exercises[0], catalogue, path):
        echo(line)


def short_report(result: ExerciseResult, catalogue: Catalogue, path: Path) -> list[str]:
    """The few lines watch mode redraws after each save."""
    lines = [
        *wrap_lines(
            _("Watching {file}: save it to grade again, Ctrl-C to stop.").format(file=path),
            hanging="  ",
        ),
        "",
        click.style(
            f"{result.id}  {round(result.score, 2):g} / {round(result.max_score, 2):g}", bold=True
        ),
    ]
    for test in result.tests:
        mark = _(STATUS_MARKS[test.status]) if test.status in STATUS_MARKS else test.status
        lines += fit(f"  {pad_to_width(mark, 4)}  {test.name}", " " * 10)
    failing = next((test for test in result.tests if test.status != "passed"), None)
    if failing is not None:
        feedback = wrap_to_terminal(failing.feedback, indent="    ").splitlines()[:FEEDBACK_LINES]
        heading = _("First failing test: {name}").format(name=failing.name)
        lines += ["", *wrap_lines(heading, hanging="  "), *feedback]
    elif result.max_score and result.score >= result.max_score:
        lines += [
            "",
            click.style(
                _("{exercise} has full marks!").format(exercise=result.id), fg="green", bold=True
            ),
            *wrap_lines(_next_item(result.id, catalogue, path.parent), hanging="  "),
        ]
    return lines


def _next_item(exercise_id: str, catalogue: Catalogue, submission: Path) -> str:
    """What to do next: the course's recommended order and the learner's progress
    (grader/cli/course_path.py), never an item that already has full marks."""
    following = next_item(catalogue, submission, Progress.load(submission), after=exercise_id)
    if following is None:
        return _("Every exercise and quiz of the course is done: well done!")
    title = following.title_for(current_language())
    if isinstance(following, Exercise):
        return _("Next: {exercise} ({title}); run `{command}`.").format(
            exercise=following.id,
            title=title,
            command=with_lang(f"grade watch {following.id}"),
        )
    return _("Next: the quiz {quiz} ({title}); take it with `{command}`.").format(
        quiz=following.id, title=title, command=with_lang(f"grade quiz {following.id}")
    )
