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
    """The forbidden modules `source` imports or reaches, sorted; [] if none or if it does not
    parse. Aliases are followed: `import scipy as sp` then `sp.ndimage.maximum_filter` counts."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []  # the worker reports the syntax error with its line number
    found = set()
    for name in (*_imported(tree), *_attribute_chains(tree)):
        found.update(banned for banned in forbidden if _within(name, banned))
    return sorted(found)


def _imported(tree: ast.AST) -> list[str]:
    return [name for node in ast.walk(tree) for name in _imported_names(node)]


def _attribute_chains(tree: ast.AST) -> list[str]:
    """Dotted names like `scipy.ndimage.maximum_filter`, with import aliases resolved."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                aliases[alias.asname or top] = alias.name if alias.asname else top
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    chains = []
    for node in ast.walk(tree):
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if parts and isinstance(node, ast.Name) and node.id in aliases:
            chains.append(".".join([aliases[node.id], *reversed(parts)]))
    return chains


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
