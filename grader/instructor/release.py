"""The student release: a course a learner can install and use alone, holding nothing secret.

It has the stubs, the quiz questions, the grader with the public suites only, the pictures'
expected answers as data (computed here by the hidden references), a learner's README (English
and Korean), a test command of its own (`python -m pytest` checks that the grader works there)
and the course's pyproject.toml, whose base install leaves TensorFlow to the `keras` extra. Its
exercises/ and quizzes/ folders are built from lists, never copied: the stubs, which the marked
solutions give (grader/instructor/source.py; publish.py first checks that they are the course's
own), the notebook, the answers folder's README and the catalogue's quiz banks. It leaves out the solutions, the quiz keys and explanations, the hidden
suites and their references, the instructor's commands, the project's tests and benchmarks,
and the quiz banks' README (its examples are real answers). A release's run collects the public
suites only, so a local score is honest about what it counts.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from grader.course.catalogue import Catalogue, load_catalogue
from grader.exercises.hidden.picture_answers import picture_set
from grader.instructor.source import course_stubs
from grader.instructor.tree import copy_course_parts
from grader.learner import picture_data, reset

HERE = Path(__file__).resolve().parent
RELEASE_PARTS = ("pyproject.toml", "grader")  # and, by list, the stubs and the quiz banks
# The grader minus every package of these names: `hidden` (the hidden suites, the references,
# the pictures' answers, the layer arithmetic that answers ex06: everything that holds an
# answer) and `instructor` (the instructor's commands, the release scan's side in the jail).
# tests/test_architecture.py checks that nothing outside them imports them.
KEPT_BACK = ("hidden", "instructor")
# what exercises/ holds besides the stubs (never a learner's answers file)
EXERCISE_FOLDER_FILES = ("course.ipynb", "answers/README.md")
PICTURE_DATA = Path("grader") / "learner" / picture_data.DATA_FILE.name
STUB_DATA = Path("grader") / "learner" / reset.STUB_DATA.name  # `grade reset`'s stubs
LEARNER_README = HERE / "release_readme.md"
RELEASE_TESTS = HERE / "release_tests.txt"
# `python -c LAUNCHER ARGS` in a release folder runs that release's own grader, as `grade ARGS`
# would there, even where the course repository is installed in editable mode (its import
# finder would otherwise supply modules the release lacks).
LAUNCHER = (
    "import runpy, sys; sys.meta_path[:] = [finder for finder in sys.meta_path "
    "if not getattr(finder, '__module__', '').startswith('__editable__')]; sys.argv[0] = 'grade'; "
    "runpy.run_module('grader', run_name='__main__', alter_sys=True)"
)


def write_release(course_root: Path, target: Path, catalogue: Catalogue | None = None) -> Path:
    """Write the student release of the course at `course_root` into `target` (a new folder)."""
    catalogue = catalogue or load_catalogue(root=course_root)
    target.mkdir(parents=True)
    for relative, source in [
        *copy_course_parts(course_root, RELEASE_PARTS, kept_back=KEPT_BACK),
        *copy_course_parts(course_root, listed_files(catalogue)),
    ]:
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)
    for stub_path, stub in course_stubs(catalogue).items():
        (target / stub_path).parent.mkdir(parents=True, exist_ok=True)
        (target / stub_path).write_bytes(stub.encode("utf-8"))
    (target / PICTURE_DATA).unlink(
        missing_ok=True
    )  # pictures' data lying in the course: the release gets its own
    picture_data.write(target / PICTURE_DATA, picture_set())
    write_stub_data(target, catalogue)
    shutil.copyfile(LEARNER_README, target / "README.md")
    (target / "tests").mkdir()
    shutil.copyfile(RELEASE_TESTS, target / "tests" / "test_release.py")
    return target


def write_stub_data(target: Path, catalogue: Catalogue) -> None:
    """The release's stubs as `grade reset` restores them: what its exercises/ holds now (call it
    again after rewriting them, as a Korean publish does)."""
    stubs = {
        exercise.file: (target / "exercises" / exercise.file).read_text(encoding="utf-8")
        for exercise in catalogue.exercises
    }
    (target / STUB_DATA).unlink(missing_ok=True)
    reset.write_stub_data(stubs, target / STUB_DATA)


def listed_files(catalogue: Catalogue) -> list[str]:
    """The files of exercises/ and quizzes/ a release copies (its stubs are generated): the
    notebook, the answers folder's README and the catalogue's quiz banks."""
    return [
        *(f"exercises/{name}" for name in EXERCISE_FOLDER_FILES),
        *(f"quizzes/{quiz.file}" for quiz in catalogue.quizzes),
    ]
