"""`grade new exercise` and `grade new quiz`: a whole item that `grade check` accepts at once,
or a one-line refusal with nothing written."""

from __future__ import annotations

import runpy

import pytest

from grader.course.catalogue import CatalogueError
from grader.course.instructions import english, fingerprint, korean
from grader.instructor import scaffold
from grader.instructor.lacks import course_lacks
from grader.instructor.scaffold import course_catalogue, new_exercise, new_quiz
from grader.instructor.scaffold_templates import UNTRANSLATED
from grader.instructor.source import stub_from_solution
from grader.quiz.answers import load_keys
from grader.quiz.bank import load_bank
from tests.instructor.course_copy import copy_course, run_in_copy, tree

EXERCISE_FILES = [
    "solutions/ex10_box_blur.py",
    "exercises/ex10_box_blur.py",
    "grader/exercises/ex10/__init__.py",
    "grader/exercises/ex10/exercise.yaml",
    "grader/exercises/ex10/instructions.ko.yaml",
    "grader/exercises/ex10/test_public.py",
    "grader/exercises/ex10/hidden/__init__.py",
    "grader/exercises/ex10/hidden/reference.py",
    "grader/exercises/ex10/hidden/test_hidden.py",
]


@pytest.fixture
def course_copy(tmp_path):
    return copy_course(tmp_path / "course")


def test_a_new_exercise_is_one_marked_solution_and_one_folder(course_copy):
    written = new_exercise(course_copy, "ex10", "Box blur")
    assert written.files == EXERCISE_FILES
    catalogue = course_catalogue(course_copy)
    exercise = catalogue.item("ex10")
    assert (exercise.title, exercise.file, exercise.functions) == (
        "Box blur",
        "ex10_box_blur.py",
        ("box_blur",),
    )
    assert (
        catalogue.ids.index("ex10") == len(catalogue.exercises) - 1
    )  # after ex09, before the quizzes
    solution = (course_copy / "solutions" / exercise.file).read_text(encoding="utf-8")
    stub = (course_copy / "exercises" / exercise.file).read_text(encoding="utf-8")
    assert "# BEGIN SOLUTION" in solution and "BEGIN SOLUTION" not in stub
    assert stub == stub_from_solution(solution, exercise_id="ex10")
    assert 'raise NotImplementedError("ex10: box_blur is not implemented yet")' in stub
    exercises_dir = course_copy / "grader" / "exercises"
    translated, recorded = korean(exercise, exercises_dir)
    assert recorded == fingerprint(english(stub, exercise))  # the stub is the course's own
    assert translated.module.startswith(UNTRANSLATED) and translated.todos[0].startswith(
        UNTRANSLATED
    )
    assert (
        exercise.title_ko.startswith(UNTRANSLATED)
        and len(exercise.hints_ko) == len(exercise.hints) > 0
    )


def test_what_a_new_exercise_lacks_is_its_korean_and_its_task_never_a_failure(course_copy):
    new_exercise(course_copy, "ex10", "Box blur")
    lacks = course_lacks(
        course_catalogue(course_copy), ["ex10"], course_copy / "grader" / "exercises"
    )
    assert [lack for lack in lacks if lack.fails] == []
    warned = {lack.file for lack in lacks}
    assert {
        "grader/exercises/ex10/instructions.ko.yaml",
        "grader/exercises/ex10/exercise.yaml",
        "solutions/ex10_box_blur.py",
    } <= warned


def test_a_new_quiz_is_a_bank_a_key_and_an_entry_appended_to_the_catalogue(course_copy):
    catalogue_file = course_copy / "grader" / "course" / "course.yaml"
    before = catalogue_file.read_text(encoding="utf-8")
    written = new_quiz(course_copy, "q07", "Pooling again")
    assert written.files == [
        "quizzes/q07_pooling_again.yaml",
        "solutions/answers/q07.yaml",
        "grader/course/course.yaml",
    ]
    after = catalogue_file.read_text(encoding="utf-8")
    assert after.startswith(before)  # every comment and entry kept as it was
    catalogue = course_catalogue(course_copy)
    quiz = catalogue.item("q07")
    assert catalogue.ids[-1] == "q07" and quiz.title == "Pooling again" and quiz.hints
    bank = load_bank(catalogue, quiz)
    keys = load_keys(catalogue, quiz, bank)
    assert keys is not None and set(keys.answers) == set(bank.ids) == {"placeholder_question"}
    assert bank.questions[0].text["ko"].startswith(UNTRANSLATED)


