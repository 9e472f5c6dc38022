"""The attack corpus: submissions that try to fool the grader, each graded for real.

Every attack targets ex01 and is graded beside an honest ex06 (the solution). Each must score
0 for ex01 while ex06 keeps its 15 points, leave no process behind, and finish within the
configured limits. The catalogue's limits are shortened here so that hanging attacks cost
seconds; the limits themselves are the production code paths.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from grader.course.catalogue import COURSE_ROOT, load_catalogue
from grader.sandbox.isolation import LIMITS, strongest_mode
from tests.conftest import SOLUTIONS, course_with_limits

ATTACKS = Path(__file__).resolve().parent / "fixtures"
SECRET = "ghp_ThisIsTheCiTokenDoNotLeak0123456789"
NAMESPACES = strongest_mode() != LIMITS

# attack -> words the ex01 feedback must contain (any one test), or None for "just 0 points"
EXPECTED_FEEDBACK = {
    "sys_exit_at_import": "SystemExit while being imported",
    "os_exit_at_import": "could not be loaded",
    "sys_exit_in_call": "raised SystemExit: a function must return its result",
    "os_exit_in_call": "the worker process died",
    "keyboard_interrupt": "raised KeyboardInterrupt",
    "keyboard_interrupt_at_import": "KeyboardInterrupt while being imported",
    "segfault": "segmentation fault (SIGSEGV)",
    "patched_numpy_comparisons": "wrong values",
    "patched_pytest_internals": "expected shape",
    "conftest_in_submission": "expected 6600",
    "pytest_ini_in_submission": "expected 6600",
    "sitecustomize_in_submission": "expected 6600",
    "shadow_numpy_module": "fake_sum",
    "read_solutions_from_disk": "no solution found on disk" if NAMESPACES else None,
    "import_the_grader": "out of reach" if NAMESPACES else None,
    "forged_report_lines": "raised ValueError",
    "writes_report_file": None,
    "infinite_loop_ignoring_sigterm": "did not return within 1 s",
    "slow_import": "took longer than",
    "memory_bomb": "ran out of memory",
    "huge_return_value": "ran out of memory",
    "process_flood": "process limit",
    "leaves_daemons_behind": "expected 6600",
    "output_flood_200mb": "output limit (1024 KB)",
    "network_access": "Network is unreachable" if NAMESPACES else None,
    "reads_secrets_from_env": "leaked: {}",
    "delegates_to_tensorflow": "must do the work with NumPy",
    "delegates_to_tensorflow_obfuscated": "may not use tensorflow"
    if not NAMESPACES
    else "tensorflow",
    "delegates_to_scipy_obfuscated": "No module named 'scipy'" if NAMESPACES else "scipy.signal",
    "forged_protocol_frames": None,
    "escape_the_jail": "PermissionError" if NAMESPACES else None,
    "kill_the_grader": "expected 6600",
    "nan_and_subclass_returns": "NaN",
    "unprintable_exceptions": "could not be turned into text",
    "fd_exhaustion": "expected 6600",
    "forges_a_failed_jail": "could not be loaded",
    "fakes_an_unshare_failure": "could not be loaded",
    "imports_a_forbidden_copy_elsewhere": "No module named" if NAMESPACES else None,
    "links_its_exercises_folder": "not attempted",
    "floods_the_pipe_with_lists": "message header too large",
    "answers_the_grader_itself": "the worker answered out of turn",
    "memory_bomb_across_processes": None,  # with 1 s per call it may time out first
    "floods_tmp_with_empty_files": "empty files, then No space left on device"
    if NAMESPACES
    else None,
    "hoards_system_v_memory": "0 segments held, then shmget" if NAMESPACES else None,
    "uses_all_of_its_time": "used up its time limit",
    "makes_a_user_namespace_of_its_own": "{'unshare': 'Operation not permitted', 'raw syscall in a child': 'refused'}"
    if NAMESPACES
    else None,
}
# Fixtures that other modules of tests/attacks/ grade with checks of their own.
TESTED_ELSEWHERE = {
    "ex07_settings_keras_only_meets_in_training",
    "ex07_schedule_keras_refuses",  # test_ex07_trainer.py
    "escapes_and_format_fields",
    "html_in_text",
    "huge_finite_values",
    "mathtext_in_messages",
    "prints_long_words",
    "writes_to_the_terminal",  # test_learner_text.py
    "returns_a_constant_tuple",
    "returns_anything",
    "weird_returns",  # test_returned_values.py
    "reaches_for_the_warm_server",  # test_warm_server.py
}
# Attacks that defeat the "limits" fallback by design: only namespaces stop them.
NEEDS_NAMESPACES = {
    "read_solutions_from_disk",
    "import_the_grader",
    "kill_the_grader",
    "imports_a_forbidden_copy_elsewhere",
}


def test_corpus_is_complete():
    on_disk = {path.name for path in ATTACKS.iterdir() if path.is_dir()}
    assert on_disk - TESTED_ELSEWHERE == set(EXPECTED_FEEDBACK)
    assert len(on_disk) >= 20


@pytest.fixture
def short_limits(tmp_path) -> Path:
    """A catalogue (for `grade --course`) whose exercises give up after 1 s per call, 3 s to
    import and 10 s in all."""
    return course_with_limits(
        tmp_path, call_timeout=1.0, import_timeout=3.0, time_limit=10.0, max_restarts=1
    )


def stray_workers(scope: Path) -> list[str]:
    """Live processes that a worker of this test started: their command line or environment
    names `scope`, the test's scratch folder (workers inherit the marker variable)."""
    marker = str(scope).encode()
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if "\nState:\tZ" in Path(entry.path, "status").read_text():
                continue
            command = Path(entry.path, "cmdline").read_bytes().replace(b"\0", b" ")
            environment = Path(entry.path, "environ").read_bytes()
        except OSError:
            continue
        if marker in command or marker in environment:
            found.append(f"{entry.name}: {command[:120]!r}")
    return found


