"""The Gradescope autograder bundle: `autograder.zip` as Gradescope's specification asks.

Gradescope unzips the bundle into /autograder/source and runs `setup.sh` there once, when it
builds the image; for every submission it copies `run_autograder` to /autograder, puts the
learner's upload in /autograder/submission and reads /autograder/results/results.json. So
`setup.sh`, `run_autograder` and the course (pyproject.toml, grader/ with its hidden suites,
quizzes/, the quiz keys in solutions/answers/) stand at the root of the zip, never under a
folder. Both scripts find every path from where they lie, so a copy of the layout anywhere
(a test's temporary folder) grades the same way.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from grader.instructor.tree import copy_course_parts

EXECUTABLE = 0o755
BUNDLE_PARTS = ("pyproject.toml", "grader", "quizzes", "solutions/answers")

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, in /autograder/source (where autograder.zip was unzipped), when it
# builds the autograder image: it installs the grader with TensorFlow for ex07.
set -euo pipefail
# The image is the grader's alone: on Ubuntu 23.04 and later, whose python3 is "externally
# managed" (PEP 668), pip may install into it (older pips ignore this variable).
export PIP_BREAK_SYSTEM_PACKAGES=1
source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$source_dir"
if ! python3 -m pip --version >/dev/null 2>&1; then
    apt-get update && apt-get install -y python3-pip
fi
python3 -m pip install -e ".[keras]"
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission, as /autograder/run_autograder; the learner's upload
# is in /autograder/submission (files side by side, an exercises/ and answers/ folder, or either
# inside one folder: all are accepted; a notebook (.ipynb) there gives the exercises whose .py file
# is missing), and the results go to /autograder/results/results.json.
#
# Only a graded run (the grader's exit code 0 or 1, with a readable report that names no test the
# grader could not check) leaves a results.json.
# When the grader itself fails (exit code 3, tests it could not check, a crash, an abort, no
# readable report), this script leaves no results.json and exits non-zero: Gradescope then shows
# "The autograder failed to execute correctly", records no score (never a 0 for the learner) and
# the instructor can rerun the autograder. Why it failed is printed here, in the autograder
# output, which only instructors see. Each grading draws a fresh secret seed (no --seed): results.json
# keeps it in extra_data, which Gradescope stores without showing it.
set -u
exec 2>&1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ -d "$here/source" ]; then root=$here; else root=$(dirname "$here"); fi
results="$root/results"
mkdir -p "$results"
rm -f "$results/results.json"
# Learner code runs as an unprivileged user: it may not read the hidden suites, the quiz keys, nor
# submission_metadata.json (earlier results, hidden feedback and seeds included).
chmod go-rwx "$root"
chmod -R go-rwx "$root/source"
cd "$root/source"
report=$(mktemp)
trap 'rm -f "$report"' EXIT
# Each submission has a container of its own; the grader still jails learner code with Linux
# namespaces where the container allows them, and otherwise runs it as an unprivileged user
# under resource limits (the report names which).
python3 -m grader --all --submission "$root/submission" --format gradescope \\
    --output "$report" --allow-weak-sandbox
status=$?
if { [ "$status" -eq 0 ] || [ "$status" -eq 1 ]; } && python3 -c '
import json, sys
results = json.load(open(sys.argv[1], encoding="utf-8"))
sys.exit(not (isinstance(results, dict) and isinstance(results.get("score"), (int, float))
              and isinstance(results.get("tests"), list)
              and not (results.get("extra_data") or {}).get("unchecked")))' "$report"; then
    # Late work: the course's late policy with Gradescope's dates (grader/instructor/gradescope_late.py).
    if [ -f "$root/submission_metadata.json" ]; then
        python3 -m grader.instructor.gradescope_late "$report" "$root/submission_metadata.json"
    fi
    cp "$report" "$results/results.json.partial" && mv "$results/results.json.partial" "$results/results.json"
    exit 0
fi
echo "AUTOGRADER FAILURE: the grader itself failed (exit code $status), so this submission was not graded."
echo "No results.json is written: Gradescope records no score for it (never a 0). Rerun the autograder"
echo "for this submission; if it fails again, the grader's own messages above say why."
python3 -c '
import json, sys
try:
    unchecked = json.load(open(sys.argv[1], encoding="utf-8"))["extra_data"]["unchecked"]
except Exception:
    sys.exit(0)
print("Tests the grader could not check:", *unchecked, sep="\\n  ")' "$report"
exit 1
"""


BUNDLE_README = """# cnn-exercises: Gradescope autograder

Built by `grade publish`. Gradescope runs setup.sh once and run_autograder for every submission;
the grader scores the upload with the public and hidden suites and the quiz keys, and writes
results.json. Instructor material: do not share it with learners.
"""


def write_bundle(course_root: Path, zip_path: Path, lang: str = "en") -> Path:
    """Write `zip_path`: the two scripts and the grading course at the root of the archive; with
    `lang` "ko" every submission's feedback is in Korean (a container's locale is C)."""
    run_autograder = RUN_AUTOGRADER.replace(
        "--allow-weak-sandbox", f"--allow-weak-sandbox --lang {lang}"
    )
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in (("setup.sh", SETUP_SH), ("run_autograder", run_autograder)):
            info = zipfile.ZipInfo(name)
            info.external_attr = (EXECUTABLE | 0o100000) << 16  # a regular, executable file
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text)
        archive.writestr("README.md", BUNDLE_README)
        for relative, source in copy_course_parts(course_root, BUNDLE_PARTS):
            archive.write(source, relative.as_posix())
    return zip_path


def flat_upload(course_folder: Path, target: Path) -> None:
    """Copy a course-shaped folder's exercise files and quiz answers side by side into `target`,
    as a learner uploading files through Gradescope's form gives them."""
    for pattern in ("ex[0-9][0-9]_*.py", "answers/q[0-9][0-9].yaml"):
        for path in sorted(course_folder.glob(pattern)):
            shutil.copyfile(path, target / path.name)
