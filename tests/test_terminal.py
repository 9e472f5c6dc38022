"""The learner's terminal, driven as a person would: `grade watch` and `grade quiz` in a
pseudo-terminal (pexpect), in English and Korean; and the text report at 80 columns, measured
by display width (a Hangul syllable takes two columns)."""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
from pathlib import Path

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


# ------------------------------------------------------------------ every screen at 80 columns

SCREEN_WIDTH = 80
WIDE = 100  # the widest the grader wraps to: the same screen there, for its words


def words(text: str) -> list[str]:
    return click.unstyle(text).split()


def assert_fits(narrow: str, wide: str, width: int = SCREEN_WIDTH) -> None:
    """No line of `narrow` is wider than `width` display columns, and no word was broken to get
    there: the screen holds the same words, in the same order, as at 100 columns."""
    lines = click.unstyle(narrow).splitlines()
    widest = max(lines, key=display_width, default="")
    assert display_width(widest) <= width, widest
    assert words(narrow) == words(wide), [
        (a, b) for a, b in zip(words(narrow), words(wide)) if a != b
    ][:3]


def at_widths(monkeypatch, screen) -> tuple[str, str]:
    """`screen()` (the text it returns or prints) at 80 and at 100 columns."""
    shown = []
    for width in (SCREEN_WIDTH, WIDE):
        monkeypatch.setenv("COLUMNS", str(width))
        shown.append(screen())
    return shown[0], shown[1]


LANGS = ["en", "ko"]


@pytest.mark.parametrize("lang", LANGS)
def test_list_show_and_hint_fit_80_columns_without_breaking_a_word(
    lang, tmp_path, monkeypatch, catalogue
):
    from grader.progress import Progress
    from tests.conftest import run_grade

    monkeypatch.chdir(tmp_path)  # short paths: a path wider than the screen is cut, as it must be
    progress = Progress(best={"ex01": 10.0, "q03": 12.5}, status={"ex01": "passed"})
    commands = [
        ("list", "--submission", "."),
        *(("show", item.id) for item in catalogue.exercises),
        *(("hint", item_id, "--submission", ".") for item_id in ("ex08", "q06")),
    ]

    def screen(command) -> str:
        progress.save(tmp_path)  # each hint call shows the same hint
        return run_grade(*command, "--lang", lang).stdout

    for command in commands:
        narrow, wide = at_widths(monkeypatch, lambda command=command: screen(command))
        assert_fits(narrow, wide)


@pytest.mark.parametrize("lang", LANGS)
def test_a_whole_quiz_and_its_interruption_fit_80_columns(lang, tmp_path, monkeypatch, catalogue):
    from click.testing import CliRunner

    from grader.cli.app import cli

    questions = load_bank(catalogue, catalogue.item("q06")).questions
    monkeypatch.chdir(tmp_path)

    def take(folder, answers: int) -> str:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        typed = "".join("-\n" for _question in questions[:answers])
        run = CliRunner().invoke(
            cli, ["quiz", "q06", "--submission", str(folder), "--lang", lang], input=typed
        )
        return run.output

    for answers in (len(questions), 2):  # the whole quiz, then one stopped after two questions
        narrow, wide = at_widths(monkeypatch, lambda answers=answers: take(Path("q"), answers))
        assert_fits(narrow, wide)


@pytest.mark.parametrize("lang", LANGS)
def test_watch_screens_fit_80_columns(lang, tmp_path, monkeypatch, catalogue):
    monkeypatch.chdir(tmp_path)
    from grader.i18n import language
    from grader.learner.watch import short_report
    from grader.results import ExerciseResult, TestResult

    long_feedback = {
        "en": "with strides=(2, 1) the output has 4 rows, but yours has 7: the stride 1 along "
        "the columns was applied to the rows too " * 3,
        "ko": "strides=(2, 1)이면 출력은 4행인데 내 출력은 7행입니다. 열 방향의 스트라이드 1을 행에도 "
        "적용했습니다. 저장할 때마다 다시 채점하고 만점이면 멈춥니다 " * 3,
    }[lang]
    failing = ExerciseResult(
        id="ex04",
        title="t",
        max_score=2.0,
        tests=[
            TestResult(
                "a stride of (2, 1) moves two rows and one column",
                "failed",
                0,
                1,
                "hidden",
                long_feedback,
            ),
            TestResult("passes", "passed", 1, 1, "public"),
        ],
    )
    full = ExerciseResult(
        id="ex03", title="t", max_score=1.0, tests=[TestResult("t", "passed", 1, 1, "public")]
    )
    for result in (failing, full):

        def screen(result=result) -> str:
            with language(lang):
                return "\n".join(short_report(result, catalogue, Path("ex04_stride.py")))

        assert_fits(*at_widths(monkeypatch, screen))


def test_ex07s_layer_table_stays_whole_in_an_80_column_report(monkeypatch):
    from grader.model.layers import LayerStep, render_table
    from grader.reports.text import wrap_to_terminal

    rows = [
        (
            "Conv2D 32, 3x3, same, relu",
            LayerStep(
                (28, 28, 32),
                320,
                working="H, W: (28 - 3 + 2*1) // 1 + 1 = 28; 3*3*1*32 + 32 = 320",
            ),
        ),
        (
            "MaxPooling2D 2x2, valid",
            LayerStep((14, 14, 32), 0, working="H, W: (28 - 2 + 2*0) // 2 + 1 = 14; no weights"),
        ),
        ("Dense 10, softmax", LayerStep((10,), 62_730, working="6272*10 + 10 = 62,730")),
    ]
    table = render_table((28, 28, 1), rows, budget=50_000)
    monkeypatch.setenv("COLUMNS", "80")
    shown = wrap_to_terminal("Your model, layer by layer:\n" + table, " " * 19).splitlines()
    assert all(display_width(line) <= 80 for line in shown), shown
    assert len(shown) == len(table.splitlines()) + 1  # no row broken
    columns = {line.index("(") for line in shown if re.search(r"\(\d+,", line)}
    assert len(columns) == 1, shown  # the shapes stay in one column


@pytest.mark.parametrize("lang", LANGS)
def test_an_unknown_id_is_wrapped_at_a_terminal_and_one_line_in_a_pipe(lang, grade):
    child = spawn("ex10", lang=lang)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    lines = [line for line in child.before.splitlines() if line.strip()]
    assert len(lines) > 1 and all(display_width(line) <= 80 for line in lines), lines
    assert "ex09" in lines[0] and "q06" in " ".join(lines)
    piped = grade("ex10", "--lang", lang)
    assert piped.exit_code == 2 and len(piped.stderr.strip().splitlines()) == 1
    assert words(piped.stderr) == words("\n".join(lines))


def test_a_quiz_stopped_by_ctrl_c_says_what_was_saved_and_exits_130(tmp_path):
    child = spawn("quiz", "q06", "--submission", str(tmp_path), lang="en")
    child.expect(r": $")
    child.sendline("b")
    child.expect(r"Question 2/")
    child.expect(r": $")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130, child.before
    said = " ".join(child.before.split())
    assert "1 of 9 answers are saved in" in said and "choose resume" in said
    assert "Aborted" not in said and "Traceback" not in said
    saved = yaml.safe_load((tmp_path / "answers" / "q06.yaml").read_text(encoding="utf-8"))
    assert saved["answers"]["maps_shrink_depth_grows"] == "b"
