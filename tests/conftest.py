"""Shared fixtures: the real CLI (through CliRunner), the course folders, submissions to build."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.catalogue import COURSE_ROOT, load_catalogue
from grader.cli import cli

SOLUTIONS = COURSE_ROOT / "solutions"
STUBS = COURSE_ROOT / "exercises"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SUBMISSION_FIXTURES = FIXTURES / "submissions"


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


def run_grade(*args: str | Path) -> GradeRun:
    """Run the `grade` CLI in this process, as a learner or CI would type it."""
    result = CliRunner().invoke(cli, [str(arg) for arg in args], catch_exceptions=False)
    return GradeRun(result.exit_code, result.stdout, result.stderr)


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
