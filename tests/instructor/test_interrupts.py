"""`grade batch` stopped from outside: SIGINT and SIGTERM stop it cleanly (exit 130, whole
records kept), and a batch killed with SIGKILL at any moment resumes to the gradebook an
uninterrupted run writes. Real processes throughout, as an instructor's shell or CI runs them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.conftest import SOLUTIONS
from tests.instructor.classes import learner, small_class

pytestmark = pytest.mark.slow
WAIT = 300  # seconds: generous, so that a loaded machine only makes the test slower, never wrong
SLEEPING_EX01 = textwrap.dedent("""
    import time

    def filter_response(patch, kernel):
        time.sleep(4)

    def convolve2d(image, kernel):
        time.sleep(4)
""")
# Runs `grade` with os.replace watched: at the COUNT-th rename onto a file whose name ends with
# SUFFIX, the process kills itself with SIGKILL, after (mode "whole") or while (mode "half":
# the temporary file cut in half first) writing it.
KILLING_DRIVER = textwrap.dedent("""
    import os, signal, sys
    suffix, count, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    real_replace, seen = os.replace, [0]

    def replace(source, destination, *args, **options):
        if os.fspath(destination).endswith(suffix):
            seen[0] += 1
            if seen[0] == count:
                if mode == "half":
                    os.truncate(source, os.path.getsize(source) // 2)
                os.kill(os.getpid(), signal.SIGKILL)
        return real_replace(source, destination, *args, **options)

    os.replace = replace
    sys.argv = ["grade", *sys.argv[4:]]
    from grader.cli.app import main
    main()
""")


def batch_command(learners: Path, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-I",
        "-m",
        "grader",
        "batch",
        str(learners),
        "--out",
        str(out),
        "--workers",
        "1",
        *extra,
    ]


def environment(tmp_path: Path) -> dict[str, str]:
    """The batch's scratch folders in a folder of this test's own, so its processes can be found."""
    scratch = tmp_path / "scratch"
    scratch.mkdir(exist_ok=True)
    return dict(os.environ, TMPDIR=str(scratch))


def records_in(out: Path) -> list[Path]:
    return [
        path
        for path in (*out.glob("*.json"), *out.glob("problems/*.json"))
        if path.name != "intake.json"
    ]


def wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"waited {WAIT} s for {what}"
        time.sleep(0.1)


def processes_using(folder: Path) -> list[str]:
    """Processes whose command line or working folder names `folder` (this test's scratch)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if str(folder) in cmdline or cwd.startswith(str(folder)):
            found.append(f"{entry.name}: {cmdline[:120]}")
    return found


@pytest.mark.parametrize("how", ["SIGINT while ignored at start", "SIGTERM"])
def test_a_signal_stops_the_batch_keeping_whole_records(tmp_path, how):
    """Seen: `kill -INT` to a batch was ignored, and an aborted batch exited 1 (points missing)."""
    learners = tmp_path / "class"
    learner(learners / "alice", ex01=SOLUTIONS)
    learner(learners / "slow", ex01=SLEEPING_EX01)
    learner(learners / "zed", ex01=SOLUTIONS)
    out = tmp_path / "out"
    ignore = (
        (lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if how.startswith("SIGINT") else None
    )
    process = subprocess.Popen(
        batch_command(learners, out, "--seed", "3"),
        env=environment(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=ignore,
    )
    try:
        wait_for(
            lambda: (out / "alice.json").exists() or process.poll() is not None, "alice's record"
        )
        time.sleep(1)  # slow's grading is under way
        process.send_signal(signal.SIGINT if how.startswith("SIGINT") else signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=WAIT)
    finally:
        process.kill()
    assert process.returncode == 130, stdout + stderr
    assert "interrupted" in stderr
    assert [path.name for path in records_in(out)] == ["alice.json"]
    assert json.loads((out / "alice.json").read_text())["score"] == 10
    assert (out / "grades.csv").read_text().count("\n") == 2  # the header and alice
    assert not list(out.glob(".tmp-*"))
    wait_for(lambda: not processes_using(tmp_path / "scratch"), "the batch's children to be gone")


def catches_sigterm(pid: int) -> bool:
    """Whether `pid` has a handler for SIGTERM yet (Python has none until `grade` installs its own)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) & (1 << (signal.SIGTERM - 1)))
    return False


def test_any_grade_command_interrupted_exits_130(tmp_path):
    folder = learner(tmp_path / "slow", ex01=SLEEPING_EX01)
    process = subprocess.Popen(
        [sys.executable, "-I", "-m", "grader", "ex01", "--submission", str(folder)],
        env=environment(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    wait_for(lambda: catches_sigterm(process.pid), "grade to listen for SIGTERM")
    time.sleep(1)  # the grading is under way: ex01's calls sleep 4 s each
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=WAIT)
    assert process.returncode == 130


KILL_POINTS = [  # (what the kill interrupts, how to get there)
    ("after the first record", ("records", 1)),
    ("after three records", ("records", 3)),
    ("mid-write of the second record, after its temporary file", (".json", 3, "whole")),
    ("mid-write of a record, its temporary file half written", (".json", 2, "half")),
    ("mid-write of the gradebook", ("grades.csv", 1, "half")),
]


def test_a_batch_killed_at_any_moment_resumes_to_the_same_gradebook(tmp_path):
    learners = small_class(tmp_path / "class")
    learner(learners / "dave", ex06=SOLUTIONS)
    (learners / "erin").mkdir()  # an upload problem: a record in problems/
    whole = tmp_path / "whole"
    subprocess.run(
        batch_command(learners, whole, "--seed", "5"),
        env=environment(tmp_path),
        capture_output=True,
        timeout=WAIT,
        check=False,
    )
    expected = (whole / "grades.csv").read_text()
    assert expected.count("\n") == 6
    driver = tmp_path / "killing_driver.py"
    driver.write_text(KILLING_DRIVER)
    for index, (moment, point) in enumerate(KILL_POINTS):
        out = tmp_path / f"killed{index}"
        if point[0] == "records":
            process = subprocess.Popen(
                batch_command(learners, out, "--seed", "5"),
                env=environment(tmp_path),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )

            def killed_at_point(out=out, count=point[1], process=process) -> bool:
                return len(records_in(out)) >= count or process.poll() is not None

            wait_for(killed_at_point, moment)
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=WAIT)
        else:
            suffix, count, mode = point
            command = [
                sys.executable,
                "-I",
                str(driver),
                suffix,
                str(count),
                mode,
                *batch_command(learners, out, "--seed", "5")[4:],
            ]
            killed = subprocess.run(
                command, env=environment(tmp_path), capture_output=True, timeout=WAIT
            )
            assert killed.returncode == -signal.SIGKILL, (moment, killed.stderr)
        resumed = subprocess.run(
            batch_command(learners, out, "--seed", "5"),
            env=environment(tmp_path),
            capture_output=True,
            text=True,
            timeout=WAIT,
        )
        assert resumed.returncode == 1, (moment, resumed.stderr)
        assert (out / "grades.csv").read_text() == expected, moment
        assert not list(out.rglob(".tmp-*")), moment
    wait_for(
        lambda: not processes_using(tmp_path / "scratch"), "the killed batches' children to be gone"
    )
