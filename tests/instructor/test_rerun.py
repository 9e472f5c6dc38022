"""`grade batch` reruns: unchanged learners are skipped, changed ones regraded, problems kept apart."""

from __future__ import annotations

import json
import shutil

import pytest

from grader.instructor.records import course_version
from tests.conftest import SOLUTIONS, run_grade
from tests.instructor.classes import learner, rows_of, small_class, zipped


def graded_at(out, name):
    return json.loads((out / f"{name}.json").read_text())["batch"]["graded_at"]


@pytest.fixture(scope="module")
def batch_graded_once(tmp_path_factory):
    """The small class graded once with `grade batch --seed 11`: its folder and out folder."""
    root = tmp_path_factory.mktemp("graded")
    learners = small_class(root / "class")
    run = run_grade("batch", learners, "--out", root / "out", "--seed", "11")
    assert run.exit_code == 1, run.stdout + run.stderr
    return root


@pytest.fixture
def graded_class(batch_graded_once, tmp_path):
    """(learners, out): this test's own copy of the class and of its first batch's out folder,
    for the test to change and rerun."""
    for name in ("class", "out"):
        shutil.copytree(batch_graded_once / name, tmp_path / name, symlinks=True)
    return tmp_path / "class", tmp_path / "out"


def test_a_report_says_what_was_graded_and_how(graded_class):
    _learners, out = graded_class
    meta = json.loads((out / "alice.json").read_text())["batch"]
    assert meta["learner"] == "alice" and meta["seed"] == 11
    assert (
        meta["submission_hash"].startswith("sha256:") and meta["course_version"] == course_version()
    )
    assert meta["grader_version"] and meta["graded_at"].endswith("Z")
    assert not list(out.glob(".*.tmp")), "a temporary file was left behind"


def test_a_rerun_skips_unchanged_learners_and_regrades_a_late_upload(grade, graded_class):
    learners, out = graded_class
    before = {name: graded_at(out, name) for name in ("alice", "bob", "carol")}
    shutil.copyfile(
        SOLUTIONS / "ex04_stride.py", learners / "bob" / "ex04_stride.py"
    )  # bob fixes ex04
    learner(learners / "dave", ex06=SOLUTIONS)  # a late upload
    run = grade("batch", learners, "--out", out)  # no --seed: whoever is graded gets a fresh seed
    assert "2 unchanged since their report" in run.stdout, run.stdout
    assert "bob" in run.stdout and "dave" in run.stdout and "alice " not in run.stdout
    assert graded_at(out, "alice") == before["alice"] and graded_at(out, "carol") == before["carol"]
    rows = rows_of(out)
    assert set(rows) == {"alice", "bob", "carol", "dave"}
    assert float(rows["bob"]["ex04"]) == 20 and float(rows["dave"]["ex06"]) == 15
    dave = json.loads((out / "dave.json").read_text())
    assert dave["batch"]["seed_given"] is False and dave["seed"] == dave["batch"]["seed"]


def test_only_and_force_regrade_and_keep_what_they_replace(grade, graded_class):
    learners, out = graded_class
    run = grade("batch", learners, "--out", out, "--only", "alice")
    assert run.stdout.startswith("alice") and "bob" not in run.stdout
    run = grade("batch", learners, "--out", out, "--force")
    assert "unchanged" not in run.stdout and all(
        name in run.stdout for name in ("alice", "bob", "carol")
    )
    history = sorted(path.name.split(".")[0] for path in (out / "history").glob("*.json"))
    assert history == ["alice", "alice", "bob", "carol"]
    run = grade("batch", learners, "--out", out, "--only", "nobody")
    assert run.exit_code == 2 and "nobody" in run.stderr


def test_a_changed_seed_regrades_everyone(grade, graded_class):
    learners, out = graded_class
    run = grade("batch", learners, "--out", out, "--seed", "12")
    assert "unchanged" not in run.stdout
    assert json.loads((out / "bob.json").read_text())["batch"]["seed"] == 12


def test_an_upload_that_became_unreadable_moves_its_report_aside(grade, graded_class):
    learners, out = graded_class
    (learners / "carol.zip").write_bytes(b"PK\x03\x04 this is not a whole zip")
    run = grade("batch", learners, "--out", out)
    assert run.exit_code == 1
    row = rows_of(out)["carol"]
    assert (
        row["status"].startswith("unreadable upload: ") and row["total"] == "" and row["ex01"] == ""
    )
    assert not (out / "carol.json").exists()
    (kept,) = (out / "history").glob("carol.*.json")
    assert json.loads(kept.read_text())["score"] == 10
    zipped(learners / "carol.zip", {"ex01_convolution.py": SOLUTIONS / "ex01_convolution.py"})
    grade("batch", learners, "--out", out)
    row = rows_of(out)["carol"]
    assert row["status"] == "graded" and float(row["ex01"]) == 10
    assert not (out / "problems" / "carol.json").exists()


