"""Attacks through the files `grade batch` writes and reads back: records, shard outputs, the
roster. Whoever can write to an out folder (a helper, a CI artefact, another machine's shard)
must not be able to stop the grader (exit 3), hide a learner or reach the instructor's terminal."""

from __future__ import annotations

import csv
import json

import pytest

from grader.course.catalogue import load_catalogue
from grader.instructor import records
from grader.instructor.recordcheck import RecordCheck
from tests.instructor.test_records import meta, report

CONTROL = "\x1b]0;owned\x07\x1b[2J\u202e\u200b"


def failed_report() -> dict:
    data = report(0.0)
    data["exercises"][0]["status"] = "failed"
    data["exercises"][0]["tests"][0]["status"] = "failed"
    return data


def test_the_class_report_shows_record_text_escaped(grade, tmp_path):
    """A record's test names and feedback reach `grade report`'s lines: escape codes, bidi
    overrides and newlines in them are shown as escapes, never obeyed or turned into lines."""
    data = failed_report()
    test = data["exercises"][0]["tests"][0]
    test["name"] = f"one{CONTROL}\nbob        221 / 221"
    test["feedback"] = f"conv2d((2, 2)): your output {CONTROL} matches a flipped kernel"
    records.save_report(tmp_path, data, meta())
    run = grade("report", tmp_path)
    assert run.exit_code == 0, run.stderr
    assert not any(char in run.stdout for char in "\x1b\x07\u202e\u200b"), run.stdout
    assert not any(line.startswith("bob") for line in run.stdout.splitlines())
    assert "\\x1b]0;owned" in run.stdout and "\\u202e" in run.stdout


def nested_record(depth: int) -> str:
    """A graded record whose one feedback is a list nested `depth` deep."""
    text = json.dumps({**report(), "batch": meta()})
    return text.replace('"feedback": ""', '"feedback": ' + "[" * depth + "]" * depth, 1)


def test_records_nested_to_any_depth_are_refused_never_a_crash(grade, tmp_path):
    """Seen: a record nested just under Python's recursion limit was parsed, then made the schema
    check's repr overflow: `grade batch`, `merge` and `report` exited 3 on a rerun, no gradebook."""
    import sys

    limit = sys.getrecursionlimit()
    for depth in [30, *range(limit - 120, limit + 20, 4)]:
        out = tmp_path / f"depth{depth}"
        out.mkdir()
        (out / "alice.json").write_text(nested_record(depth), encoding="utf-8")
        records.write_intake(out, {"alice": meta()["submission_hash"]}, None)
        scan = records.scan_records(out, RecordCheck(load_catalogue()))
        assert "alice.json" in scan.invalid, depth
        for command in (["report", out], ["merge", out, "--out", tmp_path / f"merged{depth}"]):
            run = grade(*command)
            assert run.exit_code == 2, (depth, command[0], run.stderr)
            assert "internal error" not in run.stderr


def test_a_shard_number_too_long_to_read_is_an_input_error(grade, tmp_path):
    """Seen: `--shard 1/<5,000 digits>`, or such a shard in intake.json, made the grader exit 3
    (Python's limit on digits in int())."""
    huge = "1/" + "9" * 5000
    out = tmp_path / "shard"
    out.mkdir()
    records.write_intake(out, {}, huge)
    run = grade("merge", out, "--out", tmp_path / "merged")
    assert run.exit_code == 2 and "internal error" not in run.stderr, run.stderr
    assert not (tmp_path / "merged").exists()
    (tmp_path / "class" / "alice").mkdir(parents=True)
    run = grade("batch", tmp_path / "class", "--out", tmp_path / "out", "--shard", huge)
    assert run.exit_code == 2 and "internal error" not in run.stderr, run.stderr


def test_a_roster_the_csv_reader_refuses_is_an_input_error(grade, tmp_path):
    """Seen: a roster cell over the csv module's field limit made `grade batch` exit 3 before
    grading anyone; a roster is the instructor's input: a one-line error and exit code 2."""
    (tmp_path / "class" / "alice").mkdir(parents=True)
    roster = tmp_path / "roster.csv"
    roster.write_text("folder,name\nalice," + "x" * 200_000 + "\n", encoding="utf-8")
    run = grade("batch", tmp_path / "class", "--out", tmp_path / "out", "--roster", roster)
    assert run.exit_code == 2 and "internal error" not in run.stderr, run.stderr
    assert str(roster) in run.stderr and len(run.stderr.strip().splitlines()) == 1


