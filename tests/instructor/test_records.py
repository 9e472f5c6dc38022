"""The out folder's records: file names any name fits in, history kept, records read back as input."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from grader.instructor import records
from grader.instructor.recordcheck import RecordCheck

NAMES = [
    "alice",
    "Alice",
    "a" * 245,
    "x" * 4000,
    "김민수",
    "=1+2",
    "bob\n221",
    "\x1b]0;pwned\x07",
    "kim~0123",
    "..",
    "a b",
    "ALICE",
]


def report(score: float = 10.0) -> dict:
    """A minimal report for ex01 alone, its tests adding up."""
    return {
        "score": score,
        "max_score": 10.0,
        "seed": 5,
        "exercises": [
            {
                "id": "ex01",
                "title": "Convolution",
                "kind": "exercise",
                "score": score,
                "max_score": 10.0,
                "status": "passed" if score == 10 else "partial" if score else "error",
                "tests": [
                    {
                        "name": "one",
                        "status": "passed",
                        "score": score,
                        "max_score": 10.0,
                        "visibility": "public",
                        "feedback": "",
                    }
                ],
            }
        ],
    }


def meta(learner: str = "alice", **changes) -> dict:
    return {**records.batch_meta(learner, "sha256:" + "0" * 64, 5, True), **changes}


@pytest.fixture(scope="module")
def check(catalogue) -> RecordCheck:
    return RecordCheck(catalogue)


def test_every_name_gets_a_file_name_the_system_takes_and_no_two_share_one(tmp_path):
    stems = [records.record_stem(name) for name in NAMES]
    assert len({stem.casefold() for stem in stems}) == len(
        NAMES
    )  # distinct on a case-insensitive disk too
    history_name = "{}.20250101T000000Z.abcdef.json"
    assert all(
        len(history_name.format(stem).encode()) <= 255
        and "/" not in stem
        and not stem.startswith(".")
        for stem in stems
    )
    assert records.record_stem("alice") == "alice"
    for name in NAMES:
        records.save_report(tmp_path, report(), meta(name))
    assert set(records.load_records(tmp_path)) == set(NAMES)


def test_a_replaced_record_goes_to_history_with_who_when_and_how(tmp_path):
    records.save_report(tmp_path, report(4), meta(seed=5))
    records.save_problem(tmp_path, "unreadable upload: x", meta(submission_hash=""))
    records.save_report(tmp_path, report(10), meta(seed=6))
    kept = sorted((tmp_path / records.HISTORY).glob("alice.*.json"))
    assert len(kept) == 2
    first = (
        json.loads(kept[0].read_text())
        if "exercises" in kept[0].read_text()
        else json.loads(kept[1].read_text())
    )
    assert first["score"] == 4 and first["batch"]["seed"] == 5
    assert set(first["batch"]["graded_by"]) == {"user", "host"} and first["batch"][
        "graded_at"
    ].endswith("Z")
    assert first["batch"]["grader_version"] == records.grader_version()
    assert records.load_records(tmp_path)["alice"].report["score"] == 10
    assert not (tmp_path / records.PROBLEMS / "alice.json").exists()


def test_temporary_files_have_short_names_and_never_survive_a_failed_write(tmp_path, monkeypatch):
    target = tmp_path / (records.record_stem("a" * 245) + ".json")
    seen = []
    real_replace = os.replace

    def refuse(source, destination):
        seen.append(Path(source).name)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(records.os, "replace", refuse)
    with pytest.raises(OSError):
        records.write_atomic(target, "{}")
    monkeypatch.setattr(records.os, "replace", real_replace)
    assert len(seen[0]) < 30 and seen[0].startswith(records.TEMPORARY_PREFIX)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "tamper",
    [
        "graded_at_number",
        "score_over_max",
        "unknown_item",
        "tests_do_not_add_up",
        "nan",
        "huge_number",
        "not_json",
        "a_list",
        "other_learners_name",
        "seed_not_the_records",
        "max_not_the_courses",
        "link",
        "fifo",
    ],
)
def test_a_record_that_cannot_be_trusted_is_not_read(tmp_path, check, tamper):
    records.save_report(tmp_path, report(), meta())
    path = tmp_path / "alice.json"
    data = json.loads(path.read_text())
    item = data["exercises"][0]
    text = None
    if tamper == "graded_at_number":
        data["batch"]["graded_at"] = 12345
    elif tamper == "score_over_max":
        item["score"], item["tests"][0]["score"], data["score"] = 1000, 1000, 1000
    elif tamper == "unknown_item":
        item["id"] = "ex99"
    elif tamper == "tests_do_not_add_up":
        item["tests"][0]["score"] = 1
    elif tamper == "nan":
        text = path.read_text().replace('"score": 10.0', '"score": NaN', 1)
    elif tamper == "huge_number":
        text = path.read_text().replace('"score": 10.0', '"score": 1e400', 1)
    elif tamper == "not_json":
        text = path.read_text()[:-20]
    elif tamper == "a_list":
        text = "[]"
    elif tamper == "other_learners_name":
        data["batch"]["learner"] = "bob"
    elif tamper == "seed_not_the_records":
        data["seed"] = 6
    elif tamper == "max_not_the_courses":
        for holder in (item, item["tests"][0], data):
            holder["max_score"] = 1000
    if tamper == "link":
        path.rename(tmp_path / "elsewhere.json")
        path.symlink_to(tmp_path / "elsewhere.json")
    elif tamper == "fifo":
        path.unlink()
        os.mkfifo(path)
    else:
        path.write_text(text if text is not None else json.dumps(data))
    scan = records.scan_records(tmp_path, check)
    assert "alice" not in scan.records and "alice.json" in scan.invalid
    assert records.load_records(tmp_path, check) == {}


def test_an_untampered_record_passes_the_check(tmp_path, check):
    records.save_report(tmp_path, report(), meta())
    records.save_problem(
        tmp_path,
        "not graded: the grader could not check 1 test",
        meta("bob"),
        {**report(0), "unchecked": ["ex01: one"]},
    )
    scan = records.scan_records(tmp_path, check)
    assert scan.invalid == {} and set(scan.records) == {"alice", "bob"}
    assert scan.records["bob"].partial["unchecked"] == ["ex01: one"]


def test_a_record_is_current_only_for_the_same_files_course_grader_and_given_seed(tmp_path):
    records.save_report(tmp_path, report(), meta())
    record = records.load_records(tmp_path)["alice"]
    files = record.meta["submission_hash"]
    assert records.is_current(record, files, None) and records.is_current(record, files, 5)
    assert not records.is_current(record, files, 6)
    assert not records.is_current(record, "sha256:" + "1" * 64, None)
    older = records.Record(
        "alice", "graded", record.report, {**record.meta, "grader_version": "0.1.0"}
    )
    assert not records.is_current(older, files, None)
    other_course = records.Record(
        "alice", "graded", record.report, {**record.meta, "course_version": "sha256:x"}
    )
    assert not records.is_current(other_course, files, None)


def test_a_killed_writers_temporary_files_are_removed(tmp_path):
    (tmp_path / records.PROBLEMS).mkdir()
    for where in (tmp_path, tmp_path / records.PROBLEMS):
        (where / (records.TEMPORARY_PREFIX + "abc123")).write_text('{"half')
    records.save_report(tmp_path, report(), meta())
    records.remove_temporaries(tmp_path)
    assert sorted(path.name for path in tmp_path.rglob("*")) == ["alice.json", records.PROBLEMS]
