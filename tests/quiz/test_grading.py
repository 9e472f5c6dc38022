"""Quizzes end to end: the banks and keys, `grade qNN` on good, partial and malformed answers.

Every run goes through the real CLI (`grade` fixture). Malformed answers files live in
tests/fixtures/answers/, named by what is wrong with them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from grader.cli.app import cli
from grader.course.catalogue import COURSE_ROOT, PACKAGE_DIR, load_catalogue
from grader.quiz.answers import MAX_ANSWERS_BYTES, key_path, load_keys
from grader.quiz.bank import load_bank
from tests.conftest import FIXTURES, SOLUTIONS, STUBS

ANSWER_FIXTURES = FIXTURES / "answers"
REPORT_SCHEMA = json.loads((PACKAGE_DIR / "schemas" / "report.schema.json").read_text())
GRADESCOPE_SCHEMA = json.loads((PACKAGE_DIR / "schemas" / "gradescope.schema.json").read_text())
HANGUL = re.compile("[\uac00-\ud7a3]")


@pytest.fixture(scope="module")
def course():
    return load_catalogue()


@pytest.fixture(scope="module")
def quiz_ids(course):
    return [quiz.id for quiz in course.quizzes]


@pytest.fixture
def submission(make_submission):
    """A submission with ex01 solved, so each run shows a quiz problem leaving ex01 alone."""
    return make_submission(ex01=SOLUTIONS)


def write_answers(folder: Path, quiz_id: str, text: str | bytes) -> Path:
    path = folder / "answers" / f"{quiz_id}.yaml"
    path.parent.mkdir(exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------------------- banks and keys


def test_the_course_has_at_least_forty_questions_over_at_least_three_quizzes(course):
    banks = [load_bank(course, quiz) for quiz in course.quizzes]
    assert len(banks) >= 3
    assert sum(len(bank.questions) for bank in banks) >= 40
    assert {question.kind for bank in banks for question in bank.questions} == {
        "single",
        "multiple",
        "numeric",
        "shape",
        "text",
    }


def test_every_question_is_written_in_english_and_korean(course):
    for quiz in course.quizzes:
        assert quiz.title and HANGUL.search(quiz.title_ko), quiz.id
        bank = load_bank(course, quiz)
        keys = load_keys(course, quiz, bank)
        for question in bank.questions:
            where = f"{quiz.id}.{question.id}"
            for texts in (question.text, keys.explanations[question.id]):
                assert set(texts) == {"en", "ko"}, where
                assert HANGUL.search(texts["ko"]), f"{where}: the Korean text has no Korean"
                assert not HANGUL.search(texts["en"]), f"{where}: the English text has Korean"
            for letter, texts in question.choices:
                assert texts["en"] and texts["ko"], f"{where}.{letter}"


def test_every_quiz_has_a_valid_key_for_every_question(course):
    for quiz in course.quizzes:
        bank = load_bank(course, quiz)
        keys = load_keys(course, quiz, bank)
        assert keys is not None, f"{key_path(course, quiz)} is missing"
        assert set(keys.answers) == set(bank.ids)
        assert all(keys.answers[question_id] is not None for question_id in bank.ids)


def test_no_learner_answers_are_shipped_with_the_stubs():
    assert sorted(path.name for path in (STUBS / "answers").iterdir()) == ["README.md"]


def test_the_keys_teach_the_courses_facts(course):
    keys = {
        quiz.id: load_keys(course, quiz, load_bank(course, quiz)).answers for quiz in course.quizzes
    }
    assert keys["q01"]["lenet_year"] == 1989
    assert keys["q02"]["dense_grey_weights"] == 64 * 64
    assert keys["q02"]["dense_colour_weights"] == 64 * 64 * 3
    assert keys["q02"]["dense_layer_params"] == 64 * 64 * 3 * 1000 + 1000
    assert keys["q02"]["conv_layer_params"] == 3 * 3 * 3 * 10 + 10
    sobel_x = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
    patch = [[0, 0, 255]] * 3
    assert keys["q02"]["sobel_response"] == sum(
        k * p for kr, pr in zip(sobel_x, patch) for k, p in zip(kr, pr)
    )
    assert abs(keys["q02"]["sobel_magnitude"] - (100**2 + 100**2) ** 0.5) < 0.01
    # the course notes' 16x16x10 is wrong: (32 - 3 + 2 * 1) // 1 + 1 = 32
    assert keys["q03"]["course_note_fix"] == ((32 - 3 + 2) // 1 + 1, (32 - 3 + 2) // 1 + 1, 10)
    assert keys["q03"]["valid_output"] == ((32 - 5) + 1, (32 - 5) + 1, 8)
    assert keys["q03"]["same_stride2"] == -(-7 // 2)
    assert keys["q03"]["stride_output"] == (7 - 3) // 2 + 1
    assert keys["q03"]["output_size_alexnet"] == (227 - 11) // 4 + 1
    assert keys["q03"]["chain_output"] == (
        -(-((64 - 3 + 1) // 2) // 2),
        -(-((64 - 3 + 1) // 2) // 2),
        64,
    )
    assert keys["q03"]["pool_params"] == 0
    assert keys["q04"]["conv2d_default_strides"] == (1, 1)
    assert keys["q04"]["conv_params_grey"] == 3 * 3 * 1 * 32 + 32
    assert keys["q04"]["conv_params_deep"] == 3 * 3 * 32 * 64 + 64
    assert keys["q04"]["kernel_shape"] == (3, 3, 3, 16)
    assert keys["q04"]["dense_after_flatten"] == 5 * 5 * 64 * 10 + 10


def test_quiz_banks_hold_no_answers():
    for path in (COURSE_ROOT / "quizzes").glob("q*.yaml"):
        for question in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
            assert not {"answer", "answers", "key", "correct"} & set(question), (
                f"{path.name}: {question['id']}"
            )


# ------------------------------------------------------------------------------- grading


def test_the_keys_as_a_submission_earn_full_marks(grade, quiz_ids):
    run = grade(*quiz_ids, "--submission", SOLUTIONS, "--format", "json")
    assert run.exit_code == 0, run.stdout + run.stderr
    report = run.json()
    jsonschema.validate(report, REPORT_SCHEMA)
    for item in report["exercises"]:
        assert item["kind"] == "quiz"
        assert item["status"] == "passed"
        assert (
            item["score"] == item["max_score"] == sum(test["max_score"] for test in item["tests"])
        )
        assert {test["visibility"] for test in item["tests"]} == {"public"}


def test_the_stubs_folder_leaves_every_quiz_not_attempted(grade, quiz_ids):
    run = grade(*quiz_ids, "--submission", STUBS, "--format", "json", "--lang", "en")
    assert run.exit_code == 1
    for item in run.json()["exercises"]:
        assert (item["status"], item["score"]) == ("not_attempted", 0)
        assert f"grade quiz {item['id']}" in item["tests"][0]["feedback"]


def test_partial_answers_earn_per_question_points_and_partial_credit(grade, submission):
    write_answers(
        submission,
        "q03",
        """
