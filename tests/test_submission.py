"""One rule finds a submission's files at any nesting depth, for exercises and answers alike."""

from __future__ import annotations

import shutil
from pathlib import Path, PurePosixPath

import pytest

from grader.submission import Submission
from tests.conftest import SOLUTIONS

NESTINGS = ["", "a-main/", "a-main/a-main/", "a/b/c/d/e/f/g/"]
LAYOUTS = {  # where the exercise file and an answers file sit, below the nesting
    "flat": ("ex01_convolution.py", "q01.yaml"),
    "course": ("exercises/ex01_convolution.py", "exercises/answers/q01.yaml"),
    "answers_beside": ("exercises/ex01_convolution.py", "answers/q01.yaml"),
    "answers_inside_flat": ("ex01_convolution.py", "answers/q01.yaml"),
}


def lay_out(root: Path, nesting: str, layout: str) -> Path:
    exercise, answers = LAYOUTS[layout]
    for relative, source in (
        (exercise, SOLUTIONS / "ex01_convolution.py"),
        (answers, SOLUTIONS / "answers" / "q01.yaml"),
    ):
        target = root / (nesting + relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return root


@pytest.mark.parametrize("nesting", NESTINGS)
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_exercises_and_answers_are_found_at_any_depth(tmp_path, nesting, layout):
    submission = Submission.open(lay_out(tmp_path / "upload", nesting, layout))
    exercise = submission.exercise_path("ex01_convolution.py")
    answers = submission.answers_path("q01")
    assert submission.kind(exercise) == "file", exercise
    assert submission.kind(answers) == "file", answers
    assert submission.read(answers, 1 << 20) == (SOLUTIONS / "answers" / "q01.yaml").read_bytes()


def test_the_folders_looked_in_lead_down_to_the_files(tmp_path):
    submission = Submission.open(lay_out(tmp_path / "upload", "a-main/a-main/", "course"))
    assert submission.base == PurePosixPath("a-main/a-main/exercises")
    folders = submission.layout_folders()
    assert folders[:4] == (
        PurePosixPath("."),
        PurePosixPath("a-main"),
        PurePosixPath("a-main/a-main"),
        PurePosixPath("a-main/a-main/exercises"),
    )
    assert PurePosixPath("a-main/a-main/exercises/answers") in folders
    assert PurePosixPath("a-main/a-main/answers") in folders


def test_a_second_folder_stops_the_descent(tmp_path):
    """Two folders side by side are not a nesting: the grader does not guess which one to grade."""
    root = lay_out(tmp_path / "upload", "a/", "flat")
    (root / "b").mkdir()
    submission = Submission.open(root)
    assert submission.base == PurePosixPath(".")
    assert submission.kind(submission.exercise_path("ex01_convolution.py")) == "missing"


def test_a_link_on_the_way_down_is_never_entered(tmp_path):
    root = tmp_path / "upload"
    (root / "a").mkdir(parents=True)
    (root / "a" / "b").symlink_to(SOLUTIONS, target_is_directory=True)
    submission = Submission.open(root)
    assert submission.kind(submission.exercise_path("ex01_convolution.py")) == "link"
