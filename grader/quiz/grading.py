"""Grading a quiz: a learner's answers/qNN.yaml against the keys, one public test per question.

`grade_quiz` is what the runner calls for a quiz id. The bank and the keys are the
instructor's data: a problem with either is an input error (exit code 2). The learner's file
is untrusted data and never stops the run: a problem with the file as a whole costs the quiz
its points, a problem with one answer costs that question alone (status "error", feedback
naming the file, line and key). What a learner sees:

- no answers file, or one with no answers: "not attempted", pointing at `grade quiz qNN`;
- a file that cannot be used: 0 points for every question, status "error", the line and key
  at fault;
- an answer that cannot be used (a shape answered `0`, a huge number, a date): 0 points for
  that question, status "error", the line and key and what the question wants, then the
  answer and the explanation as for a wrong answer; the first line of that feedback never
  holds the answer (Gradescope shows it before the due date);
- a student release without keys (solutions/answers/ is not shipped): the quiz counts 0 of 0
  points (a local total counts only what it can grade), with a note that the answers are saved
  and graded on submission;
- otherwise each question's points, with the verdict, the expected answer and the
  explanation, in the language of `--lang` (or the locale); a question left unanswered shows
  neither its answer nor its explanation (a half-taken quiz must not hand out the rest of the
  keys), only how to answer it.
"""

from __future__ import annotations

from typing import Any

from grader.course.catalogue import Catalogue, Quiz
from grader.i18n import _
from grader.quiz.answers import (
    AnswersError,
    AnswerSheet,
    load_keys,
    parse_answers,
    read_answers_text,
)
from grader.quiz.bank import Question, QuizBank, load_bank
from grader.quiz.kinds import score_answer, show_answer
from grader.quiz.text import LANGUAGES, detect_language, message
from grader.results import ExerciseResult, TestResult
from grader.submission import Submission

VISIBILITY = "public"  # quiz questions and their explanations are never hidden
SHOWN_ALTERNATIVES = 3


def grade_quiz(
    quiz: Quiz, catalogue: Catalogue, submission: Submission, *, lang: str | None = None
) -> ExerciseResult:
    """Grade the learner's answers to `quiz`; every question of the bank is one test."""
    lang = lang if lang in LANGUAGES else detect_language()
    bank = load_bank(catalogue, quiz)
    keys = load_keys(catalogue, quiz, bank)  # before the learner's file: bad keys are exit 2
    title = (quiz.title_ko or quiz.title) if lang == "ko" else quiz.title
    counts = keys is not None  # without keys nothing can be marked here, so nothing counts
    result = ExerciseResult(
        id=quiz.id, title=title, max_score=bank.max_score if counts else 0.0, kind="quiz"
    )
    source = str(submission.answers_path(quiz.id))
    values = {"file": source, "quiz": quiz.id}
    try:
        text = read_answers_text(submission, quiz.id)
        if text is None:
            result.tests = _same_for_all(
                bank, message(lang, "not_attempted", **values), not_attempted=True, counts=counts
            )
            return result
        sheet = parse_answers(text, bank)
    except AnswersError as error:
        feedback = message(lang, "bad_file", error=error.describe(source), **values)
        result.tests = _same_for_all(bank, feedback, status="error", counts=counts)
        return result
    except Exception as error:  # noqa: BLE001 - untrusted input must never stop the run
        problem = AnswersError(
            _("could not be read ({error})").format(error=type(error).__name__)
        ).describe(source)
        result.tests = _same_for_all(
            bank, message(lang, "bad_file", error=problem, **values), status="error", counts=counts
        )
        return result

    if sheet.answered == 0 and not sheet.problems:
        result.tests = _same_for_all(
            bank, message(lang, "empty_sheet", **values), not_attempted=True, counts=counts
        )
    elif keys is None:
        result.note = "\n".join(
            [
                message(
                    lang, "no_keys", answered=sheet.answered, total=len(bank.questions), **values
                ),
                *_stray_lines(sheet, values),
            ]
        )
        result.tests = _same_for_all(bank, result.note, not_attempted=True, counts=False)
        for number, question in enumerate(bank.questions, start=1):
            if (
                question.id in sheet.problems
            ):  # say so now: the learner can fix it before handing in
                feedback = message(
                    lang, "bad_answer", error=sheet.problems[question.id].describe(source), **values
                )
                result.tests[number - 1] = TestResult(
                    name=question_test_name(number, question),
                    status="error",
                    score=0.0,
                    max_score=0.0,
                    visibility=VISIBILITY,
                    feedback=feedback,
                )
    else:
        result.tests = [
            _grade_question(number, question, sheet, keys, lang, values)
            for number, question in enumerate(bank.questions, start=1)
        ]
        _mention_stray(result.tests, bank, sheet, values)
    return result


