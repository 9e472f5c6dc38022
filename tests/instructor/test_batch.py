"""`grade batch` grades a class folder safely: zips, links, clashing names, hostile names."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader.instructor.gradebook import safe_cell
from tests.conftest import SOLUTIONS, SUBMISSION_FIXTURES


def test_batch_grades_folders_and_zips(grade, tmp_path):
    learners = tmp_path / "class"
    (learners / "alice").mkdir(parents=True)
    for name in ("ex01_convolution.py", "ex06_output_size.py"):
        shutil.copyfile(SOLUTIONS / name, learners / "alice" / name)
    with zipfile.ZipFile(learners / "bob.zip", "w") as archive:  # a zipped exercises/ folder
        archive.write(SOLUTIONS / "ex01_convolution.py", "bob-work/exercises/ex01_convolution.py")
    shutil.copytree(SUBMISSION_FIXTURES / "syntax_error", learners / "carol")
    with zipfile.ZipFile(learners / "dave.zip", "w") as archive:
        archive.writestr("../../escape.py", "print('out')")
    out = tmp_path / "out"

    run = grade("batch", learners, "--out", out, "--workers", "2", "--seed", "7")
    assert run.exit_code == 1, run.stdout + run.stderr
    rows = {row["learner"]: row for row in csv.DictReader((out / "grades.csv").open())}
    assert set(rows) == {"alice", "bob", "carol", "dave"}
    assert float(rows["alice"]["ex01"]) == 10 and float(rows["alice"]["ex06"]) == 15
    assert float(rows["bob"]["ex01"]) == 10 and rows["bob"]["ex06"] == ""  # not attempted
    assert float(rows["carol"]["total"]) == 0
    assert (
        rows["dave"]["status"].startswith("unreadable upload:")
        and "unsafe entry" in rows["dave"]["status"]
    )
    assert not (tmp_path / "escape.py").exists()
    report = json.loads((out / "alice.json").read_text())
    assert report["seed"] == 7


def test_batch_without_learners_is_an_input_error(grade, tmp_path):
    run = grade("batch", tmp_path, "--out", tmp_path / "out")
    assert run.exit_code == 2 and "no learner folders" in run.stderr


def grade_class(
    learners: Path, out: Path, *extra: str, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    """`grade batch` as an instructor runs it (the console script, which does not import from
    the current folder): a real process, started in a folder of their choice."""
    return subprocess.run(
        [
            sys.executable,
            "-I",
            "-m",
            "grader",
            "batch",
            str(learners),
            "--out",
            str(out),
            "--seed",
            "3",
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=cwd or learners,
    )


def rows_of(out: Path) -> dict[str, dict]:
    with open(out / "grades.csv", newline="", encoding="utf-8") as stream:
        return {row["learner"]: row for row in csv.DictReader(stream)}


def test_a_learner_named_like_the_grader_does_not_replace_it(tmp_path):
    """Children run with python -I in an empty folder: a folder called grader/ (with a
    __main__ that would write full marks for everyone) is a learner's folder, nothing more."""
    learners = tmp_path / "class"
    evil = learners / "grader"
    evil.mkdir(parents=True)
    marker = tmp_path / "took-over"
    payload = (
        f"open({str(marker)!r}, 'w').write('x')\n"
        "import sys, json\n"
        "out = sys.argv[sys.argv.index('--output') + 1]\n"
        "open(out, 'w').write(json.dumps({'score': 103, 'max_score': 103, 'exercises': []}))\n"
    )
    for name in ("__init__.py", "__main__.py"):
        (evil / name).write_text(payload)
    shutil.copyfile(SOLUTIONS / "ex01_convolution.py", evil / "ex01_convolution.py")
    out = tmp_path / "out"
    completed = grade_class(
        learners, out, cwd=learners
    )  # the instructor works inside the class folder
    assert completed.returncode == 1, completed.stderr
    assert not marker.exists()
    report = json.loads((out / "grader.json").read_text())
    assert report["score"] == 10 and report["max_score"] > 100


def test_a_link_anywhere_inside_a_learners_folder_earns_nothing(grade, tmp_path):
    learners = tmp_path / "class"
    (learners / "mallory").mkdir(parents=True)
    (learners / "mallory" / "exercises").symlink_to(SOLUTIONS, target_is_directory=True)
    (learners / "trent").symlink_to(SOLUTIONS, target_is_directory=True)
    out = tmp_path / "out"
    run = grade("batch", learners, "--out", out, "--seed", "3")
    assert run.exit_code == 1
    rows = rows_of(out)
    assert float(rows["mallory"]["total"]) == 0
    assert "symbolic link" in json.dumps(json.loads((out / "mallory.json").read_text()))
    assert rows["trent"]["total"] == "" and "symbolic link" in rows["trent"]["status"]


