"""Uploads and class folders built to cost someone else their grade in `grade batch`: whatever
one entry is called or holds, every learner has a row in the gradebook, and only the grader's
own failure (never a learner's upload) makes the batch exit 3."""

from __future__ import annotations

import csv
import os
import zipfile
from pathlib import Path

from tests.conftest import SOLUTIONS


def gradebook(out: Path) -> dict[str, dict]:
    with open(out / "grades.csv", encoding="utf-8", newline="") as stream:
        return {row["learner"]: row for row in csv.DictReader(stream)}


def test_every_problem_is_a_row_whatever_the_length_of_its_status(grade, tmp_path):
    """Seen: a status longer than a record may hold (names that clash in letter case, or a zip's
    unsafe entry, quoted in it) made the problem records untrusted: those learners vanished from
    the gradebook."""
    learners = tmp_path / "class"
    names = [
        "".join(
            char.upper() if bit == "1" else char
            for char, bit in zip("a" * 200, f"{index:0200b}"[::-1])
        )
        for index in range(24)
    ]
    for name in names:
        (learners / name).mkdir(parents=True)
    with zipfile.ZipFile(
        learners / "unsafe.zip", "w"
    ) as archive:  # the entry is quoted in the status
        archive.writestr("../" + "x" * 10_000, b"")
    (learners / "alice").mkdir()
    (learners / "alice" / "ex06_output_size.py").write_bytes(
        (SOLUTIONS / "ex06_output_size.py").read_bytes()
    )
    out = tmp_path / "out"
    run = grade("batch", learners, "--out", out, "--workers", "1")
    assert run.exit_code == 1, run.stderr
    rows = gradebook(out)
    assert set(rows) == {*names, "unsafe", "alice"}
    assert "unsafe entry" in rows["unsafe"]["status"] and len(rows["unsafe"]["status"]) < 2000
    assert all("differ only in letter case" in rows[name]["status"] for name in names)
    assert rows["alice"]["ex06"] == "15"


def deep_folders(top: Path, length: int) -> Path:
    """Folders inside `top` whose path, with ex06's file at the bottom, is `length` bytes long
    (made one step at a time: the whole path is near the system's limit)."""
    import os

    top.mkdir(parents=True)
    here = os.getcwd()
    os.chdir(top)
    try:
        left = length - len("ex06_output_size.py")
        while left > 0:
            step = min(200, left - 1) if left > 201 else left - 1
            os.mkdir("d" * step)
            os.chdir("d" * step)
            left -= step + 1
        Path("ex06_output_size.py").write_bytes((SOLUTIONS / "ex06_output_size.py").read_bytes())
    finally:
        os.chdir(here)
    return top


def test_an_upload_too_deep_to_stage_is_its_owners_problem_not_the_graders(
    grade, tmp_path, monkeypatch
):
    """Seen: an upload whose path fitted in the class folder but not in the (longer) scratch folder
    the batch lays it out in made the batch exit 3, the code for "the grader failed"."""
    import os
    import tempfile

    learners = tmp_path / "class"
    (learners / "alice").mkdir(parents=True)
    (learners / "alice" / "ex06_output_size.py").write_bytes(
        (SOLUTIONS / "ex06_output_size.py").read_bytes()
    )
    scratch = tmp_path / ("s" * 200)  # longer than the learner's folder's own path
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    deep_folders(
        learners / "deep", os.pathconf(tmp_path, "PC_PATH_MAX") - len(str(learners / "deep")) - 40
    )
    out = tmp_path / "out"
    run = grade("batch", learners, "--out", out, "--workers", "1")
    assert run.exit_code == 1, run.stdout + run.stderr
    rows = gradebook(out)
    assert rows["alice"]["ex06"] == "15"
    assert (
        rows["deep"]["status"].startswith("unreadable upload")
        and "too long" in rows["deep"]["status"]
    )


