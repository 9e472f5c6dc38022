"""Uploads and class folders built to cost someone else their grade in `grade batch`: whatever
one entry is called or holds, every learner has a row in the gradebook, and only the grader's
own failure (never a learner's upload) makes the batch exit 3."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

from tests.conftest import SOLUTIONS


def gradebook(out: Path) -> dict[str, dict]:
    with open(out / "grades.csv", encoding="utf-8", newline="") as stream:
        return {row["learner"]: row for row in csv.DictReader(stream)}


def test_every_problem_is_a_row_whatever_the_length_of_its_status(grade, tmp_path):
    """Seen: a status longer than a record may hold (names that clash in letter case, or a zip's
    unsafe entry, quoted in it) made the problem records untrusted: those learners vanished from
    the gradebook."""
    learners = tmp_path / "class"
    names = ["".join(char.upper() if bit == "1" else char for char, bit in zip("a" * 200, f"{index:0200b}"[::-1]))
             for index in range(24)]
    for name in names:
        (learners / name).mkdir(parents=True)
    with zipfile.ZipFile(learners / "unsafe.zip", "w") as archive:  # the entry is quoted in the status
        archive.writestr("../" + "x" * 10_000, b"")
    (learners / "alice").mkdir()
    (learners / "alice" / "ex06_output_size.py").write_bytes((SOLUTIONS / "ex06_output_size.py").read_bytes())
    out = tmp_path / "out"
    run = grade("batch", learners, "--out", out, "--workers", "1")
    assert run.exit_code == 1, run.stderr
    rows = gradebook(out)
    assert set(rows) == {*names, "unsafe", "alice"}
    assert "unsafe entry" in rows["unsafe"]["status"] and len(rows["unsafe"]["status"]) < 2000
    assert all("differ only in letter case" in rows[name]["status"] for name in names)
    assert rows["alice"]["ex06"] == "15"
