"""Exports an LMS takes as they are: Canvas without double counting, "not attempted" apart from
an earned 0, a real workbook (openpyxl reads it back), Moodle with Korean names whole, a batch
summary aligned by display width, and the instructor's commands in the language of --lang.

One class is graded for the module: alice (ex01 and ex06 right), bob (ex01 right, a flipped
kernel in ex04, an ex06 that earns 0), 김민수 (ex01 right; "김 민수" on the roster), dave (an
empty folder), and erin on the roster without a submission.
"""

from __future__ import annotations

import csv
import re
import sys

import pytest

from grader.i18n import display_width
from grader.instructor.exports import TOTAL_TITLE, split_name
from grader.instructor.summary import NAME_WIDTH, learner_line
from tests.conftest import SOLUTIONS, run_grade
from tests.instructor.classes import FLIPPED_KERNEL, learner, rows_of

ROSTER = (
    "folder,student_id,name,email\n"
    "alice,2024001,Alice Kim,alice@example.edu\n"
    "bob,=2024002,Bob Lee,bob@example.edu\n"
    "김민수,2024003,김 민수,minsu@example.edu\n"
    "dave,2024004,Dave Park,dave@example.edu\n"
    "erin,2024005,Erin Cho,erin@example.edu\n"
)
WRONG_EX06 = "def conv_output_size(size, kernel_size, stride=1, padding=0):\n    return 1\n"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("exports")
    learners = root / "class"
    learner(learners / "alice", ex01=SOLUTIONS, ex06=SOLUTIONS)
    learner(learners / "bob", ex01=SOLUTIONS, ex04=FLIPPED_KERNEL, ex06=WRONG_EX06)
    learner(learners / "김민수", ex01=SOLUTIONS)
    (learners / "dave").mkdir()
    (root / "roster.csv").write_text(ROSTER, encoding="utf-8")
    out = root / "out"
    run = run_grade(
        "batch", learners, "--out", out, "--seed", "4", "--roster", root / "roster.csv", "--xlsx"
    )
    assert run.exit_code == 1, run.stderr
    return out, run, learners


def lines_of(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as stream:
        return list(csv.reader(stream))


def by_student(lines: list[list[str]]) -> dict[str, list[str]]:
    return {line[0]: line for line in lines[2:]}


def course_points(out) -> str:
    """The course's points, as the gradebook of `out` states them."""
    with open(out / "grades.csv", newline="", encoding="utf-8") as stream:
        return next(row["max"] for row in csv.DictReader(stream) if row["max"])


def test_canvas_csv_holds_the_total_alone(graded):
    out, _run, _learners = graded
    lines = lines_of(out / "canvas.csv")
    assert lines[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", TOTAL_TITLE]
    assert lines[1][0].strip() == "Points Possible" and lines[1][5] == course_points(out)
    rows = by_student(lines)
    assert rows["Alice Kim"][2:4] == ["2024001", "alice@example.edu"]
    assert rows["Alice Kim"][5] == "25" and rows["Erin Cho"][5] == "" and rows["Dave Park"][5] == ""


def test_canvas_items_csv_holds_the_items_and_no_total(graded, catalogue):
    out, _run, _learners = graded
    lines = lines_of(out / "canvas-items.csv")
    titles = lines[0][5:]
    assert len(titles) == len(catalogue.ids) and TOTAL_TITLE not in lines[0]
    assert [title.split()[0] for title in titles] == catalogue.ids
    assert lines[1][5:7] == ["10", "10"]  # ex01 and ex02's points
    rows = by_student(lines)
    column = {item_id: 5 + index for index, item_id in enumerate(catalogue.ids)}
    alice, bob = rows["Alice Kim"], rows["Bob Lee"]
    assert alice[column["ex01"]] == "10" and alice[column["ex06"]] == "15"
    assert alice[column["ex02"]] == "" and alice[column["q01"]] == ""  # not attempted
    assert bob[column["ex06"]] == "0"  # attempted, earned nothing
    assert 0 < float(bob[column["ex04"]]) < 20
    assert rows["Erin Cho"][5:] == [""] * len(titles)
    # the two files together would count every point twice; each alone adds up to the total
    assert sum(float(cell or 0) for cell in alice[5:]) == 25


def test_grades_csv_tells_not_attempted_from_an_earned_zero(graded):
    out, _run, _learners = graded
    rows = rows_of(out)
    assert rows["alice"]["ex02"] == "" and rows["alice"]["total"] == "25"
    assert rows["bob"]["ex06"] == "0" and rows["bob"]["ex02"] == ""
    assert rows["erin"]["ex01"] == "" and rows["erin"]["status"] == "not submitted"


def test_moodle_keeps_korean_names_whole(graded):
    out, _run, _learners = graded
    with open(out / "moodle.csv", newline="", encoding="utf-8") as stream:
        rows = {row["Email address"]: row for row in csv.DictReader(stream)}
    minsu = rows["minsu@example.edu"]
    assert (minsu["First name"], minsu["Last name"]) == ("김 민수", "")
    assert minsu["ID number"] == "2024003" and minsu["ex01 The convolution operation"] == "10"
    alice = rows["alice@example.edu"]
    assert (alice["First name"], alice["Last name"]) == ("Alice", "Kim")
    assert alice["ex02 Sobel edge filters"] == "" and alice[TOTAL_TITLE] == "25"


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("김민수", ("김민수", "")),
        ("남궁 민수", ("남궁 민수", "")),
        ("山田 太郎", ("山田 太郎", "")),
        ("Alice Kim", ("Alice", "Kim")),
        ("Mary Ann  Smith", ("Mary", "Ann  Smith")),
        ("Cher", ("Cher", "")),
    ],
)
def test_split_name_splits_only_names_written_with_spaces_between_given_and_family(name, parts):
    assert split_name(name) == parts