def test_two_submissions_with_one_name_are_a_reported_problem(grade, tmp_path):
    learners = tmp_path / "class"
    (learners / "alice").mkdir(parents=True)
    shutil.copyfile(
        SUBMISSION_FIXTURES / "syntax_error" / "ex01_convolution.py",
        learners / "alice" / "ex01_convolution.py",
    )
    with zipfile.ZipFile(learners / "alice.zip", "w") as archive:
        archive.write(SOLUTIONS / "ex01_convolution.py", "ex01_convolution.py")
    out = tmp_path / "out"
    run = grade("batch", learners, "--out", out, "--seed", "3")
    assert run.exit_code == 1 and "two submissions for alice" in run.stdout
    row = rows_of(out)["alice"]
    assert row["total"] == "" and "two submissions for alice" in row["status"]
    assert "alice/" in row["status"] and "alice.zip" in row["status"]
    assert not (out / "alice.json").exists()


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)", "\tcmd", "\rcmd"]
)
def test_csv_cells_cannot_become_formulas(name):
    assert safe_cell(name) == "'" + name
    assert safe_cell(-2.5) == -2.5 and safe_cell("alice") == "alice"


def test_hostile_learner_names_reach_the_gradebook_as_text(grade, tmp_path):
    learners = tmp_path / "class"
    for name in ("=1+2", "@evil", "-rf"):
        (learners / name).mkdir(parents=True)
        shutil.copyfile(SOLUTIONS / "ex01_convolution.py", learners / name / "ex01_convolution.py")
    out = tmp_path / "out"
    grade("batch", learners, "--out", out, "--seed", "3")
    text = (out / "grades.csv").read_text(encoding="utf-8")
    lines = text.splitlines()[1:]
    assert sorted(line.split(",")[0] for line in lines) == ["'-rf", "'=1+2", "'@evil"]


def gradebook(out: Path) -> dict[str, dict]:
    with open(out / "grades.csv", encoding="utf-8", newline="") as stream:
        return {row["learner"]: row for row in csv.DictReader(stream)}


def test_a_hard_link_to_a_solution_earns_nothing_in_a_batch(grade, tmp_path):
    """A batch packs uploads as data; a hard link must not become an ordinary copy on the way."""
    learners = tmp_path / "class"
    (learners / "mallory").mkdir(parents=True)
    (learners / "honest").mkdir()
    linked = tmp_path / "elsewhere.py"  # on the same file system as the class folder
    shutil.copyfile(SOLUTIONS / "ex06_output_size.py", linked)
    os.link(linked, learners / "mallory" / "ex06_output_size.py")
    shutil.copyfile(SOLUTIONS / "ex06_output_size.py", learners / "honest" / "ex06_output_size.py")
    run = grade("batch", learners, "--out", tmp_path / "out", "--workers", "1")
    assert run.exit_code == 1, run.stderr
    rows = gradebook(tmp_path / "out")
    assert rows["mallory"]["ex06"] == "0" and rows["honest"]["ex06"] == "15"
    report = json.loads((tmp_path / "out" / "mallory.json").read_text(encoding="utf-8"))
    ex06 = next(item for item in report["exercises"] if item["id"] == "ex06")
    assert "hard link" in ex06["tests"][0]["feedback"]


def test_names_that_are_not_utf8_are_reported_not_a_crash(grade, tmp_path):
    learners = tmp_path / "class"
    bad = os.fsdecode(bytes(learners) + b"/\xffmallory")
    os.makedirs(bad)
    shutil.copyfile(SOLUTIONS / "ex06_output_size.py", os.path.join(bad, "ex06_output_size.py"))
    (learners / "inside").mkdir()
    shutil.copyfile(SOLUTIONS / "ex06_output_size.py", learners / "inside" / "ex06_output_size.py")
    (learners / "inside" / os.fsdecode(b"notes\xfe.txt")).write_text("x")
    run = grade("batch", learners, "--out", tmp_path / "out", "--workers", "1")
    assert run.exit_code == 1, run.stderr
    rows = gradebook(tmp_path / "out")
    assert "not valid UTF-8" in rows["\\xffmallory"]["status"]
    assert rows["inside"]["ex06"] == "15"


def test_a_zip_whose_index_is_too_big_is_refused_before_it_is_read(grade, tmp_path):
    learners = tmp_path / "class"
    learners.mkdir()
    with zipfile.ZipFile(learners / "bomb.zip", "w") as archive:
        for index in range(600):
            archive.writestr(f"f{index}", b"")
    run = grade("batch", learners, "--out", tmp_path / "out", "--workers", "1")
    assert run.exit_code == 1
    assert "too large" in gradebook(tmp_path / "out")["bomb"]["status"]


