"""Attacks on the grader's own reads and writes in a learner's folder: links of every kind.

A submission folder is the learner's: whatever the grader reads there (exercise files, its
progress file) or writes there (`.grade/progress.json`, on a text report) must go to and come
from a plain file inside it. A symbolic link (the file, a folder on the way, the submission
folder itself), a hard link, or a FIFO standing in for one earns nothing, changes nothing
outside the folder, and never hangs the grader. `grade batch` is attacked the same way: uploads
built to break it (odd archives, names of any length or script, nestings deeper than any
layout) cost their owner alone, and a link planted among its records is never followed.
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
    solution = (
        tmp_path / "course" / "ex01_convolution.py"
    )  # the course's solution, elsewhere on the disk
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


@pytest.mark.parametrize(
    "planted", ["state_folder_link", "state_file_link", "state_file_fifo", "state_file_hard_link"]
)
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
    worker = threading.Thread(
        target=lambda: outcome.update(run=grade("ex06", "--submission", folder)), daemon=True
    )
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


def _odd_zip(path, members, patch=None):
    import zipfile

    with zipfile.ZipFile(path, "w") as bundle:
        for name, content in members.items():
            bundle.writestr(name, content)
    if patch is not None:
        data = bytearray(path.read_bytes())
        patch(data)
        path.write_bytes(bytes(data))


def _unknown_method(data):
    data[data.index(b"PK\x03\x04") + 8] = 99
    data[data.index(b"PK\x01\x02") + 10] = 99


def _encrypted(data):
    data[data.index(b"PK\x03\x04") + 6] |= 1
    data[data.index(b"PK\x01\x02") + 8] |= 1


def test_uploads_built_to_break_the_batch_cost_only_their_owner(grade, tmp_path):
    """Odd archives, names of every length and script, a name the out folder uses itself, a
    nesting deeper than any layout: each is its owner's row; the honest learner is graded and
    the batch exits 1, never 3."""
    learners = tmp_path / "class"
    learners.mkdir()
    solution = (SOLUTIONS / "ex06_output_size.py").read_text()
    for name in ("honest", "intake", "가" * 85, "z" * 250):
        (learners / name).mkdir()
        (learners / name / "ex06_output_size.py").write_text(solution)
    _odd_zip(learners / "method.zip", {"ex06_output_size.py": solution}, _unknown_method)
    _odd_zip(learners / "locked.zip", {"ex06_output_size.py": solution}, _encrypted)
    _odd_zip(learners / "longmember.zip", {"x" * 300 + "/ex06_output_size.py": solution})
    _odd_zip(learners / "fileanddir.zip", {"a": "x", "a/ex06_output_size.py": solution})
    deep = learners / "deep" / "/".join(["d"] * 70)
    deep.mkdir(parents=True)
    (deep / "ex06_output_size.py").write_text(solution)
    out = tmp_path / "out"
    run = grade("batch", learners, "--out", out, "--seed", "3", "--workers", "1")
    assert run.exit_code == 1, run.stdout + run.stderr
    import csv

    with open(out / "grades.csv", encoding="utf-8", newline="") as stream:
        rows = {row["learner"]: row for row in csv.DictReader(stream)}
    assert len(rows) == 9
    for name in ("honest", "intake", "가" * 85, "z" * 250):
        assert rows[name]["status"] == "graded" and rows[name]["ex06"] == "15", name
    for name in ("method", "locked", "longmember", "fileanddir"):
        assert rows[name]["status"].startswith("unreadable upload: "), rows[name]
    assert rows["deep"]["status"].startswith("no exercise files"), rows["deep"]
    assert json.loads((out / "intake.json").read_text())["learners"]["intake"].startswith("sha256:")


def test_a_link_planted_in_the_out_folder_is_neither_read_nor_written_through(grade, tmp_path):
    learners = tmp_path / "class"
    (learners / "alice").mkdir(parents=True)
    shutil.copyfile(SOLUTIONS / "ex06_output_size.py", learners / "alice" / "ex06_output_size.py")
    out = tmp_path / "out"
    assert (
        grade("batch", learners, "--out", out, "--seed", "3").exit_code == 1
    )  # 15 of the course's points
    victim = tmp_path / "victim.json"
    victim.write_text(json.dumps({"precious": True}))
    (out / "alice.json").unlink()
    (out / "alice.json").symlink_to(victim)
    run = grade("batch", learners, "--out", out, "--seed", "3")
    assert run.exit_code == 1 and "records not trusted (1)" in run.stderr
    assert json.loads(victim.read_text()) == {"precious": True}
    assert (
        not (out / "alice.json").is_symlink()
        and json.loads((out / "alice.json").read_text())["score"] == 15
    )
