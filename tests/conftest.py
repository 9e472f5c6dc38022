"""Shared fixtures: the real CLI (through CliRunner), the course folders, submissions to build."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from grader.cli.app import Course, cli
from grader.course.catalogue import CATALOGUE_PATH, COURSE_ROOT, load_catalogue
from grader.sandbox.policy import TENSORFLOW_ENVIRONMENT
from tests import strict_imports  # noqa: F401  (in CI, a library that cannot be imported fails)

# TensorFlow in this process (tests that train here) threads as the grader's trainer does, so
# that a model trained here and by the trainer gives the same numbers.
os.environ.update(
    {name: value for name, value in TENSORFLOW_ENVIRONMENT.items() if name.startswith("TF_NUM_")}
)

SOLUTIONS = COURSE_ROOT / "solutions"
STUBS = COURSE_ROOT / "exercises"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SUBMISSION_FIXTURES = FIXTURES / "submissions"


def pytest_configure(config: pytest.Config) -> None:
    """The grading suites' markers (points, feedback, exercise), for tests that import a suite
    module to reuse its cases: known here too, so pytest does not warn about them."""
    from grader.grading.plugin import MARKERS

    for line in MARKERS:
        config.addinivalue_line("markers", line)


@pytest.fixture(autouse=True)
def _alone_when_marked(request, tmp_path_factory):
    """Under pytest-xdist (the README's `-n auto`), a test marked `alone` (it loads every core on
    purpose) runs while no other worker runs a test: it takes a lock that every other test shares,
    in the folder all workers' temporary folders sit in. Without xdist there is nothing to wait for."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        yield
        return
    alone = request.node.get_closest_marker("alone") is not None
    with open(tmp_path_factory.getbasetemp().parent / "tests-alone.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX if alone else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(autouse=True)
def _language_reset():
    """`grade --lang ko` sets the language of the whole process (grader/i18n.py); each test
    starts again in English, as a fresh `grade` without --lang in an English locale does."""
    from grader.i18n import reset_language

    reset_language()
    yield
    reset_language()


@dataclass
class GradeRun:
    """What one `grade ...` invocation did: exit code, standard output, standard error."""

    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> dict:
        return json.loads(self.stdout)

    def item(self, item_id: str) -> dict:
        return next(item for item in self.json()["exercises"] if item["id"] == item_id)


def run_grade(*args: str | Path, course: Course | None = None) -> GradeRun:
    """Run the `grade` CLI in this process, as a learner or CI would type it.

    `course` hands the CLI its catalogue and isolation, as the Click context would (tests
    force an isolation mode this way).
    """
    result = CliRunner().invoke(cli, [str(arg) for arg in args], obj=course, catch_exceptions=False)
    return GradeRun(result.exit_code, result.stdout, result.stderr)


def course_data() -> dict:
    """course.yaml as data, with every exercise folder's entry listed inline under `exercises`
    (a catalogue file that lists its exercises is read alone), for a test to change one."""
    from grader.course.catalogue import EXERCISES_DIR
    from grader.course.folders import exercise_entries

    data = yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))
    data["exercises"] = [entry for _file, entry in exercise_entries(EXERCISES_DIR)]
    return data


def course_with_limits(folder: Path, **limits: float) -> Path:
    """A copy of the course catalogue whose default limits are changed, for `grade --course`."""
    data = yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))
    data["defaults"]["limits"].update(limits)
    path = folder / "course.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def grade():
    """`grade(*args)` runs the CLI and returns a GradeRun."""
    return run_grade


@pytest.fixture(scope="session")
def catalogue():
    return load_catalogue()


@pytest.fixture
def make_submission(tmp_path):
    """Build a submission folder: `make_submission(ex01="path or text", ex06=SOLUTIONS)`.

    Each keyword names an exercise id; its value is a file (copied), a folder holding the
    exercise's file (copied from there), or source text (written).
    """
    course = load_catalogue()

    def build(**files: str | Path) -> Path:
        folder = tmp_path / "submission"
        folder.mkdir(exist_ok=True)
        for exercise_id, content in files.items():
            target = folder / course.item(exercise_id).file
            if isinstance(content, Path):
                source = content / target.name if content.is_dir() else content
                shutil.copyfile(source, target)
            else:
                target.write_text(content, encoding="utf-8")
        return folder

    return build
