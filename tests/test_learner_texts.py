"""Small texts a learner reads: shape hints, the flip message, quiz points, `grade list`."""

from __future__ import annotations

import numpy as np
import pytest

from grader import evidence
from grader.checks import Misconception, check_array
from grader.cli.course_path import list_lines
from grader.course.catalogue import load_catalogue
from grader.failures import GradingFailure
from grader.i18n import display_width, language
from grader.progress import Progress
from grader.reports.text import _points
from tests.conftest import SOLUTIONS


def _feedback(*args, **kwargs) -> str:
    with pytest.raises(GradingFailure) as raised:
        check_array(*args, **kwargs)
    return raised.value.feedback


def test_both_axes_short_are_both_named():
    feedback = _feedback(np.zeros((3, 3)), np.zeros((4, 4)), call="convolve2d(...)")
    assert "one short on axes 0, 1" in feedback
    assert "one short on axis 1" in _feedback(np.zeros((4, 3)), np.zeros((4, 4)), call="c")


def test_the_flip_message_closes_its_parenthesis_before_the_matrices():
    expected = np.array([[0.0, 30.0], [0.0, 30.0]])
    with evidence.judging(evidence.PUBLIC):  # `reveal` shows the matrices in a public test only
        feedback = _feedback(
            -expected,
            expected,
            call="convolve2d(6x6)",
            reveal=True,
            misconceptions=[Misconception("you flipped the kernel", -expected)],
        )
    sentence, _separator, matrices = feedback.partition("\n")
    assert sentence.endswith(")") and "values differ" in sentence
    assert matrices.startswith("expected:") and not matrices.rstrip().endswith("])")


def test_quiz_points_have_two_decimals_at_most():
    assert _points(13.666666, 15) == "13.67 / 15"
    assert _points(10, 10) == "10 / 10" and _points(0.5, 1) == "0.5 / 1"


def test_list_marks_the_next_item_counts_hints_and_aligns_in_korean(tmp_path, catalogue):
    folder = tmp_path / "exercises"
    folder.mkdir()
    progress = Progress(best={"ex01": 10.0}, status={"ex01": "passed"}, hints_shown={"ex02": 2})
    progress.save(folder)
    for lang in ("en", "ko"):
        with language(lang):
            lines = list_lines(catalogue, folder)
        lines = [line for line in lines[: lines.index("")] if not line.startswith(" ")]
        marked = [line for line in lines if line.endswith("<- next" if lang == "en" else "<- 다음")]
        assert len(marked) == 1 and marked[0].split()[0] == "ex02", lines
        assert ("hints 2/" if lang == "en" else "힌트 2/") in marked[0]
        ids = [line.split()[0] for line in lines]
        assert ids[:2] == ["ex01", "ex02"] and "q01" in ids
        # the title column starts at the same display column on every line, quizzes included
        starts = {
            display_width(line[: line.index(catalogue.item(item_id).title_for(lang).split()[0])])
            for line, item_id in zip(lines, ids)
        }
        assert len(starts) == 1, lines


def test_exercise_titles_line_up_whatever_the_status_word(grade, make_submission):
    """The report's header lines put every title at the same display column, Korean status words
    (통과, 부분 점수, 시도하지 않음) included."""
    folder = make_submission(ex03=SOLUTIONS / "ex03_padding.py")
    for lang in ("en", "ko"):
        run = grade("ex01", "ex03", "--submission", folder, "--lang", lang)
        catalogue = load_catalogue()
        starts = {
            display_width(line[: line.index(catalogue.item(item_id).title_for(lang).split()[0])])
            for line in run.stdout.splitlines()
            for item_id in ("ex01", "ex03")
            if line.startswith(item_id)
        }
        assert len(starts) == 1, (lang, run.stdout)
