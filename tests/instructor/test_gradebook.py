"""grades.csv joined with a roster, rows an LMS would confuse, Excel's byte-order mark."""

from __future__ import annotations

import csv
import io
import sys

import pytest

from grader.errors import InputError
from grader.instructor.batch import progress_bar
from grader.instructor.exports import exported
from grader.instructor.gradebook import Gradebook, Person, Row, read_roster
from tests.conftest import SOLUTIONS
from tests.instructor.classes import learner, rows_of, small_class

ROSTER = (
    "folder,student_id,name,email\n"
    "alice,2024001,Alice Kim,alice@example.edu\n"
    "bob,=2024002,김민수,bob@example.edu\n"
    "erin,2024005,Erin Park,erin@example.edu\n"
)


@pytest.fixture
def graded_class(grade, tmp_path):
    learners = small_class(tmp_path / "class")
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    out = tmp_path / "out"
    run = grade("batch", learners, "--out", out, "--seed", "4", "--roster", tmp_path / "roster.csv")
    return out, run


def test_the_gradebook_joins_the_roster_and_lists_mismatches(graded_class):
    out, run = graded_class
    rows = rows_of(out)
    assert list(next(iter(rows.values())))[:8] == [
        "learner",
        "name",
        "student id",
        "email",
        "status",
        "total",
        "max",
        "percent",
    ]
    alice = rows["alice"]
    assert (alice["student id"], alice["name"], alice["email"]) == (
        "2024001",
        "Alice Kim",
        "alice@example.edu",
    )
    assert alice["status"] == "graded" and alice["total"] == "25" and alice["ex01"] == "10"
    assert float(alice["percent"]) == pytest.approx(100 * 25 / float(alice["max"]), abs=0.01)
    assert rows["bob"]["student id"] == "'=2024002"  # a roster cell is neutralised too
    assert rows["erin"]["status"] == "not submitted" and rows["erin"]["total"] == ""
    assert rows["carol"]["student id"] == ""
    assert "not on the roster (1): carol" in run.stderr
    assert "on the roster, no submission (1): erin" in run.stderr


def test_numbers_are_written_as_numbers(graded_class):
    out, _run = graded_class
    text = (out / "grades.csv").read_text(encoding="utf-8")
    alice = next(line for line in text.splitlines() if line.startswith("alice,"))
    assert ",graded,25," in alice and '"' not in alice and "25.0" not in alice


def test_the_roster_is_kept_for_reruns(grade, graded_class, tmp_path):
    out, _run = graded_class
    grade("batch", tmp_path / "class", "--out", out)  # no --roster this time
    assert rows_of(out)["alice"]["student id"] == "2024001"