quiz: q03
answers:
  valid_output: (28, 28, 8)        # right, written as a tuple
  same_output: 32 x 32 x 8         # right, written with spaces
  course_note_fix: 16x16x10        # the course notes' mistake: 0 of 2
  padding_for_same: "2"            # right, as text
  valid_meaning: C                 # right, upper case
  same_stride2: 3                  # wrong: ceil(7 / 2) = 4
  stride_effects: [a, b]           # two of three right picks: 2/3 of 1 point
  pool_default_stride: b
  pool_name: Max-Pooling           # right after normalisation
""",
    )
    run = grade("q03", "--submission", submission, "--format", "json", "--lang", "en")
    assert run.exit_code == 1
    item = run.item("q03")
    tests = {test["name"].split()[1]: test for test in item["tests"]}
    earned = {name: test["score"] for name, test in tests.items() if test["score"]}
    assert earned == {
        "valid_output": 1,
        "same_output": 1,
        "padding_for_same": 1,
        "valid_meaning": 1,
        "stride_effects": pytest.approx(2 / 3, abs=1e-4),
        "pool_default_stride": 1,
        "pool_name": 1,
    }
    assert item["status"] == "partial"
    assert item["score"] == pytest.approx(6 + 2 / 3, abs=1e-3)
    assert (
        "you answered (16, 16, 10); the answer is (32, 32, 10)"
        in tests["course_note_fix"]["feedback"]
    )
    assert "Partly right" in tests["stride_effects"]["feedback"]
    unanswered = tests["output_size_alexnet"]["feedback"]
    assert unanswered.startswith("Not answered yet") and "55" not in unanswered
    assert tests["pool_name"]["feedback"].startswith("Correct.\nMax pooling.")


def test_every_question_shows_its_explanation_after_grading(grade, course):
    run = grade("q02", "--submission", SOLUTIONS, "--format", "json", "--lang", "en")
    bank = load_bank(course, course.item("q02"))
    keys = load_keys(course, course.item("q02"), bank)
    for question, test in zip(bank.questions, run.item("q02")["tests"]):
        assert test["feedback"].endswith(keys.explanations[question.id]["en"])


def test_korean_feedback_with_lang_ko(grade, course, submission):
    write_answers(submission, "q03", "answers:\n  course_note_fix: [16, 16, 10]\n")
    bank = load_bank(course, course.item("q03"))
    run = grade("q03", "--submission", submission, "--format", "json", "--lang", "ko")
    item = run.item("q03")
    assert item["title"] == course.item("q03").title_ko
    feedback = next(test["feedback"] for test in item["tests"] if "course_note_fix" in test["name"])
    assert feedback.startswith("틀렸습니다.")
    keys = load_keys(course, course.item("q03"), bank)
    assert feedback.endswith(keys.explanations["course_note_fix"]["ko"])
    text = grade("q03", "--submission", submission, "--lang", "ko").stdout
    assert "틀렸습니다." in text and "패딩, 스트라이드와 풀링" in text


def test_korean_verdicts_read_naturally_after_a_choice_that_ends_a_sentence(grade, submission):
    """The answer shown is a choice (`c) 패딩 없음. ... 줄어든다.`): the verdict labels it instead
    of gluing 입니다 after its full stop ("줄어든다.입니다.")."""
    write_answers(submission, "q03", "answers:\n  valid_meaning: a\n  stride_effects: [a]\n")
    item = grade("q03", "--submission", submission, "--format", "json", "--lang", "ko").item("q03")
    feedback = {test["name"]: test["feedback"] for test in item["tests"]}
    wrong = next(text for name, text in feedback.items() if "valid_meaning" in name)
    partial = next(text for name, text in feedback.items() if "stride_effects" in name)
    unanswered = next(text for name, text in feedback.items() if "pool_name" in name)
    assert "입력한 답: a) " in wrong and "정답: c) " in wrong
    assert "줄어든다.입니다" not in wrong and ".입니다" not in wrong.split("\n")[0]
    assert partial.startswith("일부만 맞았습니다") and "정답: a, b, d" in partial
    assert unanswered.startswith("아직 답하지 않았습니다") and "정답:" not in unanswered


def test_a_half_taken_quiz_shows_no_key_or_explanation_of_an_unanswered_question(
    grade, course, submission
):
    """Grading in the course repository (keys present) marks what was answered; an unanswered
    question's answer and explanation stay back, in every format, until it is answered."""
    bank = load_bank(course, course.item("q03"))
    keys = load_keys(course, course.item("q03"), bank)
    answered = bank.questions[0]
    write_answers(submission, "q03", f"answers:\n  {answered.id}: [1, 1, 1]\n")
    text = grade("q03", "--submission", submission).stdout
    report = grade("q03", "--submission", submission, "--format", "json").item("q03")
    assert keys.explanations[answered.id]["en"].split()[0] in text  # the answered one is explained
    for question in bank.questions[1:]:
        for lang in ("en", "ko"):
            explanation = " ".join(keys.explanations[question.id][lang].split())
            assert explanation not in " ".join(text.split()), question.id
        feedback = next(t["feedback"] for t in report["tests"] if question.id in t["name"])
        assert "answer is" not in feedback and "grade quiz q03" in feedback, feedback


