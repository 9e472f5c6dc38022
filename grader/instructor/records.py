"""The out folder of `grade batch`: one record per learner, written atomically, read back as input.

A graded learner's record is `OUT/<stem>.json`: the JSON report
(docs/design.md#the-json-report) plus a `batch` block saying what was graded, how and by whom
(learner, submitted-files hash, course and grader versions, seed, time, user and host). A learner
who was not graded has `OUT/problems/<stem>.json` instead, with the same block and the problem as
its status (and, when the grader could not check some tests, the partial report under "report").
`<stem>` is the learner's name where it is short plain lower-case ASCII, else a readable part and a
hash of the name, so no name (of any length, case or script) makes a file the system refuses or
two learners share one on a case-insensitive disk; the real name is inside the record.

Records are signed with a key kept outside the out folder (grader/instructor/signature.py).
Nothing is overwritten without a trace: a record that a new one replaces moves to
`OUT/history/`. Files are written to short temporary names and renamed, so a batch killed at
any moment leaves whole records only. Records are read back as untrusted input (size-capped,
never through a link, checked by grader/instructor/recordcheck.py when a check is given): an
unreadable or invalid record is not trusted, and its learner is graded again.
"""

from __future__ import annotations

import functools
import getpass
import hashlib
import json
import os
import re
import secrets
import socket
import stat
import tempfile
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from grader import __version__
from grader.course.catalogue import CATALOGUE_PATH, COURSE_ROOT, EXERCISES_DIR, PACKAGE_DIR
from grader.errors import InputError
from grader.instructor import signature

PROBLEMS = "problems"
HISTORY = "history"
GRADED = "graded"
INTAKE_FILE = "intake.json"
TEMPORARY_PREFIX = ".tmp-"
MAX_RECORD_BYTES = 16 << 20  # a whole class's report is far smaller; more is not a record
MAX_RECORD_DEPTH = (
    16  # lists and objects inside each other: a problem record's partial report needs 6
)
PLAIN_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")  # used as it is for the record's file name
READABLE_CHARACTERS = 32  # of a name that is not plain, kept in its file name beside the hash
COURSE_PARTS = (
    ("grader/course", "course.yaml"),
    ("grader/exercises", "**/*.py"),
    ("grader/exercises", "**/*.yaml"),
    ("quizzes", "*.yaml"),
    ("solutions/answers", "*.yaml"),
)
GRADER_FILES = ("*.py", "*.json", "*.yaml", "*.mo")  # what decides a report besides the course
Check = Callable[
    [dict], str
]  # a record's problem ("" when it holds), grader/instructor/recordcheck.py


@dataclass(frozen=True)
class Record:
    """One learner's outcome as the out folder holds it: status "graded" with a report, or a problem."""

    learner: str
    status: str
    report: dict | None
    meta: dict
    path: Path | None = None
    partial: dict | None = (
        None  # a problem record's partial report (tests the grader could not check)
    )

    @property
    def graded(self) -> bool:
        return self.report is not None

    @property
    def graded_report(self) -> dict:
        """The report of a graded record (`graded`); a problem record has none."""
        assert self.report is not None, f"{self.learner}'s record is a problem, not a report"
        return self.report


@dataclass
class Scan:
    """The records of an out folder, and the files that looked like records but were not trusted."""

    records: dict[str, Record] = field(default_factory=dict)
    invalid: dict[str, str] = field(default_factory=dict)  # file name -> why it is not trusted


@functools.lru_cache(maxsize=1)
def course_version() -> str:
    """A hash of everything that decides a score: the catalogue, the suites, the quiz banks and keys.

    Computed once per process: a batch (or a cluster worker) grades with the course it started with.
    """
    roots = {
        "grader/course": CATALOGUE_PATH.parent,
        "grader/exercises": EXERCISES_DIR,
        "quizzes": COURSE_ROOT / "quizzes",
        "solutions/answers": COURSE_ROOT / "solutions" / "answers",
    }
    return (
        "sha256:" + _hash_files((name, roots[name], pattern) for name, pattern in COURSE_PARTS)[:20]
    )


@functools.lru_cache(maxsize=1)
def grader_version() -> str:
    """The package version and a hash of the grader's own files (code, schemas, translations):
    a grader changed in any way is another version, whatever its version number says."""
    return f"{__version__}+{_hash_files(('grader', PACKAGE_DIR, f'**/{p}') for p in GRADER_FILES)[:12]}"


def _hash_files(parts) -> str:
    digest = hashlib.sha256()
    for name, root, pattern in parts:
        for path in sorted(root.glob(pattern)):
            if "__pycache__" in path.parts or not path.is_file():
                continue
            digest.update(f"{name}/{path.relative_to(root).as_posix()}\n".encode())
            digest.update(hashlib.sha256(_scored_bytes(path)).digest())
    return digest.hexdigest()


