"""Property: no answers file, however strange, stops the grader, breaks a report or costs more
than the answers that are wrong.

Hypothesis writes answers files a learner could write (or a program could): right and wrong
kinds of values, integers too large for `str()` in every base YAML 1.1 reads (decimal,
hexadecimal, octal, binary, sexagesimal), infinities and NaN, every YAML type (timestamps,
binary, sets, ordered maps, merge keys), anchors and aliases, tags such as !!python/object,
deep nesting, huge strings, lone surrogates through YAML escapes, control characters,
duplicate keys and bytes that are not UTF-8. Each file is graded by the whole `grade` command
with an honest ex01 in the same run: the run exits with code 1 (0 only when every answer is
right), ex01's report is exactly what it is without the quiz, and the quiz graded alone renders
in every report format. Replacing one answer of the keys by any such value costs that question alone.
"""

from __future__ import annotations

import functools
import json
import re
import string
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from grader.course.catalogue import load_catalogue
from grader.grading.runner import grade
from grader.quiz.answers import load_keys
from grader.quiz.bank import load_bank
from grader.quiz.sheet import render_answers
from grader.reports import render
from grader.reports.registry import formats
from grader.sandbox.isolation import LIMITS, Isolation
from tests.conftest import SOLUTIONS, run_grade

COURSE = load_catalogue()
QUIZ = COURSE.item("q03")
BANK = load_bank(COURSE, QUIZ)
QUESTION_IDS = [question.id for question in BANK.questions]
POINTS = {question.id: question.points for question in BANK.questions}
QUIZ_ONLY = Isolation(LIMITS)  # a quiz is graded in this process: no worker is started
SEED = "20240611"  # every run grades ex01 with the same cases, so its report must not change
HUGE_HEX = (
    "0x" + "f" * 4000
)  # once exit code 3: "Exceeds the limit (4300 digits) for integer string conversion"

nasty_text = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=40)
huge_integers = st.builds(
    lambda digits, base, sign: (
        sign
        + {
            "dec": lambda: "9" * digits,
            "hex": lambda: "0x" + "f" * digits,
            "oct": lambda: "0" + "7" * digits,
            "bin": lambda: "0b" + "1" * digits,
            "sexagesimal": lambda: "1" + ":59" * digits,
        }[base]()
    ),
    st.integers(min_value=20, max_value=6000),
    st.sampled_from(["dec", "hex", "oct", "bin", "sexagesimal"]),
    st.sampled_from(["", "-", "+"]),
)
yaml_types = st.sampled_from(
    [
        ".inf",
        "-.inf",
        ".nan",
        ".NaN",
        "1e400",
        "-0.0",
        "190:20:30.15",
        "1_000",
        "0b1010",
        "0o17",
        "2001-12-14t21:59:43.10-05:00",
        "2002-12-14",
        "2001-02-30",
        "2001-12-14 21:59:43.10 +99:99",
        "!!binary aGVsbG8=",
        "!!set {a, b}",
        "!!omap [a: 1, b: 2]",
        "!!pairs [a: 1]",
        "!!timestamp 2002-12-14",
        "{<<: {a: 1}}",
        "<<",
        "=",
        "&a 1",
        "*a",
        "*undefined",
        "&b [*b]",
        "[[[[1]]]]",
        "{a: [[1]]}",
        "!!python/object:os.system x",
        "!!python/object/apply:os.system [echo]",
        "!!python/name:os.system",
        "!!str 3",
        "!!int 4",
        "!custom x",
        "! x",
        "yes",
        "No",
        "~",
        "null",
        "''",
        "{}",
        "[]",
        "[a, c]",
        "[32, 32, 10]",
        "32x32x10",
        "b",
        "'max pooling'",
        "|\n    block",
        ">-\n    folded",
        "'" + "x" * 20000 + "'",
        "[" + ", ".join(["1"] * 3000) + "]",
        "0",
        "-3",
        "[0]",
        "[99999999999, 1]",
        "'\\ud800'",
    ]
)
scalars = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    huge_integers,
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    nasty_text.map(json.dumps),  # "\ud800" and friends, as YAML escapes
    yaml_types,
)
values = st.one_of(
    scalars,
    st.lists(scalars, min_size=1, max_size=3).map(
        lambda items: "[" + ", ".join(item.replace("\n", " ") for item in items) + "]"
    ),
)
entries = st.lists(
    st.tuples(
        st.one_of(st.sampled_from(QUESTION_IDS), st.text(string.ascii_letters, max_size=8)), values
    ),
    max_size=6,
)


