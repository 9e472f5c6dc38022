"""Small fake classes for the batch tests: a few learners, ex01-ex06 files only (fast to grade)."""

from __future__ import annotations

import csv
import shutil
import zipfile
from pathlib import Path

from tests.conftest import SOLUTIONS

BUGGY = Path(__file__).resolve().parent.parent / "fixtures" / "buggy"
FLIPPED_KERNEL = BUGGY / "conv_flipped_kernel.py"  # graded as ex04_stride.py


def learner(folder: Path, **files: str | Path) -> Path:
    """A learner's folder: `learner(root / "alice", ex01=SOLUTIONS, ex04=FLIPPED_KERNEL)`."""
    from grader.course.catalogue import load_catalogue

    catalogue = load_catalogue()
    folder.mkdir(parents=True, exist_ok=True)
    for item_id, content in files.items():
        target = folder / catalogue.item(item_id).file
        if isinstance(content, Path):
            shutil.copyfile(content / target.name if content.is_dir() else content, target)
        else:
            target.write_text(content, encoding="utf-8")
    return folder


def zipped(archive: Path, members: dict[str, str | Path]) -> Path:
    """A zip whose members are {name in the zip: text, or a file to copy}."""
    archive.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive, "w") as bundle:
        for name, content in members.items():
            if isinstance(content, Path):
                bundle.write(content, name)
            else:
                bundle.writestr(name, content)
    return archive


def small_class(root: Path) -> Path:
    """alice: ex01 and ex06 right; bob: a flipped kernel in ex04; carol (a zip): ex01 right."""
    learner(root / "alice", ex01=SOLUTIONS, ex06=SOLUTIONS)
    learner(root / "bob", ex04=FLIPPED_KERNEL, ex01=SOLUTIONS)
    zipped(root / "carol.zip", {"carol/ex01_convolution.py": SOLUTIONS / "ex01_convolution.py"})
    return root


def rows_of(out: Path, name: str = "grades.csv") -> dict[str, dict]:
    with open(out / name, newline="", encoding="utf-8-sig") as stream:
        return {row["learner"]: row for row in csv.DictReader(stream)}
