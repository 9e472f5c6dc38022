"""`grade publish`: a student release and a Gradescope autograder bundle from the course.

The student release (grader/instructor/release.py) is a course a learner installs and uses
alone, with nothing secret in it. The Gradescope bundle (grader/instructor/gradescope.py) holds
the grader with its hidden suites and the quiz keys (never the reference solutions, which
grading does not need) and the two scripts Gradescope runs, at the root of `autograder.zip`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.course.catalogue import Catalogue
from grader.course.instructions import korean_stub
from grader.errors import InputError
from grader.instructor.gradescope import write_bundle
from grader.instructor.release import write_release

HIDDEN_SUITES = Path("grader") / "suites" / "hidden"


@dataclass(frozen=True)
class Published:
    """Where `publish` put things."""

    student: Path
    autograder_zip: Path


def publish(catalogue: Catalogue, out_dir: Path, stubs_lang: str = "en") -> Published:
    """Write `out_dir/student/` and `out_dir/gradescope/autograder.zip`; with `stubs_lang` "ko"
    the student's stubs carry Korean docstrings and TODO lines (grader/course/instructions.py)
    and the autograder gives its feedback in Korean."""
    root = catalogue.root
    if not (root / "solutions").is_dir() or not (root / HIDDEN_SUITES).is_dir():
        raise InputError(f"{root} is not a full course (no solutions/ or hidden suites); "
                         "publish from the instructor's repository")
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise InputError(f"{out_dir} is not empty; choose a new folder")
    student = write_release(root, out_dir / "student")
    if stubs_lang == "ko":
        for exercise in catalogue.exercises:
            stub = student / "exercises" / exercise.file
            stub.write_text(korean_stub(stub.read_text(encoding="utf-8"), exercise), encoding="utf-8")
    autograder_zip = write_bundle(root, out_dir / "gradescope" / "autograder.zip", lang=stubs_lang)
    return Published(student=student, autograder_zip=autograder_zip)
