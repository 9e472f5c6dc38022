"""`grade publish`: a student release and a Gradescope autograder bundle from the course.

The student release is the course without what must stay secret: no solutions (and so no quiz
keys), no hidden suites or their references, no project tests or benchmarks, and a manifest
that lists the public tests only, so a learner's local score is honest about what it counts.
The Gradescope bundle holds the full grader (hidden suites and quiz keys included, but not the
reference solutions, which grading never needs) plus Gradescope's `setup.sh` and
`run_autograder`.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

from grader.course.catalogue import Catalogue
from grader.errors import InputError

IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".grade", "*.egg-info", ".pytest_cache")
SHARED_PARTS = ("README.md", "pyproject.toml", "exercises", "quizzes")
HIDDEN_SUITES = Path("grader") / "suites" / "hidden"
QUIZ_KEYS = Path("solutions") / "answers"

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image.
set -euo pipefail
cd /autograder/source
python3 -m pip install --upgrade pip
python3 -m pip install -e .
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission; results go to /autograder/results/results.json.
cd /autograder/source
submission=/autograder/submission
# Learners may upload the exercise files themselves or their whole exercises/ folder.
if [ -d "$submission/exercises" ]; then submission="$submission/exercises"; fi
grade --all --submission "$submission" --format gradescope \\
    --output /autograder/results/results.json
status=$?
if [ "$status" -gt 1 ]; then
    # The grader itself failed (exit 2 or 3): say so instead of leaving no results.
    printf '{"score": 0, "output": "The autograder failed (exit code %s). Please tell your instructor.", "tests": []}\\n' "$status" \\
        > /autograder/results/results.json
fi
exit 0
"""

STUDENT_NOTE = """
## This is the student release

It holds the exercises, the quizzes and the public tests. `grade` scores the public tests
only (and cannot grade quizzes without their keys): your instructor's grade also counts
hidden tests, which check the same contract on more cases.
"""


@dataclass(frozen=True)
class Published:
    """Where `publish` put things."""

    student: Path
    autograder_zip: Path


def publish(catalogue: Catalogue, out_dir: Path) -> Published:
    """Write `out_dir/student/` and `out_dir/gradescope/autograder.zip`."""
    root = catalogue.root
    if not (root / "solutions").is_dir() or not (root / HIDDEN_SUITES).is_dir():
        raise InputError(f"{root} is not a full course (no solutions/ or hidden suites); "
                         "publish from the instructor's repository")
    if out_dir.exists() and any(out_dir.iterdir()):
        raise InputError(f"{out_dir} is not empty; choose a new folder")
    student = out_dir / "student"
    _copy_course(root, student, with_hidden=False)
    (student / "README.md").write_text((root / "README.md").read_text(encoding="utf-8") + STUDENT_NOTE,
                                       encoding="utf-8")
    _keep_public_manifest(student / "grader" / "suites" / "manifest.json")

    bundle = out_dir / "gradescope" / "source"
    _copy_course(root, bundle, with_hidden=True)
    autograder_zip = out_dir / "gradescope" / "autograder.zip"
    with zipfile.ZipFile(autograder_zip, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in (("setup.sh", SETUP_SH), ("run_autograder", RUN_AUTOGRADER)):
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o755 << 16
            archive.writestr(info, text)
        for path in sorted(bundle.rglob("*")):
            if path.is_file():
                archive.write(path, Path("source") / path.relative_to(bundle))
    shutil.rmtree(bundle)
    return Published(student=student, autograder_zip=autograder_zip)


def _copy_course(root: Path, target: Path, *, with_hidden: bool) -> None:
    target.mkdir(parents=True)
    for part in SHARED_PARTS:
        source = root / part
        if source.is_dir():
            shutil.copytree(source, target / part, ignore=IGNORED)
        elif source.is_file():
            shutil.copyfile(source, target / part)
    hidden = shutil.ignore_patterns("hidden") if not with_hidden else None
    shutil.copytree(root / "grader", target / "grader",
                    ignore=lambda folder, names: set(IGNORED(folder, names)) | (
                        set(hidden(folder, names)) if hidden and folder.endswith("suites") else set()))
    if with_hidden and (root / QUIZ_KEYS).is_dir():
        shutil.copytree(root / QUIZ_KEYS, target / QUIZ_KEYS, ignore=IGNORED)


def _keep_public_manifest(path: Path) -> None:
    entries = json.loads(path.read_text(encoding="utf-8"))
    public = [entry for entry in entries if entry["visibility"] == "public"]
    path.write_text(json.dumps(public, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