def test_excel_writes_a_byte_order_mark(grade, tmp_path):
    learners = tmp_path / "class"
    learner(learners / "김민수", ex01=SOLUTIONS)
    out = tmp_path / "out"
    grade("batch", learners, "--out", out, "--seed", "4", "--excel")
    for name in ("grades.csv", "canvas.csv", "canvas-items.csv", "moodle.csv"):
        data = (out / name).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf"), name
    assert "김민수" in rows_of(out)
    grade("batch", learners, "--out", out)
    assert not (out / "grades.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_a_roster_needs_a_folder_column(tmp_path):
    (tmp_path / "roster.csv").write_text("id,name\n1,Alice\n")
    with pytest.raises(InputError, match="'folder' column"):
        read_roster(tmp_path / "roster.csv")
    (tmp_path / "roster.csv").write_text("\ufefffolder,id\nalice,1\nalice,2\n")
    with pytest.raises(InputError, match="twice"):
        read_roster(tmp_path / "roster.csv")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_shows_on_a_terminal_only(monkeypatch):
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with progress_bar(3) as advance:
        advance()
    assert sys.stderr.getvalue() == ""
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with progress_bar(3) as advance:
        for _repeat in range(3):
            advance()
    assert "Grading 3 learners" in terminal.getvalue() and "3/3" in terminal.getvalue()


def test_a_batch_outside_a_terminal_prints_no_bar(graded_class):
    _out, run = graded_class
    assert "Grading" not in run.stdout + run.stderr


def test_a_folder_not_on_the_roster_never_becomes_a_second_row_for_a_learner(grade, tmp_path):
    """Seen: a folder `Alice Kim` (not on the roster) became a Canvas row that Canvas matches by
    name to the real Alice Kim, whose grade it would replace."""
    learners = small_class(tmp_path / "class")
    learner(learners / "Alice Kim", ex01=SOLUTIONS, ex06=SOLUTIONS)
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    out = tmp_path / "out"
    run = grade("batch", learners, "--out", out, "--seed", "4", "--roster", tmp_path / "roster.csv")
    assert "not on the roster (2): Alice Kim, carol" in run.stderr
    assert (
        "left out of canvas.csv, canvas-items.csv and moodle.csv (2): Alice Kim (not on the roster)"
        in run.stderr
    )
    canvas = list(csv.reader((out / "canvas.csv").open(encoding="utf-8")))
    assert [line[0] for line in canvas[2:]].count("Alice Kim") == 1
    assert next(line for line in canvas if line[0] == "Alice Kim")[2] == "2024001"
    moodle = list(csv.DictReader((out / "moodle.csv").open(encoding="utf-8")))
    assert [line["First name"] for line in moodle].count("Alice") == 1
    assert "Alice Kim" in rows_of(out)  # the instructor's own gradebook still shows the folder


def exported_learners(
    people: dict[str, Person], learners: list[str], roster: bool = True
) -> dict[str, str]:
    rows = [Row(name, people.get(name, Person(name)), "graded") for name in learners]
    gradebook = Gradebook(
        rows, [name for name in learners if roster and name not in people], [], roster
    )
    kept, left_out = exported(gradebook)
    assert {row.learner for row in kept.rows} == set(learners) - set(left_out)
    return left_out


def test_rows_an_lms_would_match_to_one_learner_are_all_left_out():
    people = {
        "a": Person("a", "1", "Ann Lee", "ann@x"),
        "b": Person("b", "2", "Bo Park", "ANN@x"),
        "c": Person("c", "1", "Cy Choi", "cy@x"),
        "d": Person("d", "", "Di Han", ""),
        "e": Person("e", "", "di han", ""),
        "f": Person("f", "6", "Fay Moon", "fay@x"),
        "g": Person("g", "", "Fay Moon", ""),
        "h": Person("h", "8", "Fay Moon", "h@x"),
    }
    left_out = exported_learners(people, list(people))
    assert set(left_out) == {"a", "b", "c", "d", "e", "f", "g", "h"}
    assert (
        "same learner as b, c" in left_out["a"]
    )  # one email (Moodle, Canvas's SIS Login ID), one id
    assert "same learner as e" in left_out["d"]  # no ids: Canvas matches by name
    assert (
        "same learner as f, h" in left_out["g"]
    )  # a name-only row takes the name of rows with ids
    assert (
        exported_learners(
            {"p": Person("p", "1", "P", "p@x"), "q": Person("q", "2", "P", "q@x")}, ["p", "q"]
        )
        == {}
    )


def test_without_a_roster_every_folder_is_exported_under_its_own_name():
    assert exported_learners({}, ["alice", "bob"], roster=False) == {}


def test_the_roster_joins_a_folder_whatever_its_unicode_form(tmp_path):
    import unicodedata

    from grader.course.catalogue import load_catalogue
    from grader.instructor.gradebook import build

    roster = {
        unicodedata.normalize("NFC", "김민수"): Person(
            unicodedata.normalize("NFC", "김민수"), "7", "김민수"
        )
    }
    decomposed = unicodedata.normalize("NFD", "김민수")
    from grader.instructor.records import Record

    gradebook = build(
        load_catalogue(), {decomposed: Record(decomposed, "empty upload", None, {})}, roster
    )
    assert [row.person.id for row in gradebook.rows] == ["7"] and gradebook.not_on_roster == []
    assert gradebook.not_submitted == []
