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

from grader.quiz.bank import QuizBank
from grader.quiz.kinds import yaml_value

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
