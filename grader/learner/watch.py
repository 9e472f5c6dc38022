"""`grade watch ID`: re-grade on every save of the exercise file, as rustlings' watch mode does.

Each save (seen by the `watchfiles` library) grades the exercise again in the sandbox, clears
the terminal and redraws a short report: the score, each test's status, the first failure's
feedback. Full marks say so and name the next exercise. Ctrl-C ends quietly with exit code 0.

What is watched is what `grade ID` would read: with `--submission work.ipynb` that notebook
(its code cells read as data, never run: grader/notebooks/); in a folder, the exercise's file,
or, when the folder does not hold it, the folder's notebooks. Only the folder's own entries
count (Jupyter's `.ipynb_checkpoints/` copies never re-grade). A notebook that cannot be read
(half saved, not JSON) is one line on the screen, and the watch goes on.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterable
from dataclasses import dataclass
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
from grader.submission import NOTEBOOK_FILE, NOTEBOOK_SUFFIX
from grader.terminal import fit, wrap, wrap_lines

FEEDBACK_LINES = 12  # of the first failing test's feedback, in the short report
NOTE_LINES = 4  # of the notes on how a notebook became the exercise's file
DEBOUNCE_MS = 300  # an editor's save is often several writes: grade once they settle
STATUS_MARKS = {"passed": N_("ok"), "failed": N_("FAIL"), "error": N_("ERR"), "timeout": N_("TIME")}


@dataclass(frozen=True)
class Watched:
    """What `grade watch` watches: `names` in `folder` (not its subfolders); `shown` is what the
    screen names; `notebook` is the notebook given with --submission, if one was."""

    exercise: Exercise
    folder: Path
    names: tuple[str, ...]
    shown: Path
    notebook: Path | None = None


def watched_file(catalogue: Catalogue, item_id: str, submission: Path) -> Watched:
    """What to watch for `item_id`; `InputError` (one line) for a quiz or an unknown id."""
    item = catalogue.item(item_id)
    if not isinstance(item, Exercise):
        raise InputError(
            _(
                "`grade watch` watches an exercise file; {item} is a quiz: take it with `{command}`"
            ).format(item=item.id, command=with_lang(f"grade quiz {item.id}"))
        )
    notebook = submission.suffix.lower() == NOTEBOOK_SUFFIX and not submission.is_dir()
    folder = submission.parent if notebook else submission
    if not folder.is_dir():
        raise InputError(_("submission folder {folder} does not exist").format(folder=folder))
    if notebook:
        return Watched(item, folder, (submission.name,), submission, submission)
    exercise_file = submission / item.file
    notebooks = _notebooks(submission)
    if exercise_file.is_symlink() or exercise_file.exists() or not notebooks:
        return Watched(item, submission, (item.file,), exercise_file)
    shown = submission / (notebooks[0] if len(notebooks) == 1 else "*" + NOTEBOOK_SUFFIX)
    return Watched(item, submission, notebooks, shown)


def _notebooks(folder: Path) -> tuple[str, ...]:
    try:
        names = [entry.name for entry in folder.iterdir() if NOTEBOOK_FILE.match(entry.name)]
    except OSError:
        return ()
    return tuple(sorted(names))


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
    """Grade now and after every change of the watched file; 0 when the learner stops (Ctrl-C).

    `changes` is the stream of change sets (default: `watchfiles.watch` on the file's folder).
    """
    watched = watched_file(catalogue, item_id, submission)
    clear = clear or (lambda: click.clear())
    interrupted = _InterruptFlag()
    try:
        with interrupted:
            _once(catalogue, watched, submission, isolation, echo, clear, interrupted)
            for _changes in changes if changes is not None else _file_changes(watched):
                _once(catalogue, watched, submission, isolation, echo, clear, interrupted)
    except KeyboardInterrupt:
        pass
    echo(wrap(_("Stopped watching {file}.").format(file=watched.shown), hanging="  "))
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


def is_watched(watched: Watched, changed: str) -> bool:
    """Whether a change to the path `changed` re-grades: a watched name in the folder itself."""
    path = Path(changed)
    return path.name in watched.names and path.parent.resolve() == watched.folder.resolve()


def _file_changes(watched: Watched):
    import watchfiles

    yield from watchfiles.watch(
        watched.folder,
        watch_filter=lambda change, changed: is_watched(watched, changed),
        debounce=DEBOUNCE_MS,
        raise_interrupt=True,
        recursive=False,
    )


def _once(
    catalogue: Catalogue,
    watched: Watched,
    submission: Path,
    isolation: IsolationSource,
    echo: Callable[[str], None],
    clear: Callable[[], None],
    interrupted: _InterruptFlag,
) -> None:
    try:
        report = grade(catalogue, [watched.exercise.id], submission=submission, isolation=isolation)
    except (GraderFailure, InputError) as failure:  # InputError: a notebook half saved
        if interrupted.seen:
            raise KeyboardInterrupt from None
        problem = failure.message.splitlines()[0] if failure.message else str(failure)
        echo(wrap(_("grade: {problem}; save the file to try again").format(problem=problem)))
        return
    progress = Progress.load(watched.folder)
    progress.record(report)
    progress.save(watched.folder)
    clear()
    for line in short_report(report.exercises[0], catalogue, watched.shown, watched.notebook):
        echo(line)


def short_report(
    result: ExerciseResult, catalogue: Catalogue, path: Path, notebook: Path | None = None
) -> list[str]:
    """The few lines watch mode redraws after each save: `path` is what is watched, in the
    learner's folder; `notebook` the notebook given with --submission, if one was."""
    lines = [
        *wrap_lines(
            _("Watching {file}: save it to grade again, Ctrl-C to stop.").format(file=path),
            hanging="  ",
        ),
        "",
        click.style(
            f"{result.id}  {round(result.score, 2):g} / {round(result.max_score, 2):g}", bold=True
        ),
        *_note_lines(result.note, path),
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
            *wrap_lines(_next_item(result.id, catalogue, path.parent, notebook), hanging="  "),
        ]
    return lines


def _note_lines(note: str, path: Path) -> list[str]:
    """How a notebook became the exercise's file: which notebook (unless the screen's first line
    names it), left-out magics, a function defined twice."""
    notes = [line for line in note.splitlines() if line.strip()]
    if notes and path.name in notes[0]:
        notes = notes[1:]
    lines = [line for text in notes for line in wrap_lines("  " + text, hanging="    ")]
    return lines[:NOTE_LINES]


def _next_item(
    exercise_id: str, catalogue: Catalogue, submission: Path, notebook: Path | None = None
) -> str:
    """What to do next: the course's recommended order and the learner's progress
    (grader/cli/course_path.py), never an item that already has full marks."""
    following = next_item(catalogue, submission, Progress.load(submission), after=exercise_id)
    if following is None:
        return _("Every exercise and quiz of the course is done: well done!")
    title = following.title_for(current_language())
    if isinstance(following, Exercise):
        given = f" --submission {shlex.quote(str(notebook))}" if notebook is not None else ""
        return _("Next: {exercise} ({title}); run `{command}`.").format(
            exercise=following.id,
            title=title,
            command=with_lang(f"grade watch {following.id}{given}"),
        )
    return _("Next: the quiz {quiz} ({title}); take it with `{command}`.").format(
        quiz=following.id, title=title, command=with_lang(f"grade quiz {following.id}")
    )
