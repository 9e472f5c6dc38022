"""Learners who handed in the same files, found cheaply from their records (no copydetect).

Two graded records with one `submission_hash` (grader/instructor/intake.py's hash of the
exercise and answers files and their layout, whatever the upload's form) are the same
submission. Handing in the untouched stubs is not: a record whose every item is "not
attempted" is left out. `grade batch` and `grade merge` write the pairs to OUT/identical.csv
(`learner_a, learner_b, submission_hash`, a header alone when there are none) and name them in
their summary; `grade similar` finds the pairs whose code is alike without being identical.
"""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

from grader.instructor.gradebook import write_csv
from grader.instructor.records import Record

IDENTICAL_FILE = "identical.csv"
HEADER = ["learner_a", "learner_b", "submission_hash"]
NOT_ATTEMPTED = "not_attempted"


def identical_groups(found: dict[str, Record]) -> list[list[str]]:
    """Learners (sorted) sharing one submission hash, two or more to a group, groups sorted."""
    by_hash: dict[str, list[str]] = {}
    for name, record in found.items():
        if not record.graded or not _attempted(record.graded_report):
            continue
        digest = record.meta.get("submission_hash")
        if isinstance(digest, str) and digest:
            by_hash.setdefault(digest, []).append(name)
    return sorted(sorted(group) for group in by_hash.values() if len(group) > 1)


def _attempted(report: dict) -> bool:
    return any(item.get("status") != NOT_ATTEMPTED for item in report.get("exercises", []))


def write_identical(
    out_dir: Path, found: dict[str, Record], groups: list[list[str]], *, excel: bool = False
) -> Path:
    """OUT/identical.csv: one row per pair of learners in each group."""
    rows: list[list] = [HEADER]
    for group in groups:
        digest = found[group[0]].meta["submission_hash"]
        rows += [[a, b, digest] for a, b in combinations(group, 2)]
    write_csv(out_dir / IDENTICAL_FILE, rows, excel=excel)
    return out_dir / IDENTICAL_FILE
