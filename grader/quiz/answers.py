"""Answers files: a learner's `answers/qNN.yaml` and the keys `solutions/answers/qNN.yaml`.

Both have one format, easy to write by hand or with `grade quiz`:

    quiz: q03                      # optional; must name the quiz when present
    answers:                       # question id -> answer; ~ (or a missing id) = unanswered
      pool_default_stride: b       # single choice: one letter
      stride_effects: [a, b, d]    # multiple choice: letters (a list or "a, b, d")
      same_stride2: 4              # numeric: a number ("4,096" is fine too)
      valid_output: 28x28x8        # shape: [28, 28, 8], "(28, 28, 8)" or "28 x 28 x 8"
      pool_name: max pooling       # short text
    also_accept:                   # keys only: more accepted texts for short-text questions
      pool_name: [최대 풀링, maxpool]
    explanations:                  # keys only: shown with each question once it is graded
      pool_name: {en: ..., ko: ...}

A learner's file is untrusted data: it is read with a size cap, refused when it is a link or
not a regular file, parsed with YAML safe loading after a scan that refuses aliases, anchors,
tags and deep nesting, and every answer is checked against its question's kind. Problems are
`AnswersError`s that name the line and key; the caller decides what they cost.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from grader.i18n import _
from grader.course.catalogue import Catalogue, Quiz
from grader.course.yamlfile import yaml_problem
from grader.errors import InputError
from grader.quiz.bank import Question, QuizBank, QuizBankError, texts
from grader.quiz.kinds import coerce_answer
from grader.submission import Submission, SubmissionFileError

MAX_ANSWERS_BYTES = 64 << 10  # a full quiz's answers take about 2 KB
MAX_NESTING = 3               # top mapping > answers mapping > a list of letters or dimensions
TOP_LEVEL_KEYS = ("quiz", "answers", "also_accept", "explanations")
LOADER = yaml.SafeLoader


class AnswersError(Exception):
    """An answers file that cannot be used: what is wrong, and where (line, key) if known."""

    def __init__(self, problem: str, line: int | None = None, key: str | None = None):
        super().__init__(problem)
        self.problem, self.line, self.key = problem, line, key

    def describe(self, source: str) -> str:
        """One line: `answers/q01.yaml line 4 (answers.lenet_year): must be a number`."""
        where = source + (_(" line {line}").format(line=self.line) if self.line else "") + (
            f" ({self.key})" if self.key else "")
        return f"{where}: {self.problem}"


@dataclass(frozen=True)
class AnswerSheet:
    """Parsed answers: question id -> normalised answer (None = unanswered), plus, in keys, the
    further accepted texts for short-text questions (question id -> texts) and each question's
    explanation (question id -> language -> text)."""

    answers: dict[str, Any]
    also_accept: dict[str, tuple[str, ...]] = field(default_factory=dict)
    explanations: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def answered(self) -> int:
        return sum(answer is not None for answer in self.answers.values())


def read_answers_text(submission: Submission, quiz_id: str) -> str | None:
    """The text of a learner's answers to `quiz_id`; None when there are none.

    `AnswersError` if the file is a link (or lies behind one), not a regular file, too big,
    or not UTF-8.
    """
    try:
        content = submission.read(submission.answers_path(quiz_id), MAX_ANSWERS_BYTES)
    except SubmissionFileError as error:
        if error.kind == "missing":
            return None
        raise AnswersError(_after_name(error.message)) from None
    return decode_answers(content)


def read_keys_text(path: Path) -> str:
    """The text of an instructor's key file (`AnswersError` if too big or not UTF-8)."""
    try:
        content = path.read_bytes()
    except OSError as error:
        raise AnswersError(_("cannot be read: {reason}").format(reason=error.strerror or error)) from None
    if len(content) > MAX_ANSWERS_BYTES:
        raise AnswersError(_("is larger than {limit} KB").format(limit=MAX_ANSWERS_BYTES >> 10))
    return decode_answers(content)


