"""A small class for `grade report`: exercises and a quiz, a roster, and every way to be missing.

- alice: ex01 and ex04 right, q01 all right;
- bob: ex04 with a flipped kernel, q01 with task_classification c and task_detection a;
- carol: ex01 attempted for 0 points, ex04 with a flipped kernel, q01 with task_detection a;
- 김민수: q01 only, with task_detection a (ex04 not attempted);
- eve: a quiz answer written as HTML (task_pose `<script>...`);
- `<img src=x onerror=alert(1)>`: a name written as HTML, and an empty upload (not graded);
- erin: on the roster, no upload (not submitted).
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import SOLUTIONS
from tests.instructor.classes import FLIPPED_KERNEL, learner

HTML_NAME = "<img src=x onerror=alert(1)>"  # no slash: a folder name
HTML_ANSWER = "<script>alert(1)</script>"
ZERO_EX01 = """import numpy as np


def filter_response(patch, kernel):
    return -1.0


def convolve2d(image, kernel):
    return np.zeros((1, 1)) - 1.0
"""
KEY = (SOLUTIONS / "answers" / "q01.yaml").read_text(encoding="utf-8")


def answers(**changes: str) -> str:
    """q01's key with some answers changed (in its `answers:` block, which comes first)."""
    text = KEY
    for question, answer in changes.items():
        text, count = re.subn(rf"(?m)^  {question}: .*$", f"  {question}: {answer}", text, count=1)
        assert count == 1, question
    return text


def quiz_answers(folder: Path, text: str) -> None:
    (folder / "answers").mkdir(parents=True, exist_ok=True)
    (folder / "answers" / "q01.yaml").write_text(text, encoding="utf-8")


def reported_class(root: Path) -> tuple[Path, Path]:
    """(the class's folder, its roster)."""
    folder = root / "class"
    quiz_answers(learner(folder / "alice", ex01=SOLUTIONS, ex04=SOLUTIONS), KEY)
    wrong_two = answers(task_classification="c", task_detection="a")
    quiz_answers(learner(folder / "bob", ex04=FLIPPED_KERNEL), wrong_two)
    carol = learner(folder / "carol", ex01=ZERO_EX01, ex04=FLIPPED_KERNEL)
    quiz_answers(carol, answers(task_detection="a"))
    quiz_answers(folder / "김민수", answers(task_detection="a"))
    eve = answers(task_detection="b", task_pose='"' + HTML_ANSWER + '"')
    quiz_answers(folder / "eve", eve)
    (folder / HTML_NAME).mkdir()
    roster = root / "roster.csv"
    roster.write_text(
        "folder,name\nalice,Alice\nbob,Bob\ncarol,Carol\neve,Eve\nerin,Erin Lee\n"
        f"김민수,김민수\n{HTML_NAME},Dave\n",
        encoding="utf-8",
    )
    return folder, roster