def test_a_reader_that_left_costs_neither_the_gradebook_nor_the_exit_code(tmp_path):
    """Seen: `grade batch ... | head -1` (or a terminal that hung up) made the first line after the
    reader left fail: the batch exited 0, "full marks", and wrote no grades.csv."""
    import subprocess
    import sys

    learners = tmp_path / "class"
    for name in ("alice", "bob"):
        (learners / name).mkdir(parents=True)
        (learners / name / "ex06_output_size.py").write_bytes(
            (SOLUTIONS / "ex06_output_size.py").read_bytes()
        )
    for out, command in (
        (tmp_path / "out", ["batch", learners, "--out", tmp_path / "out", "--seed", "1"]),
        (tmp_path / "merged", ["merge", tmp_path / "out", "--out", tmp_path / "merged"]),
    ):
        read, write = os.pipe()
        os.close(read)  # the reader is gone before the first line
        try:
            process = subprocess.run(
                [sys.executable, "-I", "-m", "grader", *map(str, command)],
                stdout=write,
                stderr=subprocess.PIPE,
                timeout=600,
            )
        finally:
            os.close(write)
        assert process.returncode == 1, (command[0], process.stderr)
        assert set(gradebook(out)) == {"alice", "bob"}
        assert (out / "canvas.csv").exists() and (out / "moodle.csv").exists()


def test_an_out_folder_inside_the_class_folder_is_not_a_learner(grade, tmp_path):
    """Seen: `grade batch . --out grades`, run from the class folder, then again after a late
    upload: the second run graded the out folder itself as a learner ("no exercise files")."""
    learners = tmp_path / "class"
    (learners / "alice").mkdir(parents=True)
    (learners / "alice" / "ex06_output_size.py").write_bytes(
        (SOLUTIONS / "ex06_output_size.py").read_bytes()
    )
    for _repeat in range(2):
        run = grade("batch", learners, "--out", learners / "grades", "--seed", "1")
        assert run.exit_code == 1, run.stderr
        assert set(gradebook(learners / "grades")) == {"alice"}
    run = grade("batch", learners, "--out", learners / ".", "--seed", "1")
    assert run.exit_code == 2 and "internal error" not in run.stderr, run.stderr
    assert not (learners / "grades.csv").exists()


def test_a_seed_no_record_can_hold_is_a_usage_error(grade, tmp_path):
    """Seen: `grade batch --seed 99999999999` graded everyone, then refused every record it had
    written (seeds are 31-bit): an empty gradebook and exit code 3."""
    (tmp_path / "class" / "alice").mkdir(parents=True)
    run = grade("batch", tmp_path / "class", "--out", tmp_path / "out", "--seed", str(2**31))
    assert run.exit_code == 2, run.stdout + run.stderr
    assert "--seed" in run.stderr and not (tmp_path / "out").exists()


def test_an_archive_of_another_kind_is_its_owners_row_never_missing(grade, tmp_path):
    """Seen: a learner who handed in a .rar or .tar.gz was silently skipped: absent from the
    gradebook, or "not submitted" beside the roster, though they had submitted."""
    learners = tmp_path / "class"
    (learners / "alice").mkdir(parents=True)
    (learners / "alice" / "ex06_output_size.py").write_bytes(
        (SOLUTIONS / "ex06_output_size.py").read_bytes()
    )
    for name in ("bob.rar", "carol.tar.gz", "dave.7z", "erin.TGZ"):
        (learners / name).write_bytes(b"not a zip")
    (learners / "notes.txt").write_text("the instructor's notes: not a learner")
    roster = tmp_path / "roster.csv"
    roster.write_text("folder,id\nalice,1\nbob,2\ncarol,3\ndave,4\nerin,5\n")
    out = tmp_path / "out"
    run = grade("batch", learners, "--out", out, "--roster", roster)
    assert run.exit_code == 1, run.stderr
    rows = gradebook(out)
    assert set(rows) == {"alice", "bob", "carol", "dave", "erin"}
    for name, upload in (
        ("bob", "bob.rar"),
        ("carol", "carol.tar.gz"),
        ("dave", "dave.7z"),
        ("erin", "erin.TGZ"),
    ):
        assert rows[name]["status"].startswith(f"unreadable upload: {upload}"), rows[name]
        assert "zip" in rows[name]["status"]


