"""The `grade` command line: app.py (the group, its shared options and the learner's commands),
commands.py (what those commands do), learner.py (`grade watch`, `list`, `hint`), classroom.py
(the course and class commands: check, new, publish, batch, merge, report, feedback, similar) and messages.py (Click's words and the help, in
the run's language). `grade` is `grader.cli:main`; importing a module of this package (the
notebook takes commands.py) does not build the command tree until `main`, `cli` or `Course`
is asked for.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Course", "cli", "main"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from grader.cli import app

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
