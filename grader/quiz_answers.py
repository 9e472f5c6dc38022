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

A learner's file is untrusted data: it is read with a size cap, refused when it is a link or
not a regular file, parsed with YAML safe loading after a scan that refuses aliases, anchors,
tags and deep nesting, and every answer is checked against its question's kind. Problems are
`AnswersError`s that name the line and key; the caller decides what they cost.
"""

from __future__ import annotations

import difflib
import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from grader.catalogue import Catalogue, Quiz
from grader.errors import InputError
from grader.quiz_bank import Question, QuizBank
from grader.quiz_kinds import coerce_answer, yaml_value

MAX_ANSWERS_BYTES = 64 << 10  # a full quiz's answers take about 2 KB
MAX_NESTING = 3               # top mapping > answers mapping > a list of letters or dimensions
TOP_LEVEL_KEYS = ("quiz", "answers", "also_accept")
LOADER = yaml.SafeLoader


class AnswersError(Exception):
    """An answers file that cannot be used: what is wrong, and where (line, key) if known."""

    def __init__(self, problem: str, line: int | None = None, key: str | None = None):
        super().__init__(problem)
        self.problem, self.line, self.key = problem, line, key

    def describe(self, source: str) -> str:
        """One line: `answers/q01.yaml line 4 (answers.lenet_year): must be a number`."""
        where = source + (f" line {self.line}" if self.line else "") + (f" ({self.key})" if self.key else "")
        return f"{where}: {self.problem}"


@dataclass(frozen=True)
class AnswerSheet:
    """Parsed answers: question id -> normalised answer (None = unanswered), plus the keys'
    further accepted texts for short-text questions (question id -> texts)."""

    answers: dict[str, Any]
    also_accept: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def answered(self) -> int:
        return sum(answer is not None for answer in self.answers.values())


def read_answers_text(path: Path) -> str:
    """The text of an answers file; `AnswersError` if it is a link, not a file, too big or not UTF-8."""
    for candidate in (path.parent, path):
        if candidate.is_symlink():
            raise AnswersError(f"{candidate.name} is a symbolic link; submit the real file, not a link")
    try:
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode):
            raise AnswersError("is not a regular file")
        if info.st_size > MAX_ANSWERS_BYTES:
            raise AnswersError(f"is larger than {MAX_ANSWERS_BYTES >> 10} KB; it is not graded")
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        with os.fdopen(os.open(path, flags), "rb") as stream:
            content = stream.read(MAX_ANSWERS_BYTES + 1)
    except OSError as error:
        raise AnswersError(f"cannot be read: {error.strerror or error}") from None
    if len(content) > MAX_ANSWERS_BYTES:
        raise AnswersError(f"is larger than {MAX_ANSWERS_BYTES >> 10} KB; it is not graded")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise AnswersError(f"is not UTF-8 text (byte {error.start})") from None


def parse_answers(text: str, bank: QuizBank) -> AnswerSheet:
    """Parse and check answers for `bank`; `AnswersError` with line and key on the first problem."""
    _scan_events(text)
    loader = LOADER(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return AnswerSheet(answers=dict.fromkeys(bank.ids))
        top = _mapping(root, loader, "the file must be a mapping with an 'answers:' section")
        for key, (_, value_node) in top.items():
            if key not in TOP_LEVEL_KEYS:
                hint = "; put answers under 'answers:'" if key in bank.ids else ""
                raise AnswersError(f"unknown key {key!r}; expected {', '.join(TOP_LEVEL_KEYS)}{hint}",
                                   _line(value_node), key)
        if "quiz" in top:
            named = _construct(loader, top["quiz"][1])
            if named != bank.quiz_id:
                raise AnswersError(f"says it holds answers for {named!r}, not {bank.quiz_id}",
                                   _line(top["quiz"][1]), "quiz")
        answers: dict[str, Any] = dict.fromkeys(bank.ids)
        for question_id, value_node in _section(top, "answers", loader, bank).items():
            value = _construct(loader, value_node)
            try:
                answers[question_id] = coerce_answer(bank.question(question_id), value)
            except ValueError as error:
                raise AnswersError(str(error), _line(value_node), f"answers.{question_id}") from None
        also_accept = {}
        for question_id, value_node in _section(top, "also_accept", loader, bank).items():
            also_accept[question_id] = _accepted_texts(bank.question(question_id),
                                                       _construct(loader, value_node), _line(value_node))
        return AnswerSheet(answers=answers, also_accept=also_accept)
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
                raise AnswersError("YAML anchors and aliases (&name, *name) are not allowed", line)
            if getattr(event, "tag", None) is not None:
                tag = event.tag.replace("tag:yaml.org,2002:", "!!")
                raise AnswersError(f"YAML tags ({tag}) are not allowed", line)
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_NESTING:
                    raise AnswersError(f"is nested more than {MAX_NESTING} levels deep", line)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as error:
        raise _yaml_error(error) from None


def _yaml_error(error: yaml.YAMLError) -> AnswersError:
    problem_mark = getattr(error, "problem_mark", None)
    context_mark = getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    context = getattr(error, "context", None)
    if context and context_mark and problem_mark and context_mark.line != problem_mark.line:
        problem += f", {context} that starts on line {context_mark.line + 1}"
    mark = problem_mark or context_mark
    return AnswersError(f"not valid YAML ({problem})", mark.line + 1 if mark else None)


def _mapping(node: yaml.Node, loader: yaml.SafeLoader, problem: str,
             prefix: str = "") -> dict[str, tuple[yaml.Node, yaml.Node]]:
    """A mapping node's entries by key text; duplicate or non-text keys are errors."""
    if not isinstance(node, yaml.MappingNode):
        raise AnswersError(problem, _line(node))
    entries: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key_node, value_node in node.value:
        key = _construct(loader, key_node) if isinstance(key_node, yaml.ScalarNode) else None
        if not isinstance(key, str):
            raise AnswersError(f"keys must be names, not {key!r}", _line(key_node))
        if key in entries:
            raise AnswersError(f"{key!r} appears twice", _line(key_node), prefix + key)
        entries[key] = (key_node, value_node)
    return entries


