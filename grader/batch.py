"""`grade batch`: grade a class, one sub-folder or .zip per learner, a few at a time.

Each learner is graded by a separate `grade --all` process (one learner's disaster cannot
take the batch down), all with the same seed, so scores are comparable and replayable. The
output folder gets one JSON report per learner and `grades.csv` with a row per learner.
Zip files are unpacked with limits: no absolute paths, no `..`, no links, a cap on files and
bytes.
"""

from __future__ import annotations

import csv
import json
import secrets
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import click

from grader.catalogue import Catalogue
from grader.errors import InputError

MAX_ZIP_FILES = 500
MAX_ZIP_BYTES = 50 << 20
GRADING_TIMEOUT = 30 * 60  # one learner's whole run; the per-exercise limits normally end it far sooner


@dataclass
class LearnerOutcome:
    """How grading one learner went: their report, or why there is none."""

    learner: str
    exit_code: int
    report: dict | None
    problem: str = ""


def find_learners(folder: Path) -> dict[str, Path]:
    """Learner name -> their sub-folder or .zip, sorted by name."""
    if not folder.is_dir():
        raise InputError(f"batch folder {folder} does not exist")
    learners = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir() or (entry.is_file() and entry.suffix.lower() == ".zip"):
            learners[entry.stem if entry.is_file() else entry.name] = entry
    if not learners:
        raise InputError(f"{folder} holds no learner folders or .zip files")
    return learners


def unpack(archive: Path, target: Path) -> Path:
    """Extract a learner's zip safely; returns the folder that holds their files."""
    with zipfile.ZipFile(archive) as bundle:
        members = bundle.infolist()
        if len(members) > MAX_ZIP_FILES or sum(m.file_size for m in members) > MAX_ZIP_BYTES:
            raise ValueError(f"the archive is too large (over {MAX_ZIP_FILES} files or "
                             f"{MAX_ZIP_BYTES >> 20} MB unpacked)")
        for member in members:
            name = Path(member.filename)
            if name.is_absolute() or ".." in name.parts or stat.S_ISLNK(member.external_attr >> 16):
                raise ValueError(f"the archive holds an unsafe entry: {member.filename}")
            if member.is_dir():
                continue
            destination = target / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            with bundle.open(member) as source, open(destination, "wb") as sink:
                shutil.copyfileobj(source, sink)
    return submission_root(target)


def submission_root(folder: Path) -> Path:
    """Where the exercise files are: the folder, its exercises/, or its one sub-folder."""
    for candidate in (folder, folder / "exercises"):
        if any(candidate.glob("ex[0-9][0-9]_*.py")) or (candidate / "answers").is_dir():
            return candidate
    children = [child for child in folder.iterdir() if child.is_dir() and not child.name.startswith(("_", "."))]
    return submission_root(children[0]) if len(children) == 1 else folder


def grade_learner(learner: str, source: Path, out_dir: Path, seed: int) -> LearnerOutcome:
    """Run `grade --all` for one learner in its own process and read back its JSON report."""
    report_path = out_dir / f"{learner}.json"
    with tempfile.TemporaryDirectory(prefix="batch-") as scratch:
        try:
            folder = unpack(source, Path(scratch)) if source.is_file() else submission_root(source)
        except (ValueError, zipfile.BadZipFile, OSError) as error:
            return LearnerOutcome(learner, 2, None, f"cannot read {source.name}: {error}")
        command = [sys.executable, "-m", "grader", "--all", "--submission", str(folder),
                   "--format", "json", "--output", str(report_path), "--seed", str(seed)]
        try:
            completed = subprocess.run(command, capture_output=True, text=True, timeout=GRADING_TIMEOUT)
        except subprocess.TimeoutExpired:
            return LearnerOutcome(learner, 3, None, "grading took longer than "
                                                    f"{GRADING_TIMEOUT // 60} minutes")
    if completed.returncode not in (0, 1) or not report_path.is_file():
        message = (completed.stderr.strip().splitlines() or ["no report"])[-1]
        return LearnerOutcome(learner, completed.returncode, None, message)
    return LearnerOutcome(learner, completed.returncode,
                          json.loads(report_path.read_text(encoding="utf-8")))


def run_batch(catalogue: Catalogue, folder: Path, out_dir: Path, workers: int,
              seed: int | None = None) -> tuple[list[LearnerOutcome], int]:
    """Grade every learner in `folder`; returns the outcomes and the seed used."""
    learners = find_learners(folder)
    out_dir.mkdir(parents=True, exist_ok=True)
    seed = secrets.randbelow(2**31) if seed is None else seed
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(grade_learner, name, path, out_dir, seed) for name, path in learners.items()]
        with click.progressbar(futures, label=f"Grading {len(futures)} learners", file=sys.stderr) as bar:
            outcomes = [future.result() for future in bar]
    write_csv(catalogue, outcomes, out_dir / "grades.csv")
    return outcomes, seed


def write_csv(catalogue: Catalogue, outcomes: list[LearnerOutcome], path: Path) -> None:
    """A row per learner: total, then each item's score, then any problem."""
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["learner", "score", "max_score", *catalogue.ids, "problem"])
        for outcome in outcomes:
            if outcome.report is None:
                writer.writerow([outcome.learner, "", "", *[""] * len(catalogue.ids), outcome.problem])
                continue
            scores = {item["id"]: item["score"] for item in outcome.report["exercises"]}
            writer.writerow([outcome.learner, outcome.report["score"], outcome.report["max_score"],
                             *[scores.get(item_id, "") for item_id in catalogue.ids], ""])
