"""The fixed manifest of graded tests: which tests exist, for which exercise, worth how much.

The score comes from this list, not from whatever a run happened to report: a test in the
manifest that did not report is a failed test, and a test missing from it earns nothing.
`python -m grader.grading.manifest` rewrites `suites/manifest.json` from the suites; the project's
tests check that the file is current and that each exercise's points match the catalogue.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from grader.course.catalogue import EXERCISES_DIR
from grader.course.folders import exercise_folders
from grader.errors import GraderFailure
from grader.grading.session import clean_pytest_environment, pytest_arguments

MANIFEST_PATH = EXERCISES_DIR / "manifest.json"


@dataclass(frozen=True)
class ManifestEntry:
    """One graded test."""

    nodeid: str
    exercise: str
    name: str
    points: float
    visibility: str


def load_manifest(path: Path = MANIFEST_PATH) -> dict[str, list[ManifestEntry]]:
    """Entries grouped by exercise id, in suite order."""
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        entries = [ManifestEntry(**row) for row in rows]
    except (OSError, ValueError, TypeError) as error:
        raise GraderFailure(f"the test manifest {path} is missing or broken ({error}); "
                            "run `python -m grader.grading.manifest` to rebuild it") from None
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
        from grader.grading.plugin import exercise_of, points_of, title_of, visibility_of

        for item in session.items:
            self.entries.append(ManifestEntry(
                nodeid=item.nodeid, exercise=exercise_of(item), name=title_of(item),
                points=points_of(item), visibility=visibility_of(item)))


def collect_manifest(exercises_dir: Path = EXERCISES_DIR) -> list[ManifestEntry]:
    """Collect (without running) every suite under `exercises_dir`."""
    import pytest

    from grader.grading.plugin import GradingPlugin, RunContext

    files = [path for folder in exercise_folders(exercises_dir)
             for path in (folder / "test_public.py", folder / "hidden" / "test_hidden.py") if path.is_file()]
    collector = _Collector()
    plugin = GradingPlugin(RunContext(exercises={}, workers=None, seed=0))
    with clean_pytest_environment():
        exit_code = pytest.main([*pytest_arguments(files, exercises_dir), "--collect-only"],
                                plugins=[collector, plugin])
    if collector.errors or exit_code != pytest.ExitCode.OK:
        raise GraderFailure(f"cannot collect the suites (pytest exit code {int(exit_code)}): "
                            + "; ".join(collector.errors))
    return collector.entries


def write_manifest(path: Path = MANIFEST_PATH, exercises_dir: Path = EXERCISES_DIR) -> int:
    entries = collect_manifest(exercises_dir)
    path.write_text(json.dumps([asdict(entry) for entry in entries], indent=1, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    return len(entries)


if __name__ == "__main__":
    count = write_manifest()
    print(f"wrote {count} tests to {MANIFEST_PATH}", file=sys.stderr)
