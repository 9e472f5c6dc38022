"""The course's teaching text is where a learner reads it: the stubs' docstrings
(the same in the solutions), the hint ladders of course.yaml and q02's Sobel question."""

from __future__ import annotations

import ast

import pytest

from grader.course.catalogue import load_catalogue
from grader.quiz.answers import load_keys
from grader.quiz.bank import load_bank
from tests.conftest import SOLUTIONS, STUBS

DOCSTRING_HINTS = {
    "ex01_convolution.py": [
        "Convert to float before",
        "convert to float before",
        "200 * 2 comes out as 144",
    ],
    "ex02_sobel.py": ["Edges across x, edges along x", '"horizontal\nedges"', "centre pixel"],
    "ex04_stride.py": [
        "1. One filter over three channels",
        "(1, 4, 4, 1)",
        "2. Several filters",
        "(1, 4, 4, 2)",
        "3. Stride",
        "4. Padding",
        "5. The batch",
        "sum over F_h, F_w and C_in, never\n   over N",
    ],
    "ex05_pooling.py": ["Pool per image and\n        per channel", "never across\n        N or C"],
}


def docstrings(path) -> str:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = [tree] + [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)]
    return "\n".join(ast.get_docstring(node, clean=False) or "" for node in nodes)


@pytest.mark.parametrize("folder", [STUBS, SOLUTIONS], ids=["stub", "solution"])
@pytest.mark.parametrize("name", sorted(DOCSTRING_HINTS))
def test_the_docstrings_carry_the_hints(folder, name):
    text = docstrings(folder / name)
    for phrase in DOCSTRING_HINTS[name]:
        assert phrase in text, f"{folder.name}/{name}: {phrase!r} is not in a docstring"


@pytest.mark.parametrize(
    "exercise_id, words",
    [
        ("ex03", ["stride 2", "stride larger than the kernel"]),
        ("ex04", ["batch of N images", "'same' and stride 2"]),
        ("ex02", ["horizontal-edge detector"]),
    ],
)
def test_the_hint_ladders_cover_the_batch_axis_and_same_with_a_stride(exercise_id, words):
    item = load_catalogue().item(exercise_id)
    for word in words:
        hits = [index for index, hint in enumerate(item.hints) if word in hint]
        assert hits, f"{exercise_id}: no hint mentions {word!r}"
        assert "?" in item.hints[hits[0]] and "?" in item.hints_ko[hits[0]]  # hints are questions


def test_q02_explains_why_some_notes_call_sobel_x_horizontal():
    course = load_catalogue()
    quiz = course.item("q02")
    bank = load_bank(course, quiz)
    explanation = load_keys(course, quiz, bank).explanations["sobel_x_edges"]
    assert (
        '"horizontal edge" detector' in explanation["en"]
        and "an edge\n      across x" not in explanation["en"]
    )
    assert "a change along x is an edge across x" in " ".join(explanation["en"].split())
    assert "수평 에지" in explanation["ko"] and "중심 픽셀" in explanation["ko"]
    assert "lies closest to the centre" not in explanation["en"]  # the old over-claim
    question = bank.question("sobel_x_edges").text
    assert "the way its line runs" in " ".join(question["en"].split())
    dense = bank.question("dense_problems")
    choice_b = dict(dense.choices)["b"]["en"]
    assert "cannot use" not in choice_b and "learn it" in choice_b


def _module_docstring(path) -> str:
    return " ".join((ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or "").split())


@pytest.mark.parametrize("folder", [STUBS, SOLUTIONS], ids=["stub", "solution"])
def test_ex09_cost_example_states_its_padding_and_both_numbers_are_computed(folder):
    """The 56x56 example gives "same" and "valid" counts; both are what the reference computes."""
    from grader.exercises.ex09.hidden.reference import multiply_adds

    text = _module_docstring(folder / "ex09_receptive_field.py")
    same = multiply_adds((56, 56, 64), 64, 3, padding="same")
    valid = multiply_adds((56, 56, 64), 64, 3)  # the function's default padding
    assert (same, valid) == (115_605_504, 107_495_424)
    assert f'padding "same" (56x56 outputs) costs 56 * 56 * 64 * 9 * 64 = {same:,}' in text
    assert f'the default "valid" (54x54 outputs), 54 * 54 * 64 * 9 * 64 = {valid:,}' in text
    quarter = multiply_adds((28, 28, 64), 64, 3, padding="same")
    assert quarter * 4 == same and multiply_adds((28, 28, 64), 64, 3) * 4 < valid
    assert "exactly a quarter" in text and "a little less than a quarter" in text


def test_q05_claims_name_the_padding_they_hold_for():
    course = load_catalogue()
    quiz = course.item("q05")
    bank = load_bank(course, quiz)
    text = lambda question_id: " ".join(bank.question(question_id).text["en"].split())
    assert 'stride 2 and padding "valid"' in text("stride_backward")
    assert '(padding "same")' in text("macs_after_pooling")
    assert 'padding "valid"' in text("input_gradient_kernel")
    explanations = load_keys(course, quiz, bank).explanations
    pointwise = " ".join(explanations["pointwise_true"]["en"].split())
    assert "ResNet's bottleneck blocks shrink 256 channels to 64" in pointwise
    assert "GoogLeNet and ResNet shrink" not in pointwise


def test_ex08_names_the_channel_swap_of_the_input_gradients_kernel():
    text = _module_docstring(SOLUTIONS / "ex08_backprop.py")
    assert "kernel[::-1, ::-1].transpose(0, 1, 3, 2)" in text
