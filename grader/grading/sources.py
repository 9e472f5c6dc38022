"""Where an exercise's code comes from: the learner's `.py` file, or a notebook they handed in.

The exercise file wins when it is there (`grade ex01` in a folder with both grades the file).
Otherwise the notebooks of the submission are looked at, as data (grader/notebooks/): the one
that defines the exercise's functions (or marks them with `# grade: exNN`) gives the file the
jail grades, and the report says what was left out. Two notebooks that both hold an exercise
need a marker to tell them apart; a notebook that cannot be read costs the exercises it would
have given, each a 0-point item with feedback.
"""

from __future__ import annotations

from dataclasses import dataclass

from grader.course.catalogue import Exercise
from grader.failures import ForbiddenModule, GradingFailure, LearnerFailure, NotAttempted
from grader.i18n import _
from grader.notebooks.extract import defines, exercise_code
from grader.notebooks.read import NotebookCode, NotebookError
from grader.sandbox.policy import forbidden_imports, forbidden_message
from grader.sanitise import clean
from grader.submission import Submission, SubmissionFileError

MAX_SOURCE_BYTES = 1 << 20  # a learner file larger than this is not graded


@dataclass(frozen=True)
class LearnerSource:
    """The code the jail loads as the exercise's module, and notes on how it was found."""

    content: bytes
    notes: tuple[str, ...] = ()


def learner_source(learner: Submission, exercise: Exercise) -> LearnerSource | GradingFailure:
    """The learner's code for `exercise`, or why it cannot be graded."""
    found = _source(learner, exercise)
    if isinstance(found, GradingFailure) or exercise.tensorflow:
        return found
    banned = forbidden_imports(found.content.decode("utf-8", errors="replace"))
    if banned:
        return ForbiddenModule(forbidden_message(exercise.id, banned))
    return found


def _source(learner: Submission, exercise: Exercise) -> LearnerSource | GradingFailure:
    if learner.notebook is None:
        try:
            return LearnerSource(
                learner.read(learner.exercise_path(exercise.file), MAX_SOURCE_BYTES)
            )
        except SubmissionFileError as error:
            if error.kind != "missing":
                return LearnerFailure(error.message)
    notebooks = learner.notebooks()
    if not notebooks:
        return NotAttempted(
            _("not attempted: {file} is not in the submission folder").format(file=exercise.file)
        )
    return _from_notebooks(learner, exercise, notebooks)


def _from_notebooks(
    learner: Submission, exercise: Exercise, notebooks: tuple[str, ...]
) -> LearnerSource | GradingFailure:
    names = (*exercise.functions, *exercise.constants)
    read = {name: learner.notebook_code(name) for name in notebooks}
    holding = [
        code
        for code in read.values()
        if isinstance(code, NotebookCode) and defines(code, exercise.id, names)
    ]
    if len(holding) > 1:
        marked = [code for code in holding if code.marked(exercise.id)]
        holding = marked if len(marked) == 1 else holding
    if len(holding) > 1:
        return LearnerFailure(
            _(
                "{id}'s functions are in {count} notebooks ({names}); add a line "
                "`# grade: {id}` to a cell of the one to grade, or hand in one notebook"
            ).format(
                id=exercise.id,
                count=len(holding),
                names=", ".join(clean(code.name, 60, single_line=True) for code in holding),
            )
        )
    if holding:
        code = exercise_code(holding[0], exercise.id, names)
        if len(code.source) > MAX_SOURCE_BYTES:
            return LearnerFailure(
                _("the code for {id} in {name} is larger than {limit} KB; it is not graded").format(
                    id=exercise.id, name=holding[0].name, limit=MAX_SOURCE_BYTES >> 10
                )
            )
        where = _("graded from the notebook {name}").format(
            name=clean(holding[0].name, 60, single_line=True)
        )
        return LearnerSource(code.source, (where, *code.notes))
    broken = [code for code in read.values() if isinstance(code, NotebookError)]
    if broken:
        return LearnerFailure(broken[0].message)
    if learner.notebook is not None:
        return NotAttempted(
            _("not attempted: {notebook} defines none of {names}").format(
                notebook=clean(learner.notebook, 60, single_line=True), names=", ".join(names)
            )
        )
    return NotAttempted(
        _(
            "not attempted: {file} is not in the submission, and {notebooks} defines none of "
            "{names}"
        ).format(
            file=exercise.file,
            notebooks=", ".join(clean(name, 60, single_line=True) for name in notebooks),
            names=", ".join(names),
        )
    )
