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
not a regular file, scanned for aliases, anchors, tags and deep nesting and composed without
resolving an alias (grader/quiz/yamlnodes.py), and every answer is built and checked against
its question's kind on its own. Problems are `AnswersError`s that name the line and key: one
with the file's structure is raised, one with a single answer's value is that answer's
(`AnswerSheet.problems`), and the caller decides what each costs.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from grader.course.catalogue import Catalogue, Quiz
from grader.errors import InputError
from grader.i18n import _
from grader.quiz import yamlnodes
from grader.quiz.bank import Question, QuizBank, QuizBankError, texts
from grader.quiz.kinds import coerce_answer, shown
from grader.quiz.yamlnodes import AnswersError
from grader.quiz.yamlnodes import construct as _construct
from grader.quiz.yamlnodes import line as _line
from grader.submission import Submission, SubmissionFileError

__all__ = [
    "AnswerSheet",
    "AnswersError",
    "QuizKeyError",
    "key_path",
    "load_keys",
    "parse_answers",
    "read_answers_text",
    "read_keys_text",
]

MAX_ANSWERS_BYTES = 64 << 10  # a full quiz's answers take about 2 KB
MAX_NESTING = 3  # top mapping > answers mapping > a list of letters or dimensions
TOP_LEVEL_KEYS = ("quiz", "answers", "also_accept", "explanations")
STRING_TAG = "tag:yaml.org,2002:str"


@dataclass(frozen=True)
class AnswerSheet:
    """Parsed answers: question id -> normalised answer (None = unanswered, or unusable: then
    `problems` says why), plus, in keys, the further accepted texts for short-text questions
    (question id -> texts) and each question's explanation (question id -> language -> text)."""

    answers: dict[str, Any]
    also_accept: dict[str, tuple[str, ...]] = field(default_factory=dict)
    explanations: dict[str, dict[str, str]] = field(default_factory=dict)
    problems: dict[str, AnswersError] = field(
        default_factory=dict
    )  # question id -> why its answer is unusable
    stray: list[AnswersError] = field(
        default_factory=list
    )  # answers under ids the quiz does not have

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
        raise AnswersError(
            _("cannot be read: {reason}").format(reason=error.strerror or error)
        ) from None
    if len(content) > MAX_ANSWERS_BYTES:
        raise AnswersError(_("is larger than {limit} KB").format(limit=MAX_ANSWERS_BYTES >> 10))
    return decode_answers(content)