def _scored_bytes(path: Path) -> bytes:
    """What of `path` decides a score: the whole file, but for the catalogue's `schedule:` block
    (due dates and late policy are applied to records, never graded), so moving a due date
    regrades no one. The catalogue is then hashed as its parsed content."""
    data = path.read_bytes()
    if path.name != CATALOGUE_PATH.name or b"schedule" not in data:
        return data
    try:
        content = yaml.safe_load(data)
    except yaml.YAMLError:
        return data
    if not isinstance(content, dict):
        return data
    content.pop("schedule", None)
    return json.dumps(content, sort_keys=True, ensure_ascii=False, default=str).encode()


def batch_meta(learner: str, submission_hash: str, seed: int | None, seed_given: bool) -> dict:
    """The `batch` block of a record made now, on this machine, by this grader and course."""
    return {
        "learner": learner,
        "submission_hash": submission_hash,
        "course_version": course_version(),
        "grader_version": grader_version(),
        "seed": seed,
        "seed_given": seed_given,
        "graded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "graded_by": _who(),
    }


@functools.lru_cache(maxsize=1)
def _who() -> dict:
    try:
        user = getpass.getuser()
    except Exception:  # no user name for this uid (a container): the number says who
        user = f"uid {os.getuid()}"
    return {"user": user[:100], "host": socket.gethostname()[:255]}


