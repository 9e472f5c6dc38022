"""Quiz banks: the questions of one quiz, loaded from `quizzes/<file>` and checked key by key.

A bank holds questions, their kinds, choices, points and tolerances, each text in English and
Korean, and never an answer: the keys and the explanations (which state the answers) are
`solutions/answers/qNN.yaml`, which no student release ships. A
bank is the instructor's data, so anything wrong with it is an input error: `QuizBankError`
(exit code 2) with one line naming the file and the key. The format is in quizzes/README.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.course import yamlfile
from grader.course.catalogue import Catalogue, Quiz
from grader.course.yamlfile import is_number
from grader.errors import InputError
from grader.quiz.text import LANGUAGES

KINDS = ("single", "multiple", "numeric", "shape", "text")
CHOICE_KINDS = ("single", "multiple")
QUESTION_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
CHOICE_LETTERS = "abcdefgh"  # choice ids are consecutive letters from "a"
MIN_CHOICES = 2
DEFAULT_POINTS = 1.0
QUESTION_KEYS = {"id", "kind", "points", "text", "choices", "tolerance"}


class QuizBankError(InputError):
    """A quiz bank is missing, is not YAML, or does not match the format."""


@dataclass(frozen=True)
class Question:
    """One question. `text` and each choice map a language code to its text."""

    id: str
    kind: str
    points: float
    text: dict[str, str]
    choices: tuple[tuple[str, dict[str, str]], ...] = ()
    absolute_tolerance: float = 0.0
    relative_tolerance: float = 0.0

    @property
    def letters(self) -> tuple[str, ...]:
        """The choice ids, in order ("a", "b", ...); empty for questions without choices."""
        return tuple(letter for letter, _text in self.choices)

    def choice_text(self, letter: str, lang: str) -> str:
        return dict(self.choices)[letter][lang]

    def tolerance(self, expected: float) -> float:
        """How far a numeric answer may be from `expected` and still count as right."""
        return max(self.absolute_tolerance, self.relative_tolerance * abs(expected))


@dataclass(frozen=True)
class QuizBank:
    """The questions of one quiz, in the order they are asked."""

    quiz_id: str
    path: Path
    questions: tuple[Question, ...]

    @property
    def max_score(self) -> float:
        return sum(question.points for question in self.questions)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(question.id for question in self.questions)

    def question(self, question_id: str) -> Question:
        return next(question for question in self.questions if question.id == question_id)


def bank_path(catalogue: Catalogue, quiz: Quiz) -> Path:
    return catalogue.root / "quizzes" / quiz.file


def load_bank(catalogue: Catalogue, quiz: Quiz) -> QuizBank:
    """Read and check the bank of `quiz`; `QuizBankError` names the file and key at fault."""
    path = bank_path(catalogue, quiz)
    data = yamlfile.read_yaml(path, QuizBankError, f"the quiz bank for {quiz.id}")
    return parse_bank(data, quiz_id=quiz.id, path=path)


def parse_bank(data: Any, *, quiz_id: str, path: Path) -> QuizBank:
    """Build a `QuizBank` from parsed YAML, checking every key."""
    where = str(path)
    _expect(
        isinstance(data, dict), where, "the top level must be a mapping with 'quiz' and 'questions'"
    )
    _only_keys(data, {"quiz", "questions"}, where)
    _expect(
        data.get("quiz") == quiz_id,
        f"{where}: quiz",
        f"must be {quiz_id!r} (the catalogue's id for this file), not {data.get('quiz')!r}",
    )
    entries = data.get("questions")
    _expect(
        isinstance(entries, list) and entries, f"{where}: questions", "must be a non-empty list"
    )
    questions = tuple(
        _parse_question(entry, f"{where}: questions[{index}]")
        for index, entry in enumerate(entries)
    )
    ids = [question.id for question in questions]
    duplicates = sorted({question_id for question_id in ids if ids.count(question_id) > 1})
    _expect(
        not duplicates, f"{where}: questions", f"duplicate question ids: {', '.join(duplicates)}"
    )
    return QuizBank(quiz_id=quiz_id, path=path, questions=questions)


def _parse_question(entry: Any, where: str) -> Question:
    _expect(isinstance(entry, dict), where, "each question must be a mapping")
    question_id = entry.get("id")
    _expect(
        isinstance(question_id, str) and QUESTION_ID.match(question_id),
        f"{where}.id",
        f"must be a short snake_case name such as lenet_year, not {question_id!r}",
    )
    where = f"{where} ({question_id})"
    _only_keys(entry, QUESTION_KEYS, where)
    kind = entry.get("kind")
    _expect(kind in KINDS, f"{where}.kind", f"must be one of {', '.join(KINDS)}, not {kind!r}")
    points = entry.get("points", DEFAULT_POINTS)
    _expect(is_number(points) and points > 0, f"{where}.points", "must be a positive number")

    choices: tuple[tuple[str, dict[str, str]], ...] = ()
    if kind in CHOICE_KINDS:
        choices = _parse_choices(entry.get("choices"), f"{where}.choices")
    else:
        _expect(
            "choices" not in entry,
            f"{where}.choices",
            "only single and multiple questions have choices",
        )
    absolute, relative = 0.0, 0.0
    if "tolerance" in entry:
        _expect(kind == "numeric", f"{where}.tolerance", "only numeric questions have a tolerance")
        absolute, relative = _parse_tolerance(entry["tolerance"], f"{where}.tolerance")
    return Question(
        id=question_id,
        kind=kind,
        points=float(points),
        text=texts(entry.get("text"), f"{where}.text"),
        choices=choices,
        absolute_tolerance=absolute,
        relative_tolerance=relative,
    )


def _parse_choices(data: Any, where: str) -> tuple[tuple[str, dict[str, str]], ...]:
    _expect(
        isinstance(data, dict) and len(data) >= MIN_CHOICES,
        where,
        f"must map letters to texts, with at least {MIN_CHOICES} choices",
    )
    letters = list(data)
    wanted = list(CHOICE_LETTERS[: len(letters)])
    _expect(
        letters == wanted and len(letters) <= len(CHOICE_LETTERS),
        where,
        f"choice ids must be the letters {', '.join(wanted) or 'a, b'} in order, not {letters}",
    )
    return tuple((letter, texts(data[letter], f"{where}.{letter}")) for letter in letters)


def _parse_tolerance(data: Any, where: str) -> tuple[float, float]:
    _expect(
        isinstance(data, dict) and data,
        where,
        "must be a mapping with 'absolute' and/or 'relative'",
    )
    _only_keys(data, {"absolute", "relative"}, where)
    for key, value in data.items():
        _expect(is_number(value) and value >= 0, f"{where}.{key}", "must be a number >= 0")
    return float(data.get("absolute", 0.0)), float(data.get("relative", 0.0))


def texts(data: Any, where: str) -> dict[str, str]:
    """A mapping of every language to a non-empty text; `QuizBankError` naming `where` if not."""
    _expect(
        isinstance(data, dict), where, f"must map each language ({', '.join(LANGUAGES)}) to text"
    )
    _only_keys(data, set(LANGUAGES), where)
    for lang in LANGUAGES:
        value = data.get(lang)
        _expect(isinstance(value, str) and value.strip(), f"{where}.{lang}", "is missing or empty")
    return {lang: data[lang].strip() for lang in LANGUAGES}


def _only_keys(data: dict, allowed: set[str], where: str) -> None:
    yamlfile.only_keys(data, allowed, where, QuizBankError)


def _expect(condition: Any, where: str, message: str) -> None:
    yamlfile.expect(condition, where, message, QuizBankError)