def test_the_workbook_reads_back_with_its_three_sheets(graded):
    from openpyxl import load_workbook

    out, _run, _learners = graded
    workbook = load_workbook(out / "grades.xlsx")
    assert workbook.sheetnames == ["grades", "items", "problems"]
    grades = list(workbook["grades"].iter_rows(values_only=True))
    with open(out / "grades.csv", newline="", encoding="utf-8") as stream:
        header = next(csv.reader(stream))
    assert list(grades[0]) == header
    rows = {row[0]: dict(zip(header, row)) for row in grades[1:]}
    assert rows["alice"]["total"] == 25 and isinstance(rows["alice"]["percent"], float)
    assert rows["alice"]["ex02"] is None and rows["bob"]["ex06"] == 0
    assert rows["김민수"]["name"] == "김 민수"
    bob_id = next(cell for cell in workbook["grades"]["C"] if cell.value == "=2024002")
    assert bob_id.data_type == "s"  # text, never a formula (and no apostrophe needed)
    items = {(row[0], row[2]): row for row in workbook["items"].iter_rows(values_only=True)}
    assert items[("alice", "ex02")][4:] == ("not attempted", None, 10)
    assert items[("bob", "ex06")][4:] == ("failed", 0, 15)
    assert items[("alice", "ex01")][3] == "The convolution operation"
    problems = {row[0]: row for row in workbook["problems"].iter_rows(values_only=True)}
    assert problems["dave"][4].startswith("empty upload") and problems["erin"][4] == "not submitted"
    assert "alice" not in problems


def test_merge_writes_the_workbook_too(graded, tmp_path):
    out, _run, _learners = graded
    run = run_grade("merge", out, "--out", tmp_path / "merged", "--xlsx")
    assert run.exit_code == 1, run.stderr
    assert (tmp_path / "merged" / "grades.xlsx").read_bytes().startswith(b"PK")
    assert (tmp_path / "merged" / "canvas-items.csv").exists()


def test_without_openpyxl_xlsx_stops_before_grading(graded, tmp_path, monkeypatch):
    _out, _run, learners = graded
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    run = run_grade("batch", learners, "--out", tmp_path / "out", "--xlsx")
    assert run.exit_code == 2 and "openpyxl" in run.stderr
    assert not (tmp_path / "out").exists()


def test_the_batch_summary_aligns_names_by_display_width(graded):
    _out, run, _learners = graded
    columns = {}
    for line in run.stdout.splitlines():
        found = re.search(rf" \d+(\.\d+)? / {course_points(_out)}$", line)
        if found:
            columns[line.split()[0]] = display_width(line[: found.start()])
    assert set(columns) == {"alice", "bob", "김민수"}
    assert set(columns.values()) == {NAME_WIDTH}
    assert display_width(learner_line("김민수", "x")) == display_width(learner_line("alice", "x"))


def test_instructor_commands_follow_lang(graded, tmp_path, monkeypatch):
    out, _run, learners = graded
    rerun = run_grade("batch", learners, "--out", out, "--lang", "ko")
    assert rerun.exit_code == 1, rerun.stderr
    assert "다시 채점하지 않았습니다" in rerun.stdout and "성적부에 학습자 5명" in rerun.stdout
    assert "명단에 있으나 제출하지 않음(1명): erin" in rerun.stderr
    report = run_grade("report", out, "--png", tmp_path / "report.png", "--lang", "ko")
    assert report.exit_code == 0 and "차트: " in report.stdout
    merged = run_grade("merge", out, "--out", tmp_path / "merged", "--lang", "ko")
    assert "출력 1개를 병합했습니다" in merged.stdout
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "ko_KR.UTF-8")  # the locale, as for the learner's commands
    rerun = run_grade("batch", learners, "--out", out)
    assert "다시 채점하지 않았습니다" in rerun.stdout
    english = run_grade("batch", learners, "--out", out, "--lang", "en")
    assert "unchanged since their report" in english.stdout