@pytest.mark.parametrize(
    ("environment", "language"),
    [
        ({"LC_ALL": None, "LC_MESSAGES": None, "LANG": "ko_KR.UTF-8"}, "ko"),
        ({"LC_ALL": "C.UTF-8", "LC_MESSAGES": None, "LANG": "ko_KR.UTF-8"}, "en"),
        ({"LC_ALL": None, "LC_MESSAGES": "ko_KR.UTF-8", "LANG": "en_GB.UTF-8"}, "ko"),
        ({"LC_ALL": None, "LC_MESSAGES": None, "LANG": None}, "en"),
    ],
)
def test_the_locale_picks_the_language_when_lang_is_not_given(environment, language):
    result = CliRunner().invoke(
        cli,
        ["q03", "--submission", str(STUBS), "--format", "json"],
        env=environment,
        catch_exceptions=False,
    )
    feedback = json.loads(result.stdout)["exercises"][0]["tests"][0]["feedback"]
    assert feedback.startswith("응시하지 않음" if language == "ko" else "not attempted")


def test_lang_overrides_the_locale():
    result = CliRunner().invoke(
        cli,
        ["q03", "--submission", str(STUBS), "--format", "json", "--lang", "en"],
        env={"LC_ALL": "ko_KR.UTF-8"},
        catch_exceptions=False,
    )
    assert json.loads(result.stdout)["exercises"][0]["tests"][0]["feedback"].startswith(
        "not attempted"
    )


