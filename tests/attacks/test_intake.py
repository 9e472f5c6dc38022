"""Attacks on the grader's own reads and writes in a learner's folder: links of every kind.

A submission folder is the learner's: whatever the grader reads there (exercise files, its
progress file) or writes there (`.grade/progress.json`, on a text report) must go to and come
from a plain file inside it. A symbolic link (the file, a folder on the way, the submission
folder itself), a hard link, or a FIFO standing in for one earns nothing, changes nothing
outside the folder, and never hangs the grader.
"""

from __future__ import annotations

import json
import os
import shutil
import threading

import pytest

from tests.conftest import SOLUTIONS


def _ex01_ex06(folder):
    folder.mkdir(exist_ok=True)
    shutil.copyfile(SOLUTIONS / "ex06_output_size.py", folder / "ex06_output_size.py")
    return folder


def test_a_hard_link_to_the_solution_earns_nothing(grade, tmp_path):
    solution = tmp_path / "course" / "ex01_convolution.py"  # the course's solution, elsewhere on the disk
    solution.parent.mkdir()
    shutil.copyfile(SOLUTIONS / "ex01_convolution.py", solution)
    folder = _ex01_ex06(tmp_path / "submission")
    os.link(solution, folder / "ex01_convolution.py")
    run = grade("ex01", "ex06", "--submission", folder, "--format", "json")
    assert run.exit_code == 1, run.stderr
    assert run.item("ex01")["score"] == 0
    assert "hard link" in run.item("ex01")["tests"][0]["feedback"]
    assert run.item("ex06")["score"] == 15


def test_a_submission_folder_that_is_a_link_earns_nothing(grade, tmp_path):
    link = tmp_path / "submission"
    link.symlink_to(SOLUTIONS, target_is_directory=True)
    run = grade("ex01", "ex06", "--submission", link, "--format", "json")
    assert run.exit_code == 1, run.stderr
    assert run.json()["score"] == 0
    assert "symbolic link" in run.item("ex01")["tests"][0]["feedback"]


@pytest.mark.parametrize("planted", ["state_folder_link", "state_file_link", "state_file_fifo",
                                     "state_file_hard_link"])
def test_the_progress_file_is_never_written_through_a_link(planted, grade, tmp_path):
    """A text report records progress in `.grade/progress.json`: through a planted link the
    grader (perhaps root) would overwrite a file of the learner's choosing; a FIFO would hang it."""
    victim_folder = tmp_path / "elsewhere"
    victim_folder.mkdir()
    victim = victim_folder / "progress.json"
    victim.write_text("precious")
    folder = _ex01_ex06(tmp_path / "submission")
    state = folder / ".grade"
    if planted == "state_folder_link":
        state.symlink_to(victim_folder, target_is_directory=True)
    else:
        state.mkdir()
        if planted == "state_file_link":
            (state / "progress.json").symlink_to(victim)
        elif planted == "state_file_hard_link":
            os.link(victim, state / "progress.json")
        else:
            os.mkfifo(state / "progress.json")
    outcome = {}
    worker = threading.Thread(target=lambda: outcome.update(run=grade("ex06", "--submission", folder)),
                              daemon=True)
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive(), "the grader hung on the planted progress file"
    assert outcome["run"].exit_code == 0, outcome["run"].stderr
    assert victim.read_text() == "precious"


def test_honest_progress_is_still_remembered(grade, tmp_path):
    folder = _ex01_ex06(tmp_path / "submission")
    assert grade("ex06", "--submission", folder).exit_code == 0
    state = json.loads((folder / ".grade" / "progress.json").read_text())
    assert state["best"]["ex06"] == 15


def test_a_hard_link_to_a_quiz_key_earns_nothing(grade, tmp_path):
    key = tmp_path / "course" / "q01.yaml"  # the course's answer key, elsewhere on the disk
    key.parent.mkdir()
    shutil.copyfile(SOLUTIONS / "answers" / "q01.yaml", key)
    folder = tmp_path / "submission"
    (folder / "answers").mkdir(parents=True)
    os.link(key, folder / "answers" / "q01.yaml")
    run = grade("q01", "--submission", folder, "--format", "json")
    assert run.exit_code == 1, run.stderr
    assert run.item("q01")["score"] == 0
    assert "hard link" in run.item("q01")["tests"][0]["feedback"]
