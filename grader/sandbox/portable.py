"""The portable worker process: a learner's self-check wherever Python runs (macOS, Windows, Colab).

Where no sandbox can be built, a learner grading their own code still gets a grade: the worker
(grader/jail/worker.py, unchanged but for its `stdio` start) runs as a plain subprocess of the
same Python, with a scrubbed environment and a private scratch folder, and its frames travel on
its standard input and output, which every system can pipe (no descriptors passed, no `select`
on pipes, no /proc, `unshare`, `prctl` or `fcntl`). A reader thread collects what it sends, so
every call still has its deadline: a call past it kills the worker, and the test is a 0-point
timeout with feedback, as in the sandbox. The worker sets the resource limits its system has
(memory, CPU time, file size, open files on macOS and Linux; none on Windows). Run by root (Colab,
a container), it first becomes the fresh unprivileged uid of its `SandboxSpec`, with no groups
(grader/jail/unprivileged.py), and its process limit then holds. Its whole process group (POSIX)
or tree (Windows, `taskkill /T`) is killed afterwards, and on Linux every process of its uid.

It is never official grading: the report says "self-check" with a sentence saying so, and
instructor grading never uses it (docs/design.md#portable-self-check).
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from collections.abc import Callable

from grader.jail import wire
from grader.sandbox.isolation import Isolation
from grader.sandbox.launch import SandboxSpec
from grader.sandbox.process import Dead, Deadline, end_started, exit_code_of

READ_CHUNK_BYTES = 1 << 16
WAIT_SLICE_SECONDS = 0.1  # how often a waiting read lets the activity line redraw
WINDOWS = os.name == "nt"


class PortableWorkerProcess:
    """A started portable worker: the same interface as `process.WorkerProcess`."""

    def __init__(self, spec: SandboxSpec, isolation: Isolation):
        self.spec = spec
        self.isolation = isolation
        self.forked = None  # never forked by a pre-warmed server (those need Linux namespaces)
        command, config, environment = spec.launch(isolation)
        session = (
            {"creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)}
            if WINDOWS
            else {"start_new_session": True}
        )
        with open(spec.stderr_path, "ab") as stderr:
            self.popen = subprocess.Popen(
                [*command, json.dumps(config)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                env=environment,
                cwd=spec.folder,
                bufsize=0,
                **session,  # one of two keywords, by system
            )
        self.pid = self.popen.pid
        self.killed = False
        self.over_memory = False  # no process tree to add up here: each process has its own limit
        self.on_wait: Callable[[], None] | None = None
        self._buffer = bytearray()
        self._ended = False
        self._arrived = threading.Condition()
        threading.Thread(target=self._collect, name=f"worker-{self.pid}", daemon=True).start()

    def _collect(self) -> None:
        """Move what the worker sends into the buffer, until its end of the pipe closes."""
        stream = self.popen.stdout
        assert stream is not None  # stdout=PIPE
        while True:
            try:
                chunk = stream.read(READ_CHUNK_BYTES)
            except (OSError, ValueError):
                chunk = b""
            with self._arrived:
                if chunk:
                    self._buffer += chunk
                else:
                    self._ended = True
                self._arrived.notify_all()
            if not chunk:
                return

    def read_frame(self, deadline: float, which: str) -> tuple[dict, list]:
        """The next frame, or `Deadline(which)`, `Dead`, `wire.ProtocolError`, `ValueError`."""
        return wire.read_message(lambda size: self._read(size, deadline, which))

    def _read(self, size: int, deadline: float, which: str) -> bytes:
        with self._arrived:
            while len(self._buffer) < size:
                if self._ended:
                    raise Dead("end of stream")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Deadline(which)
                self._arrived.wait(min(left, WAIT_SLICE_SECONDS))
                if self.on_wait is not None and len(self._buffer) < size:
                    self.on_wait()
            data = bytes(self._buffer[:size])
            del self._buffer[:size]
        return data

    def write_frame(self, data: bytes, deadline: float, which: str) -> None:
        """Send a frame; a worker that does not take it before the deadline is killed."""
        failed: list[BaseException] = []

        def write() -> None:
            stream = self.popen.stdin
            assert stream is not None  # stdin=PIPE
            try:
                stream.write(data)
                stream.flush()
            except (OSError, ValueError) as error:  # a closed pipe: the worker is gone
                failed.append(error)

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        writer.join(max(0.0, deadline - time.monotonic()))
        if writer.is_alive():
            self.kill()  # its pipe closes, and the writer with it
            raise Deadline(which)
        if failed:
            raise Dead("broken pipe")

    def exit_code(self) -> int | None:
        """The worker's exit code (negative: the signal), or None if it is still running."""
        return exit_code_of(self.popen)

    def kill(self) -> None:
        """Kill the worker and everything it started, reap it, close the pipes."""
        if self.killed:
            return
        self.killed = True
        if WINDOWS:
            subprocess.run(
                ["taskkill", "/F", "/T", "/PID", str(self.pid)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )
        end_started(self.popen, self.spec, self.isolation)  # and, run by root, its uid's processes
        try:
            if self.popen.stdin is not None:
                self.popen.stdin.close()
        except OSError:
            pass
        # Its standard output is left to the reader thread, which ends when the last process
        # holding the pipe does: closing it under a blocked read could close another's file.
