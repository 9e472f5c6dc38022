"""Click's own usage errors speak the learner's language, whichever way the language is asked for."""

from __future__ import annotations

import re

import pytest

from grader.cli import messages as cli_messages
from grader.i18n import display_width
from tests.conftest import run_grade
from tests.test_i18n import extracted_messages

HANGUL = re.compile("[\uac00-\ud7a3]")


@pytest.mark.parametrize(
    "arguments", [["ex01", "--lang", "ko", "--bogus"], ["--lang=ko", "ex01", "--bogus"]]
)
def test_an_unknown_option_is_answered_in_korean(arguments):
    run = run_grade(*arguments)
    assert run.exit_code == 2
    assert "'--bogus' 옵션은 없습니다" in run.stderr and "사용법:" in run.stderr, run.stderr
    assert "No such option" not in run.stderr


def test_a_korean_locale_is_enough(monkeypatch):
    monkeypatch.setenv("LC_ALL", "ko_KR.UTF-8")
    run = run_grade("list", "--submision", "x")
    assert "'--submision' 옵션은 없습니다. '--submission'을 찾으셨나요?" in run.stderr, run.stderr


def test_a_bad_choice_names_the_choices_in_korean():
    run = run_grade("ex01", "--lang", "ko", "--format", "xml")
    assert run.exit_code == 2
    assert "'--format'의 값이 잘못되었습니다: 'xml'은 " in run.stderr, run.stderr


def test_english_stays_clicks_own():
    run = run_grade("ex01", "--lang", "en", "--bogus")
    assert "No such option '--bogus'." in run.stderr and "Usage:" in run.stderr


def test_every_module_listed_is_clicks_and_uses_gettext():
    import importlib

    for name in cli_messages.CLICK_MODULES:
        module = importlib.import_module(name)
        assert module._ is cli_messages._, name


@pytest.mark.parametrize(
    "arguments",
    [
        ["--help"],
        ["--all", "--help", "--lang", "ko"],
        ["list", "--help", "--lang", "ko"],
        ["watch", "--help"],
    ],
)
def test_help_is_korean_and_fits_80_columns(arguments, monkeypatch):
    monkeypatch.setenv("LC_ALL", "ko_KR.UTF-8")  # the group's help has no --lang: the locale says
    run = run_grade(*arguments)
    assert run.exit_code == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("사용법:") and any(
        line.strip() in ("옵션:", "명령:") for line in lines
    )
    sentences = [
        line
        for line in lines
        if line.strip() and not line.strip().startswith(("-", "사용법", "grade"))
    ]
    english = [line for line in sentences if not HANGUL.search(line) and len(line.split()) > 3]
    assert not english, english  # every sentence of the help has its Korean
    assert max(display_width(line) for line in lines) <= 80


def test_every_help_text_is_in_the_catalogue():
    """What the catalogue test demands Korean for includes every command's and option's help."""
    from grader.cli.app import cli

    texts = {
        text for command in cli_messages.commands(cli) for text in cli_messages.help_texts(command)
    }
    assert len(texts) > 30
    assert texts <= set(extracted_messages())
