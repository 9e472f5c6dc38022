"""The pictures' photograph, calls and expected answers, as data computed on the course's side.

In a student release they are read from `picture_answers.npz` next to this module, which
`grade publish` writes; in the course repository (no such file) they are computed by the hidden
references (grader/exercises/hidden/picture_answers.py). Nothing here computes an answer, so the
release holds no code that does. The file holds arrays by name and, as JSON text under
`calls`, each call a picture makes: its exercise, function, arguments and answer, where
`{"array": name}` stands for an array of the file and a list for a tuple.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from grader.errors import InputError
from grader.i18n import _

DATA_FILE = Path(__file__).resolve().parent / "picture_answers.npz"
CALLS_KEY = "calls"


@dataclass(frozen=True)
class Call:
    """One call a picture makes, with its expected answer (`grid`: only the expected sampling
    grid is drawn from it)."""

    exercise: str
    function: str
    args: tuple
    kwargs: dict
    answer: Any
    arg_names: tuple[
        str, ...
    ] = ()  # each argument as a title names it: the array's name, or the value
    grid: bool = False


@dataclass(frozen=True)
class PictureSet:
    arrays: dict[str, np.ndarray]
    calls: tuple[Call, ...]

    def of(self, exercise_id: str, *, grid: bool = False) -> list[Call]:
        return [call for call in self.calls if call.exercise == exercise_id and call.grid == grid]


@lru_cache(maxsize=1)
def picture_set() -> PictureSet:
    """The release's data file if there is one, else the course's own computation."""
    if not DATA_FILE.is_file():
        try:
            from grader.exercises.hidden.picture_answers import picture_set as computed
        except ModuleNotFoundError:  # a release without its data file
            raise InputError(
                _(
                    "this copy of the course has no data for the pictures ({file}); ask your "
                    "instructor for a new copy"
                ).format(file=DATA_FILE.name)
            ) from None
        arrays, calls = computed()
        return PictureSet(arrays, tuple(_call(arrays, call) for call in calls))
    try:
        with np.load(DATA_FILE, allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files if name != CALLS_KEY}
            calls = json.loads(str(stored[CALLS_KEY]))
        return PictureSet(arrays, tuple(_call(arrays, call) for call in calls))
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile):
        raise InputError(
            _(
                "the pictures' data file {file} is damaged; ask your instructor for a new copy"
            ).format(file=DATA_FILE.name)
        ) from None


def write(path: Path, computed: tuple[dict[str, np.ndarray], list[dict]]) -> Path:
    """Write the pictures' data `computed` by the hidden references (grader/exercises/hidden/
    picture_answers.py: arrays and calls) to `path`, for a release."""
    arrays, calls = computed
    with path.open("xb") as stream:
        saved: dict[str, Any] = {**arrays, CALLS_KEY: np.array(json.dumps(calls))}
        np.savez_compressed(stream, **saved)
    return path


def _call(arrays: dict[str, np.ndarray], call: dict) -> Call:
    return Call(
        call["exercise"],
        call["function"],
        tuple(_value(arrays, item) for item in call["args"]),
        {name: _value(arrays, item) for name, item in call["kwargs"].items()},
        _value(arrays, call["answer"]),
        tuple(
            item["array"] if isinstance(item, dict) else repr(_value(arrays, item))
            for item in call["args"]
        ),
        bool(call.get("grid", False)),
    )


def _value(arrays: dict[str, np.ndarray], node: Any) -> Any:
    if isinstance(node, dict):
        return arrays[node["array"]].copy()
    if isinstance(node, list):
        return tuple(_value(arrays, item) for item in node)
    return node
