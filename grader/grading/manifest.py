"""The manifest of graded tests: which tests exist, for which exercise, worth how much.

It is derived from the suites, never kept by hand: a grading run collects every suite of the
exercises it grades before any test runs (grader/grading/plugin.py), and that collection is
the manifest. The score comes from it, not from whatever the run happened to report: a
collected test that did not report is a failed test, and the exercise's maximum is the sum
of its collected tests. `check_manifest` holds the suites to the catalogue (each exercise's
tests add up to its points, with public and hidden ones, every name once); the project's
tests and `grade publish` call it, and `python -m grader.grading.manifest` prints it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from grader.course.catalogue import EXERCISES_DIR, Catalogue, load_catalogue
from grader.course.folders import exercise_folders
from grader.errors import GraderFailure
from grader.grading.session import clean_pytest_environment, pytest_arguments


@dataclass(frozen=True)
class ManifestEntry:
    """One graded test."""

    nodeid: str
    exercise: str
    name: str
    points: float
    visibility: str


def by_exercise(entries: list[ManifestEntry]) -> dict[str, list[ManifestEntry]]:
    """Entries grouped by exercise id, in suite order."""
    grouped: dict[str, list[ManifestEntry]] = {}
    for entry in entries:
        grouped.setdefault(entry.exercise, []).append(entry)
    return grouped


class _Collector:
    def __init__(self) -> None:
        self.entries: list[ManifestEntry] = []
        self.errors: list[str] = []

    def pytest_collectreport(self, report) -> None:
        if report.failed:
            self.errors.append(f"{report.nodeid}: {report.longreprtext[-300:]}")

    def pytest_collection_finish(self, session) -> None:
        from grader.grading.plugin import manifest_entry

        self.entries += [manifest_entry(item) for item in session.items]


def suite_files(exercises_dir: Path = EXERCISES_DIR) -> list[Path]:
    """Every exercise's suites, public then hidden, in id order."""
    return [
        path
        for folder in exercise_folders(exercises_dir)
        for path in (folder / "test_public.py", folder / "hidden" / "test_hidden.py")
        if path.is_file()
    ]


def collect_manifest(exercises_dir: Path = EXERCISES_DIR) -> list[ManifestEntry]:
    """Collect (without running) every suite under `exercises_dir`: the manifest a run derives."""
    import pytest

    from grader.grading.plugin import GradingPlugin, RunContext

    collector = _Collector()
    plugin = GradingPlugin(RunContext(exercises={}, workers=None, seed=0))
    with clean_pytest_environment():
        exit_code = pytest.main(
            [*pytest_arguments(suite_files(exercises_dir), exercises_dir), "--collect-only"],
            plugins=[collector, plugin],
        )
    if collector.errors or exit_code != pytest.ExitCode.OK:
        raise GraderFailure(
            f"cannot collect the suites (pytest exit code {int(exit_code)}): "
            + "; ".join(collector.errors)
        )
    return collector.entries


def points_problem(exercise_id: str, points: float, entries: list[ManifestEntry]) -> str:
    """Why a full course's collected tests of one exercise cannot be its grade, or ""."""
    total = sum(entry.points for entry in entries)
    if abs(total - points) > 1e-9:
        return f"{exercise_id}: its tests are worth {total:g} points, the catalogue gives it {points:g}"
    return ""


def check_manifest(catalogue: Catalogue, entries: list[ManifestEntry]) -> list[str]:
    """What keeps `entries` (a full course's, hidden suites included) from grading the exercises
    of `catalogue` (tests of exercises it leaves out are not looked at)."""
    grouped = by_exercise(entries)
    problems = []
    for exercise in catalogue.exercises:
        found = grouped.get(exercise.id, [])
        visibilities = {entry.visibility for entry in found}
        if visibilities != {"public", "hidden"}:
            problems.append(
                f"{exercise.id}: needs public and hidden tests, has {sorted(visibilities) or 'none'}"
            )
        problems += [
            problem for problem in [points_problem(exercise.id, exercise.points, found)] if problem
        ]
        names = [entry.name for entry in found]
        problems += [
            f"{exercise.id}: two tests are named {name!r}"
            for name in sorted(set(names))
            if names.count(name) > 1
        ]
    return problems


if __name__ == "__main__":  # python -m grader.grading.manifest: the manifest, checked
    collected = collect_manifest()
    for item_id, tests in by_exercise(collected).items():
        print(f"{item_id}  {len(tests):3d} tests  {sum(entry.points for entry in tests):g} points")
    found = check_manifest(load_catalogue(), collected)
    print(*found, sep="\n", file=sys.stderr)
    sys.exit(1 if found else 0)
