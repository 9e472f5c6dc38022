"""Exercise instructions in English (the stub's own text) and Korean (grader/exercises/exNN/instructions.ko.yaml):
`grade show`, and the Korean stubs of `grade publish --lang ko`, whose code is the stub's."""

from __future__ import annotations

import ast
import dataclasses
import re
import unicodedata
import zipfile

import pytest

from grader.course.catalogue import COURSE_ROOT, load_catalogue
from grader.course.instructions import english, fingerprint, korean, korean_stub
from grader.errors import InputError

STUBS = COURSE_ROOT / "exercises"
HANGUL = re.compile("[가-힣]")
EXERCISES = [exercise.id for exercise in load_catalogue().exercises]


def columns(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def stub_source(exercise) -> str:
    return (STUBS / exercise.file).read_text(encoding="utf-8")


def code_only(source: str) -> str:
    """The module's AST with every docstring taken out (comments are not in an AST)."""
    tree = ast.parse(source)
    for node in [tree, *ast.walk(tree)]:
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(getattr(body[0], "value", None), ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_the_korean_instructions_translate_the_stub_as_it_is_now(catalogue, exercise_id):
    exercise = catalogue.item(exercise_id)
    source_parts = english(stub_source(exercise), exercise)
    parts, translated = korean(exercise)
    assert translated == fingerprint(source_parts), (
        f"{exercise.file} changed since grader/exercises/{exercise_id}/instructions.ko.yaml was written: "
        f"update the Korean, then its 'source' (python -m grader.course.instructions {exercise_id})"
    )
    assert set(parts.docs) == set(source_parts.docs)
    assert len(parts.todos) == len(source_parts.todos)
    assert set(parts.comments) == set(source_parts.comments)
    for text in (parts.module, *parts.docs.values(), *parts.todos, *parts.comments.values()):
        assert HANGUL.search(text), text[:80]


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_a_korean_stub_keeps_the_code_and_speaks_korean(catalogue, exercise_id):
    exercise = catalogue.item(exercise_id)
    source = stub_source(exercise)
    translated = korean_stub(source, exercise)
    assert code_only(translated) == code_only(source)
    assert f"# TODO({exercise_id}): " in translated
    assert ast.get_docstring(ast.parse(translated)).startswith(f"연습 {exercise_id[2:]}")
    todo_lines = [line for line in translated.splitlines() if line.lstrip().startswith("# TODO")]
    assert todo_lines and all(HANGUL.search(line) for line in todo_lines)
    comments = [line for line in translated.splitlines() if line.lstrip().startswith("#")]
    assert all(HANGUL.search(line) or line.lstrip().startswith("#  ") for line in comments), (
        comments
    )
    assert all(columns(line) <= 100 for line in comments)


def test_a_changed_stub_makes_its_translation_stale(catalogue):
    exercise = catalogue.item("ex03")
    source = stub_source(exercise)
    changed = source.replace("Zero padding adds a frame", "Zero padding adds a border", 1)
    assert changed != source
    assert fingerprint(english(changed, exercise)) != korean(exercise)[1]


def test_an_exercise_without_korean_instructions_is_a_one_line_error(catalogue, tmp_path):
    with pytest.raises(InputError, match="no Korean instructions"):
        korean(catalogue.item("ex01"), exercises_dir=tmp_path)


def test_grade_show_in_english_and_korean(grade):
    english_run = grade("show", "ex03", "--lang", "en")
    assert english_run.exit_code == 0
    assert "Exercise 03: zero padding" in english_run.stdout
    assert (
        "def zero_pad(x, pad):" in english_run.stdout
        and "def same_padding(size, kernel_size, stride=1):" in english_run.stdout
    )
    korean_run = grade("show", "ex3", "--lang", "ko")
    assert korean_run.exit_code == 0
    assert korean_run.stdout.startswith("ex03  제로 패딩")
    assert (
        "H_out = (H - F + 2P) // S + 1" in korean_run.stdout
        and "def zero_pad(x, pad):" in korean_run.stdout
    )
    assert "반환값" in korean_run.stdout and "Returns" not in korean_run.stdout
    assert "Zero padding adds" not in korean_run.stdout


def test_grade_show_of_a_quiz_points_to_grade_quiz(grade):
    run = grade("show", "q02", "--lang", "ko")
    assert run.exit_code == 2 and "grade quiz q02 --lang ko" in run.stderr


def test_a_korean_stub_is_still_not_attempted(grade, tmp_path, catalogue):
    exercise = catalogue.item("ex01")
    folder = tmp_path / "learner"
    folder.mkdir()
    (folder / exercise.file).write_text(
        korean_stub(stub_source(exercise), exercise), encoding="utf-8"
    )
    run = grade("ex01", "--submission", folder, "--format", "json")
    item = run.item("ex01")
    assert item["score"] == 0 and item["status"] == "not_attempted"


def test_a_stale_translation_is_refused_for_a_korean_stub(catalogue):
    exercise = catalogue.item("ex03")
    changed = stub_source(exercise).replace(
        "Zero padding adds a frame", "Zero padding adds a border", 1
    )
    with pytest.raises(InputError, match="older ex03_padding.py"):
        korean_stub(changed, exercise)


def test_publish_in_korean_writes_korean_stubs_with_the_same_code(catalogue, tmp_path):
    from grader.instructor.publish import publish

    translated = tuple(
        exercise for exercise in catalogue.exercises if exercise.id in ("ex01", "ex03")
    )
    published = publish(
        dataclasses.replace(catalogue, exercises=translated), tmp_path / "out", stubs_lang="ko"
    )
    for exercise in translated:
        stub = (published.student / "exercises" / exercise.file).read_text(encoding="utf-8")
        assert HANGUL.search(ast.get_docstring(ast.parse(stub)))
        assert code_only(stub) == code_only(stub_source(exercise))
    shipped = sorted(path.name for path in (published.student / "exercises").glob("ex*.py"))
    assert shipped == sorted(
        exercise.file for exercise in translated
    )  # the catalogue's stubs, no others
    with zipfile.ZipFile(published.autograder_zip) as bundle:
        assert "--lang ko" in bundle.read("run_autograder").decode("utf-8")


@pytest.mark.parametrize("exercise_id", EXERCISES)
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_grade_show_works_for_every_exercise(grade, exercise_id, lang):
    run = grade("show", exercise_id, "--lang", lang)
    assert run.exit_code == 0, run.stderr
    paragraphs = run.stdout.split("\n\n")
    task = paragraphs[2].splitlines()[0]  # the task's first line, after the id and the title
    assert task and bool(HANGUL.search(task)) == (lang == "ko"), task


def test_grade_publish_writes_korean_stubs_only_when_asked(grade, tmp_path, monkeypatch, catalogue):
    """The Korean release is scanned as `publish` scans any release; the plain one, the release
    tests/instructor/test_scan.py scans, is noted as asked for its scan, not scanned again."""
    from grader.instructor import publish as publish_module

    scanned = []

    def noted(published, catalogue, isolation):
        scanned.append(published.student)
        return type(published)(published.student, published.autograder_zip, "(not scanned)")

    exercise = catalogue.item("ex03")
    monkeypatch.setenv("LC_ALL", "ko_KR.UTF-8")  # a Korean locale alone keeps the course's stubs
    with monkeypatch.context() as patched:
        patched.setattr(publish_module, "_scanned", noted)
        assert grade("publish", tmp_path / "plain").exit_code == 0
    assert len(scanned) == 1
    assert (tmp_path / "plain" / "student" / "exercises" / exercise.file).read_text(
        encoding="utf-8"
    ) == stub_source(exercise)
    korean = grade("publish", tmp_path / "korean", "--lang", "ko")
    assert korean.exit_code == 0 and "release scan" in korean.stdout, korean.stdout
    korean_text = (tmp_path / "korean" / "student" / "exercises" / exercise.file).read_text(
        encoding="utf-8"
    )
    assert korean_text.startswith('"""연습 03') and code_only(korean_text) == code_only(
        stub_source(exercise)
    )
