"""grades.csv joined with a roster, the Canvas and Moodle exports, Excel's byte-order mark."""

from __future__ import annotations

import csv
import io
import sys

import pytest

from grader.instructor.batch import progress_bar
from grader.instructor.gradebook import read_roster
from grader.errors import InputError
from tests.conftest import SOLUTIONS
from tests.instructor.classes import learner, rows_of, small_class

ROSTER = ("folder,student_id,name,email\n"
          "alice,2024001,Alice Kim,alice@example.edu\n"
          "bob,=2024002,김민수,bob@example.edu\n"
          "erin,2024005,Erin Park,erin@example.edu\n")


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
    assert list(next(iter(rows.values())))[:8] == ["learner", "name", "student id", "email", "status",
                                                    "total", "max", "percent"]
    alice = rows["alice"]
    assert (alice["student id"], alice["name"], alice["email"]) == ("2024001", "Alice Kim", "alice@example.edu")
    assert alice["status"] == "graded" and alice["total"] == "25" and alice["ex01"] == "10"
    assert float(alice["percent"]) == pytest.approx(100 * 25 / float(alice["max"]), abs=0.01)
    assert rows["bob"]["student id"] == "'=2024002"  # a roster cell is neutralised too
    assert rows["erin"]["status"] == "not submitted" and rows["erin"]["total"] == ""
    assert rows["carol"]["student id"] == ""
    assert "not on the roster (1): carol" in run.stderr
    assert "on the roster, no submission (1): erin" in run.stderr


def test_numbers_are_written_as_numbers(graded_class):
    out, _ = graded_class
    text = (out / "grades.csv").read_text(encoding="utf-8")
    alice = next(line for line in text.splitlines() if line.startswith("alice,"))
    assert ",graded,25," in alice and '"' not in alice and "25.0" not in alice


def test_the_roster_is_kept_for_reruns(grade, graded_class, tmp_path):
    out, _ = graded_class
    grade("batch", tmp_path / "class", "--out", out)  # no --roster this time
    assert rows_of(out)["alice"]["student id"] == "2024001"


def test_canvas_export_follows_canvas_gradebook_columns(graded_class):
    out, _ = graded_class
    lines = list(csv.reader((out / "canvas.csv").open(encoding="utf-8")))
    assert lines[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert lines[0][5].startswith("ex01 ") and lines[0][-1] == "CNN exercises total"
    assert lines[1][0].strip() == "Points Possible" and lines[1][5] == "10"
    alice = next(line for line in lines if line[0] == "Alice Kim")
    assert alice[2:4] == ["2024001", "alice@example.edu"] and alice[5] == "10" and alice[-1] == "25"
    erin = next(line for line in lines if line[0] == "Erin Park")
    assert erin[5:] == [""] * (len(lines[0]) - 5)  # no submission: left ungraded, not zero


def test_moodle_export_has_the_identifiers_moodle_maps(graded_class):
    out, _ = graded_class
    lines = list(csv.DictReader((out / "moodle.csv").open(encoding="utf-8")))
    alice = next(line for line in lines if line["Email address"] == "alice@example.edu")
    assert alice["ID number"] == "2024001" and alice["First name"] == "Alice" and alice["Last name"] == "Kim"
    assert alice["ex01 The convolution operation"] == "10" and alice["CNN exercises total"] == "25"


def test_excel_writes_a_byte_order_mark(grade, tmp_path):
    learners = tmp_path / "class"
    learner(learners / "김민수", ex01=SOLUTIONS)
    out = tmp_path / "out"
    grade("batch", learners, "--out", out, "--seed", "4", "--excel")
    for name in ("grades.csv", "canvas.csv", "moodle.csv"):
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
        for _ in range(3):
            advance()
    assert "Grading 3 learners" in terminal.getvalue() and "3/3" in terminal.getvalue()


def test_a_batch_outside_a_terminal_prints_no_bar(graded_class):
    _, run = graded_class
    assert "Grading" not in run.stdout + run.stderr