def test_gradescope_output_lists_every_question(grade, quiz_ids):
    run = grade(*quiz_ids, "--submission", SOLUTIONS, "--format", "gradescope")
    results = json.loads(run.stdout)
    jsonschema.validate(results, GRADESCOPE_SCHEMA)
    assert results["score"] == sum(test["max_score"] for test in results["tests"])
    assert any(
        test["name"].startswith("q03 ") and "course_note_fix" in test["name"]
        for test in results["tests"]
    )


def test_an_empty_answers_file_is_not_attempted(grade, submission):
    write_answers(submission, "q01", "# nothing yet\n")
    item = grade("q01", "--submission", submission, "--format", "json", "--lang", "en").item("q01")
    assert (item["status"], item["score"]) == ("not_attempted", 0)
    assert "has no answers yet" in item["tests"][0]["feedback"]


# ------------------------------------------------------------------------------- malformed answers


MALFORMED_FILES = {  # the file as a whole cannot be used: the quiz is lost, nothing else
    "bad_yaml.yaml": "answers/q03.yaml line 7: not valid YAML (found unexpected end of stream, while "
    "scanning a quoted scalar that starts on line 5)",
    "alias_bomb.yaml": "answers/q03.yaml line 3: YAML anchors and aliases",
    "other_quiz.yaml": "answers/q03.yaml line 2 (quiz): says it holds answers for 'q01', not q03",
    "flat_mapping.yaml": "answers/q03.yaml line 3 (valid_output): unknown key 'valid_output'",
}
MALFORMED_ANSWERS = {  # one answer cannot be used: (its question, the feedback, the quiz's points left)
    "wrong_type.yaml": (
        "same_stride2",
        "answers/q03.yaml line 6 (answers.same_stride2): must be a number",
        2.0,
    ),
    "unknown_id.yaml": (
        "same_stride2",
        "answers/q03.yaml line 6 (answers.same_stride2): is not answered: the "
        "answer on line 6 is under 'same_strid2', which is not a question of "
        "q03; write 'same_stride2'",
        2.0,
    ),
    "python_tag.yaml": (
        "pool_name",
        "answers/q03.yaml line 4 (answers.pool_name): YAML tags "
        "(!!python/object/apply:os.system) are not allowed",
        0.0,
    ),
    "deep_nesting.yaml": (
        "valid_output",
        "answers/q03.yaml line 4 (answers.valid_output): is nested more than 3 levels deep",
        0.0,
    ),
    "duplicate_id.yaml": (
        "same_stride2",
        "answers/q03.yaml line 5 (answers.same_stride2): is answered more than once (lines 4, 5)",
        0.0,
    ),
}


def assert_quiz_error_and_ex01_intact(run, expected_feedback: str) -> None:
    assert run.exit_code == 1, run.stdout + run.stderr
    report = run.json()
    jsonschema.validate(report, REPORT_SCHEMA)
    ex01, q03 = run.item("ex01"), run.item("q03")
    assert ex01["score"] == ex01["max_score"] > 0
    assert (q03["status"], q03["score"]) == ("error", 0)
    for test in q03["tests"]:
        assert test["status"] == "error"
        assert expected_feedback in test["feedback"], test["feedback"]


@pytest.mark.parametrize("fixture", sorted(MALFORMED_FILES))
def test_a_malformed_answers_file_costs_the_quiz_and_nothing_else(grade, submission, fixture):
    shutil.copyfile(
        ANSWER_FIXTURES / fixture,
        (submission / "answers").mkdir() or submission / "answers" / "q03.yaml",
    )
    run = grade("ex01", "q03", "--submission", submission, "--format", "json", "--lang", "en")
    assert_quiz_error_and_ex01_intact(run, MALFORMED_FILES[fixture])