def answers_file(pairs, header: str) -> str:
    lines = [header, "answers:"] + [f"  {key or 'x'}: {value}" for key, value in pairs]
    return "\n".join(lines) + "\n"


def keys_with_one_answer(question_id: str, raw: str) -> str:
    """The keys of q03 as a learner's answers file, with one answer replaced by raw YAML."""
    text = render_answers(BANK, load_keys(COURSE, QUIZ, BANK).answers, title=QUIZ.title, lang="en")
    text, count = re.subn(
        rf"(?m)^  {question_id}: .*$", lambda _match: f"  {question_id}: {raw}", text
    )
    assert count == 1
    return text


@functools.cache
def honest_ex01() -> dict:
    """ex01's report graded alone, with the seed every run here uses."""
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "ex01_convolution.py").write_bytes(
            (SOLUTIONS / "ex01_convolution.py").read_bytes()
        )
        run = run_grade(
            "ex01", "--submission", folder, "--format", "json", "--seed", SEED, "--lang", "en"
        )
    assert run.exit_code == 0, run.stderr
    return run.item("ex01")


def grade_with_ex01(content: str | bytes) -> dict:
    """Grade ex01 and q03 in one run (and q03 alone in every format); q03's report item."""
    with tempfile.TemporaryDirectory() as folder:
        submission = Path(folder)
        (submission / "ex01_convolution.py").write_bytes(
            (SOLUTIONS / "ex01_convolution.py").read_bytes()
        )
        (submission / "answers").mkdir()
        path = submission / "answers" / "q03.yaml"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", errors="surrogatepass")
        run = run_grade(
            "ex01",
            "q03",
            "--submission",
            submission,
            "--format",
            "json",
            "--seed",
            SEED,
            "--lang",
            "en",
        )
        assert run.exit_code in (0, 1), run.stdout[-2000:] + run.stderr[-2000:]
        assert run.item("ex01") == honest_ex01()
        quiz = run.item("q03")
        assert len(quiz["tests"]) == len(QUESTION_IDS)
        assert run.exit_code == (
            0 if quiz["score"] == quiz["max_score"] else 1
        )  # 0 only for right answers
        alone = grade(COURSE, ["q03"], submission=submission, isolation=QUIZ_ONLY, lang="en")
        for output_format in formats():  # the quiz alone, rendered as every format renders it
            text = render(alone, output_format, lang="en")
            assert text, output_format
            text.encode("utf-8")  # what --output would write: valid UTF-8, no lone surrogate
    return quiz


@pytest.mark.slow
@settings(
    max_examples=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    pairs=entries,
    header=st.sampled_from(["quiz: q03", "", "quiz: q99", "quiz: [1, 2]", "quiz: " + HUGE_HEX]),
)
@example(pairs=[("valid_output", f"[{HUGE_HEX}, 3]")], header="quiz: q03")
@example(pairs=[("pool_name", HUGE_HEX), ("pool_sum", HUGE_HEX)], header="")
def test_any_answers_file_costs_the_quiz_at_most(pairs, header):
    grade_with_ex01(answers_file(pairs, header))


