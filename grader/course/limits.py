"""What one exercise's worker may use: the `limits:` of the catalogue, each a positive number."""

from __future__ import annotations

import typing
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from grader.course.yamlfile import is_number


@dataclass(frozen=True)
class Limits:
    """What one exercise's worker may use. Times in seconds, sizes as the names say."""

    call_timeout: float = 5.0
    time_limit: float = 30.0
    import_timeout: float = 10.0
    memory_mb: int = 1024
    processes: int = 16
    output_kb: int = 1024
    open_files: int = 64
    max_restarts: int = 3

    @property
    def cpu_seconds(self) -> int:
        """The worker's CPU-time limit: the exercise's time limit, rounded up, plus one second."""
        return int(self.time_limit) + 1

    def describe(self) -> str:
        """One line for reports: the limits a learner may hit."""
        return (
            f"{self.call_timeout:g} s per call, {self.time_limit:g} s in all, "
            f"{self.memory_mb} MB of memory, {self.processes} processes, "
            f"{self.output_kb} KB of output"
        )


def parse_limits(
    data: Any,
    base: Limits,
    where: str,
    expect: Callable[[Any, str, str], None],
    only_keys: Callable[[dict, set[str], str], None],
) -> Limits:
    """`base` with the limits `data` sets; `expect` and `only_keys` raise the catalogue's error."""
    expect(isinstance(data, dict), where, "limits must be a mapping")
    known = typing.get_type_hints(Limits)
    only_keys(data, set(known), where)
    values: dict[str, Any] = {}  # each an int or a float, as its field says
    for key, value in data.items():
        expect(is_number(value) and value > 0, where, f"'{key}' must be a positive number")
        values[key] = float(value) if known[key] is float else int(value)
    return replace(base, **values)