@pytest.mark.parametrize("fixture", sorted(MALFORMED_ANSWERS))
def test_a_malformed_answer_costs_its_question_and_nothing_else(grade, submission, fixture):
    question_id, expected_feedback, points_left = MALFORMED_ANSWERS[fixture]
    shutil.copyfile(
        ANSWER_FIXTURES / fixture,
        (submission / "answers").mkdir() or submission / "answers" / "q03.yaml",
    )
    run = grade("ex01", "q03", "--submission", submission, "--format", "json", "--lang", "en")
    assert run.exit_code == 1, run.stdout + run.stderr
    jsonschema.validate(run.json(), REPORT_SCHEMA)
    ex01, q03 = run.item("ex01"), run.item("q03")
    assert ex01["score"] == ex01["max_score"] > 0
    assert q03["score"] == points_left
    (flawed,) = [test for test in q03["tests"] if test["status"] == "error"]
    assert flawed["name"].endswith(f" {question_id}") and flawed["score"] == 0
    assert flawed["feedback"].startswith(expected_feedback), flawed["feedback"]
    assert (
        "The answer is" in flawed["feedback"]
        and "The answer is" not in flawed["feedback"].splitlines()[0]
    )


def test_an_answer_under_an_id_like_no_question_is_named_once_and_costs_nothing_else(
    grade, submission
):
    """An id the quiz does not have and that resembles none of its ids (nor one that is all
    look-alike letters) is left out: the first unanswered question says so, the others are graded."""
    write_answers(
        submission,
        "q03",
        "answers:\n  valid_output: [28, 28, 8]\n  pool_namе: max pooling\n"
        "  my_notes: see the course\n",
    )
    run = grade("ex01", "q03", "--submission", submission, "--format", "json", "--lang", "en")
    assert run.exit_code == 1, run.stdout + run.stderr
    ex01, q03 = run.item("ex01"), run.item("q03")
    assert ex01["score"] == ex01["max_score"] > 0 and q03["score"] == 1
    stray = "answers/q03.yaml line 4 (answers.my_notes): 'my_notes' is not a question of q03"
    mentions = [test for test in q03["tests"] if stray in test["feedback"]]
    assert len(mentions) == 1 and mentions[0]["name"].endswith("same_output")
    (look_alike,) = [test for test in q03["tests"] if test["status"] == "error"]
    assert look_alike["name"].endswith("pool_name")
    assert (
        "under 'pool_nam\\u0435', which is not a question of q03; write 'pool_name'"
        in look_alike["feedback"]
    )


def test_a_file_with_no_id_of_the_quiz_costs_the_quiz(grade, submission):
    write_answers(submission, "q03", "answers:\n  lenet_year: 1998\n")
    run = grade("ex01", "q03", "--submission", submission, "--format", "json", "--lang", "en")
    assert_quiz_error_and_ex01_intact(run, "(answers.lenet_year): unknown question 'lenet_year'")


