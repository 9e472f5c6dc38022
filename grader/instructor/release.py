"""The student release: a course a learner can install and use alone, holding nothing secret.

It has the stubs, the quiz questions, the grader with the public suites only, the pictures'
expected answers as data (computed here by the hidden references), a learner's README (English
and Korean), a test command of its own (`python -m pytest` checks that the grader works there)
and the course's pyproject.toml, whose base install leaves TensorFlow to the `keras` extra. Its
exercises/ and quizzes/ folders are built from lists, never copied: the stubs, which the marked
solutions give (grader/instructor/source.py; publish.py first checks that they are the course's
own), the notebook, the answers folder's README and the catalogue's quiz banks. It leaves out the solutions, the quiz keys and explanations, the hidden
suites and their references, the instructor's commands, the project's tests and benchmarks,
and the quiz banks' README (its examples are real answers). The manifest lists the public tests only, so a local score is
honest about what it counts.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from grader.course.catalogue import Catalogue, load_catalogue
from grader.instructor.source import course_stubs
from grader.instructor.tree import copy_course_parts
from grader.learner import picture_data

HERE = Path(__file__).resolve().parent
RELEASE_PARTS = ("pyproject.toml", "grader")  # and, by list, the stubs and the quiz banks
# the hidden suites and references, the instructor's tools, the quiz keys' notes, the layer
# arithmetic that answers ex06 (the release takes ex07's shapes from Keras: model/shapes.py),
# the release scan's driver, and any pictures' data lying in the course (the release gets its own)
LEFT_OUT = ("grader/suites/hidden", "grader/instructor", "grader/model/arithmetic.py",
            "grader/sandbox/standalone/scan_driver.py", "grader/sandbox/standalone/scan_loader.py",
            "grader/learner/picture_answers.npz")
# what exercises/ holds besides the stubs (never a learner's answers file)
EXERCISE_FOLDER_FILES = ("course.ipynb", "answers/README.md")
PICTURE_DATA = Path("grader") / "learner" / picture_data.DATA_FILE.name
MANIFEST = Path("grader") / "suites" / "manifest.json"
LEARNER_README = HERE / "release_readme.md"
RELEASE_TESTS = HERE / "release_tests.txt"
# `python -c LAUNCHER ARGS` in a release folder runs that release's own grader, as `grade ARGS`
# would there, even where the course repository is installed in editable mode (its import
# finder would otherwise supply modules the release lacks).
LAUNCHER = ("import runpy, sys; sys.meta_path[:] = [finder for finder in sys.meta_path "
            "if not getattr(finder, '__module__', '').startswith('__editable__')]; sys.argv[0] = 'grade'; "
            "runpy.run_module('grader', run_name='__main__', alter_sys=True)")


def write_release(course_root: Path, target: Path, catalogue: Catalogue | None = None) -> Path:
    """Write the student release of the course at `course_root` into `target` (a new folder)."""
    catalogue = catalogue or load_catalogue(root=course_root)
    target.mkdir(parents=True)
    for relative, source in [*copy_course_parts(course_root, RELEASE_PARTS, leave_out=LEFT_OUT),
                             *copy_course_parts(course_root, listed_files(catalogue))]:
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)
    for relative, stub in course_stubs(catalogue).items():
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        (target / relative).write_bytes(stub.encode("utf-8"))
    picture_data.write(target / PICTURE_DATA)
    shutil.copyfile(LEARNER_README, target / "README.md")
    (target / "tests").mkdir()
    shutil.copyfile(RELEASE_TESTS, target / "tests" / "test_release.py")
    _keep_public_manifest(target / MANIFEST)
    return target


def listed_files(catalogue: Catalogue) -> list[str]:
    """The files of exercises/ and quizzes/ a release copies (its stubs are generated): the
    notebook, the answers folder's README and the catalogue's quiz banks."""
    return [*(f"exercises/{name}" for name in EXERCISE_FOLDER_FILES),
            *(f"quizzes/{quiz.file}" for quiz in catalogue.quizzes)]


def _keep_public_manifest(path: Path) -> None:
    entries = json.loads(path.read_text(encoding="utf-8"))
    public = [entry for entry in entries if entry["visibility"] == "public"]
    path.write_text(json.dumps(public, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