@pytest.fixture
def scratch(tmp_path, monkeypatch) -> Path:
    """The grader's temporary folders for this test, so that strays can be told apart."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def build_submission(attack: str, folder: Path, **placeholders: str) -> Path:
    shutil.copytree(ATTACKS / attack, folder)
    shutil.copyfile(SOLUTIONS / "ex06_output_size.py", folder / "ex06_output_size.py")
    learner_file = folder / "ex01_convolution.py"
    if learner_file.is_file():
        text = learner_file.read_text()
        for name, value in placeholders.items():
            text = text.replace(name, value)
        learner_file.write_text(text)
    return folder


class AnswerServer:
    """A TCP server on the grader's loopback that would hand out right answers."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _address = self.server.accept()
            except OSError:
                return
            self.connections += 1
            request = json.loads(connection.makefile().readline())
            import numpy as np

            answer = float(np.sum(np.array(request["patch"]) * np.array(request["kernel"])))
            connection.sendall(json.dumps(answer).encode() + b"\n")
            connection.close()

    def close(self) -> None:
        self.server.close()


@pytest.mark.parametrize("attack", sorted(EXPECTED_FEEDBACK))
def test_attack_earns_nothing(attack, grade, short_limits, scratch, tmp_path, monkeypatch):
    if attack in NEEDS_NAMESPACES and not NAMESPACES:
        pytest.xfail("without namespaces the worker can reach the grader's files and processes")
    monkeypatch.setenv("GITHUB_TOKEN", SECRET)
    monkeypatch.setenv("CI_JOB_TOKEN", SECRET)
    report_path = tmp_path / "report.json"
    server = AnswerServer()
    try:
        folder = build_submission(
            attack,
            tmp_path / "submission",
            __REPORT_PATH__=str(report_path),
            __PORT__=str(server.port),
        )
        started = time.monotonic()
        arguments = [
            "--course",
            short_limits,
            "ex01",
            "ex06",
            "--submission",
            folder,
            "--format",
            "json",
            "--output",
            report_path,
        ]
        if attack == "kill_the_grader":
            run = _grade_in_subprocess(arguments)
        else:
            run = grade(*arguments)
        elapsed = time.monotonic() - started
        assert run.exit_code == 1, run.stderr
        if attack == "writes_report_file":
            time.sleep(1.5)  # the attack's daemon would rewrite the report by now
        report = json.loads(report_path.read_text())
    finally:
        server.close()

    ex01 = next(item for item in report["exercises"] if item["id"] == "ex01")
    ex06 = next(item for item in report["exercises"] if item["id"] == "ex06")
    assert ex01["score"] == 0, [test["feedback"] for test in ex01["tests"] if test["score"]]
    assert ex06["score"] == ex06["max_score"] == 15
    assert report["score"] == 15
    feedback = "\n".join(test["feedback"] for test in ex01["tests"])
    words = EXPECTED_FEEDBACK[attack]
    if words is not None:
        assert words in feedback
    assert SECRET not in report_path.read_text()
    assert "Traceback" not in feedback
    assert "the grader could not check" not in feedback  # whatever a worker sends is the learner's
    if attack == "network_access" and NAMESPACES:
        assert server.connections == 0
    course = load_catalogue(short_limits)
    assert (
        elapsed < course.item("ex01").limits.time_limit + course.item("ex06").limits.time_limit + 5
    )
    deadline = time.monotonic() + 3
    while stray_workers(scratch) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert stray_workers(scratch) == []


def _grade_in_subprocess(arguments: list):
    """For attacks on the grader's own process: run `grade` as a real, separate process."""
    from tests.conftest import GradeRun

    completed = subprocess.run(
        [sys.executable, "-m", "grader", *map(str, arguments)],
        capture_output=True,
        text=True,
        cwd=COURSE_ROOT,
        timeout=120,
        env=dict(os.environ, TMPDIR=tempfile.gettempdir()),
    )
    return GradeRun(completed.returncode, completed.stdout, completed.stderr)


def test_symlink_to_the_solution_is_refused(grade, tmp_path):
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "ex01_convolution.py").symlink_to(SOLUTIONS / "ex01_convolution.py")
    ex01 = grade("ex01", "--submission", folder, "--format", "json").item("ex01")
    assert ex01["score"] == 0
    assert "symbolic link" in ex01["tests"][0]["feedback"]


def test_forged_report_lines_stay_out_of_the_text_report(grade, short_limits, tmp_path):
    folder = build_submission("forged_report_lines", tmp_path / "submission")
    run = grade("--course", short_limits, "ex01", "ex06", "--submission", folder)
    lines = [line.strip() for line in run.stdout.splitlines()]
    assert [line for line in lines if line.startswith("Total")] == ["Total 15 / 25"]
    assert not any(line.startswith("pass") and "10 / 10" in line for line in lines)
    assert "\x1b" not in run.stdout
