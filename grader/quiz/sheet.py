"""Writing answers/qNN.yaml: the file `grade quiz` saves after every answer.

The file is the same format a learner may write by hand (grader/quiz/answers.py reads it): a
header comment in the learner's language saying how to edit it, then one commented line per
question and its answer. It is written in one step, so an interrupted quiz never leaves half
a file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from grader.i18n import N_, _, language
from grader.quiz.bank import QuizBank
from grader.quiz.kinds import yaml_value

HEADER = N_(
    '# Answers to {quiz}, "{title}", written by `grade quiz {quiz}`.\n'
    "# Grade them with `grade {quiz}`. You may edit this file by hand:\n"
    "#   single choice: a letter (b)   multiple choice: letters ([a, c])   number: 4096\n"
    '#   shape: [32, 32, 10] or 32x32x10   short text: "max pooling"   unanswered: ~\n'
)
COMMENT_CHARS = 88


def render_answers(bank: QuizBank, answers: dict[str, Any], *, title: str, lang: str) -> str:
    """The text of answers/qNN.yaml for `answers` (question id -> normalised answer or None)."""
    with language(lang):
        header = _(HEADER).format(quiz=bank.quiz_id, title=title).rstrip("\n")
    lines = [header, f"quiz: {bank.quiz_id}", "answers:"]
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
