"""One worker process and its two pipes: start it, exchange frames before a deadline, kill it.

In a batch worker, the worker is forked in its fresh namespaces by a pre-warmed server that has
imported NumPy (grader/processes/prewarm.py); elsewhere it is started (`unshare`, then Python).
Either way it gets the same configuration, pipes, output files and jail.

`WorkerProcess` knows nothing of exercises or feedback: `grader.sandbox.client` builds calls
and failures on top of it, and `grader.sandbox.probe` uses it to look at a sandbox with no
learner code in it. While it waits for an answer, it adds up the resident memory of the
worker's whole process tree and kills the worker past its memory limit. Killing a worker kills
its whole process tree: the namespace's first process first (the kernel then kills the rest),
the process group, and in "limits" mode every process that carries the worker's marker or uid.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from grader.jail import wire
from grader.processes import prewarm
from grader.sandbox.isolation import Isolation
from grader.sandbox.launch import SandboxSpec, kill_strays

EXIT_WAIT_SECONDS = 1.0  # how long a dead worker's exit status is waited for
MEMORY_POLL_SECONDS = 0.1  # how often a busy worker's processes' memory is added up
MAX_TREE = 4096  # processes of one worker looked at (its process limit is far lower)
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class Deadline(Exception):
    """The deadline passed before the worker answered; `which` names the deadline."""

    def __init__(self, which: str):
        super().__init__(which)
        self.which = which


class Dead(Exception):
    """The worker closed its pipe."""


class WorkerProcess:
    """A started worker: frames go out on one pipe and come back on the other."""

    def __init__(self, spec: SandboxSpec, isolation: Isolation):
        self.spec = spec
        self.isolation = isolation
        self.popen: subprocess.Popen | None = None
        command, config, environment = spec.launch(isolation)
        address = prewarm.server_for(spec, isolation, config)  # the batch worker's server, if any
        self.forked = self._fork(address, config, environment) if address else None
        if self.forked is None:
            self._start(command, config, environment)
        self.pid = self.forked.pid if self.forked is not None else self._started().pid
        os.set_blocking(self.request_fd, False)
        self.killed = False
        self.over_memory = False  # killed because its processes together passed the memory limit
        self.on_wait: Callable[[], None] | None = None  # called while an answer is awaited

    def _fork(
        self, address: str, config: dict, environment: dict[str, str]
    ) -> prewarm.ForkedWorker | None:
        """A worker forked in fresh namespaces by a pre-warmed server (grader/processes/prewarm.py)."""
        request_read, response_write = self._pipes()
        try:
            with (
                open(self.spec.stdout_path, "ab") as stdout,
                open(self.spec.stderr_path, "ab") as stderr,
            ):
                forked = prewarm.fork_worker(
                    address,
                    self.spec,
                    self.isolation,
                    config,
                    environment,
                    [request_read, response_write, stdout.fileno(), stderr.fileno()],
                )
        finally:
            os.close(request_read)
            os.close(response_write)
        if forked is None:  # whatever the server got is killed with its launcher: fresh pipes
            os.close(self.request_fd)
            os.close(self.response_fd)
        return forked

    def _start(self, command: list[str], config: dict, environment: dict[str, str]) -> None:
        """Start the worker: `unshare` (grader/sandbox/launch.py), then Python."""
        request_read, response_write = self._pipes()
        config = dict(config, request_fd=request_read, response_fd=response_write)
        try:
            with (
                open(self.spec.stdout_path, "ab") as stdout,
                open(self.spec.stderr_path, "ab") as stderr,
            ):
                self.popen = subprocess.Popen(
                    [*command, json.dumps(config)],
                    stdin=subprocess.DEVNULL,
                    stdout=stdout,
                    stderr=stderr,
                    env=environment,
                    cwd=self.spec.folder,
                    pass_fds=(request_read, response_write),
                    start_new_session=True,
                )
        except BaseException:
            for fd in (self.request_fd, self.response_fd):
                os.close(fd)
            raise
        finally:
            os.close(request_read)
            os.close(response_write)

    def _pipes(self) -> tuple[int, int]:
        """New request and response pipes: this side's ends kept, the worker's ends returned."""
        request_read, self.request_fd = os.pipe()
        self.response_fd, response_write = os.pipe()
        for fd in (self.request_fd, response_write):
            _grow_pipe(fd)
        return request_read, response_write

    def read_frame(self, deadline: float, which: str) -> tuple[dict, list]:
        """The next frame, or `Deadline(which)`, `Dead`, `wire.ProtocolError`, `ValueError`."""
        return wire.read_message(lambda size: self._read(size, deadline, which))

    def write_frame(self, data: bytes, deadline: float, which: str) -> None:
        view = memoryview(data)
        while view:
            _readable, writable, _exceptional = select.select(
                [], [self.request_fd], [], _left(deadline)
            )
            if not writable:
                raise Deadline(which)
            try:
                written = os.write(self.request_fd, view)
            except BrokenPipeError:
                raise Dead("broken pipe") from None
            view = view[written:]

    def _started(self) -> subprocess.Popen:
        """The worker `_start` started (there is one whenever no server forked it)."""
        assert self.popen is not None
        return self.popen

    def exit_code(self) -> int | None:
        """The worker's exit code (negative: the signal), or None if it is still running."""
        if self.forked is not None:
            return self.forked.wait(EXIT_WAIT_SECONDS)
        return exit_code_of(self._started())

    def kill(self) -> None:
        """Kill the worker and everything it started, reap it, close the pipes."""
        if self.killed:
            return
        self.killed = True
        if self.forked is not None:
            self.forked.kill()
        else:
            popen = self._started()
            for child in _children(popen.pid):
                _kill(child)
            end_started(popen, self.spec, self.isolation)
        for fd in (self.request_fd, self.response_fd):
            os.close(fd)

    def _read(self, size: int, deadline: float, which: str) -> bytes:
        chunks = []
        while size:
            self._wait_readable(deadline, which)
            chunk = os.read(self.response_fd, min(size, wire.PIPE_CHUNK_BYTES))
            if not chunk:
                raise Dead("end of stream")
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def _wait_readable(self, deadline: float, which: str) -> None:
        """Wait for the worker's answer, looking at its processes' memory while it computes."""
        while True:
            left = _left(deadline)
            wait = min(left, MEMORY_POLL_SECONDS)
            readable, _writable, _exceptional = select.select([self.response_fd], [], [], wait)
            if readable:
                return
            if left <= wait:
                raise Deadline(which)
            self._check_memory()
            if self.on_wait is not None:
                self.on_wait()

    def _check_memory(self) -> None:
        """Kill the worker when its processes together hold more than its memory limit: each one
        is held to it by RLIMIT_AS, but a worker may start many (its pipe then ends)."""
        if (
            self.forked is not None and not self.forked.running()
        ):  # its pid may be another's already
            return
        tree = process_tree(self.pid)
        if _resident_mb(tree) > self.spec.limits.memory_mb:
            self.over_memory = True
            for pid in tree:
                _kill(pid)


