"""Splitting a class across machines: `--shard K/N` picks learners by a hash of their name, and
`grade merge` puts the shards' out folders back together.

A learner's shard depends on their name alone (SHA-256, modulo N), so adding learners never
moves anyone already graded to another shard, and every machine agrees without talking to the
others. Merging copies each shard's records (reports, problem records, moved-aside reports)
into one out folder, the newest record winning if a learner appears twice; the gradebook is
then rebuilt from the merged records, exactly as one unsharded run builds it.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from grader.errors import InputError
from grader.instructor import records

SHARD_PATTERN = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


@dataclass(frozen=True)
class Shard:
    """Shard `index` (1-based) of `count`."""

    index: int
    count: int


def parse_shard(text: str) -> Shard:
    """"2/4" -> Shard(2, 4); `InputError` unless 1 <= K <= N."""
    match = SHARD_PATTERN.match(text or "")
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise InputError(f"--shard takes K/N with 1 <= K <= N (e.g. 2/4), not {text!r}")
    return Shard(int(match[1]), int(match[2]))


def in_shard(learner: str, shard: Shard) -> bool:
    """Whether `learner` belongs to `shard`: their name's hash, modulo the shard count."""
    digest = hashlib.sha256(learner.encode("utf-8", "surrogateescape")).digest()
    return int.from_bytes(digest[:8], "big") % shard.count == shard.index - 1


def merge_outputs(sources: list[Path], out_dir: Path) -> dict[str, list[int]]:
    """Copy the records of every shard output in `sources` into `out_dir`.

    Returns the seeds each source was graded with, by source, so the caller can warn when the
    shards did not share one.
    """
    seeds: dict[str, list[int]] = {}
    merged: dict[str, records.Record] = records.load_records(out_dir) if out_dir.is_dir() else {}
    for source in sources:
        if not source.is_dir():
            raise InputError(f"shard output {source} does not exist")
        found = records.load_records(source)
        seeds[str(source)] = sorted({r.meta.get("seed") for r in found.values() if isinstance(r.meta.get("seed"), int)})
        if source.resolve() == out_dir.resolve():
            continue
        for learner, record in found.items():
            earlier = merged.get(learner)
            if earlier is not None and earlier.meta.get("graded_at", "") > record.meta.get("graded_at", ""):
                continue
            merged[learner] = record
            if record.graded:
                records.save_report(out_dir, record.report, record.meta)
            else:
                records.save_problem(out_dir, record.status, record.meta)
        for stale in sorted((source / records.STALE).glob("*.json")):
            (out_dir / records.STALE).mkdir(parents=True, exist_ok=True)
            shutil.copy2(stale, out_dir / records.STALE / stale.name)
    return seeds

