"""Adjustments and late work end to end: a small class graded once with a schedule, adjustments
and extensions, then changed files applied by `grade report` and `grade merge` without a
regrade, and `--only` regrading one learner, every replaced record kept in history/."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pytest
import yaml

from grader.instructor import records
from grader.instructor.recordcheck import RecordCheck
from grader.instructor.signature import and_signed
from tests.conftest import course_data, run_grade
from tests.instructor.classes import rows_of, small_class

SEOUL = dt.timezone(dt.timedelta(hours=9))
DUE = dt.datetime(2025, 3, 1, 23, 59, tzinfo=SEOUL)
SCHEDULE = {
    "time_zone": "Asia/Seoul",
    "due": "2025-03-01 23:59",
    "items": {"ex06": "2025-03-10 23:59"},
    "late": {
        "grace_minutes": 15,
        "per": "day",
        "penalty_percent": 10,
        "max_penalty_percent": 50,
        "refuse_after_days": 7,
    },
}
ADJUSTMENTS = (
    "\ufefflearner,item,points,reason,by\r\n"
    "alice,ex04,+2,regrade request: partial credit,TA Lee\r\n"
    "bob,ex01,-3,copied the example,Prof. Park\r\n"
)
EXTENSIONS = "learner,item,due,days\ncarol,*,,12\n"


def _touch(path: Path, when: dt.datetime) -> None:
    for entry in [path, *path.rglob("*")] if path.is_dir() else [path]:
        os.utime(entry, (when.timestamp(), when.timestamp()))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The class graded once: alice 1.5 days late, bob on time, carol 10 days late with 12 more."""
    root = tmp_path_factory.mktemp("late-class")
    folder = small_class(root / "class")
    _touch(folder / "alice", DUE + dt.timedelta(days=1, hours=12))
    _touch(folder / "bob", DUE - dt.timedelta(hours=3))
    _touch(folder / "carol.zip", DUE + dt.timedelta(days=10))
    data = course_data()
    data["schedule"] = SCHEDULE
    course = root / "course.yaml"
    course.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (root / "adjustments.csv").write_text(ADJUSTMENTS, encoding="utf-8", newline="")
    (root / "extensions.csv").write_text(EXTENSIONS, encoding="utf-8")
    run = run_grade(
        "--course", course, "batch", folder, "--out", root / "out",
        "--adjustments", root / "adjustments.csv", "--extensions", root / "extensions.csv",
    )  # fmt: skip
    assert run.exit_code == 1, run.stderr
    return root, run


def _record(out: Path, learner: str) -> dict:
    return json.loads((out / f"{learner}.json").read_text(encoding="utf-8"))


def _copy(root: Path, name: str) -> Path:
    target = root / name
    shutil.copytree(root / "out", target)
    return target


def test_records_hold_the_adjustments_late_work_and_final_grade(graded, catalogue):
    root, run = graded
    alice, bob, carol = (_record(root / "out", name) for name in ("alice", "bob", "carol"))
    assert alice["adjustments"] == [
        {"item": "ex04", "points": 2.0, "reason": "regrade request: partial credit", "by": "TA Lee"}
    ]
    assert alice["late"]["source"] == "upload"
    assert alice["late"]["submitted_at"] == "2025-03-03T11:59:00+09:00"
    ex01 = alice["late"]["items"]["ex01"]
    assert (ex01["late_seconds"], ex01["penalty_points"], ex01["refused"]) == (129_600, 2.0, False)
    assert alice["late"]["items"]["ex06"]["late_seconds"] == 0  # its own due date
    assert alice["final"]["items"]["ex01"] == {
        "graded": 10.0, "late_penalty": 2.0, "adjustment": 0.0, "points": 8.0, "max": 10.0
    }  # fmt: skip
    assert alice["final"]["items"]["ex04"]["adjustment"] == 2.0  # then late like the rest
    assert alice["final"]["items"]["ex04"]["points"] == 0.0
    assert (
        bob["final"]["items"]["ex01"]["points"] == 7.0
        and "late_penalty" in bob["final"]["items"]["ex01"]
    )
    assert bob["late"]["items"]["ex01"]["late_seconds"] == 0
    assert carol["late"]["items"]["ex01"]["extension"] == "2025-03-13T23:59:00+09:00"
    assert carol["final"]["total"] == carol["score"]  # on time with her extension
    for record in (alice, bob, carol):  # the evidence is the graded report, unchanged
        assert record["final"]["total"] == pytest.approx(
            sum(item["points"] for item in record["final"]["items"].values())
        )
        assert record["score"] == sum(item["score"] for item in record["exercises"])
    trusted = records.load_records(root / "out", and_signed(RecordCheck(catalogue)))
    assert sorted(trusted) == ["alice", "bob", "carol"]  # signed and checked when read back
    assert not (root / "out" / records.HISTORY).exists()  # a first run replaces nothing
    assert "(graded 25, adjusted +2, late -4)" in run.stdout  # 15 ex06 on time; ex01 -2, ex04 -2


def test_the_gradebook_shows_the_final_grade_and_how_it_came(graded):
    root, _run = graded
    rows = rows_of(root / "out")
    alice, bob = rows["alice"], rows["bob"]
    assert (alice["total"], alice["graded total"], alice["adjustment"]) == ("23", "25", "2")
    assert (alice["late days"], alice["late penalty"], alice["ex01"]) == ("1.5", "4", "8")
    assert float(bob["total"]) == float(bob["graded total"]) - 3 and bob["ex01"] == "7"
    assert (bob["adjustment"], bob["late days"], bob["late penalty"]) == ("-3", "0", "0")
    with open(root / "out" / "canvas.csv", newline="", encoding="utf-8") as stream:
        canvas = {line[0]: line for line in csv.reader(stream)}
    with open(root / "out" / "canvas-items.csv", newline="", encoding="utf-8") as stream:
        canvas_items = {line[0]: line for line in csv.reader(stream)}
    # the LMS gets the final grade, as a total and item by item
    assert canvas["alice"][-1] == "23" and canvas_items["bob"][5] == "7"


