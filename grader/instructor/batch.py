"""`grade batch`: grade a class, one sub-folder or .zip per learner, a few at a time.

Each learner is graded by a separate child `grade --all` process (grader/sandbox/children.py:
one learner's disaster cannot take the batch down, and no learner folder can stand in for the
grader's modules), all with the same seed, so scores are comparable and replayable. The output
folder gets one JSON report per learner and `grades.csv` with a row per learner. Learner
entries that are links, or two entries with one learner's name, are reported, never graded.
Zip files are unpacked with limits: no absolute paths, no `..`, no links, a cap on files and
bytes.
"""

from __future__ import annotations

import csv
import json
import shutil
import stat
import sys
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import click

from grader.course.catalogue import Catalogue
from grader.errors import EXIT_FULL_MARKS, EXIT_GRADER_FAILED, EXIT_INPUT_ERROR, EXIT_POINTS_MISSING, InputError
from grader.grading.session import new_seed
from grader.sandbox.children import run_grader

MAX_ZIP_FILES = 500
MAX_ZIP_BYTES = 50 << 20
GRADING_TIMEOUT = 30 * 60  # one learner's whole run; the per-exercise limits normally end it far sooner
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # OWASP: cells a spreadsheet would run as formulas


@dataclass
class LearnerOutcome:
    """How grading one learner went: their report, or why there is none."""

    learner: str
    exit_code: int
    report: dict | None
    problem: str = ""


@dataclass(frozen=True)
class Learner:
    """One learner's entry in the batch folder, or the problem that keeps it from being graded."""

    name: str
    path: Path
    problem: str = ""


def find_learners(folder: Path) -> list[Learner]:
    """Every learner in `folder` (sorted by name): a sub-folder or a .zip each."""
    if not folder.is_dir():
        raise InputError(f"batch folder {folder} does not exist")
    entries: dict[str, list[Path]] = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        is_zip = entry.suffix.lower() == ".zip"
        if entry.is_symlink() or entry.is_dir() or (entry.is_file() and is_zip):
            entries.setdefault(entry.stem if is_zip else entry.name, []).append(entry)
    if not entries:
        raise InputError(f"{folder} holds no learner folders or .zip files")
    learners = []
    for name, paths in entries.items():
        if len(paths) > 1:
            listed = " and ".join(path.name + ("/" if path.is_dir() else "") for path in paths)
            learners.append(Learner(name, paths[0], f"two submissions for {name}: {listed}; keep one"))
        elif paths[0].is_symlink():
            learners.append(Learner(name, paths[0], f"{paths[0].name} is a symbolic link; links "
                                                    "are never followed, submit the folder itself"))
        else:
            learners.append(Learner(name, paths[0]))
    return learners


def unpack(archive: Path, target: Path) -> Path:
    """Extract a learner's zip safely into `target`; returns `target`."""
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
    return target


def grade_learner(learner: Learner, out_dir: Path, seed: int, allow_weak_sandbox: bool) -> LearnerOutcome:
    """Run `grade --all` for one learner in a child process and read back its JSON report."""
    if learner.problem:
        return LearnerOutcome(learner.name, EXIT_INPUT_ERROR, None, learner.problem)
    report_path = out_dir / f"{learner.name}.json"
    with tempfile.TemporaryDirectory(prefix="batch-") as scratch:
        try:
            folder = unpack(learner.path, Path(scratch)) if learner.path.is_file() else learner.path
        except (ValueError, zipfile.BadZipFile, OSError) as error:
            return LearnerOutcome(learner.name, EXIT_INPUT_ERROR, None, f"cannot read {learner.path.name}: {error}")
        arguments = ["--all", "--submission", str(folder.resolve()), "--format", "json",
                     "--output", str(report_path.resolve()), "--seed", str(seed)]
        if allow_weak_sandbox:
            arguments.append("--allow-weak-sandbox")
        child = run_grader(arguments, timeout=GRADING_TIMEOUT)
    if child.exit_code is None:
        return LearnerOutcome(learner.name, EXIT_GRADER_FAILED, None,
                              f"grading took longer than {GRADING_TIMEOUT // 60} minutes")
    if child.exit_code not in (EXIT_FULL_MARKS, EXIT_POINTS_MISSING) or not report_path.is_file():
        message = (child.stderr.strip().splitlines() or ["no report"])[-1]
        return LearnerOutcome(learner.name, child.exit_code, None, message)
    return LearnerOutcome(learner.name, child.exit_code,
                          json.loads(report_path.read_text(encoding="utf-8")))


def run_batch(catalogue: Catalogue, folder: Path, out_dir: Path, workers: int,
              seed: int | None = None, *, allow_weak_sandbox: bool = False) -> tuple[list[LearnerOutcome], int]:
    """Grade every learner in `folder`; returns the outcomes and the seed used."""
    learners = find_learners(folder)
    out_dir.mkdir(parents=True, exist_ok=True)
    seed = new_seed() if seed is None else seed
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(grade_learner, learner, out_dir, seed, allow_weak_sandbox)
                   for learner in learners]
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
                writer.writerow(safe_row([outcome.learner, "", "", *[""] * len(catalogue.ids), outcome.problem]))
                continue
            scores = {item["id"]: item["score"] for item in outcome.report["exercises"]}
            writer.writerow(safe_row([outcome.learner, outcome.report["score"], outcome.report["max_score"],
                                      *[scores.get(item_id, "") for item_id in catalogue.ids], ""]))


def safe_cell(value: object) -> object:
    """A CSV cell a spreadsheet shows as text: numbers stay numbers, a text that starts like a
    formula (= + - @, tab, carriage return) gets a leading apostrophe (OWASP's CSV-injection rule)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_row(values: list) -> list:
    return [safe_cell(value) for value in values]
