"""`grade -v`: the grader's decisions logged to standard error, never into a report; off by default."""

from __future__ import annotations

import logging
import subprocess
import sys

from grader.logs import configure
from grader.sandbox import client as client_module
from tests.conftest import SOLUTIONS

LOG_MARK = "grade [INFO]"


def log_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("grade [")]


def test_without_v_nothing_is_logged(grade):
    run = grade("ex01", "--submission", SOLUTIONS, "--seed", "3")
    assert run.exit_code == 0
    assert run.stderr == ""


def test_v_logs_the_isolation_the_seed_and_the_workers_to_stderr_only(grade):
    run = grade("-v", "ex01", "--submission", SOLUTIONS, "--format", "json")
    assert run.exit_code == 0
    report = run.json()  # standard output is the report alone
    lines = log_lines(run.stderr)
    isolation = [line for line in lines if "grader.sandbox.probe: isolation: " in line]
    assert len(isolation) == 1 and report["protection"] in ("namespaces", "limits")
    assert f"seed {report['seed']} (fresh and secret" in run.stderr
    assert any("ex01: worker started" in line for line in lines)
    assert any("ex01: worker stopped" in line for line in lines)
    assert not any("[DEBUG]" in line for line in lines)
    assert "grade [" not in run.stdout and str(report["seed"]) not in str(report["exercises"])


def test_vv_adds_debug_lines_and_the_next_command_is_quiet_again(grade):
    loud = grade("-vv", "ex06", "--submission", SOLUTIONS, "--seed", "3")
    assert "grade [DEBUG] grader.sandbox.probe: isolation: probing" in loud.stderr
    assert "seed 3 (given with --seed)" in loud.stderr
    quiet = grade("ex06", "--submission", SOLUTIONS, "--seed", "3")
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_v_logs_a_retry_and_a_test_left_unchecked(grade, monkeypatch):
    import grader.checks as checks

    def broken(got, expected):
        raise RuntimeError("a bug in the grader")

    monkeypatch.setattr(checks, "close_enough", broken)
    run = grade("-v", "ex02", "--submission", SOLUTIONS, "--seed", "3", "--format", "json")
    assert run.exit_code == 3 and run.json()["unchecked"]
    retried = [line for line in log_lines(run.stderr) if "running it once more" in line]
    given_up = [line for line in log_lines(run.stderr) if "could not check it again" in line]
    assert retried and len(retried) == len(given_up) == len(run.json()["unchecked"])
    assert "RuntimeError: a bug in the grader" in retried[0]


def test_v_logs_a_fresh_worker_for_a_sandbox_that_did_not_start(grade, monkeypatch):
    original, failed = client_module.WorkerProcess, []

    def failing_once(spec, isolation):
        if not failed:
            failed.append(spec)
            raise OSError("no more namespaces")
        return original(spec, isolation)

    monkeypatch.setattr(client_module, "WorkerProcess", failing_once)
    run = grade("-v", "ex06", "--submission", SOLUTIONS, "--seed", "3")
    assert run.exit_code == 0
    assert "ex06: its sandbox never started; a fresh worker for the retry" in run.stderr


def test_a_log_line_shows_learner_text_escaped_on_one_line(capsys):
    configure(1)
    try:
        logging.getLogger("grader.instructor.tasks").info(
            "batch: %s begun", "bob\x1b]0;owned\x07\nalice 221"
        )
    finally:
        configure(0)
    logging.getLogger("grader.instructor.tasks").info("after: not shown")
    err = capsys.readouterr().err
    assert (
        err
        == "grade [INFO] grader.instructor.tasks: batch: bob\\x1b]0;owned\\x07\\x0aalice 221 begun\n"
    )


def test_a_real_terminal_run_logs_while_the_suites_run_too(tmp_path):
    """Outside Click's test runner: the lines logged while the grader's own pytest holds the
    standard error (the worker stopped after its tests) still reach it."""
    run = subprocess.run(
        [
            sys.executable,
            "-I",
            "-m",
            "grader",
            "-v",
            "ex06",
            "--submission",
            str(SOLUTIONS),
            "--seed",
            "3",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    assert "ex06: worker stopped" in run.stderr and "isolation: " in run.stderr
    assert "grade [" not in run.stdout