def test_a_record_refused_when_read_back_still_leaves_its_learner_a_row(
    grade, tmp_path, monkeypatch
):
    """Whatever makes a record this batch wrote fail its checks when the gradebook reads it (a
    status or seed it could not hold were two such things), its learner keeps a row that says
    so, and the batch exits 3, never a gradebook that silently lacks them."""
    import grader.instructor.classroom as classroom
    from tests.conftest import SOLUTIONS

    class RefusesBob(RecordCheck):
        def __call__(self, data: dict) -> str:
            return (
                "refused for the test"
                if data["batch"]["learner"] == "bob"
                else super().__call__(data)
            )

    monkeypatch.setattr(classroom, "RecordCheck", RefusesBob)
    for name in ("alice", "bob"):
        (tmp_path / "class" / name).mkdir(parents=True)
        (tmp_path / "class" / name / "ex06_output_size.py").write_bytes(
            (SOLUTIONS / "ex06_output_size.py").read_bytes()
        )
    run = grade("batch", tmp_path / "class", "--out", tmp_path / "out", "--seed", "1")
    assert run.exit_code == 3, run.stdout + run.stderr
    with open(tmp_path / "out" / "grades.csv", encoding="utf-8", newline="") as stream:
        rows = {row["learner"]: row for row in csv.DictReader(stream)}
    assert rows["alice"]["ex06"] == "15"
    assert rows["bob"]["status"].startswith("not graded") and rows["bob"]["total"] == ""
    assert any(line.startswith("bob ") and "not graded" in line for line in run.stdout.splitlines())


def test_a_score_raised_without_its_status_is_not_trusted(grade, tmp_path):
    """A record whose scores were raised consistently (test, item and total) but whose statuses
    still say what the grader found (partial, failed, not attempted) is tampered: its learner is
    graded again on a rerun, and `grade merge` refuses the shard."""
    check = RecordCheck(load_catalogue())
    for status, test_status in (
        ("partial", "failed"),
        ("failed", "failed"),
        ("not_attempted", "error"),
    ):
        data = {**report(10.0), "batch": meta()}
        data["exercises"][0]["status"], data["exercises"][0]["tests"][0]["status"] = (
            status,
            test_status,
        )
        assert "status" in check(data), status
    honest = {**report(4.0), "batch": meta()}
    honest["exercises"][0]["tests"][0]["status"] = "failed"
    assert check(honest) == "" and check({**report(10.0), "batch": meta()}) == ""
    lowered = {**report(4.0), "batch": meta()}
    lowered["exercises"][0]["status"] = "passed"
    assert "status" in check(lowered)


def test_a_merge_missing_a_shard_calls_no_one_of_it_not_submitted(grade, tmp_path):
    """Seen: `grade merge shard1/ --roster ...` without shard 2 wrote every roster learner of shard
    2 as "not submitted", though they had submitted: a gradebook an instructor might zero them by."""
    from grader.instructor.shards import Shard, in_shard
    from tests.conftest import SOLUTIONS

    names = ["alice", "bob", "carol", "dave"]
    assert {in_shard(name, Shard(1, 2)) for name in names} == {True, False}
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "folder,id\n" + "".join(f"{name},{index}\n" for index, name in enumerate(names))
    )
    for name in names:
        (tmp_path / "class" / name).mkdir(parents=True)
        (tmp_path / "class" / name / "ex06_output_size.py").write_bytes(
            (SOLUTIONS / "ex06_output_size.py").read_bytes()
        )
    run = grade(
        "batch",
        tmp_path / "class",
        "--out",
        tmp_path / "shard1",
        "--shard",
        "1/2",
        "--seed",
        "1",
        "--roster",
        roster,
    )
    assert run.exit_code == 1, run.stderr
    run = grade("merge", tmp_path / "shard1", "--out", tmp_path / "merged")
    assert run.exit_code == 1, run.stderr
    assert "2/2" in run.stderr and "not given" in run.stderr
    with open(tmp_path / "merged" / "grades.csv", encoding="utf-8", newline="") as stream:
        rows = {row["learner"]: row for row in csv.DictReader(stream)}
    assert set(rows) == {name for name in names if in_shard(name, Shard(1, 2))}
    assert all(row["status"] == "graded" for row in rows.values())


