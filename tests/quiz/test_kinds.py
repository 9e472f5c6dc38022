"""The five kinds of quiz question: what each accepts, how it normalises, how it scores."""

from __future__ import annotations

import pytest

from grader.course.catalogue import load_catalogue
from grader.quiz.answers import load_keys
from grader.quiz.bank import Question, load_bank
from grader.quiz.kinds import (
    coerce_answer,
    normalise_text,
    parse_typed,
    score_answer,
    show_answer,
    text_forms,
)

TEXTS = {"en": "question", "ko": "문제"}


def question(kind: str, letters: str = "", **extra) -> Question:
    choices = tuple(
        (letter, {"en": f"choice {letter}", "ko": f"보기 {letter}"}) for letter in letters
    )
    return Question(id="q", kind=kind, points=2.0, text=TEXTS, choices=choices, **extra)


SINGLE = question("single", "abcd")
MULTIPLE = question("multiple", "abcde")
NUMERIC = question("numeric")
SHAPE = question("shape")
TEXT = question("text")


@pytest.mark.parametrize("value", ["b", "B", " b ", "b)", "Ｂ"])
def test_single_choice_letters_normalise(value):
    assert coerce_answer(SINGLE, value) == "b"


@pytest.mark.parametrize("value", ["e", 2, ["b"], True, "bc", ""])
def test_single_choice_refuses_what_is_not_one_of_its_letters(value):
    with pytest.raises(ValueError, match=r"one choice letter \(a-d\)"):
        coerce_answer(SINGLE, value)


@pytest.mark.parametrize(
    "value", [["a", "c"], ["C", "a"], "a, c", "a c", "ac", "c;a", ["a", "c", "a"]]
)
def test_multiple_choice_accepts_lists_and_separated_letters(value):
    assert coerce_answer(MULTIPLE, value) == ("a", "c")


def test_multiple_choice_may_pick_nothing():
    assert coerce_answer(MULTIPLE, []) == ()


@pytest.mark.parametrize("value", [["a", "z"], "a, 7", [1, 2], {"a": 1}])
def test_multiple_choice_refuses_unknown_letters(value):
    with pytest.raises(ValueError, match="list of choice letters"):
        coerce_answer(MULTIPLE, value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (4096, 4096.0),
        (0.5, 0.5),
        ("4096", 4096.0),
        ("4,096", 4096.0),
        ("12,289,000", 12289000.0),
        ("4 096", 4096.0),
        ("1e3", 1000.0),
        ("-3", -3.0),
        ("１０２０", 1020.0),
        (" 141.42 ", 141.42),
    ],
)
def test_numeric_answers_read_numbers_written_many_ways(value, expected):
    assert coerce_answer(NUMERIC, value) == expected


@pytest.mark.parametrize(
    "value", [True, "four", [4], "4,09", ".nan", float("inf"), "1e999", "0x10"]
)
def test_numeric_answers_refuse_what_is_not_a_finite_number(value):
    with pytest.raises(ValueError, match="must be a number"):
        coerce_answer(NUMERIC, value)


@pytest.mark.parametrize(
    "value",
    [
        [32, 32, 10],
        "32x32x10",
        "32 x 32 x 10",
        "(32, 32, 10)",
        "[32, 32, 10]",
        "32×32×10",
        "32X32X10",
        ["32", "32", "10"],
        "３２x３２x１０",
        "32*32*10",
    ],
)
def test_shape_answers_accept_tuples_lists_and_x_separated_text(value):
    assert coerce_answer(SHAPE, value) == (32, 32, 10)


@pytest.mark.parametrize(
    "value", ["32x32xten", [32, None], [32, 0], [True, 2], 32.5, "", [], "1x2x3x4x5x6x7"]
)
def test_shape_answers_refuse_anything_but_positive_whole_dimensions(value):
    with pytest.raises(ValueError, match="must be a shape"):
        coerce_answer(SHAPE, value)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("max pooling", "Max-Pooling"),
        ("max pooling", "MAXPOOLING"),
        ("max pooling", "ＭＡＸ　ＰＯＯＬＩＮＧ"),
        ("최대 풀링", "최대풀링"),
        ("end-to-end", "End to end."),
        ("Flatten", "flatten()"),
    ],
)
def test_text_normalisation_ignores_case_spacing_punctuation_and_width(left, right):
    assert normalise_text(left) == normalise_text(right)


