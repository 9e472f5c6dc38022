"""Renderers: one `Report` in each format the CLI's --format offers; none recomputes a score.

Each module of this folder is a format that registers itself (grader/reports/registry.py):
text.py the learner's terminal report, json.py the report as data (the `grade` contract),
junit.py the XML CI systems annotate, markdown.py a CI job summary, gradescope.py Gradescope's
results.json. Importing the package imports them all, so `FORMATS` lists every one.
"""

from __future__ import annotations

import importlib
import pkgutil

from grader.reports.registry import formats, register, render


def _import_formats() -> tuple[str, ...]:
    """Import every module of this package (each registers its format); the formats after."""
    for module in pkgutil.iter_modules(__path__):
        if module.name != "registry":
            importlib.import_module(f"{__name__}.{module.name}")
    return formats()


FORMATS = _import_formats()  # the one list: the CLI's --format reads it

__all__ = ["FORMATS", "formats", "register", "render"]
