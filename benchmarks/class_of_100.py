"""How long `grade batch --workers 2` takes for a class of 100 full submissions, on this machine.

The class mixes what an instructor really receives: complete solutions (ex01-ex07 and the quiz
answers), untouched stubs, solutions with one exercise replaced by a realistic bug from
tests/fixtures/buggy/, and solutions with one exercise replaced by a hostile file from
tests/attacks/fixtures/ (infinite loops that use their whole time limit, memory bombs, process
floods ...). Learner k's kind and fixture follow from k alone, so every run grades the same
class. `--sample K` grades K learners spread evenly over the 100 and extrapolates (the kinds
keep their shares); the full run is documented in README's "Speed" part with its figure.
Target (issue 13): at most 15 minutes for the 100 on 2 cores.

    python benchmarks/class_of_100.py [--sample 10] [--workers 2]

Exit code 1 if the (extrapolated) total misses the target or the batch fails.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CLASS_SIZE = 100
TARGET_SECONDS = 15 * 60
KINDS = (
    "solution",
    "solution",
    "stub",
    "buggy",
    "solution",
    "hostile",
    "buggy",
    "solution",
    "stub",
    "buggy",
)
EXERCISE_FILES = {
    "ex01": "ex01_convolution.py",
    "ex02": "ex02_sobel.py",
    "ex03": "ex03_padding.py",
    "ex04": "ex04_stride.py",
    "ex05": "ex05_pooling.py",
    "ex06": "ex06_output_size.py",
}
BUGGY = ROOT / "tests" / "fixtures" / "buggy"
HOSTILE = ROOT / "tests" / "attacks" / "fixtures"


def buggy_variants() -> list[tuple[str, str]]:
    """(file in tests/fixtures/buggy, exercise id), in the catalogue's order."""
    entries = yaml.safe_load((BUGGY / "catalogue.yaml").read_text(encoding="utf-8"))
    return [
        (entry["file"], entry["exercise"])
        for entry in entries
        if entry["exercise"] in EXERCISE_FILES
    ]


def hostile_fixtures() -> list[Path]:
    return sorted(
        path for path in HOSTILE.iterdir() if path.is_dir() and not path.name.startswith("ex07")
    )


def make_learner(folder: Path, index: int, bugs: list[tuple[str, str]], attacks: list[Path]) -> str:
    """Learner `index`'s submission in `folder`; returns its kind."""
    kind = KINDS[
        (index + index // len(KINDS)) % len(KINDS)
    ]  # any evenly spread sample holds every kind
    source = ROOT / ("exercises" if kind == "stub" else "solutions")
    folder.mkdir(parents=True)
    for path in sorted(source.glob("ex0*.py")):
        shutil.copyfile(path, folder / path.name)
    if (source / "answers").is_dir():
        shutil.copytree(source / "answers", folder / "answers")
    if kind == "buggy":
        file, exercise = bugs[(index * 7) % len(bugs)]
        shutil.copyfile(BUGGY / file, folder / EXERCISE_FILES[exercise])
    elif kind == "hostile":
        attack = attacks[(index * 3) % len(attacks)]
        for path in attack.iterdir():
            if path.is_file():
                shutil.copyfile(path, folder / path.name)
    return kind


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sample", type=int, default=CLASS_SIZE, help="learners graded (extrapolated to 100)"
    )
    parser.add_argument("--workers", type=int, default=2)
    arguments = parser.parse_args()
    sample = max(1, min(CLASS_SIZE, arguments.sample))
    chosen = sorted(
        {round(position * CLASS_SIZE / sample) % CLASS_SIZE for position in range(sample)}
    )
    bugs, attacks = buggy_variants(), hostile_fixtures()
    with tempfile.TemporaryDirectory(prefix="class-of-100-") as scratch:
        kinds = {
            f"learner{index:03d}": make_learner(
                Path(scratch, "class", f"learner{index:03d}"), index, bugs, attacks
            )
            for index in chosen
        }
        out = Path(scratch, "out")
        command = [
            sys.executable,
            "-m",
            "grader",
            "batch",
            str(Path(scratch, "class")),
            "--out",
            str(out),
            "--workers",
            str(arguments.workers),
            "--seed",
            "100",
        ]
        started = time.perf_counter()
        completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        if completed.returncode not in (0, 1):
            raise SystemExit(
                f"grade batch failed (exit {completed.returncode}): {completed.stderr[-800:]}"
            )
        with open(out / "grades.csv", newline="", encoding="utf-8") as stream:
            rows = {row["learner"]: row for row in csv.DictReader(stream)}
    shares = {
        kind: sum(1 for value in kinds.values() if value == kind)
        for kind in sorted(set(kinds.values()))
    }
    total = elapsed * CLASS_SIZE / len(chosen)
    print(
        f"{len(chosen)} of {CLASS_SIZE} learners ({', '.join(f'{n} {kind}' for kind, n in shares.items())}), "
        f"--workers {arguments.workers}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
    )
    print(f"  graded in {elapsed:.1f} s: {elapsed / len(chosen):.2f} s per learner")
    for kind in shares:
        percents = [row.get("percent", "") for name, row in rows.items() if kinds.get(name) == kind]
        print(f"  {kind:<9} percent: {', '.join(percents)}")
    ungraded = [
        name for name, row in rows.items() if not row.get("status", "").startswith("graded")
    ]
    if ungraded:
        print(f"  not graded: {', '.join(ungraded)}")
    label = "measured" if len(chosen) == CLASS_SIZE else f"extrapolated from {len(chosen)}"
    print(
        f"class of {CLASS_SIZE}: {total / 60:.1f} min ({label}; target {TARGET_SECONDS // 60} min)"
    )
    if total > TARGET_SECONDS:
        sys.exit(1)


if __name__ == "__main__":
    main()
