"""Answers files as data: parsing untrusted text, writing it back, and what a learner cannot do."""

from __future__ import annotations

import random

import pytest

from grader.course.catalogue import load_catalogue
from grader.quiz.answers import AnswersError, load_keys, parse_answers
from grader.quiz.bank import load_bank
from grader.quiz.grading import grade_quiz
from grader.quiz.sheet import render_answers
from grader.submission import Submission

SEED = 20240611


@pytest.fixture(scope="module")
def course():
    return load_catalogue()


@pytest.fixture(scope="module")
def q03(course):
    return load_bank(course, course.item("q03"))


def test_written_answers_read_back_the_same_for_every_quiz(course):
    for quiz in course.quizzes:
        bank = load_bank(course, quiz)
        keys = load_keys(course, quiz, bank)
        for lang in ("en", "ko"):
            text = render_answers(bank, keys.answers, title=quiz.title, lang=lang)
            assert parse_answers(text, bank).answers == keys.answers


def test_awkward_text_answers_survive_writing_and_reading(q03):
    answers = dict.fromkeys(q03.ids)
    for awkward in [
        'say "max": pooling',
        "# not a comment",
        "최대 풀링",
        "yes",
        "null",
        "a\\b",
        "  - x",
    ]:
        answers["pool_name"] = awkward
        text = render_answers(q03, answers, title="t", lang="en")
        assert parse_answers(text, q03).answers["pool_name"] == " ".join(awkward.split())


def test_a_byte_order_mark_and_windows_line_ends_are_fine(course, q03, tmp_path):
    path = tmp_path / "answers" / "q03.yaml"
    path.parent.mkdir()
    path.write_bytes("\ufeffquiz: q03\r\nanswers:\r\n  pool_sum: 24\r\n".encode())
    result = grade_quiz(course.item("q03"), course, Submission.open(tmp_path), lang="en")
    assert next(test for test in result.tests if "pool_sum" in test.name).score == 2


def test_a_learners_also_accept_is_ignored(course, tmp_path):
    (tmp_path / "answers").mkdir()
    (tmp_path / "answers" / "q03.yaml").write_text(
        "answers:\n  pool_name: average pooling\nalso_accept:\n  pool_name: [average pooling]\n",
        encoding="utf-8",
    )
    result = grade_quiz(course.item("q03"), course, Submission.open(tmp_path), lang="en")
    assert result.score == 0
    assert 'the answer is "max pooling"' in next(
        t.feedback for t in result.tests if "pool_name" in t.name
    )


def test_the_top_level_must_be_a_mapping(q03):
    with pytest.raises(AnswersError, match="must be a mapping") as caught:
        parse_answers("- a\n- b\n", q03)
    assert caught.value.line == 1


def test_answers_may_be_null_or_missing(q03):
    sheet = parse_answers("quiz: q03\nanswers:\n  pool_sum: ~\n", q03)
    assert sheet.answered == 0 and set(sheet.answers) == set(q03.ids)
    assert parse_answers("answers:\n", q03).answered == 0


def test_multiple_documents_are_refused(q03):
    with pytest.raises(AnswersError, match="not valid YAML"):
        parse_answers("answers:\n  pool_sum: 24\n---\nanswers:\n  pool_sum: 1\n", q03)


def random_text(generator: random.Random) -> str:
    pieces = [
        "answers:",
        "\n",
        "  ",
        "pool_sum",
        "pool_name",
        ": ",
        "[",
        "]",
        "{",
        "}",
        "&a ",
        "*a",
        "!!str ",
        "'",
        '"',
        "-",
        "#",
        "~",
        "x",
        "24",
        "1e9",
        ",",
        "?",
        "|",
        ">",
        "%YAML 1.1",
        "\t",
        "\x00",
        "\ud7a3",
        "valid_output",
        "28x28x8",
        "...",
        "---",
    ]
    return "".join(generator.choice(pieces) for _repeat in range(generator.randint(1, 40)))


def test_random_text_never_escapes_as_anything_but_an_answers_error(q03):
    generator = random.Random(SEED)
    print(f"seed {SEED}")
    for _repeat in range(2000):
        text = random_text(generator)
        try:
            parse_answers(text, q03)
        except AnswersError as error:
            assert error.describe("answers/q03.yaml").startswith("answers/q03.yaml")
