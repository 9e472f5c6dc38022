"""`grade check` lists what an item lacks, one line each naming the file to edit: the lacks
that stop a course from publishing or grading right fail the check, the rest warn."""

from __future__ import annotations

import pytest

from grader.course.catalogue import load_catalogue
from grader.instructor.lacks import course_lacks
from grader.instructor.scaffold import course_catalogue, new_exercise, new_quiz
from grader.instructor.source import stub_from_solution
from tests.instructor.course_copy import copy_course

SOLUTION = "solutions/ex10_box_blur.py"
STUB = "exercises/ex10_box_blur.py"
FOLDER = "grader/exercises/ex10"


@pytest.fixture
def scaffolded(tmp_path):
    """A copy of the course with a new exercise ex10 and a new quiz q07."""
    root = copy_course(tmp_path / "course")
    new_exercise(root, "ex10", "Box blur")
    new_quiz(root, "q07", "Pooling again")
    return root


def _replace(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _new_docstring(root):
    """The solution's docstring changed and its stub written again; the Korean left as it was."""
    _replace(root / SOLUTION, "The sum of every value of x.", "The total of x.")
    stub = stub_from_solution((root / SOLUTION).read_text(encoding="utf-8"), exercise_id="ex10")
    (root / STUB).write_text(stub, encoding="utf-8")


EDITS = {
    "no hidden test": (
        lambda root: (root / FOLDER / "hidden" / "test_hidden.py").unlink(),
        f"{FOLDER}/hidden/test_hidden.py",
    ),
    "no public test": (
        lambda root: (root / FOLDER / "test_public.py").unlink(),
        f"{FOLDER}/test_public.py",
    ),
    "no Korean instructions": (
        lambda root: (root / FOLDER / "instructions.ko.yaml").unlink(),
        f"{FOLDER}/instructions.ko.yaml",
    ),
    "its Korean instructions cannot be read": (
        lambda root: (root / FOLDER / "instructions.ko.yaml").write_text(
            "module: [\n", encoding="utf-8"
        ),
        f"{FOLDER}/instructions.ko.yaml",
    ),
    "translate another version of the stub": (_new_docstring, f"{FOLDER}/instructions.ko.yaml"),
    "the stub differs from what its solution gives": (
        lambda root: _replace(root / STUB, "raise NotImplementedError", "return 0  #"),
        STUB,
    ),
    "no stub": (lambda root: (root / STUB).unlink(), STUB),
    "no solution": (lambda root: (root / SOLUTION).unlink(), SOLUTION),
    "its markers give no stub: solutions/ex10_box_blur.py:28: # END SOLUTION without": (
        lambda root: _replace(root / SOLUTION, "    # BEGIN SOLUTION\n", ""),
        SOLUTION,
    ),
    "no answer key": (
        lambda root: (root / "solutions" / "answers" / "q07.yaml").unlink(),
        "solutions/answers/q07.yaml",
    ),
    "no question bank": (
        lambda root: (root / "quizzes" / "q07_pooling_again.yaml").unlink(),
        "quizzes/q07_pooling_again.yaml",
    ),
}


@pytest.mark.parametrize("what", EDITS)
def test_a_lack_that_stops_publishing_or_grading_fails_naming_its_file(scaffolded, what):
    edit, file = EDITS[what]
    edit(scaffolded)
    lacks = course_lacks(course_catalogue(scaffolded), None, scaffolded / "grader" / "exercises")
    failing = [lack for lack in lacks if lack.fails]
    assert len(failing) == 1, [lack.line() for lack in lacks]
    assert what in failing[0].what and failing[0].file == file
    assert failing[0].line().startswith(f"BAD  {failing[0].item}: ") and failing[0].line().endswith(
        f"({file})"
    )


def test_no_hints_and_no_korean_are_warnings(scaffolded):
    entry = scaffolded / FOLDER / "exercise.yaml"
    text = entry.read_text(encoding="utf-8")
    entry.write_text(
        text[: text.index("title_ko:")] + text[text.index("file:") : text.index("hints:")],
        encoding="utf-8",
    )
    lacks = course_lacks(
        course_catalogue(scaffolded), ["ex10"], scaffolded / "grader" / "exercises"
    )
    warned = {lack.what for lack in lacks if lack.file == f"{FOLDER}/exercise.yaml"}
    assert warned == {"no Korean title (title_ko)", "no hints"}
    assert not any(lack.fails for lack in lacks)


def test_a_translated_exercise_warns_only_of_what_the_course_cannot_see(scaffolded):
    """Korean written, the placeholder task replaced: only the release scan's missing example
    (a file outside the exercise's folder) is left to say."""
    for path in (
        scaffolded / FOLDER / "instructions.ko.yaml",
        scaffolded / FOLDER / "exercise.yaml",
    ):
        path.write_text(
            path.read_text(encoding="utf-8").replace("[번역 필요] ", "번역: "), encoding="utf-8"
        )
    _replace(scaffolded / SOLUTION, "Placeholder task (grade new): replace", "Replace")
    lacks = course_lacks(
        course_catalogue(scaffolded), ["ex10"], scaffolded / "grader" / "exercises"
    )
    assert {lack.what for lack in lacks if not lack.file.endswith("scan_examples.py")} == {
        "the stub differs from what its solution gives; run python -m grader.instructor.source",
        (
            "its Korean instructions translate another version of the stub; update them and "
            "their 'source' (python -m grader.course.instructions ex10)"
        ),
    }


def test_the_course_as_it_is_lacks_nothing():
    assert [lack.line() for lack in course_lacks(load_catalogue())] == []


def test_grade_check_lists_a_lack_and_fails_on_it_without_a_traceback(grade, tmp_path):
    root = copy_course(tmp_path / "course")
    stub = root / "exercises" / "ex06_output_size.py"
    stub.write_text(stub.read_text(encoding="utf-8") + "# my notes\n", encoding="utf-8")
    run = grade("--course-root", root, "check", "ex06", "--no-artefacts")
    assert run.exit_code == 1, run.stdout + run.stderr
    assert (
        "BAD  ex06: the stub differs from what its solution gives; run python -m "
        "grader.instructor.source (exercises/ex06_output_size.py)"
    ) in run.stdout.splitlines()
    assert any(line.startswith("ok   exercises ex06  0 / 15") for line in run.stdout.splitlines())
    assert "1 problem(s): ex06 (the stub differs" in run.stderr and "Traceback" not in run.stderr
