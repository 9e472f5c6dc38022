"""Attacks through a quiz answers file: expanding, exhausting, posing as keys, hiding an answer.

A learner controls every byte of answers/qNN.yaml. Whatever it holds, the run exits 0 or 1,
an honest ex01 in the same run keeps its full report, a flawed answer costs its question alone
and earns nothing, and no file makes the grader build what the text does not hold (an alias
is never expanded) or recurse without bound.
"""

from __future__ import annotations

import shutil

import pytest

from grader.course.catalogue import load_catalogue
from grader.quiz.bank import load_bank
from tests.conftest import SOLUTIONS

Q03 = load_bank(load_catalogue(), load_catalogue().item("q03"))


def grade_with_ex01(grade, folder, text: str) -> tuple[dict, dict]:
    folder.mkdir(exist_ok=True)
    shutil.copyfile(SOLUTIONS / "ex01_convolution.py", folder / "ex01_convolution.py")
    (folder / "answers").mkdir(exist_ok=True)
    (folder / "answers" / "q03.yaml").write_text(text, encoding="utf-8")
    run = grade("ex01", "q03", "--submission", folder, "--format", "json", "--lang", "en")
    assert run.exit_code == 1, run.stdout[-2000:] + run.stderr[-2000:]
    ex01, quiz = run.item("ex01"), run.item("q03")
    assert ex01["score"] == ex01["max_score"] > 0
    return ex01, quiz


def errors(quiz: dict) -> set[str]:
    return {test["name"].split(" ", 1)[1] for test in quiz["tests"] if test["status"] == "error"}


def test_a_billion_laughs_among_the_answers_expands_nothing(grade, tmp_path):
    lines = ["answers:", "  valid_output: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    names = ["same_output", "course_note_fix", "pool_output_shape", "pool_odd", "chain_output"]
    for level, name in enumerate(names, start=1):
        lines.append(f"  {name}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 10) + "]")
    lines.append("  pool_sum: 24")
    _ex01, quiz = grade_with_ex01(grade, tmp_path / "laughs", "\n".join(lines) + "\n")
    assert errors(quiz) == {"valid_output", *names} and quiz["score"] == 2


def test_an_alias_cannot_answer_a_question_with_another_answer(grade, tmp_path):
    """Both questions' key is b: `pool_usual_padding: *right` would copy a right answer into a
    second question. Neither the anchored answer nor the alias earns anything."""
    text = "answers:\n  pool_default_stride: &right b\n  pool_usual_padding: *right\n"
    _ex01, quiz = grade_with_ex01(grade, tmp_path / "copy", text)
    assert errors(quiz) == {"pool_default_stride", "pool_usual_padding"} and quiz["score"] == 0


@pytest.mark.parametrize("depth", [4, 23, 25, 1000, 20000])
def test_nesting_of_any_depth_is_refused_without_recursion(grade, tmp_path, depth):
    value = "[" * depth + "28" + "]" * depth
    text = f"answers:\n  pool_sum: 24\n  valid_output: {value}\n"
    _ex01, quiz = grade_with_ex01(grade, tmp_path / f"deep{depth}", text)
    assert quiz["status"] in ("partial", "error") and quiz["score"] in (0, 2)
    assert "valid_output" in errors(quiz)


def test_sections_only_keys_may_have_are_ignored_in_a_learners_file(grade, tmp_path):
    """A learner's also_accept cannot make a wrong text right, nor explanations replace the course's."""
    text = (
        "answers:\n  pool_name: average pooling\nalso_accept:\n  pool_name: [average pooling]\n"
        "explanations:\n  pool_name: {en: forged, ko: forged}\n"
    )
    _ex01, quiz = grade_with_ex01(grade, tmp_path / "keys", text)
    (pool_name,) = [test for test in quiz["tests"] if test["name"].endswith(" pool_name")]
    assert pool_name["score"] == 0 and "forged" not in pool_name["feedback"]


def test_thousands_of_duplicate_anchored_answers_cost_one_question(grade, tmp_path):
    text = "answers:\n" + "  pool_sum: &a 24\n" * 3500 + "  stride_output: 3\n"
    _ex01, quiz = grade_with_ex01(grade, tmp_path / "many", text)
    assert errors(quiz) == {"pool_sum"}
    assert len(quiz["tests"]) == len(Q03.questions)