def decode_answers(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise AnswersError(_("is not UTF-8 text (byte {byte})").format(byte=error.start)) from None


def _after_name(message: str) -> str:
    """ "answers/q01.yaml is a symbolic link..." -> "is a symbolic link..." (the caller names it)."""
    first, _separator, rest = message.partition(" ")
    return rest if first.endswith(".yaml") else message


def parse_answers(text: str, bank: QuizBank, *, keys: bool = False) -> AnswerSheet:
    """Parse and check answers for `bank`.

    A problem with the file as a whole (not YAML, not the format, no id of this quiz at all, a
    YAML anchor or tag outside an answer) is an `AnswersError` with line and key. A problem
    with one answer's value (a shape answered `0`, a huge number, a timestamp, a tag or an
    alias inside it, an answer given twice, an answer under a misspelt id) costs that question
    alone: it is unanswered, and `problems` says why; an answer under an id like no question's
    is left out, and `stray` says so. In keys (`keys=True`) every problem is an `AnswersError`, and
    `also_accept` and `explanations` count (a learner's are ignored).
    """
    try:
        flaws = yamlnodes.scan(text, MAX_NESTING)
    except yamlnodes.TooDeep as too_deep:
        raise AnswersError(too_deep.flaw.problem, too_deep.flaw.line) from None
    except yaml.YAMLError as error:
        raise yamlnodes.yaml_error(error) from None
    loader = yamlnodes.compose(text)
    try:
        return _sheet(loader, flaws, bank, keys)
    except yaml.YAMLError as error:
        raise yamlnodes.yaml_error(error) from None
    finally:
        loader.dispose()


def _sheet(
    loader: yaml.SafeLoader, flaws: list[yamlnodes.Flaw], bank: QuizBank, keys: bool
) -> AnswerSheet:
    root = loader.get_single_node()
    if root is None:
        return AnswerSheet(answers=dict.fromkeys(bank.ids))
    in_answers = yamlnodes.Owners([("answer", node) for node in _answer_values(root)])
    for flaw in flaws:  # before any value is built: a flaw outside every answer is the file's
        if in_answers.of(flaw) is None:
            raise AnswersError(flaw.problem, flaw.line)
    top = yamlnodes.mapping(
        root, loader, _("the file must be a mapping with an 'answers:' section")
    )
    given = _entries(top, "answers", loader)
    problems = _flawed_answers(given, flaws)
    for key, (_key_node, value_node) in top.items():
        if key not in TOP_LEVEL_KEYS:
            hint = _("; put answers under 'answers:'") if key in bank.ids else ""
            raise AnswersError(
                _("unknown key {key}; expected {keys}").format(
                    key=shown(key), keys=", ".join(TOP_LEVEL_KEYS)
                )
                + hint,
                _line(value_node),
                shown(key, quoted=False),
            )
    if "quiz" in top:
        named = _construct(loader, top["quiz"][1])
        if named != bank.quiz_id:
            raise AnswersError(
                _("says it holds answers for {named}, not {quiz}").format(
                    named=shown(named), quiz=bank.quiz_id
                ),
                _line(top["quiz"][1]),
                "quiz",
            )
    if keys or not any(question_id in bank.ids for question_id in given):
        _known_questions(given, bank, "answers")  # keys, or a file for another quiz
    stray = _stray_answers(given, bank, problems)
    answers: dict[str, Any] = dict.fromkeys(bank.ids)
    for question_id, nodes in given.items():
        if question_id not in problems:
            _read_answer(loader, bank.question(question_id), nodes, answers, problems)
    if not keys:
        return AnswerSheet(answers=answers, problems=problems, stray=stray)
    if problems:
        raise next(iter(problems.values()))
    also_accept = {}
    for question_id, value_node in _section(top, "also_accept", loader, bank).items():
        also_accept[question_id] = _accepted_texts(
            bank.question(question_id), _construct(loader, value_node), _line(value_node)
        )
    explanations = {
        question_id: _explanation(_construct(loader, node), _line(node), question_id)
        for question_id, node in _section(top, "explanations", loader, bank).items()
    }
    return AnswerSheet(answers=answers, also_accept=also_accept, explanations=explanations)


def _answer_values(root: yaml.Node) -> list[yaml.Node]:
    """The value nodes under the top-level `answers:` mapping, found without building anything."""
    if not isinstance(root, yaml.MappingNode):
        return []
    return [
        value_node
        for key_node, section in root.value
        if isinstance(key_node, yaml.ScalarNode)
        and key_node.tag == STRING_TAG
        and key_node.value == "answers"
        and isinstance(section, yaml.MappingNode)
        for _key_node, value_node in section.value
    ]


def _flawed_answers(
    given: dict[str, list[tuple[yaml.Node, yaml.Node]]], flaws: list[yamlnodes.Flaw]
) -> dict[str, AnswersError]:
    """The answers a flaw lies in, each with its first flaw, and the answers given twice."""
    problems: dict[str, AnswersError] = {}
    owners = yamlnodes.Owners(
        [
            (question_id, value_node)
            for question_id, nodes in given.items()
            for _key_node, value_node in nodes
        ]
    )
    for flaw in flaws:
        owner = owners.of(flaw)
        if owner is None:
            raise AnswersError(flaw.problem, flaw.line)
        problems.setdefault(owner, AnswersError(flaw.problem, flaw.line, f"answers.{owner}"))
    for question_id, nodes in given.items():
        if len(nodes) > 1:
            lines = ", ".join(str(_line(key_node)) for key_node, _value_node in nodes)
            problem = _("is answered more than once (lines {lines}); keep one answer").format(
                lines=lines
            )
            problems[question_id] = AnswersError(
                problem, _line(nodes[-1][0]), f"answers.{question_id}"
            )
    return problems


def _read_answer(
    loader: yaml.SafeLoader,
    question: Question,
    nodes: list[tuple[yaml.Node, yaml.Node]],
    answers: dict[str, Any],
    problems: dict[str, AnswersError],
) -> None:
    """Build and check one answer; whatever is wrong with it becomes that question's problem."""
    value_node = nodes[0][1]
    where = f"answers.{question.id}"
    try:
        answers[question.id] = coerce_answer(question, _construct(loader, value_node))
    except AnswersError as error:
        problems[question.id] = AnswersError(error.problem, _line(value_node), where)
    except ValueError as error:
        problems[question.id] = AnswersError(str(error), _line(value_node), where)
    except Exception as error:  # noqa: BLE001 - an untrusted value must cost its question only
        problem = _("holds a value that cannot be read ({error})").format(
            error=type(error).__name__
        )
        problems[question.id] = AnswersError(problem, _line(value_node), where)


def _entries(
    top: dict, name: str, loader: yaml.SafeLoader
) -> dict[str, list[tuple[yaml.Node, yaml.Node]]]:
    """The pairs of the section `name` (`answers:`, `also_accept:`...) by question id; {} if absent or ~."""
    if name not in top:
        return {}
    node = top[name][1]
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
        return {}
    return yamlnodes.entries(
        node, loader, _("'{name}' must map question ids to answers").format(name=name)
    )


def _stray_answers(
    given: dict[str, list], bank: QuizBank, problems: dict[str, AnswersError]
) -> list[AnswersError]:
    """A learner's answers under ids the quiz lacks, taken out of `given`: one under a misspelt
    id is its question's problem (unanswered, saying why); the others are returned."""
    stray: list[AnswersError] = []
    for question_id in [question_id for question_id in given if question_id not in bank.ids]:
        line = _line(given.pop(question_id)[0][0])
        label = (
            "'" + shown(ascii(question_id)[1:-1], quoted=False) + "'"
        )  # look-alike letters escaped
        close = difflib.get_close_matches(question_id, bank.ids, n=1)
        if close and close[0] not in given and close[0] not in problems:
            problem = _(
                "is not answered: the answer on line {line} is under {id}, which is not a question "
                "of {quiz}; write {right}"
            ).format(line=line, id=label, quiz=bank.quiz_id, right=repr(close[0]))
            problems[close[0]] = AnswersError(problem, line, f"answers.{close[0]}")
        else:
            stray.append(
                AnswersError(
                    _("{id} is not a question of {quiz}; that answer is not graded").format(
                        id=label, quiz=bank.quiz_id
                    ),
                    line,
                    f"answers.{label[1:-1]}",
                )
            )
    return stray


def _known_questions(found: dict[str, list], bank: QuizBank, name: str) -> None:
    """Every id of a section must name a question of `bank`: a file for another quiz, or a
    misspelt id, is the file's problem."""
    for question_id, pairs in found.items():
        if question_id not in bank.ids:
            close = difflib.get_close_matches(question_id, bank.ids, n=1)
            hint = (
                _("; did you mean {id!r}?").format(id=close[0])
                if close
                else _("; {quiz} has {ids}").format(quiz=bank.quiz_id, ids=", ".join(bank.ids))
            )
            raise AnswersError(
                _("unknown question {id}").format(id=shown(question_id)) + hint,
                _line(pairs[0][0]),
                f"{name}.{shown(question_id, quoted=False)}",
            )


def _section(top: dict, name: str, loader: yaml.SafeLoader, bank: QuizBank) -> dict[str, yaml.Node]:
    """The entries of a keys-only section, each naming a question of `bank` once."""
    found = _entries(top, name, loader)
    _known_questions(found, bank, name)
    for question_id, pairs in found.items():
        if len(pairs) > 1:
            raise AnswersError(
                f"{question_id!r} appears twice", _line(pairs[1][0]), f"{name}.{question_id}"
            )
    return {question_id: pairs[0][1] for question_id, pairs in found.items()}


def _accepted_texts(question: Question, value: Any, line: int) -> tuple[str, ...]:
    key = f"also_accept.{question.id}"
    if question.kind != "text":
        raise AnswersError("only short-text questions take further accepted answers", line, key)
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(
        isinstance(item, str) and item.strip() for item in values
    ):
        raise AnswersError("must be a text or a list of texts", line, key)
    return tuple(item.strip() for item in values)


def _explanation(value: Any, line: int, question_id: str) -> dict[str, str]:
    try:
        return texts(value, "")
    except QuizBankError as error:
        problem = str(error).lstrip(".: ") or "must map en and ko to text"
        raise AnswersError(problem, line, f"explanations.{question_id}") from None


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
            raise QuizKeyError(
                f"{path}: answers.{question.id}: no key for this question "
                "(every question needs one)"
            )
        if question.kind == "multiple" and set(key) == set(question.letters):
            raise QuizKeyError(
                f"{path}: answers.{question.id}: every choice is right, so ticking "
                "every box would earn full marks; leave at least one wrong choice"
            )
        if question.id not in sheet.explanations:
            raise QuizKeyError(
                f"{path}: explanations.{question.id}: no explanation for this "
                "question (every question needs one, in English and Korean)"
            )
    return sheet
