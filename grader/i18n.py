"""Every learner-facing sentence in the learner's language, through gettext.

Code marks a sentence with `_()` (or `ngettext` for plurals) and formats it afterwards, so
Babel can extract it: `_("{exercise} passed").format(exercise=...)`, never an f-string inside
`_()`. The Korean catalogue is `grader/locale/ko/LC_MESSAGES/grader.po`, compiled by Babel
into the `.mo` file beside it (`pybabel compile -d grader/locale -D grader`); English is the
source text itself. The language is one setting per process, set once by the CLI from
`--lang` or the locale (`set_language`), or for a block with `language(...)`.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

DOMAIN = "grader"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "ko")
DEFAULT_LANGUAGE = "en"

_current = DEFAULT_LANGUAGE


@lru_cache(maxsize=None)
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


def current_language() -> str:
    return _current


@contextmanager
def language(lang: str | None) -> Iterator[None]:
    """Use `lang` inside the block only (None: leave the language as it is)."""
    before = _current
    set_language(lang)
    try:
        yield
    finally:
        set_language(before)


def _(message: str) -> str:
    """`message` in the current language."""
    return translations(_current).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form for `count`, in the current language."""
    return translations(_current).ngettext(singular, plural, count)
