"""Every learner-facing sentence in the learner's language, through gettext.

Code marks a sentence with `_()` (or `ngettext` for plurals) and formats it afterwards, so
Babel can extract it: `_("{exercise} passed").format(exercise=...)`, never an f-string inside
`_()`. The Korean catalogue is `grader/locale/ko/LC_MESSAGES/grader.po`, compiled by Babel
into the `.mo` file beside it (`pybabel compile -d grader/locale -D grader`); English is the
source text itself. The language is one setting per process, set once by the CLI from
`--lang` or the locale (`set_language`), or for a block with `language(...)`. A sentence
kept in a table is marked with `N_()` (gettext_noop) and translated where it is used.

The catalogue is regenerated, keeping every translation, with Babel:

    pybabel extract -F grader/locale/babel.cfg -k _ -k ngettext -k N_ --no-location \
        --no-wrap --sort-output -o grader/locale/grader.pot .
    pybabel update -i grader/locale/grader.pot -d grader/locale -D grader --no-fuzzy-matching --no-wrap
    pybabel compile -d grader/locale -D grader

`babel.cfg` also extracts the first line of every grading test's docstring (the test's name
in the report, see `extract_test_titles`).
"""

from __future__ import annotations

import gettext
import os
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from grader.particles import PAIR_FORM, resolve_particles

DOMAIN = "grader"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "ko")
DEFAULT_LANGUAGE = "en"
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")  # POSIX precedence, strongest first

_current = DEFAULT_LANGUAGE
_asked = False  # the learner named the language (--lang): suggested commands repeat it


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The catalogue of `lang`; English (and a missing catalogue) is the source text."""
    if lang == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, localedir=str(LOCALE_DIR), languages=[lang], fallback=True)


def set_language(lang: str | None) -> None:
    """Use `lang` ("en" or "ko"; None keeps the current one) from now on in this process."""
    global _current
    if lang is not None:
        if lang not in LANGUAGES:
            raise ValueError(f"unknown language {lang!r}; choose from {', '.join(LANGUAGES)}")
        _current = lang


def reset_language() -> None:
    """Back to English with no language asked for (between tests that share one process)."""
    global _current, _asked
    _current, _asked = DEFAULT_LANGUAGE, False


def language_asked() -> bool:
    """Whether the learner named the language (`--lang`), rather than the locale choosing it."""
    return _asked


def current_language() -> str:
    return _current


def detect_language(environ: Mapping[str, str] | None = None) -> str:
    """ "ko" when the first locale variable that is set starts with "ko", else "en"."""
    environ = os.environ if environ is None else environ
    for name in LOCALE_VARIABLES:
        value = environ.get(name, "")
        if value:
            return "ko" if value.lower().startswith("ko") else DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def choose_language(lang: str | None) -> str:
    """`lang` when it is a known language, else the locale's; and use it from now on."""
    global _asked
    chosen = lang if lang in LANGUAGES else detect_language()
    set_language(chosen)
    _asked = lang in LANGUAGES
    return chosen


@contextmanager
def language(lang: str | None) -> Iterator[None]:
    """Use `lang` inside the block only (None: leave the language as it is)."""
    before = _current
    set_language(lang)
    try:
        yield
    finally:
        set_language(before)


class Translated(str):
    """A translation that holds a Korean pair form after a placeholder (`{name}을(를)`): once
    formatted (`.format`, `.format_map`, `%`), each pair form becomes the particle the word put
    before it takes (grader/particles.py), so every formatted translation (a `_()`, a table's
    `N_()` text looked up later, `ngettext`, Click's messages) reaches the learner resolved.
    Joined or concatenated first, it stays a `Translated` until it is formatted."""

    __slots__ = ()

    def format(self, *args: Any, **kwargs: Any) -> str:
        return resolve_particles(str.format(self, *args, **kwargs))

    def format_map(self, mapping: Any) -> str:
        return resolve_particles(str.format_map(self, mapping))

    def __mod__(self, values: Any) -> str:
        return resolve_particles(str.__mod__(self, values))

    def __add__(self, other: str) -> str:
        return Translated(str.__add__(self, other))

    def __radd__(self, other: str) -> str:
        return Translated(str.__add__(other, self))

    def join(self, parts: Any) -> str:
        return Translated(str.join(self, parts))


def translated(text: str) -> str:
    """`text` as `Translated` when it holds a pair form to resolve once formatted, else as is."""
    return Translated(text) if PAIR_FORM.search(text) else text


def _(message: str) -> str:
    """`message` in the current language ("" stays "", not the catalogue's header)."""
    return translated(translations(_current).gettext(message)) if message else message


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form for `count`, in the current language."""
    return translated(translations(_current).ngettext(singular, plural, count))


def translated_title(title: str) -> str:
    """A grading test's name (its docstring's first line, maybe with " [param-id]") in the
    current language; the parameter id is data, never translated."""
    name, bracket, rest = title.partition(" [")
    return _(name) + (bracket + rest if bracket else "")


def N_(message: str) -> str:
    """Mark `message` for extraction only (gettext_noop): it is translated where it is used."""
    return message


def with_lang(command: str) -> str:
    """`command` as a learner should type it again: with `--lang ko` when the learner asked for the
    language or it is not the locale's (a Korean message never suggests a command that answers
    in English)."""
    if (_asked or _current != detect_language()) and "--lang" not in command:
        return f"{command} --lang {_current}"
    return command


def extract_test_titles(fileobj, keywords, comment_tags, options):
    """Babel extraction method: the first docstring line of each `test_*` function (the test's
    name in the report), plus the `_()` calls that Babel's Python extractor finds."""
    import ast
    import io

    from babel.messages.extract import extract_python

    source = fileobj.read()
    yield from extract_python(io.BytesIO(source), keywords, comment_tags, options)
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith(
            "test"
        ):
            title = test_title(ast.get_docstring(node) or "")
            if title:
                yield node.lineno, None, title, []


def test_title(docstring: str) -> str:
    """A test's name in the report: the first line of its docstring, without its full stop."""
    lines = docstring.strip().splitlines()
    return lines[0].strip().rstrip(".") if lines else ""


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal: wide (Hangul, CJK) characters two, combining ones none."""
    return sum(
        0 if unicodedata.combining(char) else 2 if unicodedata.east_asian_width(char) in "WF" else 1
        for char in text
    )


def wrap_to_width(text: str, width: int, continuation: str = "") -> list[str]:
    """`text` broken at spaces into lines of at most `width` display columns (a Hangul syllable
    takes two; a word wider than that keeps its own line), the later lines after `continuation`."""
    lines, current = [], ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and display_width(candidate) > width:
            lines.append(current)
            candidate = continuation + word
        current = candidate
    return [*lines, current]


def pad_to_width(text: str, width: int) -> str:
    """`text` with spaces after it up to `width` display columns (for aligned columns)."""
    return text + " " * max(width - display_width(text), 0)