def exit_code_of(popen: subprocess.Popen) -> int | None:
    """A started worker's exit code (negative: the signal), or None if it is still running."""
    try:
        return popen.wait(timeout=EXIT_WAIT_SECONDS)
    except subprocess.TimeoutExpired:
        return None


def end_started(popen: subprocess.Popen, spec: SandboxSpec, isolation: Isolation) -> None:
    """Kill a started worker and its process group (POSIX: its session's group, whatever it
    started there), reap it, then kill what it left elsewhere (`launch.kill_strays`)."""
    if hasattr(os, "killpg"):
        try:
            os.killpg(popen.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    popen.kill()
    popen.wait()
    kill_strays(spec, isolation)


def process_tree(pid: int) -> list[int]:
    """`pid` and its descendants, through every thread's children (a namespace's first process
    adopts the orphans inside it, so a worker's whole namespace hangs below its `unshare`)."""
    tree: list[int] = []
    pending = [pid]
    while pending and len(tree) < MAX_TREE:
        current = pending.pop()
        tree.append(current)
        try:
            threads = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for thread in threads:
            try:
                pending += [
                    int(child)
                    for child in Path(f"/proc/{current}/task/{thread}/children").read_text().split()
                ]
            except (OSError, ValueError):
                continue
    return tree


def _resident_mb(pids: list[int]) -> int:
    pages = 0
    for pid in pids:
        try:
            pages += int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return pages * PAGE_BYTES >> 20


def _left(deadline: float) -> float:
    return max(0.0, deadline - time.monotonic())


def _children(pid: int) -> list[int]:
    """The direct children of `pid` (for unshare: the namespace's first process)."""
    try:
        return [
            int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        ]
    except (OSError, ValueError):
        return []


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _grow_pipe(fd: int) -> None:
    """Fewer round trips for large arrays where Linux allows a bigger pipe buffer."""
    try:
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), wire.PIPE_CHUNK_BYTES)
    except OSError:
        pass
