"""Splitting a class across machines: `--shard K/N` picks learners by a hash of their name, and
`grade merge` puts the shards' out folders back together.

A learner's shard depends on their name alone (SHA-256, modulo N), so adding learners never
moves anyone already graded to another shard, and every machine agrees without talking to the
others. A shard's out folder is input to `grade merge`, never trusted: it may hold no link and
nothing but plain files and folders, its intake list (OUT/intake.json) must come from this
course and grader, and every record must pass grader/instructor/recordcheck.py, belong to a
learner the shard found (with the upload it found, in its shard) and be graded by this course
and grader. Every shard is checked before anything is written: a shard that fails is refused
whole, with one line saying why, and the output is left as it was. Then the records (and
their history) are copied, the newest winning if a learner appears twice, and the gradebook is
rebuilt from them exactly as one unsharded run builds it.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from grader.course.catalogue import Catalogue
from grader.errors import InputError
from grader.instructor import records
from grader.instructor.recordcheck import RecordCheck
from grader.instructor.signature import and_signed
from grader.sanitise import visible

MESSAGE_LIMIT = 600
SHOWN_MISSING = 8  # shards named in the warning about those a merge was not given
SHARD_PATTERN = re.compile(r"^\s*(\d{1,9})\s*/\s*(\d{1,9})\s*$")  # int() refuses 4,300 digits
HISTORY_NAME = re.compile(r"^(?P<stem>.+)\.\d{8}T\d{6}Z\.[0-9a-f]{6}\.json$")


@dataclass(frozen=True)
class Shard:
    """Shard `index` (1-based) of `count`."""

    index: int
    count: int


def parse_shard(text: str) -> Shard:
    """ "2/4" -> Shard(2, 4); `InputError` unless 1 <= K <= N."""
    match = SHARD_PATTERN.match(text or "")
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise InputError(
            f"--shard takes K/N with 1 <= K <= N (e.g. 2/4), not '{visible(text, 40)}'"
        )
    return Shard(int(match[1]), int(match[2]))


def in_shard(learner: str, shard: Shard) -> bool:
    """Whether `learner` belongs to `shard`: their name's hash, modulo the shard count."""
    digest = hashlib.sha256(learner.encode("utf-8", "surrogateescape")).digest()
    return int.from_bytes(digest[:8], "big") % shard.count == shard.index - 1


@dataclass
class ShardOutput:
    """One shard's out folder, checked: its records, history files and intake list."""

    source: Path
    records: dict[str, records.Record]
    history: dict[str, dict] = field(default_factory=dict)  # file name -> record
    learners: dict[str, str] = field(default_factory=dict)  # the intake list
    shard: Shard | None = None  # which shard it graded (None: the whole class)


class TamperedShard(InputError):
    """A shard output that cannot be trusted: nothing is merged. The message names what the shard
    holds (learners' names, file names), shown escaped: it is one line whatever they contain."""

    def __init__(self, message: str):
        super().__init__(visible(message, MESSAGE_LIMIT))


def read_shard(source: Path, check: RecordCheck) -> ShardOutput:
    """`source` checked whole (see the module's docstring); `TamperedShard` saying why not."""
    _refuse_links(source)
    try:
        intake = records.read_intake(source)
    except ValueError as error:
        raise TamperedShard(
            f"{source}: its {records.INTAKE_FILE} cannot be used ({error}); merge only "
            "out folders written by `grade batch` of this grader"
        ) from None
    _same_versions(source, intake, records.INTAKE_FILE)
    shard = parse_shard(intake["shard"]) if intake["shard"] else None
    scan = records.scan_records(source, check)
    for name, why in scan.invalid.items():
        raise TamperedShard(f"{source / name}: {why}")
    for learner, record in scan.records.items():
        where = record.path or source
        if learner not in intake["learners"] or (
            shard is not None and not in_shard(learner, shard)
        ):
            raise TamperedShard(f"{where}: {learner} is not a learner this shard found")
        _same_versions(where, record.meta, "record")
        if record.graded and record.meta.get("submission_hash") != intake["learners"][learner]:
            raise TamperedShard(
                f"{where}: not graded from the upload the shard found; run `grade batch` "
                "for this shard again, then merge"
            )
    return ShardOutput(
        source, scan.records, _read_history(source, check), intake["learners"], shard
    )


