"""The learner's terminal, driven as a person would: `grade watch` and `grade quiz` in a
pseudo-terminal (pexpect), in English and Korean; and the text report at 80 columns, measured
by display width (a Hangul syllable takes two columns)."""

from __future__ import annotations

import os
import shutil
import sys
import time

import click
import pexpect
import pytest
import yaml

from grader.i18n import display_width
from grader.quiz.bank import load_bank
from grader.reports.text import _fit
from tests.conftest import SOLUTIONS, STUBS

GRADE = [sys.executable, "-c", "from grader.cli.app import main; main()"]
TIMEOUT = 90  # seconds for one expected line (the machine's two cores are shared)


def spawn(*args: str, lang: str) -> pexpect.spawn:
    env = {
        **os.environ,
        "LANG": "ko_KR.UTF-8" if lang == "ko" else "C.UTF-8",
        "COLUMNS": "80",
        "TERM": "xterm",
    }
    return pexpect.spawn(
        GRADE[0],
        [*GRADE[1:], *args, "--lang", lang],
        encoding="utf-8",
        timeout=TIMEOUT,
        dimensions=(40, 80),
        env=env,
    )


WATCH_WORDS = {
    "en": ("Watching", "has full marks!", "Next: ex02", "Stopped watching"),
    "ko": ("지켜보는 중", "만점입니다!", "다음: ex02", "지켜보기를 멈췄습니다"),
}


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_watch_regrades_on_save_names_the_next_exercise_and_stops_on_ctrl_c(tmp_path, lang):
    folder = tmp_path / "exercises"
    folder.mkdir()
    shutil.copyfile(STUBS / "ex01_convolution.py", folder / "ex01_convolution.py")
    watching, full, following, stopped = WATCH_WORDS[lang]
    child = spawn("watch", "ex01", "--submission", str(folder), lang=lang)
    child.expect(watching)
    child.expect(r"ex01\S*\s+0 / 10")
    time.sleep(1.0)  # let the watcher settle before the "save"
    shutil.copyfile(SOLUTIONS / "ex01_convolution.py", folder / "ex01_convolution.py")
    child.expect(r"ex01\S*\s+10 / 10")
    child.expect(full)
    child.expect(following)
    child.sendintr()
    child.expect(stopped)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert "Traceback" not in child.before and "Aborted" not in child.before


def test_watch_refuses_a_quiz_in_one_line(tmp_path):
    child = spawn("watch", "q01", "--submission", str(tmp_path), lang="en")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    assert "grade quiz q01" in child.before and "Traceback" not in child.before


QUIZ_WORDS = {"en": "Question {number}/{count}", "ko": "문제 {number}/{count}"}
NOT_A_NUMBER = {"en": "number", "ko": "숫자여야"}


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_quiz_asks_reasks_a_bad_answer_and_saves_the_file(tmp_path, lang, catalogue):
    count = len(load_bank(catalogue, catalogue.item("q01")).questions)
    first, second = (QUIZ_WORDS[lang].format(number=number, count=count) for number in (1, 2))
    child = spawn("quiz", "q01", "--submission", str(tmp_path), lang=lang)
    child.expect(first)
    child.expect(r": $")
    child.sendline("nineteen")
    child.expect(NOT_A_NUMBER[lang])
    child.expect(r": $")
    child.sendline("1989")
    child.expect(second)
    for _question in range(count - 1):  # leave the other questions unanswered
        child.expect(r": $")
        child.sendline("-")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert "Traceback" not in child.before
    assert "grade q01" in child.before and (lang == "en" or "--lang ko" in child.before)
    saved = yaml.safe_load((tmp_path / "answers" / "q01.yaml").read_text(encoding="utf-8"))
    assert 1989 in (saved.values() if isinstance(saved, dict) else saved) or "1989" in str(saved)


def test_a_korean_report_fits_80_columns_by_display_width(grade, make_submission, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    flipped = (
        (SOLUTIONS / "ex01_convolution.py")
        .read_text(encoding="utf-8")
        .replace(
            "def convolve2d(image, kernel):",
            "def convolve2d(image, kernel):\n    kernel = kernel[::-1, ::-1]",
            1,
        )
    )
    folder = make_submission(ex01=flipped, ex02=STUBS, ex03=SOLUTIONS)
    run = grade("ex01", "ex02", "ex03", "q01", "--submission", folder, "--lang", "ko")
    lines = click.unstyle(run.stdout).splitlines()
    assert any("합계" in line for line in lines) and len(lines) > 20
    widest = max(lines, key=display_width)
    assert display_width(widest) <= 80, widest
    assert any(display_width(line) > 70 for line in lines)  # it does use the width
    monkeypatch.setenv("COLUMNS", "60")
    narrow = click.unstyle(
        grade("ex01", "--submission", folder, "--lang", "ko").stdout
    ).splitlines()
    assert max(display_width(line) for line in narrow) <= 60


def test_display_width_counts_hangul_twice_and_wrapping_keeps_every_word():
    assert (
        display_width("합성곱") == 6 and display_width("abc") == 3 and display_width("e\u0301") == 1
    )
    line = "    " + "합성곱 필터를 입력 위로 밀어 가며 적용합니다 " * 8
    parts = _fit(line, "      ", width=40)
    assert all(display_width(part) <= 40 for part in parts) and len(parts) > 4
    assert parts[0].startswith("    합성곱") and all(
        part.startswith("      ") for part in parts[1:]
    )
    assert " ".join(part.strip() for part in parts).split() == line.split()
    assert _fit("x" * 100, "  ", width=40) == ["x" * 40, "  " + "x" * 38, "  " + "x" * 22]


def test_wrapped_learner_text_never_opens_a_line_with_a_report_word():
    forged = (
        "    raised ValueError: ok / "
        + "padding " * 6
        + "/ Total 100 / 100 / pass 10 / 10 / ex01 10 / 10"
    )
    for width in range(40, 90):
        parts = _fit(forged, "      ", width=width)
        starts = [part.split()[0] for part in parts[1:]]
        assert not {"Total", "pass", "ex01"} & set(starts), (width, parts)
        assert " ".join(part.strip() for part in parts).split() == forged.split()