def test_one_learners_long_name_costs_no_one_else(grade, tmp_path):
    """Seen: a legal 245-character folder name made the record's temporary file name too long,
    the batch exited 3 and no grades.csv was written for anyone."""
    learners = tmp_path / "class"
    long_name = "k" * 245
    for name in (long_name, "alice"):
        (learners / name).mkdir(parents=True)
        shutil.copyfile(SOLUTIONS / "ex01_convolution.py", learners / name / "ex01_convolution.py")
    out = tmp_path / "out"
    run = grade("batch", learners, "--out", out, "--seed", "3", "--workers", "1")
    assert run.exit_code == 1, run.stdout + run.stderr
    rows = gradebook(out)
    assert rows[long_name]["ex01"] == "10" and rows["alice"]["ex01"] == "10"
    (record,) = [path for path in out.glob("k*.json")]
    assert len(record.name) < 60 and json.loads(record.read_text())["batch"]["learner"] == long_name


def test_a_record_the_system_refuses_is_that_learners_row_and_the_gradebook_is_written(
    grade, tmp_path
):
    learners = tmp_path / "class"
    (learners / "empty").mkdir(parents=True)  # an upload problem: its record goes to problems/
    (learners / "alice").mkdir()
    shutil.copyfile(SOLUTIONS / "ex01_convolution.py", learners / "alice" / "ex01_convolution.py")
    out = tmp_path / "out"
    out.mkdir()
    (out / "problems").write_text("a file where the grader needs a folder")
    run = grade("batch", learners, "--out", out, "--seed", "3", "--workers", "1")
    assert run.exit_code == 3, run.stdout + run.stderr
    rows = gradebook(out)
    assert rows["alice"]["status"] == "graded" and rows["alice"]["ex01"] == "10"
    assert rows["empty"]["status"].startswith("not graded: its record could not be written")


def test_staging_that_fails_is_a_result_never_an_exception(tmp_path):
    from grader.instructor.intake import Packed
    from grader.instructor.tasks import GradingTask, grade_task

    result = grade_task(GradingTask("mallory", Packed((("../escape.py", "file", b"x"),)), 1))
    assert result.exit_code == 3 and result.report is None and "unsafe path" in result.message


def test_names_reach_the_terminal_as_text_never_as_escape_codes(grade, tmp_path):
    """A folder name with escape codes could retitle the window or fake a gradebook line."""
    learners = tmp_path / "class"
    hostile = ["bob\x1b]0;pwned\x07", "carol\n221 of 221", "\u202eecila", "dave\r     "]
    for name in hostile:
        (learners / name).mkdir(parents=True)
        shutil.copyfile(SOLUTIONS / "ex01_convolution.py", learners / name / "ex01_convolution.py")
    run = grade("batch", learners, "--out", tmp_path / "out", "--seed", "3", "--workers", "1")
    assert run.exit_code == 1, run.stderr
    for text in (run.stdout, run.stderr):
        assert not any(char in text for char in "\x1b\x07\r\u202e"), repr(text)
    assert not any(line.startswith("221") for line in run.stdout.splitlines())
    assert "bob\\x1b]0;pwned\\x07" in run.stdout and "carol\\x0a221 of 221" in run.stdout
    assert set(gradebook(tmp_path / "out")) == set(hostile)


def test_names_one_file_system_takes_for_one_learner_are_reported_for_both(grade, tmp_path):
    learners = tmp_path / "class"
    for name in ("Kim", "kim", "lee"):
        (learners / name).mkdir(parents=True)
        shutil.copyfile(SOLUTIONS / "ex01_convolution.py", learners / name / "ex01_convolution.py")
    out = tmp_path / "out"
    run = grade("batch", learners, "--out", out, "--seed", "3", "--workers", "1")
    assert run.exit_code == 1
    rows = gradebook(out)
    assert rows["lee"]["status"] == "graded"
    for name in ("Kim", "kim"):
        assert "differ only in letter case" in rows[name]["status"] and rows[name]["total"] == ""
    assert len(list((out / "problems").glob("*.json"))) == 2


def test_a_second_run_on_an_out_folder_in_use_stops_before_grading(grade, tmp_path):
    """Two `grade batch` (or `grade merge`) runs on one out folder would grade learners twice and
    clear away each other's temporary files: while one holds the folder, the other stops at once
    (exit code 2) and writes nothing; once the first is over, the folder is free again."""
    from grader.instructor.outlock import out_folder_lock

    learners = tmp_path / "class"
    (learners / "alice").mkdir(parents=True)
    shutil.copyfile(SOLUTIONS / "ex06_output_size.py", learners / "alice" / "ex06_output_size.py")
    shard = tmp_path / "shard"
    assert (
        grade("batch", learners, "--out", shard, "--seed", "3").exit_code == 1
    )  # graded: ex06 only
    out = tmp_path / "out"
    with out_folder_lock(out):
        for command in (
            ("batch", learners, "--out", out, "--seed", "3"),
            ("merge", shard, "--out", out),
        ):
            run = grade(*command)
            assert run.exit_code == 2, run.stdout + run.stderr
            assert "another `grade batch` or `grade merge` is writing" in run.stderr
        assert sorted(path.name for path in out.iterdir()) == [".lock"]
    run = grade("merge", shard, "--out", out)
    assert run.exit_code == 1, run.stdout + run.stderr
    assert (out / "grades.csv").is_file()