def test_grades_csv_is_rebuilt_from_the_records_in_the_out_folder(grade, graded_class):
    learners, out = graded_class
    (out / "grades.csv").write_text("learner,total\nmallory,1000\n")
    (out / "bob.json").unlink()  # an instructor removes a record by hand
    grade("batch", learners, "--out", out, "--only", "alice")
    assert set(rows_of(out)) == {"alice", "carol"}


def test_uploads_with_nothing_to_grade_say_why(grade, tmp_path):
    learners = tmp_path / "class"
    learner(learners / "alice", ex01=SOLUTIONS)
    (learners / "empty").mkdir()
    learner(learners / "notes", ex01=SOLUTIONS).joinpath("ex01_convolution.py").rename(
        learners / "notes" / "readme.txt"
    )
    zipped(
        learners / "twofolders.zip",
        {
            "a/ex01_convolution.py": SOLUTIONS / "ex01_convolution.py",
            "b/ex01_convolution.py": SOLUTIONS / "ex01_convolution.py",
        },
    )
    out = tmp_path / "out"
    grade("batch", learners, "--out", out, "--seed", "1")
    rows = rows_of(out)
    assert rows["alice"]["status"] == "graded"
    assert rows["empty"]["status"].startswith("empty upload")
    assert (
        rows["notes"]["status"].startswith("no exercise files")
        and "readme.txt" in rows["notes"]["status"]
    )
    assert "2 top-level folders (a/, b/)" in rows["twofolders"]["status"]
    assert all(rows[name]["total"] == "" for name in ("empty", "notes", "twofolders"))


def test_a_shard_needs_no_seed_and_checks_its_spelling(grade, tmp_path):
    learners = small_class(tmp_path / "class")
    run = grade("batch", learners, "--out", tmp_path / "out", "--shard", "1/2")
    assert run.exit_code == 1, run.stderr
    run = grade("batch", learners, "--out", tmp_path / "out", "--shard", "3/2", "--seed", "1")
    assert run.exit_code == 2 and "K/N" in run.stderr


@pytest.mark.slow
def test_without_a_seed_each_learner_gets_a_fresh_secret_one(grade, tmp_path):
    learners = small_class(tmp_path / "class")
    out = tmp_path / "out"
    run = grade("batch", learners, "--out", out)
    assert run.exit_code == 1 and "a fresh seed for each learner" in run.stdout
    seeds = {}
    for name in ("alice", "bob", "carol"):
        record = json.loads((out / f"{name}.json").read_text())
        assert record["seed"] == record["batch"]["seed"] and record["batch"]["seed_given"] is False
        seeds[name] = record["seed"]
        assert str(record["seed"]) not in run.stdout + run.stderr  # instructor-side only
    assert len(set(seeds.values())) == 3
    assert "3 unchanged since their report" in grade("batch", learners, "--out", out).stdout
    rerun = grade("batch", learners, "--out", out, "--seed", "8")  # a replay: everyone with 8
    assert "unchanged" not in rerun.stdout
    assert {json.loads((out / f"{name}.json").read_text())["seed"] for name in seeds} == {8}
    assert "3 unchanged" in grade("batch", learners, "--out", out, "--seed", "8").stdout
    assert "3 unchanged" in grade("batch", learners, "--out", out).stdout


@pytest.mark.slow
def test_a_record_of_another_grader_version_is_regraded_and_kept_in_history(grade, graded_class):
    """Seen: reruns kept records made by an older grader ("unchanged, not regraded")."""
    learners, out = graded_class
    record = json.loads((out / "bob.json").read_text())
    record["batch"]["grader_version"] = "0.1.0"
    (out / "bob.json").write_text(json.dumps(record))
    run = grade("batch", learners, "--out", out, "--seed", "11")
    assert "2 unchanged" in run.stdout and run.stdout.startswith("bob"), run.stdout
    (kept,) = (out / "history").glob("bob.*.json")
    old = json.loads(kept.read_text())["batch"]
    assert (
        old["grader_version"] == "0.1.0"
        and old["seed"] == 11
        and old["submission_hash"].startswith("sha256:")
    )
    assert set(old["graded_by"]) == {"user", "host"}
    assert json.loads((out / "bob.json").read_text())["batch"]["grader_version"] != "0.1.0"


def test_a_tampered_record_is_not_trusted_and_its_learner_is_regraded(grade, graded_class):
    learners, out = graded_class
    record = json.loads((out / "bob.json").read_text())
    record["score"] = record["max_score"]  # full marks, by hand
    (out / "bob.json").write_text(json.dumps(record))
    run = grade("batch", learners, "--out", out, "--seed", "11")
    assert "records not trusted (1)" in run.stderr and "bob.json" in run.stderr
    assert run.stdout.startswith("bob") and "2 unchanged" in run.stdout
    assert float(rows_of(out)["bob"]["total"]) < float(rows_of(out)["bob"]["max"])