def _section(top: dict, name: str, loader: yaml.SafeLoader, bank: QuizBank) -> dict[str, yaml.Node]:
    """The entries of `answers:` or `also_accept:`, each naming a question of `bank`."""
    if name not in top:
        return {}
    node = top[name][1]
    if isinstance(node, yaml.ScalarNode) and _construct(loader, node) is None:
        return {}
    entries = _mapping(node, loader, f"'{name}' must map question ids to answers", prefix=f"{name}.")
    for question_id, (key_node, _) in entries.items():
        if question_id not in bank.ids:
            close = difflib.get_close_matches(question_id, bank.ids, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; {bank.quiz_id} has {', '.join(bank.ids)}"
            raise AnswersError(f"unknown question {question_id!r}{hint}", _line(key_node),
                               f"{name}.{question_id}")
    return {question_id: value_node for question_id, (_, value_node) in entries.items()}


def _accepted_texts(question: Question, value: Any, line: int) -> tuple[str, ...]:
    key = f"also_accept.{question.id}"
    if question.kind != "text":
        raise AnswersError("only short-text questions take further accepted answers", line, key)
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(item, str) and item.strip() for item in values):
        raise AnswersError("must be a text or a list of texts", line, key)
    return tuple(item.strip() for item in values)


def _construct(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    """The Python value of `node`; values YAML cannot build (a 5,000-digit int) are errors too."""
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, TypeError, OverflowError) as error:
        problem = f"holds a value that cannot be read ({type(error).__name__})"
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
        sheet = parse_answers(read_answers_text(path), bank)
    except AnswersError as error:
        raise QuizKeyError(error.describe(str(path))) from None
    for question in bank.questions:
        key = sheet.answers[question.id]
        if key is None or (question.kind == "multiple" and not key):
            raise QuizKeyError(f"{path}: answers.{question.id}: no key for this question "
                               "(every question needs one)")
    return sheet


# ------------------------------------------------------------------------------- writing

HEADER = {
    "en": ("# Answers to {quiz}, \"{title}\", written by `grade quiz {quiz}`.\n"
           "# Grade them with `grade {quiz}`. You may edit this file by hand:\n"
           "#   single choice: a letter (b)   multiple choice: letters ([a, c])   number: 4096\n"
           "#   shape: [32, 32, 10] or 32x32x10   short text: \"max pooling\"   unanswered: ~\n"),
    "ko": ("# {quiz} \"{title}\"의 답. `grade quiz {quiz}` 명령이 작성했습니다.\n"
           "# `grade {quiz}` 명령으로 채점합니다. 이 파일을 직접 고쳐도 됩니다:\n"
           "#   단일 선택: 문자 하나 (b)   복수 선택: 문자 목록 ([a, c])   숫자: 4096\n"
           "#   형태: [32, 32, 10] 또는 32x32x10   짧은 답: \"최대 풀링\"   답하지 않음: ~\n"),
}
COMMENT_CHARS = 88


def render_answers(bank: QuizBank, answers: dict[str, Any], *, title: str, lang: str) -> str:
    """The text of answers/qNN.yaml for `answers` (question id -> normalised answer or None)."""
    lines = [HEADER.get(lang, HEADER["en"]).format(quiz=bank.quiz_id, title=title).rstrip("\n"),
             f"quiz: {bank.quiz_id}", "answers:"]
    count = len(bank.questions)
    for number, question in enumerate(bank.questions, start=1):
        summary = " ".join(question.text[lang].split())
        if len(summary) > COMMENT_CHARS:
            summary = summary[: COMMENT_CHARS - 3] + "..."
        lines.append(f"  # {number}/{count} ({question.kind}) {summary}")
        lines.append(f"  {question.id}: {yaml_value(question, answers.get(question.id))}")
    return "\n".join(lines) + "\n"


def write_answers(path: Path, text: str) -> None:
    """Write `text` to `path` in one step (a crash never leaves half a file), creating answers/."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
