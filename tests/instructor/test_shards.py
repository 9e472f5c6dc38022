"""`--shard K/N` splits a class deterministically; `grade merge` of the shards equals one run."""

from __future__ import annotations

import json

import pytest

from grader.instructor.shards import Shard, in_shard, parse_shard
from tests.conftest import SOLUTIONS
from tests.instructor.classes import FLIPPED_KERNEL, learner, rows_of, small_class

NAMES = [f"learner{number:03d}" for number in range(200)]


def test_every_learner_is_in_exactly_one_shard():
    for count in (1, 2, 3, 7):
        for name in NAMES[:50]:
            assert sum(in_shard(name, Shard(index, count)) for index in range(1, count + 1)) == 1


def test_shards_are_balanced_and_stable_under_added_learners():
    shards = [Shard(index, 4) for index in range(1, 5)]
    sizes = [sum(in_shard(name, shard) for name in NAMES) for shard in shards]
    assert min(sizes) > 30, sizes
    before = {name: next(s.index for s in shards if in_shard(name, s)) for name in NAMES[:100]}
    after = {name: next(s.index for s in shards if in_shard(name, s)) for name in NAMES}  # 100 more joined
    assert all(after[name] == before[name] for name in before)


@pytest.mark.parametrize("text", ["0/2", "3/2", "1", "a/b", "1/0", ""])
def test_a_bad_shard_is_an_input_error(text):
    with pytest.raises(Exception, match="K/N"):
        parse_shard(text)
    assert parse_shard(" 2 / 3 ") == Shard(2, 3)


def test_merged_shards_equal_one_unsharded_run(grade, tmp_path):
    learners = small_class(tmp_path / "class")
    learner(learners / "dave", ex04=FLIPPED_KERNEL, ex06=SOLUTIONS)
    (learners / "erin").mkdir()  # an empty folder: a problem row in both gradebooks
    roster = tmp_path / "roster.csv"
    roster.write_text("folder,id,name,email\nalice,1,Alice,a@x\nfrank,6,Frank,f@x\n", encoding="utf-8")
    whole = tmp_path / "whole"
    grade("batch", learners, "--out", whole, "--seed", "9", "--roster", roster)
    shards = []
    for index in (1, 2, 3):
        shards.append(tmp_path / f"shard{index}")
        run = grade("batch", learners, "--out", shards[-1], "--seed", "9", "--shard", f"{index}/3",
                    "--roster", roster)
        assert run.exit_code in (0, 1), run.stderr
    graded = [set(rows_of(out)) - {"frank"} for out in shards]
    assert sum(len(names) for names in graded) == 5 and set().union(*graded) == set(rows_of(whole)) - {"frank"}
    merged = tmp_path / "merged"
    run = grade("merge", *shards, "--out", merged)
    assert run.exit_code == 1 and "3 outputs merged: 6 learners" in run.stdout
    for name in ("grades.csv", "canvas.csv", "moodle.csv"):
        assert (merged / name).read_text() == (whole / name).read_text(), name
    assert rows_of(merged)["frank"]["status"] == "not submitted"
    for name in ("alice", "bob", "carol", "dave"):
        merged_report = json.loads((merged / f"{name}.json").read_text())
        whole_report = json.loads((whole / f"{name}.json").read_text())
        for report in (merged_report, whole_report):
            report.pop("execution_time")
            report["batch"].pop("graded_at")
            for item in report["exercises"]:
                for test in item["tests"]:
                    test.pop("duration", None)
        assert merged_report == whole_report, name


def test_merge_warns_about_shards_with_different_seeds(grade, tmp_path):
    learners = small_class(tmp_path / "class")
    grade("batch", learners, "--out", tmp_path / "a", "--seed", "1", "--shard", "1/2")
    grade("batch", learners, "--out", tmp_path / "b", "--seed", "2", "--shard", "2/2")
    run = grade("merge", tmp_path / "a", tmp_path / "b", "--out", tmp_path / "merged")
    assert "different seeds (1, 2)" in run.stderr