@pytest.mark.slow
@settings(
    max_examples=20, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(question_id=st.sampled_from(QUESTION_IDS), raw=values)
@example(question_id="valid_output", raw="0")  # once 0 / 21 for the whole quiz
@example(question_id="valid_output", raw=f"[{HUGE_HEX}, 3]")  # once exit code 3, ex01's report lost
@example(question_id="same_stride2", raw="&a [*a]")
@example(question_id="pool_params", raw="0")  # the right answer: every question right, exit code 0
def test_one_strange_answer_costs_its_question_alone(question_id, raw):
    quiz = grade_with_ex01(keys_with_one_answer(question_id, raw))
    for test in quiz["tests"]:
        other = test["name"].split(" ", 1)[1]
        if other != question_id:
            assert (test["status"], test["score"]) == ("passed", POINTS[other]), test
    assert quiz["score"] >= quiz["max_score"] - POINTS[question_id]
    (this,) = [test for test in quiz["tests"] if test["name"].endswith(f" {question_id}")]
    if this["status"] == "error":  # an answer that cannot be read says why, and then the answer
        assert f"answers.{question_id}" in this["feedback"].splitlines()[0]
        assert "The answer is" in this["feedback"]


@pytest.mark.slow
@settings(max_examples=15, deadline=None, database=None)
@given(content=st.binary(max_size=300))
def test_any_bytes_cost_the_quiz_at_most(content):
    grade_with_ex01(content)


REGRESSIONS = {  # the files that once cost more than their wrong answers, checked in every quick run
    "a huge hexadecimal integer in a shape": [("valid_output", f"[{HUGE_HEX}, 3]")],
    "a huge hexadecimal integer as text and as a number": [
        ("pool_name", HUGE_HEX),
        ("pool_sum", HUGE_HEX),
    ],
    "a shape answered 0": [("valid_output", "0"), ("pool_sum", "24")],
    "an alias to an answer": [("pool_sum", "&a 24"), ("same_stride2", "*a")],
    "a timestamp, a set and a Python object": [
        ("pool_sum", "2002-12-14"),
        ("same_stride2", "!!set {a}"),
        ("pool_name", "!!python/object/apply:os.system [echo]"),
    ],
}


@pytest.mark.parametrize("pairs", REGRESSIONS.values(), ids=REGRESSIONS.keys())
def test_strange_answers_once_fatal_cost_their_questions_alone(pairs):
    quiz = grade_with_ex01(answers_file(pairs, "quiz: q03"))
    flawed = {question_id for question_id, raw in pairs if raw != "24"}
    for test in quiz["tests"]:
        question_id = test["name"].split(" ", 1)[1]
        assert (test["status"] == "error") == (question_id in flawed), test
    assert quiz["score"] == sum(POINTS["pool_sum"] for question_id, raw in pairs if raw == "24")


def test_a_lone_surrogate_and_a_huge_integer_are_shown_safely(tmp_path):
    """The two inputs that once crashed the report writer (exit 3): now sanitised text."""
    quiz = grade_with_ex01('answers:\n  pool_name: "max \\ud800 pooling\\x1b[31m"\n')
    text = json.dumps(quiz, ensure_ascii=False)
    assert "\\ud800" not in text and "\x1b" not in text and "max ? pooling" in text
    quiz = grade_with_ex01("answers:\n  pool_sum: " + "9" * 5000 + "\n")
    (pool_sum,) = [test for test in quiz["tests"] if test["name"].endswith(" pool_sum")]
    assert pool_sum["status"] == "error" and "9" * 100 not in pool_sum["feedback"]


def test_a_shape_answered_0_costs_that_question_in_english_and_korean(tmp_path):
    (tmp_path / "answers").mkdir()
    (tmp_path / "answers" / "q03.yaml").write_text(
        keys_with_one_answer("valid_output", "0"), encoding="utf-8"
    )
    for lang, reason in (
        ("en", "must be a shape of whole numbers"),
        ("ko", "자연수 형태여야 합니다"),
    ):
        quiz = run_grade("q03", "--submission", tmp_path, "--format", "json", "--lang", lang).item(
            "q03"
        )
        assert quiz["score"] == quiz["max_score"] - POINTS["valid_output"]
        (shape,) = [test for test in quiz["tests"] if test["status"] != "passed"]
        assert shape["name"].endswith(" valid_output") and shape["status"] == "error"
        assert reason in shape["feedback"] and "0" in shape["feedback"].splitlines()[0]
