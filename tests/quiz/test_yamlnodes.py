"""Reading an untrusted answers file as nodes: where each flaw lies decides what it costs.

A flaw inside one answer's value (an anchor, an alias, a tag, nesting) costs that answer; a
flaw anywhere else costs the file; nothing is ever expanded or constructed from a flawed value.
"""

from __future__ import annotations

import pytest

from grader.course.catalogue import load_catalogue
from grader.quiz.answers import AnswersError, load_keys, parse_answers
from grader.quiz.bank import load_bank
from grader.quiz.yamlnodes import HARD_NESTING, compose, scan


@pytest.fixture(scope="module")
def q03():
    course = load_catalogue()
    return load_bank(course, course.item("q03"))


def test_an_alias_and_its_anchor_cost_both_answers_and_nothing_else(q03):
    sheet = parse_answers(
        "answers:\n  pool_sum: &n 24\n  same_stride2: *n\n  stride_output: 3\n", q03
    )
    assert set(sheet.problems) == {"pool_sum", "same_stride2"}
    assert sheet.answers["pool_sum"] is None and sheet.answers["stride_output"] == 3
    assert (
        sheet.problems["same_stride2"].line == 3
        and "aliases" in sheet.problems["same_stride2"].problem
    )


def test_a_billion_laughs_inside_answers_is_never_expanded(q03):
    lines = [
        "answers:",
        "  valid_output: &a [x, x, x, x, x, x, x, x, x, x]",
        "  same_output: &b [" + ", ".join(["*a"] * 10) + "]",
        "  course_note_fix: [" + ", ".join(["*b"] * 10) + "]",
        "  pool_sum: 24",
    ]
    sheet = parse_answers("\n".join(lines) + "\n", q03)
    assert set(sheet.problems) == {"valid_output", "same_output", "course_note_fix"}
    assert sheet.answers["pool_sum"] == 24


def test_an_undefined_alias_or_an_anchor_used_twice_costs_one_answer(q03):
    sheet = parse_answers(
        "answers:\n  pool_sum: *nowhere\n  stride_output: &x 3\n  same_stride2: &x 4\n", q03
    )
    assert set(sheet.problems) == {"pool_sum", "stride_output", "same_stride2"}


@pytest.mark.parametrize(
    "text, line",
    [
        ("quiz: &q q03\nanswers:\n  pool_sum: 24\n", 1),
        ("answers:\n  &k pool_sum: 24\n", 2),
        ("answers: !!map\n  pool_sum: 24\n", 1),
        ("!!map\nanswers:\n  pool_sum: 24\n", 1),
    ],
)
def test_a_flaw_outside_every_answer_costs_the_file(q03, text, line):
    with pytest.raises(AnswersError) as caught:
        parse_answers(text, q03)
    assert caught.value.line == line and caught.value.key is None


def test_nesting_past_the_hard_limit_is_refused_before_composing(q03):
    deep = "[" * (HARD_NESTING + 1) + "]" * (HARD_NESTING + 1)
    with pytest.raises(AnswersError, match="nested more than"):
        parse_answers(f"answers:\n  valid_output: {deep}\n", q03)
    very_deep = "[" * 30_000
    with pytest.raises(AnswersError):  # not a RecursionError from the composer
        parse_answers(f"answers:\n  valid_output: {very_deep}\n", q03)
    sheet = parse_answers("answers:\n  valid_output: [[28, 28, 8]]\n  pool_sum: 24\n", q03)
    assert set(sheet.problems) == {"valid_output"} and sheet.answers["pool_sum"] == 24


def test_the_composer_keeps_no_anchor_and_resolves_no_alias():
    loader = compose("a: &x [1, 2]\nb: *x\n")
    try:
        root = loader.get_single_node()
    finally:
        loader.dispose()
    (_first_key, first), (_second_key, second) = root.value
    assert second is not first and second.value == ""
    assert [flaw.line for flaw in scan("a: &x [1, 2]\nb: *x\n", 3)] == [1, 2]


def test_keys_take_no_problem_lightly():
    """In the instructor's keys every problem is an error (exit code 2), even one answer's."""
    course = load_catalogue()
    quiz = course.item("q03")
    bank = load_bank(course, quiz)
    keys = load_keys(course, quiz, bank)
    assert keys.problems == {}
    with pytest.raises(AnswersError, match="must be a shape"):
        parse_answers("answers:\n  valid_output: 0\n", bank, keys=True)
