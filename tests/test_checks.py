"""The check helpers that the suites use (grader/checks.py), in public and in hidden tests.

A public test's feedback may show the expected value; a hidden test's never does, whichever
helper judged the result (docs/design.md#hidden-stays-hidden). Outside any grading test a
helper behaves as in a hidden one.
"""

from __future__ import annotations

import re
from contextlib import nullcontext

import numpy as np
import pytest

from grader import evidence
from grader.checks import (
    Misconception,
    check_array,
    check_constant,
    check_exact,
    check_number,
    check_parts,
    expect_answer,
    expect_value_error,
)
from grader.failures import GradingFailure, LearnerRaised, NamedMistake, NotAttempted

SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=float)
VISIBILITY = {
    "public": lambda: evidence.judging(evidence.PUBLIC),
    "hidden": lambda: evidence.judging(evidence.HIDDEN),
    "no test": nullcontext,
}


def feedback_of(visibility: str, check, *args, **kwargs) -> GradingFailure:
    with VISIBILITY[visibility](), pytest.raises(GradingFailure) as raised:
        check(*args, **kwargs)
    return raised.value


def numbers_in(text: str) -> set[float]:
    return {float(found) for found in re.findall(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?", text)}


# ------------------------------------------------------------------ check_array

EXPECTED = np.array([[1.25, 2.5], [3.75, 5.125]])
WRONG = np.array([[1.25, 2.5], [3.75, 9.5]])


def test_check_array_public_names_the_expected_cell_hidden_only_the_learners():
    public = feedback_of("public", check_array, WRONG, EXPECTED, call="f(x)").feedback
    assert "at index (1, 1) expected 5.125, got 9.5" in public
    for visibility in ("hidden", "no test"):
        hidden = feedback_of(visibility, check_array, WRONG, EXPECTED, call="f(x)").feedback
        assert "1 of 4 values differ; the first at index (1, 1), where you returned 9.5" in hidden
        assert 5.125 not in numbers_in(hidden) and "expected" not in hidden


def test_check_array_reveal_shows_both_arrays_in_a_public_test_only():
    public = feedback_of("public", check_array, WRONG, EXPECTED, call="f(x)", reveal=True).feedback
    assert "expected:\n" in public and "5.125" in public
    hidden = feedback_of("hidden", check_array, WRONG, EXPECTED, call="f(x)", reveal=True).feedback
    assert "expected:" not in hidden and 5.125 not in numbers_in(hidden)


def test_check_array_hidden_names_a_misconception_without_the_expected_cells():
    expected = np.arange(1.0, 7.0).reshape(2, 3) * 7.5
    flipped = expected[::-1, ::-1]
    failure = feedback_of(
        "hidden",
        check_array,
        flipped,
        expected,
        call="f(x)",
        misconceptions=[Misconception("your output matches a flipped kernel", flipped)],
    )
    assert isinstance(failure, NamedMistake) and "flipped kernel" in failure.feedback
    assert not numbers_in(failure.feedback) & (set(expected.ravel()) - set(flipped.ravel()[:1]))


@pytest.mark.parametrize("visibility", ["public", "hidden"])
def test_check_array_shows_a_wrong_shape_in_both(visibility):
    """An array's shape follows from the call's shapes; only its cells are the answer."""
    feedback = feedback_of(
        visibility, check_array, np.zeros((2, 3)), np.zeros((3, 3)), call="f(x)"
    ).feedback
    assert "expected shape (3, 3), got (2, 3)" in feedback and "one short on axis 0" in feedback


def test_a_type_slip_is_named_by_its_type_alone_in_a_hidden_test():
    """Integers where results are floats: hidden, the same sentence whether the values were
    right or wrong, so it never tells that they were right; public, the values come first."""
    right, wrong = np.array([[1, 2], [3, 4]]), np.array([[1, 2], [3, 5]])
    expected = right.astype(float)
    hidden_right = feedback_of("hidden", check_array, right, expected, call="f(x)", floating=True)
    hidden_wrong = feedback_of("hidden", check_array, wrong, expected, call="f(x)", floating=True)
    assert hidden_right.feedback == hidden_wrong.feedback
    assert "must be floating point" in hidden_right.feedback and hidden_right.diagnosed
    assert (
        "wrong values"
        in feedback_of("public", check_array, wrong, expected, call="f(x)", floating=True).feedback
    )
    kept = feedback_of(
        "hidden", check_array, wrong.astype(float), right, call="f(x)", dtype=np.int64
    )
    assert "the dtype of the input" in kept.feedback and "values differ" not in kept.feedback


def test_a_named_mistake_still_beats_the_type_in_a_hidden_test():
    """A uint8 result that wrapped around is named as the wrap, not only as a dtype."""
    expected = np.array([[300.0, 20.0]])
    wrapped = np.array([[44, 20]], dtype=np.uint8)
    failure = feedback_of(
        "hidden",
        check_array,
        wrapped,
        expected,
        call="f(x)",
        floating=True,
        misconceptions=[
            Misconception("your values wrapped around modulo 256", np.array([[44.0, 20.0]]))
        ],
    )
    assert "modulo 256" in failure.feedback and "300" not in failure.feedback


# ------------------------------------------------------------------ check_number and check_exact


def test_check_number_hides_the_expected_value_in_a_hidden_test():
    assert (
        "expected 6600, got 12"
        in feedback_of("public", check_number, 12.0, 6600.0, call="f(p, k)").feedback
    )
    for visibility in ("hidden", "no test"):
        feedback = feedback_of(visibility, check_number, 12.0, 6600.0, call="f(p, k)").feedback
        assert (
            "f(p, k): returned 12, which is not the right value" in feedback
            and "6600" not in feedback
        )
    named = feedback_of(
        "hidden",
        check_number,
        825.0,
        6600.0,
        call="f(p, k)",
        misconceptions=[Misconception("you averaged the products", 825.0)],
    )
    assert (
        named.diagnosed
        and "you averaged the products" in named.feedback
        and "6600" not in named.feedback
    )


def test_check_exact_hides_numbers_and_tuples_in_a_hidden_test():
    assert (
        "expected 17, got 15"
        in feedback_of("public", check_exact, 15, 17, call="receptive_field(...)").feedback
    )
    hidden = feedback_of("hidden", check_exact, 15, 17, call="receptive_field(...)").feedback
    assert "returned 15, which is not the right answer" in hidden and "17" not in hidden
    shape = feedback_of(
        "hidden", check_exact, (14, 14, 6), (13, 13, 6), call="conv_output_shape(...)"
    ).feedback
    assert "13" not in shape and "(14, 14, 6)" in shape


def test_you_returned_floats_never_tells_a_hidden_learner_the_value_was_right():
    """Public: said when the floats equal the answer. Hidden: said whenever floats come back,
    right or wrong, so the sentence tells nothing about the value."""
    public_right = feedback_of("public", check_exact, 3.0, 3, call="size(7, 2, 2)").feedback
    assert "you returned floats" in public_right
    assert (
        "you returned floats"
        not in feedback_of("public", check_exact, 4.0, 3, call="size(7, 2, 2)").feedback
    )
    right = feedback_of("hidden", check_exact, 3.0, 3, call="size(7, 2, 2)").feedback
    wrong = feedback_of("hidden", check_exact, 4.0, 3, call="size(7, 2, 2)").feedback
    assert "you returned floats" in right and "you returned floats" in wrong
    assert right.replace("3.0", "X") == wrong.replace("4.0", "X")
    assert (
        "you returned floats"
        in feedback_of("hidden", check_exact, (1, 2.0), (1, 2), call="pads(5, 4)").feedback
    )


def test_check_exact_takes_a_0d_integer_array_as_the_int_it_holds():
    """`np.array(4097)` holds the int 4097, as `np.int64(4097)` does (and as check_number reads a
    0-d array): it is the right answer. It used to be "returned 4097, which is not the right
    answer", naming as the mistake a misconception that equalled the answer."""
    with evidence.judging(evidence.HIDDEN):
        assert (
            check_exact(
                np.array(4097),
                4097,
                call="dense_param_count(4096, 1, True)",
                misconceptions=[
                    Misconception("the biases are counted even though use_bias=False", 4097)
                ],
            )
            == 4097
        )
        assert check_exact(
            (np.array(14), np.array(14, dtype=np.uint8), 6), (14, 14, 6), call="f()"
        ) == (14, 14, 6)
    for odd in (np.array(4097.0), np.array(True), np.array([4097])):  # still no int
        feedback_of("hidden", check_exact, odd, 4097, call="f()")


# ------------------------------------------------------------------ the others


def test_check_parts_accepts_tuples_and_lists():
    assert check_parts([1, 2, 3], ("a", "b", "c"), call="f()") == (1, 2, 3)
    assert check_parts((1, 2), ("a", "b"), call="f()") == (1, 2)


@pytest.mark.parametrize("value", [np.zeros((3, 4, 4)), (1, 2), None, "abc"])
def test_check_parts_rejects_other_shapes(value):
    with pytest.raises(GradingFailure, match=r"expected a tuple of 3 \(gx, gy, magnitude\)"):
        check_parts(value, ("gx", "gy", "magnitude"), call="sobel_edges(x)")


def test_check_constant_takes_a_nested_list():
    got = check_constant([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], SOBEL_X, name="SOBEL_X")
    assert got.shape == (3, 3)


def test_check_constant_names_a_misconception_and_the_stub():
    with pytest.raises(NotAttempted, match="SOBEL_X is still None"):
        check_constant(None, SOBEL_X, name="SOBEL_X")
    with pytest.raises(GradingFailure, match="swapped"):
        check_constant(
            SOBEL_X.T.tolist(),
            SOBEL_X,
            name="SOBEL_X",
            misconceptions=[Misconception("swapped", SOBEL_X.T)],
        )
    with pytest.raises(GradingFailure, match="not a grid of numbers"):
        check_constant([[1, 2], [3]], SOBEL_X, name="SOBEL_X")


@pytest.mark.parametrize(
    "cell",
    [10**400, -(2**1100), {"a": 1}, 1 + 2j, b"x", [[1]]],
    ids=["10**400", "-2**1100", "dict", "complex", "bytes", "nested"],
)
def test_check_constant_turns_any_list_numpy_cannot_read_into_feedback(cell):
    """A learner's list holding a cell NumPy cannot make a float of (an int past float's range
    raises OverflowError, neither TypeError nor ValueError) is a 0 with feedback, never the
    grader's failure ("could not check", exit 3)."""
    with pytest.raises(GradingFailure, match="not a grid of numbers"):
        check_constant([[-1, 0, cell], [-2, 0, 2], [-1, 0, 1]], SOBEL_X, name="SOBEL_X")


def test_check_constant_shows_the_kernel_in_a_public_test_only():
    public = feedback_of(
        "public", check_constant, np.zeros((3, 3)).tolist(), SOBEL_X, name="SOBEL_X"
    ).feedback
    assert "expected:\n[[-1." in public
    hidden = feedback_of(
        "hidden", check_constant, np.zeros((3, 3)).tolist(), SOBEL_X, name="SOBEL_X"
    ).feedback
    assert "expected" not in hidden and "-2" not in hidden


def _raises(error_type: str, value_error: bool = False):
    def call():
        raise LearnerRaised(
            f"f() raised {error_type}: no", error_type, "no", value_error=value_error
        )

    return call


def test_expect_value_error_wants_value_error():
    assert (
        expect_value_error(_raises("ValueError", True), "f(-1)", problem="a negative size") == "no"
    )
    with pytest.raises(GradingFailure, match="should raise ValueError .*but raised TypeError"):
        expect_value_error(_raises("TypeError"), "f(-1)", problem="a negative size")
    with pytest.raises(GradingFailure, match="should raise ValueError .*but returned int 3"):
        expect_value_error(lambda: 3, "f(-1)", problem="a negative size")


@pytest.mark.parametrize("visibility", ["public", "hidden"])
def test_expect_answer_judges_the_value_of_the_valid_call(visibility):
    """A stock answer of the right kind fails: raising ValueError everywhere else and
    answering 0 (or zeros of the right shape) earns nothing."""
    with VISIBILITY[visibility]():
        assert expect_answer(lambda: 7, "receptive_field([(3, 2), (3, 1)])", 7) == 7
        np.testing.assert_array_equal(
            expect_answer(lambda: EXPECTED.copy(), "f(x)", EXPECTED), EXPECTED
        )
        assert expect_answer(lambda: 2.5, "filter_response(p, k)", 2.5) == 2.5
        assert (
            len(
                expect_answer(
                    lambda: [EXPECTED, EXPECTED], "g(x)", (EXPECTED, EXPECTED), parts=("a", "b")
                )
            )
            == 2
        )
    stock = [
        (lambda: 0, 7),
        (lambda: np.zeros((2, 2)), EXPECTED),
        (lambda: 0.0, 2.5),
        (lambda: (0, 0), (1, 2)),
    ]
    for answer, expected in stock:
        failure = feedback_of(visibility, expect_answer, answer, "f(...)", expected)
        assert not failure.diagnosed or "floats" in failure.feedback
        if visibility == "hidden":
            assert not numbers_in(failure.feedback) & numbers_in(
                repr(expected).replace("array", "")
            ) - {0.0}
    raised = feedback_of(visibility, expect_answer, _raises("ValueError", True), "f(3)", 7)
    assert "f(3) is a valid call: raise ValueError only for invalid arguments" in raised.feedback


def test_every_helper_counts_the_result_it_judges_pass_or_fail():
    """A grading test passes only on evidence (grader/evidence.py): each helper counts one judged
    learner result, whether the result is right or wrong (a helper's pass always counts: a
    failure is a verdict anyway)."""
    from grader import evidence
    from grader.checks import (
        check_array,
        check_exact,
        check_number,
        check_unchanged,
        expect_answer,
        expect_value_error,
    )
    from grader.failures import LearnerRaised

    def raises_value_error():
        raise LearnerRaised("raised ValueError", "ValueError", "bad", value_error=True)

    judgements = [
        lambda: check_array(SOBEL_X, SOBEL_X, call="f()"),
        lambda: check_array(SOBEL_X.T, SOBEL_X, call="f()"),
        lambda: check_number(6600, 6600.0, call="f()"),
        lambda: check_exact((4, 4), (4, 4), call="f()"),
        lambda: check_exact(4.0, 4, call="f()"),
        lambda: check_parts((1, 2), ("a", "b"), call="f()"),
        lambda: check_constant(SOBEL_X.tolist(), SOBEL_X, name="SOBEL_X"),
        lambda: check_unchanged([SOBEL_X], [SOBEL_X], call="f()"),
        lambda: expect_value_error(raises_value_error, "f()", problem="a bad argument"),
        lambda: expect_answer(lambda: SOBEL_X, "f()", SOBEL_X),
    ]
    for number, judge in enumerate(judgements):
        with evidence.judging("hidden") as record:
            try:
                judge()
            except GradingFailure:
                pass
        assert record.judged >= 1, f"judgement #{number} was not counted"
    with evidence.judging("hidden") as record:
        with pytest.raises(NotAttempted):
            check_constant(None, SOBEL_X, name="SOBEL_X")  # a stub's None: nothing to judge
    assert record.judged == 0
