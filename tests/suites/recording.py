"""The grading suites run in this process against a stand-in learner that answers from a
submission folder (the solutions, say) and records every call each test makes.

The project's tests use it to see which cases a test checks under a seed: a test whose
calls are the same under two seeds checks fixed cases only, so a table of answers could
pass it; a test whose calls change checks generated cases. The replay attack
(tests/attacks/test_replay.py) uses the recorded answers as its table. Nothing here grades
for real: the learner's functions run in this process, so only trusted files belong here.
"""

from __future__ import annotations

import copy
import hashlib
import importlib.util
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from grader.course.catalogue import EXERCISES_DIR, Exercise, load_catalogue
from grader.failures import LearnerRaised, NotAttempted
from grader.grading.manifest import by_exercise, collect_manifest
from grader.grading.session import clean_pytest_environment, pytest_arguments
from grader.jail import wire


def case_key(name: str, args: Any, kwargs: Any) -> str:
    """A fingerprint of one call as the worker receives it: arrays by shape, dtype and bytes,
    lists and tuples alike, keyword arguments by name. The replay files compute the same."""

    def canonical(value: Any) -> Any:
        if isinstance(value, np.ndarray):
            return [
                "A",
                list(value.shape),
                value.dtype.str,
                hashlib.sha256(value.tobytes()).hexdigest(),
            ]
        if isinstance(value, np.generic):
            return canonical(value.item())
        if isinstance(value, (list, tuple)):
            return ["S", [canonical(item) for item in value]]
        if isinstance(value, dict):
            return ["D", sorted([key, canonical(item)] for key, item in value.items())]
        return ["V", repr(value)]

    text = repr([name, canonical(list(args)), canonical(dict(kwargs))])
    return hashlib.sha256(text.encode()).hexdigest()[:24]


@dataclass
class Call:
    """One learner call of a test: what went in (its key) and what the stand-in answered."""

    test: str  # the test's node id, as in the manifest
    name: str
    key: str
    answer: Any = None
    raised: str | None = None  # the exception's type, when the stand-in raised


@dataclass
class Recording:
    """Every call of one in-process run, by test."""

    calls: list[Call] = field(default_factory=list)

    def answered_by_test(self) -> dict[str, set[str]]:
        """The keys of the calls that answered (rather than raised), by test: the cases a
        table of answers must know, since raising ValueError for the rest costs nothing."""
        found: dict[str, set[str]] = defaultdict(set)
        for call in self.calls:
            if call.raised is None:
                found[call.test].add(call.key)
        return found


def _round_trip(value: Any) -> Any:
    """`value` as the other end of the wire would see it."""
    blobs: list = []
    return wire.decode_value(wire.encode_value(value, blobs), blobs)


class _StandIn:
    """A worker client that calls a module in this process and records each call."""

    def __init__(self, module: Any, recording: Recording, current: list[str]):
        self.module, self.recording, self.current = module, recording, current

    def call(
        self, name: str, args: tuple, kwargs: dict, *, description: str, return_args: bool = False
    ) -> Any:
        args, kwargs = _round_trip(tuple(args)), _round_trip(dict(kwargs))
        record = Call(self.current[0], name, case_key(name, args, kwargs))
        self.recording.calls.append(record)
        function = getattr(self.module, name)
        given = copy.deepcopy((args, kwargs))
        try:
            value = _round_trip(function(*given[0], **given[1]))
        except NotImplementedError:
            record.raised = "NotImplementedError"
            raise NotAttempted(f"not attempted: {name} still raises NotImplementedError") from None
        except Exception as error:  # the stand-in's own exception, reported as a worker would
            record.raised = type(error).__name__
            raise LearnerRaised(
                f"{description} raised {type(error).__name__}: {error}",
                type(error).__name__,
                str(error),
                value_error=isinstance(error, ValueError),
            ) from None
        record.answer = value
        return (value, list(given[0])) if return_args else value

    def get(self, name: str) -> Any:
        return _round_trip(getattr(self.module, name, None))


class _Workers:
    def __init__(self, clients: dict[str, _StandIn]):
        self.clients = clients

    def client(self, exercise_id: str) -> _StandIn:
        return self.clients[exercise_id]

    def entering(self, exercise_id: str) -> None:
        pass

    def leaving(self, exercise_id: str) -> None:
        pass

    def retrying(self, exercise_id: str) -> None:
        pass


def _load(path: Path, exercise: Exercise) -> Any:
    spec = importlib.util.spec_from_file_location(f"recorded_{exercise.id}_{abs(hash(path))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def record(
    exercise_ids: list[str],
    folder: Path,
    seed: int,
    *,
    visibilities: tuple[str, ...] = ("public", "hidden"),
) -> tuple[Recording, dict]:
    """Run the suites of `exercise_ids` (those of `visibilities`) against the files in
    `folder` under `seed`: every call made, and each test's result (node id -> passed)."""
    import pytest

    from grader.grading.plugin import GradingPlugin, RunContext

    catalogue = load_catalogue()
    exercises = [catalogue.item(exercise_id) for exercise_id in exercise_ids]
    recording, current = Recording(), [""]
    clients = {
        exercise.id: _StandIn(_load(folder / exercise.file, exercise), recording, current)
        for exercise in exercises
    }

    class _Current:
        @pytest.hookimpl(tryfirst=True)
        def pytest_runtest_setup(self, item: pytest.Item) -> None:
            current[0] = item.nodeid

    plugin = GradingPlugin(
        RunContext({exercise.id: exercise for exercise in exercises}, _Workers(clients), seed)
    )
    files = [
        path
        for exercise in exercises
        for path in exercise.suite_files(EXERCISES_DIR)
        if ("hidden" if path.parent.name == "hidden" else "public") in visibilities
    ]
    # pytest given no file collects its test paths: the project's own suite, run inside this one
    assert files, f"no {' or '.join(visibilities)} suite for {', '.join(exercise_ids)}"
    with clean_pytest_environment():
        pytest.main(pytest_arguments(files, EXERCISES_DIR), plugins=[plugin, _Current()])
    return recording, {
        nodeid: result.status == "passed" for nodeid, result in plugin.results.items()
    }


def points_split(exercise_id: str, folder: Path, seeds: tuple[int, int]) -> dict[str, float]:
    """The exercise's points by where their cases come from: "public" tests, hidden tests
    whose answered calls are the same under both seeds ("fixed": a table of answers that
    raises ValueError for anything else could pass them), and hidden tests with an answered
    call that changes with the seed ("generated")."""
    first, _values = record([exercise_id], folder, seeds[0])
    second, _values = record([exercise_id], folder, seeds[1])
    keys_first, keys_second = first.answered_by_test(), second.answered_by_test()
    split = {"public": 0.0, "fixed": 0.0, "generated": 0.0}
    for entry in by_exercise(collect_manifest())[exercise_id]:
        if entry.visibility == "public":
            split["public"] += entry.points
        elif keys_first.get(entry.nodeid, set()) == keys_second.get(entry.nodeid, set()):
            split["fixed"] += entry.points
        else:
            split["generated"] += entry.points
    return split


if (
    __name__ == "__main__"
):  # python -m tests.suites.recording: the points split, exercise by exercise
    from tests.conftest import SOLUTIONS

    for exercise in load_catalogue().exercises:
        if not exercise.tensorflow:
            split = points_split(exercise.id, SOLUTIONS, (11, 4242))
            print(exercise.id, "  ".join(f"{part} {points:g}" for part, points in split.items()))