def test_text_normalisation_keeps_the_words_apart_from_other_words():
    assert normalise_text("max pooling") != normalise_text("average pooling")


@pytest.mark.parametrize("value", [True, "...", "", ["max pooling"], "x" * 301])
def test_text_answers_refuse_non_text_and_empty_or_huge_text(value):
    with pytest.raises(ValueError):
        coerce_answer(TEXT, value)


def test_unanswered_is_none_for_every_kind():
    for kind_question in (SINGLE, MULTIPLE, NUMERIC, SHAPE, TEXT):
        assert coerce_answer(kind_question, None) is None
        assert score_answer(kind_question, None, "a", ()) == (0.0, 0, 0)


@pytest.mark.parametrize(
    ("picked", "fraction"),
    [
        (("a", "b", "d"), 1.0),  # exactly the key
        (("a", "b"), 2 / 3),  # two of three right, nothing wrong
        (("a",), 1 / 3),
        (("a", "b", "c"), 2 / 3 - 1 / 2),  # two of three right, one of two wrong
        (("a", "b", "d", "c"), 1 - 1 / 2),  # all right, one of two wrong
        (("a", "c"), 0.0),  # one right, one wrong: 1/3 - 1/2, floored at 0
        (("a", "b", "c", "d", "e"), 0.0),  # everything: all right and all wrong
        (("c", "e"), 0.0),  # only wrong picks: floored at 0
        ((), 0.0),  # nothing picked
    ],
)
def test_multiple_choice_credit_is_right_share_minus_wrong_share(picked, fraction):
    earned, right, wrong = score_answer(MULTIPLE, picked, ("a", "b", "d"))
    assert earned == pytest.approx(fraction)
    assert (right, wrong) == (
        len(set(picked) & {"a", "b", "d"}),
        len(set(picked) - {"a", "b", "d"}),
    )


def test_picking_every_choice_earns_nothing_when_half_are_wrong():
    assert score_answer(question("multiple", "abcd"), ("a", "b", "c", "d"), ("a", "b"))[0] == 0.0


def test_picking_everything_or_nothing_earns_nothing_in_every_shipped_question(catalogue):
    """The rule that makes ticking every box useless, checked on the real quiz banks and keys."""
    from grader.quiz.answers import load_keys
    from grader.quiz.bank import load_bank

    checked = 0
    for quiz in catalogue.quizzes:
        bank = load_bank(catalogue, quiz)
        keys = load_keys(catalogue, quiz, bank)
        for item in bank.questions:
            if item.kind == "multiple":
                key = keys.answers[item.id]
                assert score_answer(item, (), key)[0] == 0.0
                everything = score_answer(item, item.letters, key)[0]
                assert everything == (1.0 if set(key) == set(item.letters) else 0.0), item.id
                checked += 1
    assert checked > 0


@pytest.mark.parametrize(
    ("answer", "right"),
    [(141.42, True), (141.0, True), (141.92, True), (140.9, False), (142.0, False)],
)
def test_numeric_absolute_tolerance(answer, right):
    tolerant = question("numeric", absolute_tolerance=0.5)
    assert score_answer(tolerant, answer, 141.42)[0] == float(right)


@pytest.mark.parametrize(("answer", "right"), [(1000.0, True), (1010.0, True), (989.0, False)])
def test_numeric_relative_tolerance(answer, right):
    tolerant = question("numeric", relative_tolerance=0.01)
    assert score_answer(tolerant, answer, 1000.0)[0] == float(right)


def test_numeric_without_tolerance_is_exact():
    assert score_answer(NUMERIC, 4096.0, 4096.0)[0] == 1.0
    assert score_answer(NUMERIC, 4097.0, 4096.0)[0] == 0.0
    assert score_answer(NUMERIC, 0.1 + 0.2, 0.3)[0] == 1.0  # binary rounding is not a wrong answer


def test_shape_must_match_every_dimension_in_order():
    assert score_answer(SHAPE, (32, 32, 10), (32, 32, 10))[0] == 1.0
    assert score_answer(SHAPE, (16, 16, 10), (32, 32, 10))[0] == 0.0
    assert score_answer(SHAPE, (10, 32, 32), (32, 32, 10))[0] == 0.0