def test_the_class_report_picture_is_never_written_through_a_planted_link(grade, tmp_path):
    pytest.importorskip("matplotlib")
    records.save_report(tmp_path / "out", report(), meta())
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (tmp_path / "out" / "class-report.png").symlink_to(victim)
    run = grade("report", tmp_path / "out")
    assert run.exit_code == 0, run.stderr
    assert victim.read_text() == "precious"
    picture = tmp_path / "out" / "class-report.png"
    assert not picture.is_symlink() and picture.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    "roster_text",
    [
        "folder,name\nbob\x1b]0;owned\x07,B\nbob\x1b]0;owned\x07,B\n",
        "login\x1b[2J\u202e,name\nbob,B\n",
    ],
)
def test_roster_text_in_an_error_reaches_the_terminal_escaped(grade, tmp_path, roster_text):
    (tmp_path / "class" / "bob").mkdir(parents=True)
    roster = tmp_path / "roster.csv"
    roster.write_text(roster_text, encoding="utf-8")
    run = grade("batch", tmp_path / "class", "--out", tmp_path / "out", "--roster", roster)
    assert run.exit_code == 2, run.stderr
    assert not any(char in run.stderr for char in "\x1b\x07\u202e") and "\\x1b" in run.stderr


def test_a_record_missing_an_item_is_regraded_and_kept_in_history(grade, tmp_path):
    """A record that lacks one of the course's items (one cut out, with the totals made to add up
    again) passes every sum: it is "incomplete" in the gradebook, and a rerun grades its learner
    again rather than skipping it as current, keeping the incomplete one in history/."""
    from tests.conftest import SOLUTIONS

    (tmp_path / "class" / "alice").mkdir(parents=True)
    (tmp_path / "class" / "alice" / "ex06_output_size.py").write_bytes(
        (SOLUTIONS / "ex06_output_size.py").read_bytes()
    )
    out = tmp_path / "out"
    assert grade("batch", tmp_path / "class", "--out", out, "--seed", "1").exit_code == 1
    data = json.loads((out / "alice.json").read_text())
    cut = next(item for item in data["exercises"] if item["id"] == "q01")
    data["exercises"].remove(cut)
    data["score"] -= cut["score"]
    data["max_score"] -= cut["max_score"]
    (out / "alice.json").write_text(json.dumps(data))
    run = grade("batch", tmp_path / "class", "--out", out, "--seed", "1")
    assert run.exit_code == 1, run.stderr
    assert "unchanged" not in run.stdout
    assert "q01" in {
        item["id"] for item in json.loads((out / "alice.json").read_text())["exercises"]
    }
    kept = [json.loads(path.read_text()) for path in (out / "history").glob("alice.*.json")]
    assert [len(record["exercises"]) for record in kept] == [len(data["exercises"])]
    with open(out / "grades.csv", encoding="utf-8", newline="") as stream:
        assert next(csv.DictReader(stream))["status"] == "graded"


def test_a_roster_folder_twice_in_two_unicode_forms_is_an_input_error(grade, tmp_path):
    """The roster is matched to folders whatever their Unicode form (macOS writes names
    decomposed): two rows whose folders differ only in form would silently become one."""
    import unicodedata

    (tmp_path / "class" / "jose").mkdir(parents=True)
    roster = tmp_path / "roster.csv"
    composed, decomposed = "jos\u00e9", unicodedata.normalize("NFD", "jos\u00e9")
    roster.write_text(f"folder,id\n{composed},1\n{decomposed},2\n", encoding="utf-8")
    run = grade("batch", tmp_path / "class", "--out", tmp_path / "out", "--roster", roster)
    assert run.exit_code == 2 and "twice" in run.stderr, run.stderr


def forge_full_marks(path) -> None:
    """Raise every test of the record at `path` to its points, with statuses and sums to match:
    a change made with care, which every content check passes."""
    data = json.loads(path.read_text())
    for item in data["exercises"]:
        for test in item["tests"]:
            test["score"], test["status"] = test["max_score"], "passed"
        item["score"], item["status"] = item["max_score"], "passed"
    data["score"] = data["max_score"]
    if "final" in data:  # the final grade worked out again from the forged scores
        from grader.instructor.final import final_block

        data["final"] = final_block(data, data.get("adjustments", []), data.get("late"))
    path.write_text(json.dumps(data))


