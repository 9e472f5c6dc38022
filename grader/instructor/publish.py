"""`grade publish`: a student release and a Gradescope autograder bundle from the course.

The student release (grader/instructor/release.py) is a course a learner installs and uses
alone, with nothing secret in it. The Gradescope bundle (grader/instructor/gradescope.py) holds
the grader with its hidden suites and the quiz keys (never the reference solutions, which
grading does not need) and the two scripts Gradescope runs, at the root of `autograder.zip`.

The learner's stubs are generated from the marked solutions (grader/instructor/source.py), so
an instructor's own attempts in exercises/ never ship. Publishing refuses, naming the files,
when a generated stub is not the course's own (grader/instructor/stubs.py: an answer left
unmarked, texts the Korean instructions do not translate) or the notebook was run, and,
once the release is written, when the behavioural scan (grader/instructor/scan.py) finds a
function or data file in it that earns a point: then nothing stays in OUTDIR. Both artefacts
are written into a hidden folder beside OUTDIR (`.OUTDIR.partial-PID`) and renamed into place
once scanned, so that even a publish killed outright leaves no half-written or unscanned
release in OUTDIR.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from grader.course.catalogue import Catalogue
from grader.course.instructions import korean_stub
from grader.errors import InputError
from grader.grading.manifest import check_manifest, collect_manifest
from grader.instructor.gradescope import BUNDLE_PARTS, write_bundle
from grader.instructor.release import RELEASE_PARTS, listed_files, write_release, write_stub_data
from grader.instructor.stubs import changed_files
from grader.instructor.tree import linked_paths
from grader.sandbox.isolation import IsolationSource

HIDDEN_SUITES = (
    Path("grader") / "exercises" / "hidden"
)  # shared by the hidden suites: a full course


@dataclass(frozen=True)
class Published:
    """Where `publish` put things."""

    student: Path
    autograder_zip: Path
    scan: str = ""  # the scan's summary line ("" when it was not run)


def publish(
    catalogue: Catalogue,
    out_dir: Path,
    stubs_lang: str = "en",
    *,
    isolation: IsolationSource | None = None,
) -> Published:
    """Write `out_dir/student/` and `out_dir/gradescope/autograder.zip`; with `stubs_lang` "ko"
    the student's stubs carry Korean docstrings and TODO lines (grader/course/instructions.py)
    and the autograder gives its feedback in Korean. With `isolation`, the release is scanned
    (in that sandbox) before it is declared published; on a finding OUTDIR is removed again."""
    root = catalogue.root
    if not (root / "solutions").is_dir() or not (root / HIDDEN_SUITES).is_dir():
        raise InputError(
            f"{root} is not a full course (no solutions/ or hidden suites); "
            "publish from the instructor's repository"
        )
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise InputError(f"{out_dir} is not empty; choose a new folder")
    linked = linked_paths(
        root,
        [
            *RELEASE_PARTS,
            *BUNDLE_PARTS,
            *listed_files(catalogue),
            *(f"solutions/{exercise.file}" for exercise in catalogue.exercises),
        ],
    )
    if linked:
        raise InputError(
            "not published: publish copies no symbolic link, and would leave out what these "
            f"stand for: {'; '.join(f'{path} is a symbolic link' for path in linked)}. Replace "
            "each with the file or folder itself and publish again"
        )
    changed = changed_files(catalogue)
    if changed:
        raise InputError(
            "not published: a release would hand these to learners, and they are not the "
            f"course's own stubs: {'; '.join(changed)}. Mark each answer in solutions/ "
            "(docs/authoring.md), restore the notebook (`git checkout -- exercises/`) and "
            "publish again"
        )
    suites_problems = check_manifest(catalogue, collect_manifest())
    if suites_problems:
        raise InputError(
            "not published: the suites do not grade the catalogue's exercises: "
            + "; ".join(suites_problems)
        )
    staging = _staging_folder(out_dir)
    try:
        published = _write(catalogue, staging, stubs_lang)
        if isolation is not None:
            published = _scanned(published, catalogue, isolation)
        _move_into_place(staging, out_dir.absolute())
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Published(
        out_dir / published.student.relative_to(staging),
        out_dir / published.autograder_zip.relative_to(staging),
        published.scan,
    )


def _move_into_place(staging: Path, out_dir: Path) -> None:
    """A missing OUTDIR appears whole, at once; into an existing (empty) one, which may be the
    working folder, the bundle moves first and the student release last."""
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    for part in ("gradescope", "student"):
        os.rename(staging / part, out_dir / part)


def _staging_folder(out_dir: Path) -> Path:
    """A new hidden folder beside `out_dir`, named for it and this process."""
    out_dir = out_dir.absolute()
    staging = out_dir.parent / f".{out_dir.name}.partial-{os.getpid()}"
    staging.parent.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(staging, ignore_errors=True)  # left by a killed publish that had this process id
    staging.mkdir()
    return staging


def _scanned(published: Published, catalogue: Catalogue, isolation: IsolationSource) -> Published:
    from grader.instructor.scan import scan_release

    result = scan_release(published.student, catalogue, isolation)
    if not result.clean:
        raise InputError(
            "not published: the release would hand out working answers.\n" + result.summary()
        )
    return Published(published.student, published.autograder_zip, result.summary())


def _write(catalogue: Catalogue, out_dir: Path, stubs_lang: str) -> Published:
    root = catalogue.root
    student = write_release(root, out_dir / "student", catalogue)
    if stubs_lang == "ko":
        for exercise in catalogue.exercises:
            stub = student / "exercises" / exercise.file
            stub.write_text(
                korean_stub(stub.read_text(encoding="utf-8"), exercise), encoding="utf-8"
            )
        write_stub_data(student, catalogue)  # `grade reset` restores the Korean stubs
    autograder_zip = write_bundle(root, out_dir / "gradescope" / "autograder.zip", lang=stubs_lang)
    return Published(student=student, autograder_zip=autograder_zip)
