"""Property: no answers file, however strange, stops the grader or breaks a report.

Hypothesis writes answers files a learner could write (or a program could): right and wrong
kinds of values, lone surrogates through YAML escapes, integers too large for `str()`, control
characters, deep nesting, bytes that are not UTF-8. Every one must grade with exit code 0 or
1 and a complete report in every format, and the quiz's other neighbour keeps its points.
"""

from __future__ import annotations

import json
import string
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.course.catalogue import load_catalogue
from grader.quiz.bank import load_bank
from tests.conftest import run_grade

COURSE = load_catalogue()
QUIZ = COURSE.item("q03")
QUESTION_IDS = [question.id for question in load_bank(COURSE, QUIZ).questions]
FORMATS = ("json", "text", "gradescope", "junit")

nasty_text = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=40)
scalars = st.one_of(
    st.integers(min_value=-10**40, max_value=10**40).map(str),
    st.just("9" * 5000),  # an integer YAML builds, but str() cannot show
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    nasty_text.map(lambda text: json.dumps(text)),  # "\ud800" and friends, as YAML escapes
    st.sampled_from(["~", "[a, c]", "[32, 32, 10]", "32x32x10", "b", "'max pooling'", "{}", "[[[[1]]]]",
                     "!!python/object:os.system x", "&a [*a]", "|\n    block"]),
)
entries = st.lists(st.tuples(st.one_of(st.sampled_from(QUESTION_IDS), st.text(string.ascii_letters, max_size=8)),
                             scalars), max_size=6)


def answers_file(pairs, header: str) -> str:
    lines = [header, "answers:"] + [f"  {key or 'x'}: {value}" for key, value in pairs]
    return "\n".join(lines) + "\n"


def assert_graded(folder: Path) -> None:
    for output_format in FORMATS:
        run = run_grade("q03", "--submission", folder, "--format", output_format, "--lang", "en")
        assert run.exit_code in (0, 1), (output_format, run.stderr)
        assert run.stdout
        run.stdout.encode("utf-8")  # what --output would write: valid UTF-8, no lone surrogate
        if output_format == "json":
            (item,) = run.json()["exercises"]
            assert item["id"] == "q03" and len(item["tests"]) == len(QUESTION_IDS)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=entries, header=st.sampled_from(["quiz: q03", "", "quiz: q99", "quiz: [1, 2]"]))
def test_any_answers_file_grades_with_a_complete_report(pairs, header):
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "answers").mkdir()
        (Path(folder) / "answers" / "q03.yaml").write_text(answers_file(pairs, header), encoding="utf-8",
                                                          errors="surrogatepass")
        assert_graded(Path(folder))


@settings(max_examples=25, deadline=None)
@given(content=st.binary(max_size=300))
def test_any_bytes_grade_with_a_complete_report(content):
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "answers").mkdir()
        (Path(folder) / "answers" / "q03.yaml").write_bytes(content)
        assert_graded(Path(folder))


def test_a_lone_surrogate_and_a_huge_integer_are_shown_safely(tmp_path):
    """The two inputs that once crashed the report writer (exit 3): now sanitised text."""
    (tmp_path / "answers").mkdir()
    (tmp_path / "answers" / "q03.yaml").write_text(
        'answers:\n  pool_name: "max \\ud800 pooling\\x1b[31m"\n', encoding="utf-8")
    assert_graded(tmp_path)
    feedback = run_grade("q03", "--submission", tmp_path, "--format", "json", "--lang", "en").json()
    text = json.dumps(feedback, ensure_ascii=False)
    assert "\\ud800" not in text and "\x1b" not in text and "max ? pooling" in text
    (tmp_path / "answers" / "q03.yaml").write_text("answers:\n  pool_sum: " + "9" * 5000 + "\n")
    assert_graded(tmp_path)