def test_text_matches_the_key_or_any_accepted_alternative():
    accepted = ("최대 풀링", "maxpool")
    assert score_answer(TEXT, "Max Pooling", "max pooling", accepted)[0] == 1.0
    assert score_answer(TEXT, "최대풀링", "max pooling", accepted)[0] == 1.0
    assert score_answer(TEXT, "MaxPool", "max pooling", accepted)[0] == 1.0
    assert score_answer(TEXT, "average pooling", "max pooling", accepted)[0] == 0.0


def test_typed_choices_may_be_numbers():
    assert parse_typed(SINGLE, "2") == "b"
    assert parse_typed(MULTIPLE, "1, 3") == ("a", "c")
    assert parse_typed(MULTIPLE, "1 c") == ("a", "c")
    with pytest.raises(ValueError):
        parse_typed(SINGLE, "9")
    with pytest.raises(ValueError):
        parse_typed(TEXT, "   ")


def test_answers_are_shown_in_the_chosen_language():
    assert show_answer(SINGLE, "b", "en") == "b) choice b"
    assert show_answer(SINGLE, "b", "ko") == "b) 보기 b"
    assert show_answer(SHAPE, (32, 32, 10), "en") == "(32, 32, 10)"
    assert show_answer(NUMERIC, 12289000.0, "en") == "12289000"
    assert show_answer(NUMERIC, 141.42, "en") == "141.42"


@pytest.mark.parametrize(
    "answer, key, accepted",
    [
        ("Flatten 층", "Flatten", ()),
        ("평탄화 레이어", "Flatten", ("평탄화",)),
        ("평탄화층", "Flatten", ("평탄화",)),
        ("최대 풀링 층", "max pooling", ("최대 풀링",)),
        ("the Flatten layer", "Flatten", ()),
        ("Flatten()", "Flatten", ()),
        ("최대 풀링 (max pooling)", "max pooling", ("최대 풀링",)),
        ("자세 추정（Pose Estimation）", "pose estimation", ("자세 추정",)),  # full-width brackets
    ],
)
def test_text_variants_in_either_language_match(answer, key, accepted):
    assert score_answer(TEXT, answer, key, accepted)[0] == 1.0


@pytest.mark.parametrize(
    "answer, key, accepted",
    [
        (
            "max pooling (average pooling)",
            "max pooling",
            ("최대 풀링",),
        ),  # a hedge is not an answer
        ("average pooling layer", "max pooling", ()),
        ("층", "Flatten", ()),  # the filler alone names nothing
        ("layer", "Flatten", ()),
        ("Dense 층", "Flatten", ("평탄화",)),
        ("a", "Flatten", ()),
    ],
)
def test_text_variants_do_not_accept_another_answer(answer, key, accepted):
    assert score_answer(TEXT, answer, key, accepted)[0] == 0.0


def test_layer_words_and_glosses_are_dropped_only_around_the_answer():
    assert text_forms("최대 풀링 (max pooling)") == {"최대풀링", "maxpooling"}
    assert text_forms("Flatten 층") == text_forms("flatten layer") == {"flatten"}
    assert text_forms("layer") == {"layer"}  # nothing left after the filler: kept as it is
    assert text_forms("an image") == {"image"} and text_forms("a") == {"a"}


@pytest.mark.parametrize(
    "quiz_id, question_id, answer",
    [
        ("q01", "task_pose", "인간 자세 추정"),  # the course notes' own heading
        ("q01", "task_pose", "Human Pose Estimation (인간 자세 추정)"),
        ("q04", "layer_to_vector", "Flatten 층"),
        ("q04", "layer_to_vector", "평탄화 레이어"),
        ("q03", "pool_name", "최대 풀링 층"),
        ("q03", "pool_name", "MaxPooling2D layer"),
    ],
)
def test_the_course_keys_accept_the_reported_variants(quiz_id, question_id, answer):
    """The answers a review found scoring 0 score full marks against the real keys."""
    course = load_catalogue()
    quiz = course.item(quiz_id)
    bank = load_bank(course, quiz)
    keys = load_keys(course, quiz, bank)
    question = bank.question(question_id)
    earned = score_answer(
        question,
        coerce_answer(question, answer),
        keys.answers[question_id],
        keys.also_accept.get(question_id, ()),
    )
    assert earned[0] == 1.0