def test_a_huge_answers_file_is_not_read(grade, submission):
    write_answers(submission, "q03", "answers:\n" + "# padding\n" * (MAX_ANSWERS_BYTES // 10 + 1))
    run = grade("ex01", "q03", "--submission", submission, "--format", "json", "--lang", "en")
    assert_quiz_error_and_ex01_intact(run, "answers/q03.yaml: is larger than 64 KB")


def test_an_answers_file_that_is_not_utf8_is_an_error(grade, submission):
    write_answers(submission, "q03", b"answers:\n  pool_name: \xff\xfe\n")
    run = grade("ex01", "q03", "--submission", submission, "--format", "json", "--lang", "en")
    assert_quiz_error_and_ex01_intact(run, "answers/q03.yaml: is not UTF-8 text")


def test_a_link_to_the_keys_earns_nothing(grade, submission):
    (submission / "answers").mkdir()
    (submission / "answers" / "q03.yaml").symlink_to(SOLUTIONS / "answers" / "q03.yaml")
    run = grade("ex01", "q03", "--submission", submission, "--format", "json", "--lang", "en")
    assert_quiz_error_and_ex01_intact(run, "answers/q03.yaml: is a symbolic link")


def test_a_linked_answers_folder_earns_nothing(grade, submission):
    (submission / "answers").symlink_to(SOLUTIONS / "answers", target_is_directory=True)
    run = grade("ex01", "q03", "--submission", submission, "--format", "json", "--lang", "en")
    assert_quiz_error_and_ex01_intact(run, "answers is a symbolic link")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_does_not_hang_the_grader(grade, submission):
    (submission / "answers").mkdir()
    os.mkfifo(submission / "answers" / "q03.yaml")
    run = grade("ex01", "q03", "--submission", submission, "--format", "json", "--lang", "en")
    assert_quiz_error_and_ex01_intact(run, "answers/q03.yaml: is not a regular file")


# ------------------------------------------------------------------------------- instructor data


@pytest.fixture
def course_copy(tmp_path):
    """A copy of the quiz banks and keys that the CLI grades against (`--course-root`), to break
    on purpose."""
    root = tmp_path / "course"
    shutil.copytree(COURSE_ROOT / "quizzes", root / "quizzes")
    shutil.copytree(SOLUTIONS / "answers", root / "solutions" / "answers")
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


BROKEN_DATA = [
    (
        "quizzes/q01_computer_vision.yaml",
        "questions:\n",
        "questions: [\n",
        r"q01_computer_vision\.yaml line \d+: not valid YAML",
    ),
    (
        "quizzes/q01_computer_vision.yaml",
        "    kind: numeric\n",
        "    kind: numeric\n    answer: 1989\n",
        r"q01_computer_vision\.yaml: questions\[0\] \(lenet_year\): unknown key\(s\) answer",
    ),
    (
        "quizzes/q01_computer_vision.yaml",
        "      ko: >-\n        얀 르쿤",
        "      kr: >-\n        얀 르쿤",
        r"q01_computer_vision\.yaml: questions\[0\] \(lenet_year\)\.text: unknown key\(s\) kr",
    ),
    (
        "quizzes/q01_computer_vision.yaml",
        "kind: single",
        "kind: essay",
        r"questions\[1\] \(cnn_definition\)\.kind: must be one of single, multiple",
    ),
    (
        "solutions/answers/q01.yaml",
        "  lenet_year: 1989\n",
        "",
        r"solutions/answers/q01\.yaml: answers\.lenet_year: no key for this question",
    ),
    (
        "solutions/answers/q01.yaml",
        "  lenet_year: 1989",
        "  lenet_year: nineteen",
        r"solutions/answers/q01\.yaml line \d+ \(answers\.lenet_year\): must be a number",
    ),
    (
        "solutions/answers/q01.yaml",
        "  task_ocr: c",
        "  task_ocr: z",
        r"solutions/answers/q01\.yaml line \d+ \(answers\.task_ocr\): must be one choice letter",
    ),
    (
        "solutions/answers/q01.yaml",
        "also_accept:\n  task_pose:",
        "also_accept:\n  task_ocr:",
        r"\(also_accept\.task_ocr\): only short-text questions",
    ),
    (
        "solutions/answers/q01.yaml",
        "  e2e_statements: [a, b, d]",
        "  e2e_statements: [a, b, c, d, e]",
        r"answers\.e2e_statements: every choice is right, so ticking every box",
    ),
    (
        "solutions/answers/q01.yaml",
        "\n  lenet_year:\n    en:",
        "\n  lenet_yr:\n    en:",
        r"explanations\.lenet_yr\): unknown question",
    ),
]


@pytest.mark.parametrize(("file", "old", "new", "message"), BROKEN_DATA)
def test_a_broken_bank_or_key_is_an_input_error_in_one_line(
    grade, course_copy, file, old, new, message
):
    edit(course_copy / file, old, new)
    run = grade("--course-root", course_copy, "q01", "--submission", SOLUTIONS, "--format", "json")
    assert run.exit_code == 2
    assert run.stdout == ""
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and re.search(message, lines[0]), run.stderr


def test_a_student_release_without_keys_says_the_instructor_grades_the_quiz(
    grade, course_copy, submission
):
    """Without keys a quiz counts 0 of 0: the local total is over what can be graded here, so
    a release whose exercises are all right exits 0."""
    shutil.rmtree(course_copy / "solutions")
    shutil.copytree(SOLUTIONS / "answers", submission / "answers")
    run = grade(
        "--course-root",
        course_copy,
        "ex01",
        "q01",
        "q02",
        "--submission",
        submission,
        "--format",
        "json",
        "--lang",
        "en",
    )
    assert run.exit_code == 0
    jsonschema.validate(run.json(), REPORT_SCHEMA)
    assert run.item("ex01")["score"] == run.item("ex01")["max_score"] == run.json()["max_score"]
    for quiz_id in ("q01", "q02"):
        item = run.item(quiz_id)
        assert (item["status"], item["score"], item["max_score"]) == ("not_attempted", 0, 0)
        assert "graded on submission" in item["note"] and "instructor grades" in item["note"]
        assert re.search(r"\((\d+) of \1 questions answered\)", item["note"])
    text = grade(
        "--course-root", course_copy, "q01", "--submission", submission, "--lang", "en"
    ).stdout
    assert "no answer keys" in text and "Correct" not in text