def decode_answers(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise AnswersError(_("is not UTF-8 text (byte {byte})").format(byte=error.start)) from None


def _after_name(message: str) -> str:
    """"answers/q01.yaml is a symbolic link..." -> "is a symbolic link..." (the caller names it)."""
    first, _, rest = message.partition(" ")
    return rest if first.endswith(".yaml") else message


def parse_answers(text: str, bank: QuizBank, *, keys: bool = False) -> AnswerSheet:
    """Parse and check answers for `bank`; `AnswersError` with line and key on the first problem.

    `also_accept` and `explanations` count only in keys (`keys=True`): a learner's are ignored.
    """
    _scan_events(text)
    loader = LOADER(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return AnswerSheet(answers=dict.fromkeys(bank.ids))
        top = _mapping(root, loader, _("the file must be a mapping with an 'answers:' section"))
        for key, (_key_node, value_node) in top.items():
            if key not in TOP_LEVEL_KEYS:
                hint = _("; put answers under 'answers:'") if key in bank.ids else ""
                raise AnswersError(_("unknown key {key!r}; expected {keys}").format(
                    key=key, keys=", ".join(TOP_LEVEL_KEYS)) + hint, _line(value_node), key)
        if "quiz" in top:
            named = _construct(loader, top["quiz"][1])
            if named != bank.quiz_id:
                raise AnswersError(_("says it holds answers for {named!r}, not {quiz}").format(
                    named=named, quiz=bank.quiz_id),
                                   _line(top["quiz"][1]), "quiz")
        answers: dict[str, Any] = dict.fromkeys(bank.ids)
        for question_id, value_node in _section(top, "answers", loader, bank).items():
            value = _construct(loader, value_node)
            try:
                answers[question_id] = coerce_answer(bank.question(question_id), value)
            except ValueError as error:
                raise AnswersError(str(error), _line(value_node), f"answers.{question_id}") from None
        if not keys:
            return AnswerSheet(answers=answers)
        also_accept = {}
        for question_id, value_node in _section(top, "also_accept", loader, bank).items():
            also_accept[question_id] = _accepted_texts(bank.question(question_id),
                                                       _construct(loader, value_node), _line(value_node))
        explanations = {question_id: _explanation(_construct(loader, node), _line(node), question_id)
                        for question_id, node in _section(top, "explanations", loader, bank).items()}
        return AnswerSheet(answers=answers, also_accept=also_accept, explanations=explanations)
    except yaml.YAMLError as error:
        raise _yaml_error(error) from None
    finally:
        loader.dispose()


def _scan_events(text: str) -> None:
    """Refuse aliases and anchors (billion laughs), tags and deep nesting before building anything."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=LOADER):
            line = event.start_mark.line + 1
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise AnswersError(_("YAML anchors and aliases (&name, *name) are not allowed"), line)
            if getattr(event, "tag", None) is not None:
                tag = event.tag.replace("tag:yaml.org,2002:", "!!")
                raise AnswersError(_("YAML tags ({tag}) are not allowed").format(tag=tag), line)
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_NESTING:
                    raise AnswersError(_("is nested more than {levels} levels deep").format(levels=MAX_NESTING), line)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as error:
        raise _yaml_error(error) from None


def _yaml_error(error: yaml.YAMLError) -> AnswersError:
    problem, line = yaml_problem(error)
    return AnswersError(problem, line)


def _mapping(node: yaml.Node, loader: yaml.SafeLoader, problem: str,
             prefix: str = "") -> dict[str, tuple[yaml.Node, yaml.Node]]:
    """A mapping node's entries by key text; duplicate or non-text keys are errors."""
    if not isinstance(node, yaml.MappingNode):
        raise AnswersError(problem, _line(node))
    entries: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key_node, value_node in node.value:
        key = _construct(loader, key_node) if isinstance(key_node, yaml.ScalarNode) else None
        if not isinstance(key, str):
            raise AnswersError(_("keys must be names, not {key!r}").format(key=key), _line(key_node))
        if key in entries:
            raise AnswersError(_("{key!r} appears twice").format(key=key), _line(key_node), prefix + key)
        entries[key] = (key_node, value_node)
    return entries


def _section(top: dict, name: str, loader: yaml.SafeLoader, bank: QuizBank) -> dict[str, yaml.Node]:
    """The entries of `answers:` or `also_accept:`, each naming a question of `bank`."""
    if name not in top:
        return {}
    node = top[name][1]
    if isinstance(node, yaml.ScalarNode) and _construct(loader, node) is None:
        return {}
    entries = _mapping(node, loader, _("'{name}' must map question ids to answers").format(name=name),
                       prefix=f"{name}.")
    for question_id, (key_node, _value_node) in entries.items():
        if question_id not in bank.ids:
            close = difflib.get_close_matches(question_id, bank.ids, n=1)
            hint = (_("; did you mean {id!r}?").format(id=close[0]) if close else
                    _("; {quiz} has {ids}").format(quiz=bank.quiz_id, ids=", ".join(bank.ids)))
            raise AnswersError(_("unknown question {id!r}").format(id=question_id) + hint, _line(key_node),
                               f"{name}.{question_id}")
    return {question_id: value_node for question_id, (_key_node, value_node) in entries.items()}


def _accepted_texts(question: Question, value: Any, line: int) -> tuple[str, ...]:
    key = f"also_accept.{question.id}"
    if question.kind != "text":
        raise AnswersError("only short-text questions take further accepted answers", line, key)
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(item, str) and item.strip() for item in values):
        raise AnswersError("must be a text or a list of texts", line, key)
    return tuple(item.strip() for item in values)


def _explanation(value: Any, line: int, question_id: str) -> dict[str, str]:
    try:
        return texts(value, "")
    except QuizBankError as error:
        problem = str(error).lstrip(".: ") or "must map en and ko to text"
        raise AnswersError(problem, line, f"explanations.{question_id}") from None


def _construct(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    """The Python value of `node`; values YAML cannot build (a 5,000-digit int) are errors too."""
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, TypeError, OverflowError) as error:
        problem = _("holds a value that cannot be read ({error})").format(error=type(error).__name__)
        raise AnswersError(problem, _line(node)) from None


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


# ------------------------------------------------------------------------------- keys


class QuizKeyError(InputError):
    """An answer-key file is not YAML, does not match the format, or misses a question."""


def key_path(catalogue: Catalogue, quiz: Quiz) -> Path:
    """Where the keys live: `solutions/answers/qNN.yaml`, absent from a student release."""
    return catalogue.root / "solutions" / "answers" / f"{quiz.id}.yaml"


def load_keys(catalogue: Catalogue, quiz: Quiz, bank: QuizBank) -> AnswerSheet | None:
    """The keys for `bank`, every question answered; None when the release has no keys."""
    path = key_path(catalogue, quiz)
    if not path.exists():
        return None
    try:
        sheet = parse_answers(read_keys_text(path), bank, keys=True)
    except AnswersError as error:
        raise QuizKeyError(error.describe(str(path))) from None
    for question in bank.questions:
        key = sheet.answers[question.id]
        if key is None or (question.kind == "multiple" and not key):
            raise QuizKeyError(f"{path}: answers.{question.id}: no key for this question "
                               "(every question needs one)")
        if question.kind == "multiple" and set(key) == set(question.letters):
            raise QuizKeyError(f"{path}: answers.{question.id}: every choice is right, so ticking "
                               "every box would earn full marks; leave at least one wrong choice")
        if question.id not in sheet.explanations:
            raise QuizKeyError(f"{path}: explanations.{question.id}: no explanation for this "
                               "question (every question needs one, in English and Korean)")
    return sheet
