"""Trusted child processes: the grader's own code in a fresh process, under limits of its own.

Two kinds of work run in a child. `grade batch` grades each learner with a child `grade`
process, so that one learner's run cannot take the batch down. ex07's training
(grader/model/trainer.py) builds and trains what a learner described; its cost depends on
settings the checks can only bound, so it runs with a resident-memory and a time limit, and a
limit hit ends the child, never the grader. A child runs with `python -I` (no current folder,
no user site-packages, no PYTHON* variables on the import path) in a fixed, empty working
folder, so a learner's folder named like one of the grader's modules is never imported in its
place. In a batch worker, the same children are forked by its warm server instead
(grader/processes/warm.py), with the same limits; in a single run, ex07's trainer is started
early (`prestart`) and imports TensorFlow while the worker does.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.processes.warm import SERVED_MODULES, WARM_VARIABLE, run_warm

CHILD_OUTPUT_LIMIT = 1 << 20  # bytes of a child's output kept
STDERR_KEPT = 4000  # characters of a failed child's standard error kept for the report
POLL_SECONDS = 0.02  # how often a child's memory and time are looked at
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024 if hasattr(os, "sysconf") else 4
FOLLOWED_BYTES = 1 << 16  # of a child's output read per look by an output listener
OutputListener = Callable[[list[str]], None]
_stopping = threading.Event()  # set while an interrupted batch stops its children


class ChildrenStopped(Exception):
    """The run was interrupted (`stop_children`): the child was killed and its work dropped."""


def stop_children() -> None:
    """Kill every trusted child this process is waiting for, at its next look, and start none:
    an interrupted `grade batch` stops at once instead of finishing the learners under way."""
    _stopping.set()


def allow_children() -> None:
    """Children may run again (a new batch in the same process)."""
    _stopping.clear()


def _check_stopping() -> None:
    if _stopping.is_set():
        raise ChildrenStopped("interrupted")


@dataclass(frozen=True)
class ChildResult:
    """How a child ended: exit code, output, and the limit that stopped it ("memory", "time" or "")."""

    exit_code: int | None
    stdout: str
    stderr: str
    limit: str = ""
    peak_mb: int = 0


def run_grader(
    arguments: list[str],
    *,
    timeout: float,
    server: str | None = None,
    environment: dict[str, str] | None = None,
) -> ChildResult:
    """Run `python -I -m grader ARGUMENTS` in an empty working folder, within `timeout` seconds
    (forked by the warm server at `server`, grader/processes/warm.py, when one is given), with
    `environment` added to its own."""
    return run_trusted(
        "grader", b"", timeout=timeout, arguments=arguments, server=server, environment=environment
    )


def run_program(
    command: list[str], *, cwd: Path, timeout: float, environment: dict[str, str] | None = None
) -> ChildResult:
    """Run a trusted program (a published artefact's own script or grader) in `cwd`, within
    `timeout` seconds: `grade check` uses it to try what `publish` wrote, as its users would."""
    with tempfile.TemporaryDirectory(prefix="grade-child-") as folder:
        streams = [Path(folder, name) for name in ("stdout", "stderr")]
        with open(streams[0], "wb") as out, open(streams[1], "wb") as err:
            popen = subprocess.Popen(
                command,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,
                env=environment,
            )
        code, limit, peak = _watch(popen, timeout, None)
        stdout, stderr = (_read_tail(path) for path in streams)
    return ChildResult(code, stdout, stderr[-STDERR_KEPT:], limit, peak)


def run_trusted(
    module: str,
    stdin: bytes,
    *,
    timeout: float,
    memory_mb: int | None = None,
    environment: dict[str, str] | None = None,
    arguments: Sequence[str] = (),
    on_output: OutputListener | None = None,
    server: str | None = None,
) -> ChildResult:
    """Run `python -I -m MODULE ARGUMENTS` with `stdin` as its input, under the limits given.

    A child whose resident memory passes `memory_mb`, or that runs past `timeout` seconds, is
    killed with everything it started, and the result names the limit. `on_output`, if given,
    hears every complete line the child has written to its standard output so far (often
    none), each time the child is looked at: ex07's trainer reports its epochs that way. In a
    batch worker (`server`, or the environment, names its warm server), the child is forked
    from that server instead of started: the same module, limits and files, its imports paid.
    """
    _check_stopping()
    waiting = (
        _prestarted.pop((module, tuple(sorted((environment or {}).items()))), None)
        if not arguments and server is None
        else None
    )
    if waiting is not None:
        return waiting.run(stdin, timeout, memory_mb, on_output)
    with tempfile.TemporaryDirectory(prefix="grade-child-") as folder:
        streams = [Path(folder, name) for name in ("stdin", "stdout", "stderr")]
        streams[0].write_bytes(stdin)
        for stream in streams[1:]:
            stream.touch()
        follower = _Follower(streams[1], on_output) if on_output is not None else None
        server = (server or os.environ.get(WARM_VARIABLE)) if module in SERVED_MODULES else None
        warm = (
            run_warm(
                server,
                {
                    "module": module,
                    "arguments": list(arguments),
                    "cwd": folder,
                    "timeout": timeout,
                    "memory_mb": memory_mb,
                    "environment": environment or {},
                    **{
                        name: str(path)
                        for name, path in zip(("stdin", "stdout", "stderr"), streams)
                    },
                },
                _stoppable(follower),
            )
            if server
            else None
        )
        if warm is not None:  # forked by the batch worker's warm server (grader/processes/warm.py)
            code, limit, peak = warm["exit_code"], warm["limit"], warm["peak_mb"]
        else:
            with (
                open(streams[0], "rb") as given,
                open(streams[1], "wb") as out,
                open(streams[2], "wb") as err,
            ):
                popen = subprocess.Popen(
                    [sys.executable, "-I", "-m", module, *arguments],
                    cwd=folder,
                    stdin=given,
                    stdout=out,
                    stderr=err,
                    start_new_session=True,
                    env=dict(os.environ, **(environment or {})),
                )
            code, limit, peak = _watch(popen, timeout, memory_mb, follower)
        if follower is not None:
            follower.poll()
        stdout, stderr = (_read_tail(path) for path in streams[1:])
    return ChildResult(code, stdout, stderr[-STDERR_KEPT:], limit, peak)


def _stoppable(follower: _Follower | None) -> Callable[[], None]:
    """What the wait for a warm server's child does at each look: stop when the batch is
    interrupted (the server kills the child when it is closed), else follow its output."""

    def look() -> None:
        _check_stopping()
        if follower is not None:
            follower.poll()

    return look


class _Prestarted:
    """A trusted child started before its input exists (it imports meanwhile), waiting for it."""

    def __init__(self, module: str, environment: dict[str, str]):
        self.folder = Path(tempfile.mkdtemp(prefix="grade-child-"))
        self.streams = [self.folder / name for name in ("stdout", "stderr")]
        with open(self.streams[0], "wb") as out, open(self.streams[1], "wb") as err:
            self.popen = subprocess.Popen(
                [sys.executable, "-I", "-m", module],
                cwd=self.folder,
                stdin=subprocess.PIPE,
                stdout=out,
                stderr=err,
                start_new_session=True,
                env=dict(os.environ, **environment),
            )

    def run(
        self, stdin: bytes, timeout: float, memory_mb: int | None, on_output: OutputListener | None
    ) -> ChildResult:
        """Hand the child its input (from a thread: a pipe holds 64 KB) and watch it to its end."""

        def feed() -> None:
            assert self.popen.stdin is not None  # started with stdin=PIPE
            try:
                self.popen.stdin.write(stdin)
                self.popen.stdin.close()
            except OSError:  # it died at start-up: its exit code says so
                pass

        feeder = threading.Thread(target=feed, daemon=True)
        feeder.start()
        follower = _Follower(self.streams[0], on_output) if on_output is not None else None
        code, limit, peak = _watch(self.popen, timeout, memory_mb, follower)
        if follower is not None:
            follower.poll()
        stdout, stderr = (_read_tail(path) for path in self.streams)
        self.discard()
        return ChildResult(code, stdout, stderr[-STDERR_KEPT:], limit, peak)

    def discard(self) -> None:
        if self.popen.poll() is None:
            try:
                os.killpg(self.popen.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.popen.wait()
        if self.popen.stdin is not None and not self.popen.stdin.closed:
            try:
                self.popen.stdin.close()
            except OSError:
                pass
        shutil.rmtree(self.folder, ignore_errors=True)


_prestarted: dict[tuple, _Prestarted] = {}


def prestart(module: str, environment: dict[str, str] | None = None) -> None:
    """Start `python -I -m MODULE` now, for the next `run_trusted(MODULE)` with the same
    environment and no arguments: ex07's trainer imports TensorFlow while the worker imports
    it too, on the other core. Not in a batch worker, whose warm server forks trainers ready."""
    key = (module, tuple(sorted((environment or {}).items())))
    if key not in _prestarted and not os.environ.get(WARM_VARIABLE):
        _prestarted[key] = _Prestarted(module, environment or {})


def discard_prestarted() -> None:
    """Stop every prestarted child that was not used (a run that never trained its model)."""
    while _prestarted:
        _prestarted.popitem()[1].discard()


class _Follower:
    """Reads the new complete lines of a child's output file, for a listener, as they come."""

    def __init__(self, path: Path, listener: OutputListener):
        self.path = path
        self.listener = listener
        self.offset = 0
        self.partial = b""

    def poll(self) -> None:
        try:
            with open(self.path, "rb") as stream:
                stream.seek(self.offset)
                data = stream.read(FOLLOWED_BYTES)
        except OSError:
            data = b""
        self.offset += len(data)
        lines = (self.partial + data).split(b"\n")
        self.partial = lines.pop()[-FOLLOWED_BYTES:]
        self.listener([line.decode("utf-8", errors="replace") for line in lines])


def _watch(
    popen: subprocess.Popen,
    timeout: float,
    memory_mb: int | None,
    follower: _Follower | None = None,
) -> tuple[int | None, str, int]:
    """Wait for the child, killing it at a limit: (exit code or None, limit hit, peak MB)."""
    deadline = time.monotonic() + timeout
    peak, limit = 0, ""
    while True:
        try:
            return popen.wait(timeout=POLL_SECONDS), limit, peak
        except subprocess.TimeoutExpired:
            pass
        if follower is not None:
            follower.poll()
        peak = max(peak, _resident_mb(popen.pid))
        if memory_mb is not None and peak > memory_mb:
            limit = "memory"
        elif time.monotonic() > deadline:
            limit = "time"
        elif _stopping.is_set():
            limit = "stopped"
        if limit:
            try:
                os.killpg(popen.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            popen.wait()
            _check_stopping()
            return None, limit, peak


def _resident_mb(pid: int) -> int:
    """The largest resident memory `pid` has had so far (VmHWM), in MB (0 once it is gone): a
    peak between two looks still counts."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
        resident_pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return 0
    return resident_pages * PAGE_KB // 1024


def _read_tail(path: Path) -> str:
    with open(path, "rb") as stream:
        stream.seek(0, os.SEEK_END)
        stream.seek(max(0, stream.tell() - CHILD_OUTPUT_LIMIT))
        return stream.read().decode("utf-8", errors="replace")