def coverage(outputs: list[ShardOutput]) -> tuple[Callable[[str], bool], list[str]]:
    """(whether a learner falls in one of the shards merged, the shards of their counts missing):
    a learner of a shard not given is not in the gradebook, never "not submitted"."""
    if any(output.shard is None for output in outputs):
        return (lambda name: True), []
    shards = {output.shard for output in outputs if output.shard is not None}
    missing = []
    for count in sorted({shard.count for shard in shards}):
        given = {shard.index for shard in shards if shard.count == count}
        shown = list(
            itertools.islice(
                (index for index in range(1, count + 1) if index not in given), SHOWN_MISSING
            )
        )
        missing += [f"{index}/{count}" for index in shown]
        if count - len(given) > len(shown):
            missing.append(f"and {count - len(given) - len(shown)} more of {count}")
    return (lambda name: any(in_shard(name, shard) for shard in shards)), missing


def _refuse_links(source: Path) -> None:
    """A shard holds plain folders and files only: a link anywhere (or a FIFO, a device) is refused."""
    if source.is_symlink():
        raise TamperedShard(f"{source} is a symbolic link; links are never followed")
    for folder, folders, files in os.walk(source):
        for name in [*folders, *files]:
            mode = os.lstat(os.path.join(folder, name)).st_mode
            if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
                what = "a symbolic link" if stat.S_ISLNK(mode) else "not a plain file or folder"
                raise TamperedShard(
                    f"{os.path.join(folder, name)} is {what}; links are never followed, "
                    "and a shard holding one is not merged"
                )


def _same_versions(where: Path, data: dict, what: str) -> None:
    ours = (records.course_version(), records.grader_version())
    theirs = (data.get("course_version"), data.get("grader_version"))
    if theirs != ours:
        raise TamperedShard(
            f"{where}: the {what} is from course {theirs[0]} and grader {theirs[1]}, not "
            f"{ours[0]} and {ours[1]}: grade every shard with the grader that merges"
        )


def _read_history(source: Path, check: RecordCheck) -> dict[str, dict]:
    history: dict[str, dict] = {}
    for path in (
        sorted((source / records.HISTORY).glob("*")) if (source / records.HISTORY).is_dir() else []
    ):
        match = HISTORY_NAME.match(path.name)
        try:
            data = records.read_json(path)
            problem = check.schema_only(data)
        except ValueError as error:
            problem = str(error)
        learner = data.get("batch", {}).get("learner") if not problem else None
        if (
            problem
            or match is None
            or not isinstance(learner, str)
            or records.record_stem(learner) != match["stem"]
        ):
            raise TamperedShard(
                f"{path}: not a record moved aside by `grade batch` ({problem or 'its name'})"
            )
        history[path.name] = data
    return history


def check_shards(sources: list[Path], catalogue: Catalogue) -> list[ShardOutput]:
    """Every shard output in `sources`, checked whole; `InputError` (nothing written) at the first
    that cannot be trusted."""
    check = RecordCheck(catalogue)
    outputs = []
    for source in sources:
        if not source.is_dir():
            raise InputError(f"shard output {source} does not exist")
        outputs.append(read_shard(source, check))
    return outputs


def merge_outputs(outputs: list[ShardOutput], out_dir: Path, catalogue: Catalogue) -> set[int]:
    """Copy the records of checked shard outputs into `out_dir` (with a merged intake list).
    Returns the seeds the shards were given (`--seed`), so the caller can warn when they differ."""
    check = and_signed(
        RecordCheck(catalogue)
    )  # the output's own records count if this machine signed them
    merged = records.load_records(out_dir, check) if out_dir.is_dir() else {}
    known: dict[str, str] = {}
    if out_dir.is_dir():
        try:
            known = records.read_intake(out_dir)["learners"]
        except ValueError:
            known = {}
    for output in outputs:
        known.update(output.learners)
        _copy(
            output, merged, out_dir
        )  # the output itself among them: its records not signed here are
    records.write_intake(out_dir, known, None)
    return {
        record.meta["seed"]
        for output in outputs
        for record in output.records.values()
        if record.meta.get("seed_given") and isinstance(record.meta.get("seed"), int)
    }


def _copy(output: ShardOutput, merged: dict[str, records.Record], out_dir: Path) -> None:
    for learner, record in output.records.items():
        earlier = merged.get(learner)
        if earlier is not None and str(earlier.meta.get("graded_at")) >= str(
            record.meta.get("graded_at")
        ):
            continue  # the output already has this record, or a newer one
        merged[learner] = record
        if record.graded:
            records.save_report(out_dir, record.graded_report, record.meta)
        else:
            records.save_problem(out_dir, record.status, record.meta, record.partial)
    for name, data in output.history.items():
        target = records.folder(out_dir, records.HISTORY) / name
        if not os.path.lexists(target):
            records.write_atomic(target, records.dumps(data))
