"""The out folder of `grade batch`: one record per learner, written atomically, read back whole.

A graded learner's record is `OUT/<learner>.json`: the report (SPEC section 4's JSON) plus a
`batch` block saying what was graded and how (learner, submitted-files hash, course version,
grader version, seed, time). A learner whose upload could not be graded has
`OUT/problems/<learner>.json` instead, with the same block and the problem as its status; their
earlier report, if any, is moved to `OUT/stale/`, never left to be mixed in. Every file is
written to a temporary name and renamed, so an interrupted batch leaves whole records only, and
the gradebook is rebuilt from exactly these records.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from grader import __version__
from grader.course.catalogue import CATALOGUE_PATH, COURSE_ROOT, SUITES_DIR

PROBLEMS = "problems"
STALE = "stale"
GRADED = "graded"
COURSE_PARTS = (("grader/course", "course.yaml"), ("grader/suites", "**/*.py"),
                ("grader/suites", "manifest.json"), ("quizzes", "*.yaml"), ("solutions/answers", "*.yaml"))


@dataclass(frozen=True)
class Record:
    """One learner's outcome as the out folder holds it: status "graded" with a report, or a problem."""

    learner: str
    status: str
    report: dict | None
    meta: dict

    @property
    def graded(self) -> bool:
        return self.report is not None


@functools.lru_cache(maxsize=1)
def course_version() -> str:
    """A hash of everything that decides a score: the catalogue, the suites, the quiz banks and keys.

    Computed once per process: a batch (or a cluster worker) grades with the course it started with.
    """
    roots = {"grader/course": CATALOGUE_PATH.parent, "grader/suites": SUITES_DIR,
             "quizzes": COURSE_ROOT / "quizzes", "solutions/answers": COURSE_ROOT / "solutions" / "answers"}
    digest = hashlib.sha256()
    for name, pattern in COURSE_PARTS:
        for path in sorted(roots[name].glob(pattern)):
            if "__pycache__" in path.parts or not path.is_file():
                continue
            digest.update(f"{name}/{path.relative_to(roots[name]).as_posix()}\n".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return "sha256:" + digest.hexdigest()[:20]


def batch_meta(learner: str, submission_hash: str, version: str, seed: int) -> dict:
    return {"learner": learner, "submission_hash": submission_hash, "course_version": version,
            "grader_version": __version__, "seed": seed,
            "graded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` so that readers see the old file or the new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def save_report(out_dir: Path, report: dict, meta: dict) -> None:
    """Record a graded learner: their report with its `batch` block; any problem record goes."""
    learner = meta["learner"]
    write_atomic(out_dir / f"{learner}.json", json.dumps({**report, "batch": meta}, indent=2,
                                                         ensure_ascii=False) + "\n")
    (out_dir / PROBLEMS / f"{learner}.json").unlink(missing_ok=True)


def save_problem(out_dir: Path, status: str, meta: dict) -> None:
    """Record a learner who could not be graded; their earlier report is moved to stale/."""
    learner = meta["learner"]
    report = out_dir / f"{learner}.json"
    if report.is_file():
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        (out_dir / STALE).mkdir(exist_ok=True)
        os.replace(report, out_dir / STALE / f"{learner}.{stamp}.json")
    write_atomic(out_dir / PROBLEMS / f"{learner}.json",
                 json.dumps({"status": status, "batch": meta}, indent=2, ensure_ascii=False) + "\n")


def load_records(out_dir: Path) -> dict[str, Record]:
    """Every learner recorded in `out_dir`, by name (a file that is not a record is ignored)."""
    records: dict[str, Record] = {}
    candidates = [*sorted(out_dir.glob("*.json")), *sorted((out_dir / PROBLEMS).glob("*.json"))]
    for path in candidates:
        record = _read_record(path)
        if record is None:
            continue
        earlier = records.get(record.learner)
        if earlier is None or record.meta.get("graded_at", "") > earlier.meta.get("graded_at", ""):
            records[record.learner] = record
    return dict(sorted(records.items()))


def _read_record(path: Path) -> Record | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    meta = data.get("batch") if isinstance(data, dict) else None
    if not isinstance(meta, dict) or meta.get("learner") != path.stem:
        return None
    if "status" in data and "exercises" not in data:
        return Record(path.stem, str(data["status"]), None, meta)
    if not isinstance(data.get("exercises"), list):
        return None
    report = {key: value for key, value in data.items() if key != "batch"}
    return Record(path.stem, GRADED, report, meta)


def recorded_seed(out_dir: Path) -> int | None:
    """The seed most of the out folder's records were graded with, if it holds any."""
    seeds = Counter(record.meta.get("seed") for record in load_records(out_dir).values()
                    if isinstance(record.meta.get("seed"), int))
    return seeds.most_common(1)[0][0] if seeds else None


def is_current(record: Record | None, submission_hash: str, version: str, seed: int) -> bool:
    """Whether `record` graded this very submission, with this course and seed (so a rerun skips it)."""
    if record is None or not record.graded:
        return False
    meta = record.meta
    return (meta.get("submission_hash"), meta.get("course_version"), meta.get("seed")) == \
        (submission_hash, version, seed)