def _grade_question(
    number: int,
    question: Question,
    sheet: AnswerSheet,
    keys: AnswerSheet,
    lang: str,
    values: dict[str, str],
) -> TestResult:
    answer = sheet.answers[question.id]
    key = keys.answers[question.id]
    accepted = keys.also_accept.get(question.id, ())
    fraction, right, wrong = score_answer(question, answer, key, accepted)
    expected = _expected(question, key, accepted, lang)
    problem = sheet.problems.get(question.id)
    if problem is not None:
        verdict = "{problem}\n{answer}".format(
            problem=message(lang, "bad_answer", error=problem.describe(values["file"]), **values),
            answer=message(lang, "the_answer", expected=expected),
        )
    elif answer is None:  # its key and explanation wait until it is answered
        return TestResult(
            name=question_test_name(number, question),
            status="failed",
            score=0.0,
            max_score=question.points,
            visibility=VISIBILITY,
            feedback=message(lang, "unanswered", **values),
        )
    elif fraction >= 1.0:
        verdict = message(lang, "correct")
    else:
        given = (
            show_answer(question, answer, lang) if answer != () else message(lang, "none_chosen")
        )
        name = "partial" if fraction > 0 else "wrong"
        verdict = message(lang, name, given=given, expected=expected, right=right, wrong=wrong)
    return TestResult(
        name=question_test_name(number, question),
        status="passed" if fraction >= 1.0 else "error" if problem is not None else "failed",
        score=round(question.points * fraction, 4),
        max_score=question.points,
        visibility=VISIBILITY,
        feedback=f"{verdict}\n{keys.explanations[question.id][lang]}",
    )


def _stray_lines(sheet: AnswerSheet, values: dict[str, str]) -> list[str]:
    """What the file holds under ids the quiz does not have (an unanswered question may be the
    one meant)."""
    return [stray.describe(values["file"]) for stray in sheet.stray]


def _mention_stray(
    tests: list[TestResult], bank: QuizBank, sheet: AnswerSheet, values: dict[str, str]
) -> None:
    """The first unanswered question's feedback says which answers sit under ids the quiz does
    not have (once, not on every question)."""
    unanswered = [
        test
        for test, question in zip(tests, bank.questions)
        if sheet.answers[question.id] is None and question.id not in sheet.problems
    ]
    if sheet.stray and unanswered:
        unanswered[0].feedback = "\n".join([*_stray_lines(sheet, values), unanswered[0].feedback])


def _expected(question: Question, key: Any, accepted: tuple[str, ...], lang: str) -> str:
    shown = show_answer(question, key, lang)
    if question.kind == "text" and accepted:
        texts = ", ".join(f'"{text}"' for text in accepted[:SHOWN_ALTERNATIVES])
        shown += f" ({message(lang, 'also_accepted', texts=texts)})"
    return shown


def _same_for_all(
    bank: QuizBank,
    feedback: str,
    *,
    status: str = "failed",
    not_attempted: bool = False,
    counts: bool = True,
) -> list[TestResult]:
    """0-point tests that all carry one feedback (the report shows it once); out of 0 points
    where nothing can be marked (`counts` False)."""
    return [
        TestResult(
            name=question_test_name(number, question),
            status=status,
            score=0.0,
            max_score=question.points if counts else 0.0,
            visibility=VISIBILITY,
            feedback=feedback,
            not_attempted=not_attempted,
        )
        for number, question in enumerate(bank.questions, start=1)
    ]


def question_test_name(number: int, question: Question) -> str:
    """A question's test name in reports: `Q3 task_detection`."""
    return f"Q{number} {question.id}"