def record_stem(learner: str) -> str:
    """The file name (without .json) of `learner`'s record: within every file system's limits,
    distinct for any two distinct names even where letter case or Unicode form is ignored."""
    if PLAIN_NAME.match(learner) and f"{learner}.json" != INTAKE_FILE:
        return learner
    readable = "".join(
        char
        for char in unicodedata.normalize("NFC", learner).casefold()
        if char.isalnum() or char in "._-"
    ).lstrip(".")[:READABLE_CHARACTERS]
    digest = hashlib.sha256(learner.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return f"{readable}~{digest}"


def folder(out_dir: Path, name: str = "") -> Path:
    """`out_dir` or its sub-folder `name`, made if missing; a sub-folder that is a link is refused,
    never followed (the out folder itself is the instructor's to place)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if not name:
        return out_dir
    path = out_dir / name
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        raise InputError(f"{path} is not a plain folder; the grader writes only into plain folders")
    path.mkdir(exist_ok=True)
    return path


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write `text` (or bytes) to `path` so that readers see the old file or the new one, never a
    part, and never through a link planted there; the temporary file has a short name of its own."""
    descriptor, temporary = tempfile.mkstemp(prefix=TEMPORARY_PREFIX, dir=path.parent)
    try:
        if isinstance(text, bytes):
            with os.fdopen(descriptor, "wb") as binary:
                binary.write(text)
        else:
            with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as stream:
                stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def remove_temporaries(out_dir: Path) -> None:
    """Remove the temporary files a killed batch left (never a record: those are renamed whole)."""
    for where in (out_dir, out_dir / PROBLEMS):
        if where.is_dir() and not where.is_symlink():
            for path in where.glob(TEMPORARY_PREFIX + "*"):
                path.unlink(missing_ok=True)


def save_report(out_dir: Path, report: dict, meta: dict) -> None:
    """Record a graded learner: their report with its `batch` block; what it replaces goes to history/."""
    _retire(out_dir, meta["learner"])
    stem = record_stem(meta["learner"])
    write_atomic(
        folder(out_dir) / f"{stem}.json", dumps(signature.signed({**report, "batch": meta}))
    )


def save_problem(out_dir: Path, status: str, meta: dict, report: dict | None = None) -> None:
    """Record a learner who was not graded (with the partial report, if any); what it replaces
    goes to history/."""
    _retire(out_dir, meta["learner"])
    data = {"status": status, "batch": meta, **({"report": report} if report is not None else {})}
    write_atomic(
        folder(out_dir, PROBLEMS) / f"{record_stem(meta['learner'])}.json",
        dumps(signature.signed(data)),
    )


def dumps(data: dict) -> str:
    """A record as the out folder keeps it: indented JSON, UTF-8 text as it is."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _retire(out_dir: Path, learner: str) -> None:
    """Move the learner's current record files (report or problem, valid or not) to history/."""
    stem = record_stem(learner)
    for path in (out_dir / f"{stem}.json", out_dir / PROBLEMS / f"{stem}.json"):
        if os.path.lexists(path):
            history = folder(out_dir, HISTORY)
            stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
            os.replace(path, history / f"{stem}.{stamp}.{secrets.token_hex(3)}.json")


def read_json(path: Path, limit: int = MAX_RECORD_BYTES) -> dict:
    """The JSON object in the regular file `path` (never through a link, at most `limit` bytes, no
    NaN or infinite numbers, nested at most MAX_RECORD_DEPTH deep); `ValueError` saying why not."""
    try:
        descriptor = os.open(
            path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        )
    except OSError as error:
        raise ValueError(
            "a symbolic link" if os.path.islink(path) else error.strerror or str(error)
        ) from None
    with os.fdopen(descriptor, "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            raise ValueError("not a regular file")
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"larger than {limit >> 20} MB")
    try:
        value = json.loads(data.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, RecursionError, ValueError) as error:
        raise ValueError(f"not JSON ({str(error)[:100]})") from None
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    if _deeper_than(value, MAX_RECORD_DEPTH):  # checks and messages recurse into what they read
        raise ValueError(f"nested more than {MAX_RECORD_DEPTH} deep")
    return value


def _deeper_than(value: object, limit: int) -> bool:
    """Whether lists and objects in `value` nest more than `limit` deep (looked at without recursion)."""
    stack = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if depth > limit:
            return True
        children = (
            current.values()
            if isinstance(current, dict)
            else current
            if isinstance(current, list)
            else ()
        )
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number a record may hold")


def scan_records(out_dir: Path, check: Check | None = None) -> Scan:
    """Every learner recorded in `out_dir`, by name, and the record files not trusted (unreadable,
    a link, another learner's file name, or refused by `check`)."""
    scan = Scan()
    candidates = [
        path
        for where in (out_dir, out_dir / PROBLEMS)
        if where.is_dir() and not where.is_symlink()
        for path in sorted(where.glob("*.json"))
    ]
    for path in candidates:
        if path.parent == out_dir and path.name == INTAKE_FILE:
            continue
        try:
            record = read_record(path, check)
        except ValueError as error:
            scan.invalid[str(path.relative_to(out_dir))] = str(error)
            continue
        earlier = scan.records.get(record.learner)
        if earlier is None or str(record.meta.get("graded_at", "")) > str(
            earlier.meta.get("graded_at", "")
        ):
            scan.records[record.learner] = record
    scan.records = dict(sorted(scan.records.items()))
    return scan


def load_records(out_dir: Path, check: Check | None = None) -> dict[str, Record]:
    """Every learner recorded in `out_dir` that can be trusted, by name."""
    return scan_records(out_dir, check).records


def read_record(path: Path, check: Check | None = None) -> Record:
    """The record in `path`; `ValueError` when it cannot be trusted."""
    data = read_json(path)
    meta = data.get("batch")
    if not isinstance(meta, dict) or not isinstance(meta.get("learner"), str):
        raise ValueError("no batch block naming its learner")
    if record_stem(meta["learner"]) != path.stem:
        raise ValueError("its file name is not its learner's")
    problem = check(data) if check is not None else ""
    if problem:
        raise ValueError(problem)
    if "exercises" not in data and isinstance(data.get("status"), str):
        partial = data.get("report") if isinstance(data.get("report"), dict) else None
        return Record(meta["learner"], data["status"], None, meta, path, partial)
    if not isinstance(data.get("exercises"), list):
        raise ValueError("neither a report nor a problem record")
    report = {key: value for key, value in data.items() if key != "batch"}
    return Record(meta["learner"], GRADED, report, meta, path)


def is_current(record: Record | None, submission_hash: str, seed: int | None) -> bool:
    """Whether `record` graded this very submission with this course and grader (and with `seed`,
    when one was given), so that a rerun may skip it. A learner not graded is never current."""
    if record is None or not record.graded:
        return False
    meta = record.meta
    same = (
        meta.get("submission_hash"),
        meta.get("course_version"),
        meta.get("grader_version"),
    ) == (submission_hash, course_version(), grader_version())
    return same and (seed is None or meta.get("seed") == seed)


def write_intake(out_dir: Path, learners: dict[str, str], shard: str | None) -> None:
    """OUT/intake.json: the learners this out folder found (name -> submitted-files hash, "" for an
    upload that could not be graded), so `grade merge` can check every record against it."""
    write_atomic(
        folder(out_dir) / INTAKE_FILE,
        dumps(
            {
                "course_version": course_version(),
                "grader_version": grader_version(),
                "shard": shard,
                "learners": dict(sorted(learners.items())),
            }
        ),
    )


def read_intake(out_dir: Path) -> dict:
    """OUT/intake.json as written by `write_intake`; `ValueError` when it is missing or malformed."""
    data = read_json(out_dir / INTAKE_FILE)
    learners = data.get("learners")
    if not isinstance(learners, dict) or not all(
        isinstance(value, str) for value in learners.values()
    ):
        raise ValueError("its learners are not a list of names and hashes")
    if not all(
        isinstance(data.get(key), str) for key in ("course_version", "grader_version")
    ) or not isinstance(data.get("shard"), (str, type(None))):
        raise ValueError("it does not say which course, grader and shard it belongs to")
    return data
