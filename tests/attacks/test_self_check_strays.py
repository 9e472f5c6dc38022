"""A self-check run by root (the portable worker as a fresh uid) leaves no process behind, even
one that never stays put: a chain that forks and exits as fast as it can outruns any sweep of
/proc, so the trusted side kills by uid with `kill(-1)`, which no fork escapes, from a killer
that the chain cannot kill first (it calls `kill(-1)` itself, which reaches anything of its uid)."""

from __future__ import annotations

import ast
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from grader.sandbox import isolation as modes
from grader.sandbox import launch
from grader.sandbox.isolation import first_closed_folder
from tests.conftest import course_with_limits
from tests.sandbox.test_isolation import AS_ROOT, grade_without_namespaces
from tests.sandbox.test_portable import needs_a_reachable_python

CHAIN_SECONDS = 4.0  # how long the chain runs; then its last link sleeps, to be found
CHAIN = textwrap.dedent(
    """
    import os
    import time

    SOBEL_X = None
    SOBEL_Y = None
    STARTED = []


    def _chain():
        if os.fork() != 0:
            return
        os.setsid()
        end = time.monotonic() + __SECONDS__
        while time.monotonic() < end:
            try:
                os.kill(-1, 9)  # every other process of this uid: a killer run as it, too
            except OSError:
                pass
            try:
                if os.fork() != 0:
                    os._exit(0)
            except OSError:
                pass
        try:
            os.execve("/bin/sleep", ["sleep", "__SLEEP__"], {})
        finally:
            os._exit(0)


    def sobel_edges(image):
        if not STARTED:
            STARTED.append(1)
            _chain()
        raise RuntimeError(repr({"uid": os.geteuid()}))
    """
)


def _fresh_uid(report: dict) -> int | None:
    """The fresh uid the learner's function reported (in the range the grader draws from)."""
    for item in report.get("exercises", []):
        for test in item.get("tests", []):
            if "raised RuntimeError: {" in test["feedback"]:
                text = test["feedback"].split("raised RuntimeError: ", 1)[1].split("\n")[0]
                uid = ast.literal_eval(text).get("uid")
                low, size = launch.WORKER_UID_BASE, launch.WORKER_UID_RANGE
                if isinstance(uid, int) and low <= uid < low + size:
                    return uid
    return None


def _processes_of(uid: int) -> list[int]:
    """Live processes (not zombies) of the fresh `uid`: only ever this test's own."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            status = Path(entry.path, "status").read_text()
        except OSError:
            continue
        if "\nState:\tZ" in status:
            continue
        line = next(line for line in status.splitlines() if line.startswith("Uid:"))
        if uid in {int(value) for value in line.split()[1:]}:
            found.append(int(entry.name))
    return found


@pytest.mark.slow
@pytest.mark.skipif(not AS_ROOT, reason="a fresh uid is drawn only by root")
@needs_a_reachable_python
def test_a_self_check_by_root_kills_a_chain_of_forks_its_worker_left():
    scratch = Path(tempfile.mkdtemp(prefix="grade-chain-"))
    scratch.chmod(0o755)
    learner = scratch / "learner"
    learner.mkdir()
    source = CHAIN.replace("__SECONDS__", str(CHAIN_SECONDS)).replace("__SLEEP__", "30")
    (learner / "ex02_sobel.py").write_text(source)
    course = course_with_limits(scratch, call_timeout=0.5, time_limit=4, max_restarts=1)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv(modes.PORTABLE_VARIABLE, "1")
            run = grade_without_namespaces(
                "--course",
                course,
                "ex02",
                "--submission",
                learner,
                "--format",
                "json",
                scratch=scratch,
            )
        started = time.monotonic()
        uid = _fresh_uid(json.loads(run.stdout) if run.stdout else {})
        assert uid is not None, run.stderr
        time.sleep(max(0.0, CHAIN_SECONDS + 1 - (time.monotonic() - started)))
        left = _processes_of(uid)  # the chain has stopped by now: its last link sleeps
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        assert left == []
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


KILLING_CHAIN = textwrap.dedent(
    """
    import os, sys, time
    end = time.monotonic() + float(sys.argv[1])
    while time.monotonic() < end:
        try:
            os.kill(-1, 9)
        except OSError:
            pass
        try:
            if os.fork() != 0:
                os._exit(0)
        except OSError:
            pass
    os.execve("/bin/sleep", ["sleep", "30"], {})
    """
)


def _python_for_others() -> str | None:
    """A Python that a fresh uid may run here, or None."""
    for candidate in ("/usr/bin/python3", sys.executable):
        real = os.path.realpath(candidate)
        if os.access(real, os.X_OK) and not first_closed_folder(real):
            return real
    return None


@pytest.mark.skipif(not AS_ROOT, reason="only root starts processes as another uid")
def test_a_fork_chain_that_kills_its_own_uid_cannot_outlive_the_stray_killer():
    """The chain calls `kill(-1)` between forks: a killer run as its uid would die first."""
    python = _python_for_others()
    if python is None:
        pytest.skip("no Python here that another user may run")
    uid = launch.WORKER_UID_BASE + launch.WORKER_UID_RANGE - 1 - secrets.randbelow(1000)
    seconds = 2.0
    subprocess.Popen(
        [python, "-I", "-S", "-c", KILLING_CHAIN, str(seconds)],
        user=uid,
        group=uid,
        extra_groups=[],
        start_new_session=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={},
        cwd="/",
    )
    started = time.monotonic()
    time.sleep(0.3)
    launch._kill_as(uid)
    time.sleep(max(0.0, seconds + 0.5 - (time.monotonic() - started)))
    left = _processes_of(uid)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert left == []