@pytest.mark.parametrize(
    ("title", "file", "function"),
    [
        ("NP", "ex10_np.py", "solve_np"),  # would hide NumPy in the solution
        ("Sum", "ex10_sum.py", "solve_sum"),  # a builtin
        ("3D filters", "ex10_3d_filters.py", "solve_3d_filters"),
        ("합성곱", "ex10_exercise.py", "exercise"),  # no ASCII word to name it by
    ],
)
def test_a_title_that_names_no_free_function_gets_a_safe_name(course_copy, title, file, function):
    new_exercise(course_copy, "ex10", title)
    exercise = course_catalogue(course_copy).item("ex10")
    assert (exercise.file, exercise.functions) == (file, (function,))
    solution = (course_copy / "solutions" / file).read_text(encoding="utf-8")
    assert "def " + function + "(x):" in solution
    namespace = runpy.run_path(str(course_copy / "solutions" / file))  # its placeholder task works
    assert namespace[function]([[1, 2], [3, 4]]) == 10.0


def test_a_new_quiz_without_a_title_is_named_for_its_number(course_copy):
    new_quiz(course_copy, "q07")
    assert course_catalogue(course_copy).item("q07").title == "Quiz 07"
    assert (course_copy / "quizzes" / "q07_quiz_07.yaml").is_file()


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (["exercise", "ex09", "Again"], "ex09 exists already"),
        (["exercise", "ex1", "Short id"], "not an exercise id"),
        (["exercise", "q07", "A quiz id"], "not an exercise id"),
        (["exercise", "ex10", 'Say "hi"'], "a title is one line"),
        (["exercise", "ex10", "   "], "a title is one line"),
        (["exercise", "ex10", "x" * 81], "a title is one line"),
        (["quiz", "q01"], "q01 exists already"),
        (["quiz", "ex10"], "not a quiz id"),
        (["quiz", "q6"], "not a quiz id"),
    ],
)
def test_a_bad_or_taken_id_or_title_is_refused_in_one_line_with_nothing_written(
    grade, course_copy, arguments, said
):
    before = tree(course_copy)
    run = grade("--course-root", course_copy, "new", *arguments)
    assert run.exit_code == 2, run.stdout + run.stderr
    assert said in run.stderr and len(run.stderr.strip().splitlines()) == 1
    assert "Traceback" not in run.stderr and run.stdout == ""
    assert tree(course_copy) == before


def test_an_id_whose_files_are_left_over_is_taken(grade, course_copy):
    (course_copy / "solutions" / "ex10_old_try.py").write_text("x = 1\n", encoding="utf-8")
    before = tree(course_copy)
    run = grade("--course-root", course_copy, "new", "exercise", "ex10", "Box blur")
    assert run.exit_code == 2 and "solutions/ex10_old_try.py" in run.stderr
    assert tree(course_copy) == before


def test_a_folder_that_is_not_a_course_is_refused(grade, tmp_path):
    (tmp_path / "solutions").mkdir()
    run = grade("--course-root", tmp_path, "new", "exercise", "ex10", "Box blur")
    assert run.exit_code == 2 and "is not a course folder" in run.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["solutions"]
    assert not any((tmp_path / "solutions").iterdir())


def test_a_failure_while_writing_an_exercise_leaves_nothing(course_copy, monkeypatch):
    before = tree(course_copy)
    real = scaffold.course_catalogue
    calls = []

    def fails_once_written(root):
        calls.append(root)
        if len(calls) > 1:  # the check after writing
            raise CatalogueError("broken on purpose")
        return real(root)

    monkeypatch.setattr(scaffold, "course_catalogue", fails_once_written)
    with pytest.raises(CatalogueError):
        new_exercise(course_copy, "ex10", "Box blur")
    assert tree(course_copy) == before
    assert not (course_copy / "grader" / "exercises" / "ex10").exists()


def test_a_failure_while_writing_a_quiz_restores_the_catalogue(course_copy, monkeypatch):
    before = tree(course_copy)

    def no_replacing(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(scaffold.os, "replace", no_replacing)
    with pytest.raises(OSError):
        new_quiz(course_copy, "q07", "Pooling again")
    assert tree(course_copy) == before


def test_new_items_pass_grade_check_at_once_with_the_copys_own_grader(course_copy):
    for arguments in (["exercise", "ex10", "Box blur"], ["quiz", "q07", "Pooling again"]):
        made = run_in_copy(course_copy, "new", *arguments)
        assert made.returncode == 0, made.stdout + made.stderr
    run = run_in_copy(course_copy, "check", "ex10", "q07", "--no-artefacts")
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    for expected in (
        "ok   solutions ex10  5 / 5",
        "ok   exercises ex10  0 / 5",
        "ok   solutions q07  1 / 1",
        "ok   exercises q07  0 / 1",
    ):
        assert any(line.startswith(expected) for line in lines), expected
    assert not any(line.startswith("BAD") for line in lines) and "Traceback" not in run.stderr
    assert any(line.startswith("warn ex10: Korean placeholders") for line in lines)