def test_an_unforeseen_error_naming_a_learner_reaches_the_terminal_escaped(
    grade, tmp_path, monkeypatch
):
    """Whatever failure the grader did not foresee (exit 3, "internal error: ..."), the file name or
    text it quotes may be a learner's: it is shown escaped and on one line."""
    import grader.instructor.batch as batch

    def fails(folder, out_dir=None):
        raise ValueError(f"cannot look at {folder / 'bob'}\x1b]0;owned\x07\nalice 221")

    monkeypatch.setattr(batch, "find_learners", fails)
    (tmp_path / "class").mkdir()
    run = grade("batch", tmp_path / "class", "--out", tmp_path / "out")
    assert run.exit_code == 3
    assert (
        "\x1b" not in run.stderr
        and "\x07" not in run.stderr
        and len(run.stderr.strip().splitlines()) == 1
    )
    assert "internal error" in run.stderr and "\\x1b]0;owned" in run.stderr


def test_only_reaches_a_learner_whose_name_holds_a_comma_or_spaces(grade, tmp_path):
    """`--only a,b` splits on commas; a folder named "kim, alice" (as some LMS downloads name
    them) or " bob" must still be reachable by its own name."""
    learners = tmp_path / "class"
    for name in ("kim, alice", " bob", "kim"):
        (learners / name).mkdir(parents=True)
        (learners / name / "ex06_output_size.py").write_bytes(
            (SOLUTIONS / "ex06_output_size.py").read_bytes()
        )
    out = tmp_path / "out"
    assert grade("batch", learners, "--out", out).exit_code == 1
    run = grade("batch", learners, "--out", out, "--only", "kim, alice", "--only", " bob")
    assert run.exit_code == 1, run.stderr
    regraded = {line.split("  ")[0].strip() for line in run.stdout.splitlines() if "/ 231" in line}
    assert regraded == {"kim, alice", "bob"}, run.stdout
    assert (
        len(list((out / "history").glob("*.json"))) == 2
    )  # kim, alice and " bob" replaced, kim kept


def test_an_out_folder_that_is_a_learners_upload_is_refused(grade, tmp_path):
    """`--out class/grades` where a learner is called "grades": the records would be written
    into their upload, and the learner (skipped as the out folder) would vanish from the gradebook."""
    learners = tmp_path / "class"
    for name in ("alice", "grades"):
        (learners / name).mkdir(parents=True)
        (learners / name / "ex06_output_size.py").write_bytes(
            (SOLUTIONS / "ex06_output_size.py").read_bytes()
        )
    run = grade("batch", learners, "--out", learners / "grades")
    assert run.exit_code == 2, run.stdout + run.stderr
    assert "grades" in run.stderr and sorted(
        path.name for path in (learners / "grades").iterdir()
    ) == ["ex06_output_size.py"]


def test_a_zip_holding_one_file_twice_is_its_owners_problem(grade, tmp_path):
    """A zip may hold two entries with one name: which one a tool unpacks (the first, the last,
    or both under new names) differs, so the grade would hang on the tool; the upload is refused."""
    import warnings

    learners = tmp_path / "class"
    learners.mkdir()
    solution = (SOLUTIONS / "ex06_output_size.py").read_bytes()
    with warnings.catch_warnings(), zipfile.ZipFile(learners / "dup.zip", "w") as archive:
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name: that is the point
        archive.writestr("ex06_output_size.py", b"raise SystemExit(0)\n")
        archive.writestr("./ex06_output_size.py", solution)
    zipped_once = learners / "once.zip"
    with zipfile.ZipFile(zipped_once, "w") as archive:
        archive.writestr("once/ex06_output_size.py", solution)
    run = grade("batch", learners, "--out", tmp_path / "out")
    assert run.exit_code == 1, run.stderr
    rows = gradebook(tmp_path / "out")
    status = rows["dup"]["status"]
    assert status.startswith("unreadable upload") and "ex06_output_size.py twice" in status
    assert rows["once"]["ex06"] == "15"
