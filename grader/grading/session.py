"""How the trusted pytest run is set up: its arguments, a clean environment, and its seed.

The grading suites run inside the grader's own process, so nothing from outside may change how
pytest behaves: no ini file, no conftest.py, no plugins found by entry point, no PYTEST_*
variables. The same arguments serve a grading run and the manifest's collection.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from grader.course.catalogue import EXERCISES_DIR

SEED_RANGE = 2**31  # seeds are non-negative 31-bit ints: easy to type, JSON-safe everywhere
PLUGIN_AUTOLOAD = "PYTEST_DISABLE_PLUGIN_AUTOLOAD"


def new_seed() -> int:
    """A fresh seed for a run's random cases (its report prints it for replay)."""
    return secrets.randbelow(SEED_RANGE)


def pytest_arguments(files: list[Path], exercises_dir: Path = EXERCISES_DIR) -> list[str]:
    """Arguments for an in-process pytest run over trusted suites, untouched by the environment."""
    return [
        "-c",
        os.devnull,
        "--rootdir",
        str(exercises_dir),
        "--noconftest",
        "--assert=plain",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:terminal",
        "-p",
        "no:doctest",
        "-p",
        "no:pastebin",
        "-p",
        "no:junitxml",
        "-p",
        "no:legacypath",
        "-p",
        "no:nose",
        "-p",
        "no:stepwise",
        # These look for exceptions nobody caught by running the garbage collector several times
        # at the end (about 80 ms); the suites' outcomes never depend on them.
        "-p",
        "no:unraisableexception",
        "-p",
        "no:threadexception",
        "-p",
        "no:faulthandler",
        "-W",
        "ignore::pytest.PytestConfigWarning",
        *[str(path) for path in files],
    ]


@contextlib.contextmanager
def clean_pytest_environment() -> Iterator[None]:
    """Hide PYTEST_* variables and plugin autoloading from an in-process pytest run."""
    saved = {key: value for key, value in os.environ.items() if key.startswith("PYTEST_")}
    for key in saved:
        del os.environ[key]
    os.environ[PLUGIN_AUTOLOAD] = "1"
    try:
        yield
    finally:
        os.environ.pop(PLUGIN_AUTOLOAD, None)
        os.environ.update(saved)
