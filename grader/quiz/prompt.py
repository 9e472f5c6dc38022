"""`grade quiz qNN`: ask a quiz's questions in the terminal and save answers/qNN.yaml.

Questions are asked one by one with `click.prompt` (numbered progress, choices by letter or
number, a re-ask when an answer does not fit the question), wrapped to the terminal's width;
the file is rewritten after every answer, so an interrupted quiz can be resumed: Ctrl-C (or the
end of input) says how many answers are saved where and how to go on, and exits 130. An existing answers file is never replaced
without asking: resume (only the unanswered questions), redo (every question, Enter keeps the
earlier answer) or quit. Nothing here shows an answer or an explanation: those come with
`grade qNN`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from grader.course.catalogue import Catalogue, Quiz
from grader.errors import EXIT_ABORTED, InputError
from grader.i18n import _
from grader.quiz.answers import AnswersError, key_path, parse_answers, read_answers_text
from grader.quiz.bank import Question, QuizBank, load_bank
from grader.quiz.kinds import parse_typed, show_answer
from grader.quiz.sheet import render_answers, write_answers
from grader.quiz.text import LANGUAGES, detect_language, message
from grader.submission import Submission
from grader.terminal import wrap

ACTIONS = ("resume", "redo", "quit")
SKIP = "-"


def take_quiz(
    catalogue: Catalogue, quiz_id: str, *, submission: Path, lang: str | None, grade_command: str
) -> None:
    """Ask the questions of `quiz_id` and save the answers where grading reads them
    (`answers/<id>.yaml` in the submission folder, unless the learner keeps them elsewhere)."""
    lang = lang if lang in LANGUAGES else detect_language()
    quiz = catalogue.item(quiz_id)
    if not isinstance(quiz, Quiz):
        quiz_ids = ", ".join(item.id for item in catalogue.quizzes) or "-"
        raise InputError(
            _("{id} is an exercise, not a quiz; the quizzes are {ids}").format(
                id=quiz_id, ids=quiz_ids
            )
        )
    learner = Submission.open(submission)
    bank = load_bank(catalogue, quiz)
    relative = learner.answers_path(quiz.id)
    path = submission / relative
    for folder in relative.parents:  # grading refuses links, so never write through one
        if learner.kind(folder) == "link":
            raise InputError(
                _("{folder} is a symbolic link; make it a real folder").format(
                    folder=submission / folder
                )
            )
    shown_file = str(path)
    title = (quiz.title_ko or quiz.title) if lang == "ko" else quiz.title

    answers: dict[str, Any] = dict.fromkeys(bank.ids)
    to_ask = list(bank.questions)
    if learner.kind(relative) != "missing":
        earlier = _earlier_answers(learner, quiz.id, shown_file, bank, lang)
        if earlier is None:
            _say(message(lang, "unchanged", file=shown_file))
            return
        answers.update(earlier)
        action = (
            _choose_action(shown_file, answers, lang)
            if any(answer is not None for answer in earlier.values())
            else "redo"
        )
        if action == "quit":
            _say(message(lang, "unchanged", file=shown_file))
            return
        if action == "resume":
            to_ask = [question for question in bank.questions if answers[question.id] is None]
            if not to_ask:
                _say(message(lang, "nothing_to_do"))
                return

    click.echo("")
    heading = message(
        lang, "title", quiz=quiz.id, title=title, count=len(bank.questions), points=bank.max_score
    )
    click.echo(click.style(wrap(heading, hanging="  "), bold=True))
    _say(message(lang, "how_to"))
    saved = learner.kind(relative) != "missing"
    try:
        for question in to_ask:
            number = bank.ids.index(question.id) + 1
            _show_question(question, number, len(bank.questions), lang)
            answers[question.id] = _ask(question, answers[question.id], lang)
            write_answers(path, render_answers(bank, answers, title=title, lang=lang))
            saved = True
    except (click.exceptions.Abort, KeyboardInterrupt, EOFError):
        _stopped(lang, quiz.id, answers, shown_file if saved else None)
        raise click.exceptions.Exit(EXIT_ABORTED) from None

    answered = sum(answer is not None for answer in answers.values())
    click.echo("")
    _say(message(lang, "saved", answered=answered, total=len(bank.questions), file=shown_file))
    if answered < len(bank.questions):
        _say(message(lang, "skipped", count=len(bank.questions) - answered, quiz=quiz.id))
    if key_path(catalogue, quiz).exists():
        _say(message(lang, "next_graded", command=f"`{grade_command}`"))
    else:
        _say(message(lang, "next_instructor", quiz=quiz.id))


def _stopped(lang: str, quiz_id: str, answers: dict[str, Any], file: str | None) -> None:
    """What an interrupted quiz kept: the answers saved so far (each is written as it is
    given), and how to go on."""
    click.echo("")
    if file is None:
        _say(message(lang, "stopped_nothing_saved", quiz=quiz_id))
        return
    answered = sum(answer is not None for answer in answers.values())
    _say(message(lang, "stopped", answered=answered, total=len(answers), file=file, quiz=quiz_id))


def _say(text: str) -> None:
    click.echo(wrap(text, hanging=""))


def _earlier_answers(
    learner: Submission, quiz_id: str, shown_file: str, bank: QuizBank, lang: str
) -> dict[str, Any] | None:
    """The answers already saved; {} when the learner agrees to replace a broken file, else None."""
    try:
        sheet = parse_answers(read_answers_text(learner, quiz_id) or "", bank)
        for problem in sheet.problems.values():
            _say(message(lang, "existing_unusable", error=problem.describe(shown_file)))
        return sheet.answers
    except AnswersError as error:
        _say(message(lang, "existing_broken", file=shown_file, error=error.describe(shown_file)))
        return {} if click.confirm(message(lang, "overwrite"), default=False) else None


def _choose_action(shown_file: str, answers: dict[str, Any], lang: str) -> str:
    answered = sum(answer is not None for answer in answers.values())
    _say(message(lang, "existing", file=shown_file, answered=answered, total=len(answers)))
    _say(message(lang, "existing_choice"))
    default = "resume" if answered < len(answers) else "quit"
    return click.prompt(
        message(lang, "existing_action"), type=click.Choice(ACTIONS), default=default
    )


def _show_question(question: Question, number: int, count: int, lang: str) -> None:
    click.echo("")
    points = message(
        lang, "one_point" if question.points == 1 else "points", points=question.points
    )
    click.echo(
        click.style(message(lang, "question", number=number, count=count, points=points), bold=True)
    )
    _say(question.text[lang])
    for letter, text in question.choices:
        click.echo(wrap(f"{letter}) {text[lang]}", indent="  ", hanging="     "))


def _ask(question: Question, earlier: Any, lang: str) -> Any:
    """Prompt until the answer fits the question; Enter keeps `earlier` (or skips), '-' clears."""
    letters = f"{question.letters[0]}-{question.letters[-1]}" if question.letters else ""
    label = message(lang, f"ask_{question.kind}", letters=letters)
    default = _as_typed(question, earlier)
    while True:
        typed = click.prompt(label, default=default, show_default=bool(default)).strip()
        if typed == SKIP:
            return None
        if not typed:
            return None
        if typed == default:
            return earlier
        try:
            return parse_typed(question, typed)
        except ValueError as error:
            click.echo(wrap(str(error), indent="  "))


def _as_typed(question: Question, answer: Any) -> str:
    """An earlier answer as a learner would type it, shown as the prompt's default."""
    if answer is None:
        return ""
    if question.kind == "multiple":
        return ", ".join(answer)
    if question.kind == "shape":
        return "x".join(str(size) for size in answer)
    if question.kind == "numeric":
        return show_answer(question, answer, "en")
    return str(answer)
