"""Gradescope's results.json: what a learner sees now, later and never.

The grading's seed is never in a text a learner sees (it is the instructor's, in `extra_data`),
and a quiz's receipt, the one quiz test shown before the due date, names the answers that could
not be read without showing any question's answer.
"""

from __future__ import annotations

import json
import re

from grader.course.catalogue import load_catalogue
from grader.quiz.answers import load_keys
from grader.quiz.bank import load_bank
from grader.quiz.sheet import render_answers
from grader.reports import render
from grader.results import ExerciseResult, Report, TestResult
from tests.conftest import FIXTURES

SEED = 987654321


def learner_texts(results: dict) -> list[str]:
    """Every text Gradescope shows a learner (now or after the due date)."""
    return [
        results["output"],
        *(test[field] for test in results["tests"] for field in ("name", "output")),
    ]


def report_with_feedback(feedback: str, seed: int) -> Report:
    tests = [TestResult("generated cases", "failed", 0.0, 2.0, "hidden", feedback)]
    return Report(
        [ExerciseResult("ex01", "convolution", 2.0, tests)], seed=seed, protection="namespaces"
    )


def test_the_seed_is_kept_for_the_instructor_and_shown_to_no_learner():
    feedback = (
        f"A generated case that shows it (replay with --seed {SEED}):\n"
        f"image 3x3, seed {SEED}; --seed={SEED} again; 1{SEED} is another number"
    )
    results = json.loads(render(report_with_feedback(feedback, SEED), "gradescope"))
    assert results["extra_data"] == {"seed": SEED, "protection": "namespaces"}
    (output,) = [test["output"] for test in results["tests"]]
    assert output == (
        "A generated case that shows it (replay with --seed N):\n"
        f"image 3x3, seed N; --seed=N again; 1{SEED} is another number"
    )
    assert not any(str(SEED) in re.sub(rf"1{SEED}", "", text) for text in learner_texts(results))


def test_a_short_seed_is_hidden_after_seed_but_other_numbers_stay():
    results = json.loads(
        render(report_with_feedback("expected 7, got 8 (replay with --seed 7)", 7), "gradescope")
    )
    assert results["tests"][0]["output"] == "expected 7, got 8 (replay with --seed N)"
    assert results["extra_data"]["seed"] == 7


def test_a_graded_run_shows_no_learner_its_seed(grade, tmp_path):
    """The real grader on a flipped kernel (hidden generated cases fail) and a quiz: the seed is in
    the JSON report and in extra_data, in no text of results.json a learner can see."""
    (tmp_path / "ex01_convolution.py").write_text(
        (FIXTURES / "buggy" / "convolve_flipped_kernel.py").read_text()
    )
    results = grade(
        "ex01", "q03", "--submission", tmp_path, "--seed", SEED, "--format", "gradescope"
    ).json()
    assert results["extra_data"]["seed"] == SEED
    assert results["score"] < sum(test["max_score"] for test in results["tests"])
    assert not any(str(SEED) in text for text in learner_texts(results))


def keys_with(quiz_id: str, replacements: dict[str, str]) -> str:
    """The keys of `quiz_id` as a learner's answers file, some answers replaced by raw YAML."""
    course = load_catalogue()
    quiz = course.item(quiz_id)
    bank = load_bank(course, quiz)
    text = render_answers(bank, load_keys(course, quiz, bank).answers, title=quiz.title, lang="en")
    for question_id, raw in replacements.items():
        text, count = re.subn(rf"(?m)^  {question_id}: .*$", f"  {question_id}: {raw}", text)
        assert count == 1
    return text


def test_the_receipt_names_unreadable_answers_and_shows_no_answer(grade, tmp_path):
    (tmp_path / "answers").mkdir()
    (tmp_path / "answers" / "q03.yaml").write_text(
        keys_with("q03", {"valid_output": "0", "pool_sum": "0x" + "f" * 4000}), encoding="utf-8"
    )
    results = grade(
        "q03", "--submission", tmp_path, "--format", "gradescope", "--lang", "en"
    ).json()
    (receipt,) = [test for test in results["tests"] if test["visibility"] == "visible"]
    assert receipt["name"] == "q03 answers file" and receipt["status"] == "failed"
    output = receipt["output"]
    assert "answers.valid_output" in output and "must be a shape" in output
    assert "answers.pool_sum" in output and "a very large number" in output
    assert "The answer is" not in output and "(28, 28, 8)" not in output
    graded = {test["name"]: test for test in results["tests"] if test["max_score"] > 0}
    assert graded["q03 Q1 valid_output"]["score"] == 0 and graded["q03 Q11 pool_sum"]["score"] == 0
    assert results["score"] == sum(test["max_score"] for test in graded.values()) - 1 - 2


def test_a_quiz_whose_every_answer_is_unreadable_shows_no_answer_either(grade, tmp_path):
    course = load_catalogue()
    bank = load_bank(course, course.item("q03"))
    (tmp_path / "answers").mkdir()
    (tmp_path / "answers" / "q03.yaml").write_text(
        keys_with("q03", {question_id: "!!binary aGk=" for question_id in bank.ids}),
        encoding="utf-8",
    )
    results = grade(
        "q03", "--submission", tmp_path, "--format", "gradescope", "--lang", "en"
    ).json()
    (receipt,) = [test for test in results["tests"] if test["visibility"] == "visible"]
    assert receipt["status"] == "failed" and receipt["output"].count("YAML tags (!!binary)") == len(
        bank.ids
    )
    assert "The answer is" not in receipt["output"] and "max pooling" not in receipt["output"]


def test_tests_the_grader_could_not_check_are_kept_for_the_instructor():
    """Contract 2's top-level "unchecked" list of the JSON report goes to extra_data, where
    run_autograder reads it to say, in the instructor's log, why the run failed."""

    class ReportWithUnchecked(Report):
        def to_dict(self) -> dict:
            return {**super().to_dict(), "unchecked": ["ex01: generated cases"]}

    report = report_with_feedback("could not check: no case was checked", SEED)
    unchecked = ReportWithUnchecked(report.exercises, seed=SEED, protection="limits")
    results = json.loads(render(unchecked, "gradescope"))
    assert results["extra_data"] == {
        "seed": SEED,
        "protection": "limits",
        "unchecked": ["ex01: generated cases"],
    }
    assert "unchecked" not in json.loads(render(report, "gradescope"))["extra_data"]
