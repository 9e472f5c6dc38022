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
    after = {
        name: next(s.index for s in shards if in_shard(name, s)) for name in NAMES
    }  # 100 more joined
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
    roster.write_text(
        "folder,id,name,email\nalice,1,Alice,a@x\nfrank,6,Frank,f@x\n", encoding="utf-8"
    )
    whole = tmp_path / "whole"
    grade("batch", learners, "--out", whole, "--seed", "9", "--roster", roster)
    shards = []
    for index in (1, 2, 3):
        shards.append(tmp_path / f"shard{index}")
        run = grade(
            "batch",
            learners,
            "--out",
            shards[-1],
            "--seed",
            "9",
            "--shard",
            f"{index}/3",
            "--roster",
            roster,
        )
        assert run.exit_code in (0, 1), run.stderr
    graded = [set(rows_of(out)) - {"frank"} for out in shards]
    assert sum(len(names) for names in graded) == 5 and set().union(*graded) == set(
        rows_of(whole)
    ) - {"frank"}
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
            report["batch"].pop("signature", None)  # signs graded_at too
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


@pytest.fixture(scope="module")
def graded_shards(tmp_path_factory):
    """Two shards of the small class (bob and carol fall in different ones), graded once."""
    from tests.conftest import run_grade

    root = tmp_path_factory.mktemp("shards")
    learners = small_class(root / "class")
    (learners / "empty").mkdir()
    outputs = []
    for index in (1, 2):
        outputs.append(root / f"shard{index}")
        run = run_grade("batch", learners, "--out", outputs[-1], "--shard", f"{index}/2")
        assert run.exit_code == 1, run.stderr
    return outputs


def shard_copies(graded_shards, tmp_path):
    import shutil

    copies = [tmp_path / source.name for source in graded_shards]
    for source, copy in zip(graded_shards, copies):
        shutil.copytree(source, copy, symlinks=True)
    return copies


def record_of(shards, name):
    return next(path for shard in shards for path in [shard / f"{name}.json"] if path.exists())


def tamper_link_in_history(shards):
    key = SOLUTIONS / "answers" / "q01.yaml"
    (shards[0] / "history").mkdir(exist_ok=True)
    (shards[0] / "history" / "alice.20250101T000000Z.abcdef.json").symlink_to(key)


def tamper_score(shards):
    path = record_of(shards, "bob")
    data = json.loads(path.read_text())
    item = next(item for item in data["exercises"] if item["id"] == "ex01")
    gain = 1000 - item["score"]
    item["score"], item["max_score"] = 1000, 10
    item["tests"][0]["score"] += gain
    data["score"] += gain
    path.write_text(json.dumps(data))


def tamper_never_submitted(shards):
    data = json.loads(record_of(shards, "bob").read_text())
    data["batch"]["learner"] = "mallory"
    for item in data["exercises"]:
        item["score"] = item["max_score"]
        for test in item["tests"]:
            test["score"] = test["max_score"]
    data["score"] = data["max_score"]
    (shards[0] / "mallory.json").write_text(json.dumps(data))


def tamper_graded_at(shards):
    path = record_of(shards, "alice")
    data = json.loads(path.read_text())
    data["batch"]["graded_at"] = 12345
    path.write_text(json.dumps(data))


def tamper_course_version(shards):
    path = record_of(shards, "carol")
    data = json.loads(path.read_text())
    data["batch"]["course_version"] = "sha256:" + "0" * 20
    path.write_text(json.dumps(data))


def tamper_other_upload(shards):
    path = record_of(shards, "carol")
    data = json.loads(path.read_text())
    data["batch"]["submission_hash"] = "sha256:" + "0" * 64
    path.write_text(json.dumps(data))


def tamper_intake(shards):
    (shards[1] / "intake.json").write_text('{"learners": []}')


def tamper_link_as_shard(shards):
    shards[1].rename(shards[1].with_name("real"))
    shards[1].symlink_to(shards[1].with_name("real"), target_is_directory=True)


@pytest.mark.parametrize(
    "tamper",
    [
        tamper_link_in_history,
        tamper_score,
        tamper_never_submitted,
        tamper_graded_at,
        tamper_course_version,
        tamper_other_upload,
        tamper_intake,
        tamper_link_as_shard,
    ],
    ids=lambda function: function.__name__[len("tamper_") :],
)
def test_a_tampered_shard_is_refused_and_nothing_is_written(grade, graded_shards, tmp_path, tamper):
    """Seen: merge followed a link in stale/ (copying the quiz key out), took ex01 at 1000/10 and a
    learner who never submitted at 221/221, and exited 3 on `"graded_at": 12345`."""
    shards = shard_copies(graded_shards, tmp_path)
    tamper(shards)
    merged = tmp_path / "merged"
    run = grade("merge", *shards, "--out", merged)
    assert run.exit_code == 2, run.stdout + run.stderr
    assert len(run.stderr.strip().splitlines()) == 1 and str(tmp_path) in run.stderr
    assert not merged.exists()


def test_an_untampered_pair_of_shards_merges(grade, graded_shards, tmp_path):
    shards = shard_copies(graded_shards, tmp_path)
    merged = tmp_path / "merged"
    run = grade("merge", *shards, "--out", merged)
    assert run.exit_code == 1, run.stderr
    assert set(rows_of(merged)) == {"alice", "bob", "carol", "empty"}
    again = grade(
        "merge", merged, shards[0], "--out", tmp_path / "twice"
    )  # a merged output merges again
    assert again.exit_code == 1, again.stderr
    assert (tmp_path / "twice" / "grades.csv").read_text() == (merged / "grades.csv").read_text()
