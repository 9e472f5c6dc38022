"""`grade report OUT`: distributions, the tests most often failed, the misconceptions named."""

from __future__ import annotations

import json

import pytest

from grader.instructor.classreport import bin_label, misconception
from tests.conftest import SOLUTIONS
from tests.instructor.classes import FLIPPED_KERNEL, learner


@pytest.fixture
def class_out(grade, tmp_path):
    learners = tmp_path / "class"
    learner(learners / "alice", ex04=SOLUTIONS)
    learner(learners / "bob", ex04=FLIPPED_KERNEL)
    learner(learners / "carol", ex04=FLIPPED_KERNEL)
    (learners / "dave").mkdir()
    out = tmp_path / "out"
    grade("batch", learners, "--out", out, "--seed", "2")
    return out


def test_the_class_summary_shows_what_to_reteach(grade, class_out):
    run = grade("report", class_out)
    assert run.exit_code == 0, run.stderr
    text = run.stdout
    assert "3 learners graded, 1 not graded" in text
    ex04 = text[text.index("ex04 ") : text.index("ex05 ")]
    assert "   100% " in ex04 and ex04.count("#") > 0
    counts = {
        line.split()[0]: int(line.split()[-1]) for line in ex04.splitlines()[1:] if line.strip()
    }
    assert (
        counts["100%"] == 1 and counts["0%"] == 0
    )  # alice; the flipped kernels earn partial credit
    assert sum(counts[label] for label in ("1-24%", "25-49%", "50-74%", "75-99%")) == 2
    failed = text[text.index("Tests most often failed") : text.index("Misconceptions")]
    assert "2 of 3  ex04 conv2d" in failed
    named = text[text.index("Misconceptions") :]
    assert "2 of 3  ex04 your output matches a flipped kernel" in named
    assert "values differ" not in named and "conv2d((" not in named
    assert "not graded: dave: empty upload" in text


def test_the_png_is_written_when_matplotlib_is_there(grade, class_out, tmp_path):
    png = tmp_path / "hist.png"
    run = grade("report", class_out, "--png", png)
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "install matplotlib" in run.stdout and not png.exists()
    else:
        assert png.read_bytes().startswith(b"\x89PNG")


def test_a_folder_without_records_is_an_input_error(grade, tmp_path):
    run = grade("report", tmp_path)
    assert run.exit_code == 2 and "no batch records" in run.stderr


@pytest.mark.parametrize(
    "feedback, named",
    [
        (
            "conv2d((2, 10, 3, 1) float64, strides=(1, 1)): your output matches a flipped kernel (textbook "
            "convolution): Keras does not flip (40 of 40 values differ; at index (0, 0) expected 1, got 2)",
            "your output matches a flipped kernel (textbook convolution): Keras does not flip",
        ),
        (
            "zero_pad((1, 3, 3, 1) uint8, 1): expected shape (1, 5, 5, 1), got (3, 5, 5, 3). all four axes "
            "were padded",
            "all four axes were padded",
        ),
        ("conv2d((1, 4, 4, 1) float64): wrong values; 3 of 9 values differ", ""),
        (
            "not attempted: conv2d raises NotImplementedError",
            "not attempted: conv2d raises NotImplementedError",
        ),
    ],
)
def test_misconceptions_are_the_sentence_without_the_call_and_numbers(feedback, named):
    assert misconception(feedback) == named


@pytest.mark.parametrize(
    "percent, label",
    [(0, "0%"), (0.5, "1-24%"), (24.9, "1-24%"), (25, "25-49%"), (99.9, "75-99%"), (100, "100%")],
)
def test_bins(percent, label):
    assert bin_label(percent) == label


def test_the_class_report_leaves_out_records_it_cannot_trust(grade, tmp_path):
    from tests.instructor.classes import small_class

    out = tmp_path / "out"
    grade("batch", small_class(tmp_path / "class"), "--out", out, "--seed", "3")
    record = json.loads((out / "bob.json").read_text())
    record["score"] = 221
    (out / "bob.json").write_text(json.dumps(record))
    run = grade("report", out, "--png", tmp_path / "report.png")
    assert run.exit_code == 0 and "records not trusted, left out (1): bob.json" in run.stderr
    assert "2 learners graded" in run.stdout
