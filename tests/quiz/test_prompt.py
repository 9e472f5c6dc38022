"""`grade quiz qNN`: asking in the terminal, saving answers/qNN.yaml, resuming, and what it hides."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from grader.cli.app import cli
from grader.course.catalogue import COURSE_ROOT, load_catalogue
from grader.quiz.answers import load_keys
from grader.quiz.bank import Question, load_bank
from tests.conftest import SOLUTIONS

QUIZ = "q03"


@pytest.fixture(scope="module")
def bank():
    course = load_catalogue()
    return load_bank(course, course.item(QUIZ))


@pytest.fixture(scope="module")
def keys(bank):
    course = load_catalogue()
    return load_keys(course, course.item(QUIZ), bank).answers


@pytest.fixture
def folder(tmp_path) -> Path:
    path = tmp_path / "learner"
    path.mkdir()
    return path


def typed(question: Question, answer) -> str:
    """An answer as a learner types it at the prompt."""
    if question.kind == "multiple":
        return ", ".join(answer)
    if question.kind == "shape":
        return "x".join(str(size) for size in answer)
    if question.kind == "numeric":
        return f"{answer:g}"
    return str(answer)


def take(
    folder: Path, lines: list[str], *extra: str, quiz: str = QUIZ, course_root: Path | None = None
):
    course = ["--course-root", str(course_root)] if course_root else []
    return CliRunner().invoke(
        cli,
        [*course, "quiz", quiz, "--submission", str(folder), *extra],
        input="".join(line + "\n" for line in lines),
        catch_exceptions=False,
    )


def grade_json(folder: Path, quiz: str = QUIZ) -> dict:
    import json

    result = CliRunner().invoke(
        cli,
        [quiz, "--submission", str(folder), "--format", "json", "--lang", "en"],
        catch_exceptions=False,
    )
    return json.loads(result.stdout)["exercises"][0]


def test_typing_the_keys_writes_a_file_that_earns_full_marks(folder, bank, keys):
    result = take(
        folder, [typed(question, keys[question.id]) for question in bank.questions], "--lang", "en"
    )
    assert result.exit_code == 0, result.output
    path = folder / "answers" / f"{QUIZ}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["quiz"] == QUIZ and set(data["answers"]) == set(bank.ids)
    assert f"Question 1/{len(bank.questions)}" in result.output
    assert f"Question {len(bank.questions)}/{len(bank.questions)}" in result.output
    assert f"grade {QUIZ} --submission {folder} --lang en" in result.output
    item = grade_json(folder)
    assert item["score"] == item["max_score"] and item["status"] == "passed"


def test_the_quiz_shows_neither_answers_nor_explanations(folder, bank, keys):
    result = take(
        folder, [typed(question, keys[question.id]) for question in bank.questions], "--lang", "en"
    )
    course = load_catalogue()
    explanations = load_keys(course, course.item(QUIZ), bank).explanations
    for question in bank.questions:
        assert explanations[question.id]["en"][:40] not in result.output
    assert "Correct" not in result.output and "the answer is" not in result.output


def test_a_bad_answer_is_asked_again(folder, bank):
    first = bank.questions[0]  # valid_output, a shape
    result = take(
        folder, ["twenty-eight", "28x28x8", "-"] + ["-"] * (len(bank.questions) - 2), "--lang", "en"
    )
    assert result.exit_code == 0, result.output
    assert "must be a shape of whole numbers" in result.output
    assert result.output.count(f"Question 1/{len(bank.questions)}") == 1
    saved = yaml.safe_load((folder / "answers" / f"{QUIZ}.yaml").read_text(encoding="utf-8"))[
        "answers"
    ]
    assert saved[first.id] == [28, 28, 8]
    assert saved[bank.questions[1].id] is None


def test_wrong_and_skipped_answers_grade_as_typed(folder, bank, keys):
    lines = []
    for question in bank.questions:
        if question.id == "same_stride2":
            lines.append("3")  # wrong
        elif question.id == "valid_meaning":
            lines.append("3")  # choice number 3 = c, right
        elif question.id == "pool_name":
            lines.append("")  # skipped
        else:
            lines.append(typed(question, keys[question.id]))
    result = take(folder, lines, "--lang", "en")
    assert "1 question(s) unanswered" in result.output
    item = grade_json(folder)
    lost = {
        test["name"].split()[1]: test["max_score"] - test["score"]
        for test in item["tests"]
        if test["score"] < test["max_score"]
    }
    assert lost == {"same_stride2": 1, "pool_name": 1}


def test_an_interrupted_quiz_keeps_the_answers_given_so_far(folder, bank, keys):
    result = take(
        folder,
        [typed(question, keys[question.id]) for question in bank.questions[:3]],
        "--lang",
        "en",
    )
    assert result.exit_code == 130  # the input ran out, as at Ctrl-C: interrupted
    assert "Aborted" not in result.output
    assert f"3 of {len(bank.questions)} answers are saved in" in result.output
    assert f"`grade quiz {QUIZ} --lang en` again and choose resume" in result.output
    saved = yaml.safe_load((folder / "answers" / f"{QUIZ}.yaml").read_text(encoding="utf-8"))[
        "answers"
    ]
    assert [saved[question.id] is not None for question in bank.questions[:4]] == [
        True,
        True,
        True,
        False,
    ]


def test_a_quiz_interrupted_before_any_answer_says_nothing_was_saved(folder):
    result = take(folder, [], "--lang", "ko")
    assert result.exit_code == 130 and "Aborted" not in result.output
    assert (
        "저장하지 않았습니다" in result.output and f"grade quiz {QUIZ} --lang ko" in result.output
    )
    assert not (folder / "answers" / f"{QUIZ}.yaml").exists()


def test_resume_asks_only_the_unanswered_questions(folder, bank, keys):
    take(
        folder,
        [typed(question, keys[question.id]) for question in bank.questions[:-2]] + ["-", "-"],
        "--lang",
        "en",
    )
    result = take(
        folder,
        ["resume"] + [typed(question, keys[question.id]) for question in bank.questions[-2:]],
        "--lang",
        "en",
    )
    assert result.exit_code == 0, result.output
    assert (
        f"already holds {len(bank.questions) - 2} of {len(bank.questions)} answers" in result.output
    )
    assert result.output.count("Question ") == 2
    assert grade_json(folder)["status"] == "passed"


def test_redo_keeps_earlier_answers_on_enter(folder, bank, keys):
    take(
        folder, [typed(question, keys[question.id]) for question in bank.questions], "--lang", "en"
    )
    lines = ["redo"] + ["" for _question in bank.questions]
    lines[1 + bank.ids.index("pool_sum")] = "23"
    result = take(folder, lines, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "[28x28x8]" in result.output  # the earlier answer is offered as the default
    item = grade_json(folder)
    assert item["max_score"] - item["score"] == 2  # only pool_sum (2 points) changed


@pytest.mark.parametrize("reply", ["quit", ""])
def test_quit_or_enter_leaves_a_complete_file_unchanged(folder, bank, keys, reply):
    take(
        folder, [typed(question, keys[question.id]) for question in bank.questions], "--lang", "en"
    )
    path = folder / "answers" / f"{QUIZ}.yaml"
    before = path.read_bytes()
    result = take(folder, [reply], "--lang", "en")
    assert result.exit_code == 0
    assert "is unchanged" in result.output
    assert path.read_bytes() == before


def test_a_broken_file_is_replaced_only_when_the_learner_agrees(folder, bank):
    path = folder / "answers" / f"{QUIZ}.yaml"
    path.parent.mkdir()
    path.write_text("answers: [oops\n", encoding="utf-8")
    refused = take(folder, ["n"], "--lang", "en")
    assert "cannot be read" in refused.output and "line 2" in refused.output
    assert path.read_text(encoding="utf-8") == "answers: [oops\n"
    agreed = take(folder, ["y"] + ["-"] * len(bank.questions), "--lang", "en")
    assert agreed.exit_code == 0, agreed.output
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["quiz"] == QUIZ


def test_a_linked_answers_folder_is_never_written_through(folder, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (folder / "answers").symlink_to(elsewhere, target_is_directory=True)
    result = take(folder, ["-"], "--lang", "en")
    assert result.exit_code == 2
    assert "is a symbolic link" in result.stderr
    assert list(elsewhere.iterdir()) == []


def test_korean_prompts(folder, bank):
    result = take(folder, ["-"] * len(bank.questions), "--lang", "ko")
    assert f"문제 1/{len(bank.questions)}" in result.output
    assert bank.questions[0].text["ko"][:20] in result.output
    assert "# 1/" in (folder / "answers" / f"{QUIZ}.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["quiz", "ex01"], "ex01 is an exercise, not a quiz"),
        (["quiz", "q99"], "unknown exercise or quiz 'q99'"),
        (["quiz", "q01", "--submission", "no/such/folder"], "does not exist"),
        (["quiz", "q01", "--lang", "fr"], "Invalid value for '--lang'"),
    ],
)
def test_usage_errors_exit_2(arguments, message):
    result = CliRunner().invoke(cli, arguments, catch_exceptions=False)
    assert result.exit_code == 2
    assert message in result.stderr


def test_without_keys_the_learner_is_told_the_instructor_grades(folder, bank, tmp_path):
    root = tmp_path / "release"
    shutil.copytree(COURSE_ROOT / "quizzes", root / "quizzes")
    result = take(folder, ["-"] * len(bank.questions), "--lang", "en", course_root=root)
    assert result.exit_code == 0, result.output
    assert "your instructor grades q03" in " ".join(result.output.split())  # wrapped at 80
    assert "Grade your answers" not in result.output
    assert not (root / "solutions").exists() and (SOLUTIONS / "answers" / "q03.yaml").is_file()
