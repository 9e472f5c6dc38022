"""A long wait shows activity in a real terminal, and nothing at all when the output is a pipe."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pexpect

from tests.conftest import course_with_limits

LOOP = (
    Path(__file__).resolve().parents[1] / "attacks" / "fixtures" / "infinite_loop_ignoring_sigterm"
)
STILL_RUNNING = "is still running"  # shown once a call has run QUIET_SECONDS (1.5 s)


def _command(tmp_path: Path, output_format: str = "text") -> list[str]:
    course = course_with_limits(
        tmp_path, call_timeout=2.5, import_timeout=10.0, time_limit=3.5, max_restarts=1
    )
    submission = tmp_path / "submission"
    submission.mkdir(exist_ok=True)
    shutil.copyfile(LOOP / "ex01_convolution.py", submission / "ex01_convolution.py")
    return [
        sys.executable,
        "-m",
        "grader",
        "--course",
        str(course),
        "ex01",
        "--submission",
        str(submission),
        "--seed",
        "1",
        "--format",
        output_format,
    ]


def test_a_terminal_sees_a_hanging_call_announced_and_then_erased(tmp_path):
    command = _command(tmp_path)
    child = pexpect.spawn(
        command[0], command[1:], encoding="utf-8", timeout=60, dimensions=(24, 80)
    )
    child.expect(STILL_RUNNING)
    child.expect(r"Total")
    child.expect(pexpect.EOF)
    shown = child.before
    assert "\x1b[K" in shown or "\r" in shown  # the line was rewritten in place and erased


def test_a_pipe_gets_no_activity_and_json_stays_json(tmp_path):
    for output_format in ("text", "json"):
        completed = subprocess.run(
            _command(tmp_path, output_format), capture_output=True, text=True, timeout=60
        )
        assert completed.returncode == 1, completed.stderr
        assert STILL_RUNNING not in completed.stderr + completed.stdout
        assert "\x1b[K" not in completed.stderr + completed.stdout
    assert completed.stdout.lstrip().startswith("{")
