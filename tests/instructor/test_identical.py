"""Identical submissions named by `grade batch` (summary and OUT/identical.csv), from the
records' submission hashes: the same files in a folder or a zip are one submission, the
untouched stubs are none."""

from __future__ import annotations

import csv

import pytest

from grader.instructor.identical import IDENTICAL_FILE, identical_groups
from grader.instructor.records import Record
from tests.conftest import SOLUTIONS, STUBS
from tests.instructor.classes import learner, zipped


def record(name: str, digest: str, *statuses: str) -> Record:
    report = {"exercises": [{"id": f"ex0{i}", "status": s} for i, s in enumerate(statuses, 1)]}
    return Record(name, "graded", report, {"submission_hash": digest})


def test_groups_share_a_hash_and_leave_out_untouched_stubs_and_problems():
    found = {
        "xavier": record("xavier", "sha256:a", "passed", "not_attempted"),
        "bob": record("bob", "sha256:a", "passed", "not_attempted"),
        "carol": record("carol", "sha256:b", "failed"),
        "stub1": record("stub1", "sha256:s", "not_attempted", "not_attempted"),
        "stub2": record("stub2", "sha256:s", "not_attempted", "not_attempted"),
        "broken": Record("broken", "unreadable upload", None, {"submission_hash": "sha256:b"}),
    }
    assert identical_groups(found) == [["bob", "xavier"]]


@pytest.fixture(scope="module")
def identical_batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("identical")
    folder = root / "class"
    learner(folder / "bob", ex01=SOLUTIONS)
    zipped(folder / "xavier.zip", {"ex01_convolution.py": SOLUTIONS / "ex01_convolution.py"})
    learner(folder / "carol", ex01=STUBS)
    learner(folder / "dave", ex01=STUBS)
    learner(folder / "erin", ex01=SOLUTIONS, ex06=SOLUTIONS)
    from tests.conftest import run_grade

    result = run_grade("batch", folder, "--out", root / "out", "--workers", "2", "--seed", "1")
    return root / "out", result


@pytest.mark.slow  # grades five learners (about 10 s)
def test_batch_names_identical_submissions_in_its_summary_and_a_file(identical_batch):
    out, result = identical_batch
    assert result.exit_code == 1, result.stderr
    assert "identical submissions (the same files; identical.csv): bob = xavier" in result.stderr
    with open(out / IDENTICAL_FILE, newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert [(row["learner_a"], row["learner_b"]) for row in rows] == [("bob", "xavier")]
    assert rows[0]["submission_hash"].startswith("sha256:")
