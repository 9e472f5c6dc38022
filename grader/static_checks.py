"""Checks of a learner's source text, made without running it.

The trusted side parses the file with `ast` (parsing runs no learner code) and looks for the
modules that ex01-ex06 may not use. The worker's import guard and the sandbox back this up;
this check gives the clearest feedback, before any code runs.
"""

from __future__ import annotations

import ast

from grader.sandbox import FORBIDDEN_MODULES

IMPORT_FUNCTIONS = {"__import__", "import_module"}


def forbidden_imports(source: str, forbidden: tuple[str, ...] = FORBIDDEN_MODULES) -> list[str]:
    """The forbidden modules `source` imports, sorted; [] if none or if it does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []  # the worker reports the syntax error with its line number
    found = set()
    for node in ast.walk(tree):
        for name in _imported_names(node):
            found.update(banned for banned in forbidden if _within(name, banned))
    return sorted(found)


def _imported_names(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        return [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    if isinstance(node, ast.Call):
        function = node.func
        name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", "")
        if name in IMPORT_FUNCTIONS and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            return [node.args[0].value]
    return []


def _within(name: str, banned: str) -> bool:
    return name == banned or name.startswith(banned + ".")