def test_a_record_changed_with_care_between_runs_is_regraded_and_kept_in_history(grade, tmp_path):
    from tests.conftest import SOLUTIONS

    for name in ("alice", "bob"):
        (tmp_path / "class" / name).mkdir(parents=True)
    (tmp_path / "class" / "alice" / "ex06_output_size.py").write_bytes(
        (SOLUTIONS / "ex06_output_size.py").read_bytes()
    )
    (tmp_path / "class" / "bob" / "ex06_output_size.py").write_text(
        "def conv_output_size(*args):\n    return 1\n"
    )
    out = tmp_path / "out"
    assert grade("batch", tmp_path / "class", "--out", out).exit_code == 1
    forge_full_marks(out / "bob.json")
    assert RecordCheck(load_catalogue())(json.loads((out / "bob.json").read_text())) == ""
    run = grade("batch", tmp_path / "class", "--out", out)
    assert run.exit_code == 1, run.stderr
    assert "records not trusted (1)" in run.stderr and "bob.json" in run.stderr
    with open(out / "grades.csv", encoding="utf-8", newline="") as stream:
        rows = {row["learner"]: row for row in csv.DictReader(stream)}
    assert (
        rows["bob"]["ex06"] == "0" and rows["bob"]["total"] == "0" and rows["alice"]["ex06"] == "15"
    )
    (kept,) = (out / "history").glob("bob.*.json")
    forged = json.loads(kept.read_text())
    assert forged["score"] == forged["max_score"]  # the forged record, as it was
    assert "1 unchanged since their report" in run.stdout  # alice's own record is still trusted


def test_shards_signed_on_other_machines_merge_and_are_signed_here(grade, tmp_path, monkeypatch):
    """Records from another machine carry another key's signature: `grade merge` checks them by
    their content and intake list instead, and signs the copies, so a rerun here trusts them;
    merging into one of the shard outputs itself keeps every learner too."""
    from grader.instructor import signature
    from tests.conftest import SOLUTIONS

    for name in ("alice", "bob", "carol"):
        (tmp_path / "class" / name).mkdir(parents=True)
        (tmp_path / "class" / name / "ex06_output_size.py").write_bytes(
            (SOLUTIONS / "ex06_output_size.py").read_bytes()
        )
    for machine, shard in (("one", "1/2"), ("two", "2/2")):
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / machine))
        signature.key.cache_clear()
        assert (
            grade(
                "batch", tmp_path / "class", "--out", tmp_path / machine, "--shard", shard
            ).exit_code
            == 1
        )
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "head"))
    signature.key.cache_clear()
    try:
        for out in (tmp_path / "merged", tmp_path / "one"):
            run = grade("merge", tmp_path / "one", tmp_path / "two", "--out", out)
            assert run.exit_code == 1, run.stderr
            with open(out / "grades.csv", encoding="utf-8", newline="") as stream:
                assert {row["learner"]: row["ex06"] for row in csv.DictReader(stream)} == {
                    "alice": "15",
                    "bob": "15",
                    "carol": "15",
                }, out
        run = grade("batch", tmp_path / "class", "--out", tmp_path / "merged")
        assert "3 unchanged since their report" in run.stdout and "not trusted" not in run.stderr
    finally:
        signature.key.cache_clear()


def test_a_merge_names_the_records_of_its_out_folder_it_leaves_out(grade, tmp_path, monkeypatch):
    """Merging into a folder that already holds records this machine did not sign (copied from
    elsewhere, or changed): those left out of the gradebook are named, never silently dropped."""
    from grader.instructor import signature
    from tests.conftest import SOLUTIONS

    (tmp_path / "class" / "alice").mkdir(parents=True)
    (tmp_path / "class" / "alice" / "ex06_output_size.py").write_bytes(
        (SOLUTIONS / "ex06_output_size.py").read_bytes()
    )
    assert grade("batch", tmp_path / "class", "--out", tmp_path / "shard").exit_code == 1
    records.save_report(tmp_path / "merged", report(), meta("zed"))  # signed here, then changed
    data = json.loads((tmp_path / "merged" / "zed.json").read_text())
    data["batch"]["graded_by"]["user"] = "someone else"
    (tmp_path / "merged" / "zed.json").write_text(json.dumps(data))
    run = grade("merge", tmp_path / "shard", "--out", tmp_path / "merged")
    assert run.exit_code == 1, run.stderr
    assert "left out of the gradebook (1): zed.json" in run.stderr and "signature" in run.stderr
    assert signature.problem(data) != ""