def test_report_applies_changed_files_without_a_regrade_keeping_history(graded, catalogue):
    root, _run = graded
    out = _copy(root, "report-out")
    before = {name: _record(out, name)["batch"]["graded_at"] for name in ("alice", "bob", "carol")}
    changed = root / "adjustments-2.csv"
    changed.write_text("learner,item,points,reason,by\nbob,ex01,-1,copied less,Prof. Park\n")
    empty = root / "no-extensions.csv"
    empty.write_text("learner,item,due,days\n")
    run = run_grade(
        "--course", root / "course.yaml", "report", out,
        "--adjustments", changed, "--extensions", empty,
    )  # fmt: skip
    assert run.exit_code == 0, run.stderr
    assert "records updated: 3" in run.stderr
    bob, carol, alice = (_record(out, name) for name in ("bob", "carol", "alice"))
    assert bob["final"]["items"]["ex01"]["points"] == 9.0
    assert "adjustments" not in alice  # the file is the whole list
    assert carol["late"]["items"]["ex01"]["refused"] and carol["final"]["total"] == 0
    assert {name: _record(out, name)["batch"]["graded_at"] for name in before} == before
    history = sorted(path.name.split(".")[0] for path in (out / records.HISTORY).iterdir())
    assert history == ["alice", "bob", "carol"]
    assert rows_of(out)["carol"]["total"] == "0"
    kept = records.load_records(out, and_signed(RecordCheck(catalogue)))
    assert set(kept) == {"alice", "bob", "carol"}


def test_merge_applies_the_files_given_and_keeps_them_otherwise(graded):
    root, _run = graded
    merged = root / "merged"
    assert (
        run_grade(
            "--course", root / "course.yaml", "merge", root / "out", "--out", merged
        ).exit_code
        == 1
    )
    assert _record(merged, "bob")["adjustments"][0]["points"] == -3.0  # kept from the shard
    changed = root / "adjustments-merge.csv"
    changed.write_text("learner,item,points,reason,by\nalice,ex01,-10,plagiarism,Prof. Park\n")
    run = run_grade(
        "--course", root / "course.yaml", "merge", root / "out", "--out", merged,
        "--adjustments", changed,
    )  # fmt: skip
    assert run.exit_code == 1, run.stderr
    assert _record(merged, "alice")["final"]["items"]["ex01"]["points"] == 0.0
    assert "adjustments" not in _record(merged, "bob")
    assert rows_of(merged)["alice"]["ex01"] == "0"


def test_a_file_naming_an_unknown_learner_changes_nothing(graded):
    root, _run = graded
    out = _copy(root, "unknown-out")
    before = {path.name: path.read_bytes() for path in out.iterdir() if path.is_file()}
    stranger = root / "stranger.csv"
    stranger.write_text("learner,item,points,reason,by\nalice,ex01,1,ok,TA\nzed,ex01,1,typo,TA\n")
    for command in (["report", out], ["merge", root / "out", "--out", out]):
        run = run_grade("--course", root / "course.yaml", *command, "--adjustments", stranger)
        assert run.exit_code == 2
        assert "stranger.csv, line 3, column learner: zed is not a learner" in run.stderr
    after = {path.name: path.read_bytes() for path in out.iterdir() if path.is_file()}
    assert after == before and not (out / records.HISTORY).exists()


@pytest.mark.slow
def test_only_regrades_one_learner_who_keeps_adjustments_and_history(graded):
    root, _run = graded
    out = _copy(root, "only-out")
    earlier = _record(out, "bob")
    run = run_grade(
        "--course", root / "course.yaml", "batch", root / "class", "--out", out, "--only", "bob"
    )
    assert run.exit_code == 1, run.stderr
    bob = _record(out, "bob")
    assert bob["batch"]["seed"] != earlier["batch"]["seed"]  # graded again
    assert bob["adjustments"] == earlier["adjustments"]  # no file given: the record's own kept
    assert bob["late"] == earlier["late"]
    history = list((out / records.HISTORY).iterdir())
    assert [path.name.split(".")[0] for path in history] == ["bob"]
    assert json.loads(history[0].read_text(encoding="utf-8")) == earlier


def test_an_adjustment_for_a_learner_not_graded_is_said_not_applied(tmp_path):
    from tests.conftest import SOLUTIONS
    from tests.instructor.classes import learner

    learner(tmp_path / "class" / "alice", ex06=SOLUTIONS)
    (tmp_path / "class" / "dave").mkdir()  # an empty upload: a problem record, not graded
    adjustments = tmp_path / "adjustments.csv"
    adjustments.write_text(
        "learner,item,points,reason,by\ndave,ex06,2,regrade request,TA Lee\n", encoding="utf-8"
    )
    run = run_grade(
        "batch", tmp_path / "class", "--out", tmp_path / "out", "--adjustments", adjustments
    )
    assert run.exit_code == 1, run.stderr
    assert "adjustments not applied: no graded record for dave" in run.stderr
    assert (
        "adjustments not applied"
        not in run_grade("batch", tmp_path / "class", "--out", tmp_path / "again").stderr
    )  # without the file, nothing to say
