"""Every YAML file the grader reads goes through here: one loader, one way to say what is wrong.

Instructor files (the catalogue, quiz banks, answer keys) are read with `read_yaml`, and a
problem in them is an `InputError` subclass naming the file, line and key (exit code 2).
Learner files (answers) are parsed node by node elsewhere, but describe their YAML errors with
the same `yaml_problem`. `expect` and `only_keys` are the schema checks all of them share.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from grader.errors import InputError

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def yaml_problem(error: yaml.YAMLError) -> tuple[str, int | None]:
    """(what is wrong, 1-based line or None) for a YAML syntax error, in one sentence."""
    problem_mark = getattr(error, "problem_mark", None)
    context_mark = getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or (str(error).splitlines() or ["unreadable"])[0]
    context = getattr(error, "context", None)
    if context and context_mark and problem_mark and context_mark.line != problem_mark.line:
        problem += f", {context} that starts on line {context_mark.line + 1}"
    mark = problem_mark or context_mark
    return f"not valid YAML ({problem})", (mark.line + 1 if mark else None)


def read_yaml(path: Path, error: type[InputError], what: str) -> Any:
    """The parsed content of the instructor's YAML file at `path` (safe loading only).

    `error` is raised with one line: the file cannot be read, is not UTF-8, or is not YAML.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as problem:
        reason = getattr(problem, "strerror", None) or str(problem)
        raise error(f"cannot read {what} {path}: {reason}") from None
    try:
        return yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as problem:
        sentence, line = yaml_problem(problem)
        raise error(f"{path}{f' line {line}' if line else ''}: {sentence}") from None


def only_keys(data: dict, allowed: set[str], where: str, error: type[InputError]) -> None:
    """Raise `error` naming any key of `data` outside `allowed`."""
    unknown = sorted(str(key) for key in data if key not in allowed)
    expect(
        not unknown,
        where,
        f"unknown key(s) {', '.join(unknown)}; expected {', '.join(sorted(allowed))}",
        error,
    )


def expect(condition: Any, where: str, message: str, error: type[InputError]) -> None:
    """Raise `error("<where>: <message>")` unless `condition` holds."""
    if not condition:
        raise error(f"{where}: {message}")


def is_number(value: Any) -> bool:
    """A YAML int or float, not a bool (YAML's `yes` is a bool, not 1)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)
