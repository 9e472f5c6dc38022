"""Red team: learner text in feedback, the notebook's HTML and the pictures.

Each fixture (tests/attacks/fixtures/) is graded for real, in the sandbox. What a learner prints,
raises or names must reach the text report, the JSON report and the notebook's HTML as inert,
printable text (no escapes, no markup, no format fields filled in), and nothing a learner
returns or raises may stop `grade --pictures` (exit code 3).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np
import pytest

from grader.i18n import display_width
from grader.learner.pictures import LARGEST_DRAWN, checked
from tests.conftest import SOLUTIONS

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _printable(text: str) -> list[str]:
    return sorted({char for char in text if char != "\n" and not char.isprintable()})


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_escapes_and_format_fields_stay_inert_text(grade, make_submission, tmp_path, lang):
    folder = make_submission(ex01=FIXTURES / "escapes_and_format_fields", ex06=SOLUTIONS)
    run = grade("ex01", "ex06", "--submission", folder, "--lang", lang)
    assert run.exit_code == 1, run.stdout + run.stderr
    assert _printable(run.stdout) == []  # no ESC, CR, BEL, C1, bidi override, line separator
    assert (
        "{0.__class__.__mro__} {x} {exercise.limits} %(secret)s %s" in run.stdout
    )  # not formatted
    assert "<class" not in run.stdout and "Limits(" not in run.stdout
    lines = run.stdout.splitlines()
    # Only the grader's own lines start at column 0 or 2: one per exercise, per test, the total.
    assert sum(line.startswith(("Total", "합계")) for line in lines) == 1
    assert [line.split()[0] for line in lines if line[:1].strip()][:2] == ["ex01", "ex06"]
    replay = next(index for index, line in enumerate(lines) if line.startswith(("Replay", "같은")))
    tests = [line for line in lines[:replay] if line.startswith("  ") and line[2:3].strip()]
    statuses = {"pass", "FAIL", "ERR", "TIME", "통과", "실패", "오류", "시간"}
    assert all(line.split()[0] in statuses for line in tests), tests
    assert not any("10 / 10" in line or "1 / 1  convolve2d" in line for line in tests)
    out = tmp_path / "report.json"
    run = grade(
        "ex01", "ex06", "--submission", folder, "--lang", lang, "--format", "json", "--output", out
    )
    report = json.loads(out.read_text(encoding="utf-8"))
    ex01, ex06 = report["exercises"]
    assert ex01["score"] == 0 and ex06["score"] == ex06["max_score"]
    feedback = "\n".join(test["feedback"] for test in ex01["tests"])
    assert _printable(feedback) == [] and "{0.__class__.__mro__} {x}" in feedback


def test_learner_markup_reaches_the_notebook_as_text(tmp_path):
    from grader.learner.notebook import notebook_grade

    shown = notebook_grade(["ex01"], submission=FIXTURES / "html_in_text", lang="en")._repr_html_()
    assert "<script" not in shown and "<img src=x" not in shown
    assert (
        "&lt;script&gt;alert(&#x27;owned&#x27;)&lt;/script&gt;" in shown
    )  # the print, the raise, the return
    assert shown.count("<img ") == 1  # the grader's own picture of ex01, nothing the learner wrote


def test_mathtext_in_a_learner_message_is_drawn_as_text(grade, tmp_path):
    out = tmp_path / "pictures"
    run = grade(
        "ex01", "--submission", FIXTURES / "mathtext_in_messages", "--pictures", out, "--lang", "en"
    )
    assert run.exit_code == 1, run.stdout + run.stderr
    assert (out / "ex01_convolution.png").read_bytes()[:8] == PNG_MAGIC
    assert "internal error" not in run.stdout + run.stderr


def test_huge_finite_values_inf_and_nan_are_drawn(grade, tmp_path):
    out = tmp_path / "pictures"
    run = grade(
        "ex01",
        "ex02",
        "ex05",
        "--submission",
        FIXTURES / "huge_finite_values",
        "--pictures",
        out,
        "--lang",
        "en",
    )
    assert run.exit_code == 1, run.stdout + run.stderr
    assert sorted(path.name for path in out.glob("*.png")) == [
        "ex01_convolution.png",
        "ex02_sobel.png",
        "ex05_pooling.png",
    ]
    assert "internal error" not in run.stdout + run.stderr and "Warning" not in run.stderr


def test_checked_keeps_inf_a_problem_and_bounds_what_is_drawn():
    expected = np.zeros((2, 2))
    values, problem = checked(np.array([[1.7e308, -1.7e308], [np.inf, 2.0]]), expected)
    assert problem == "your result holds inf or nan"
    assert (
        np.isnan(values[1, 0])
        and np.nanmax(np.abs(values)) == LARGEST_DRAWN
        and values[1, 1] == 2.0
    )
    values, problem = checked(np.full((2, 2), 1e308), expected)
    assert problem == "" and np.all(values == LARGEST_DRAWN)


def test_the_solution_still_draws_and_matches(grade, tmp_path):
    out = tmp_path / "pictures"
    run = grade("ex01", "--submission", SOLUTIONS, "--pictures", out, "--lang", "en")
    assert run.exit_code == 0 and "your results match the expected ones" in run.stdout


def test_pictures_replace_links_and_fifos_and_refuse_what_they_cannot_replace(grade, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    out = tmp_path / "pictures"
    out.mkdir()
    (out / "ex01_convolution.png").symlink_to(victim)
    os.mkfifo(out / "ex02_sobel.png")
    run = grade("ex01", "ex02", "--submission", SOLUTIONS, "--pictures", out, "--lang", "en")
    assert run.exit_code == 0, run.stdout + run.stderr
    assert victim.read_text() == "keep me"  # the link was replaced, not followed
    for name in ("ex01_convolution.png", "ex02_sobel.png"):
        assert not (out / name).is_symlink() and (out / name).read_bytes()[:8] == PNG_MAGIC
    assert sorted(path.name for path in out.iterdir()) == ["ex01_convolution.png", "ex02_sobel.png"]
    blocked = tmp_path / "blocked"
    (blocked / "ex01_convolution.png").mkdir(parents=True)
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere" / "at all")
    for folder, lang, words in (
        (blocked, "en", "cannot write the picture"),
        (dangling, "ko", "그림을"),
    ):
        run = grade("ex01", "--submission", SOLUTIONS, "--pictures", folder, "--lang", lang)
        assert run.exit_code == 2, run.stdout + run.stderr
        assert words in run.stderr and "internal error" not in run.stderr
        assert len(run.stderr.strip().splitlines()) == 1
    assert [path.name for path in blocked.iterdir()] == [
        "ex01_convolution.png"
    ]  # no temporary left


def test_a_learner_cannot_write_to_the_graders_terminal():
    import pexpect

    from tests.test_terminal import spawn

    child = spawn("ex01", "--submission", str(FIXTURES / "writes_to_the_terminal"), lang="en")
    child.expect(pexpect.EOF, timeout=120)
    shown = child.before
    assert "wrote to [" in shown  # its calls ran
    assert "FORGED" not in shown
    assert "/dev/pts" not in shown and "/dev/tty" not in shown


def test_wrapping_a_long_word_measures_each_character_about_once(monkeypatch):
    from grader import terminal

    measured = []
    real = terminal.display_width
    monkeypatch.setattr(
        terminal, "display_width", lambda text: measured.append(len(text)) or real(text)
    )
    word = "가" * 3000
    lines = terminal.fit(" " * 19 + "| " + word, " " * 19, 80)
    assert "".join(line.strip() for line in lines) == "|" + word
    assert all(real(line) <= 80 for line in lines)
    assert sum(measured) < 200 * len(
        word
    )  # the old cut measured every prefix of the rest: ~10,000x


def test_a_report_full_of_long_words_is_written_in_seconds(grade):
    started = time.monotonic()
    run = grade(
        "ex01",
        "ex02",
        "ex03",
        "ex04",
        "ex05",
        "ex06",
        "ex08",
        "ex09",
        "--submission",
        FIXTURES / "prints_long_words",
        "--lang",
        "ko",
    )
    assert run.exit_code == 1, run.stdout + run.stderr
    assert time.monotonic() - started < 90  # it took three minutes
    assert all(display_width(line) <= 100 for line in run.stdout.splitlines())
