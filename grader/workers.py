"""The trusted side of a worker: start it, send calls, read data back, enforce the time limits.

`WorkerClient` owns one exercise's worker process. Every call has a deadline (the call timeout,
capped by what is left of the exercise's time limit); a call that hangs or crashes kills the
whole process group and the next call starts a fresh worker, up to `max_restarts` times.
Whatever goes wrong in the worker surfaces as a `LearnerFailure` carrying feedback.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

from grader import explain
from grader import worker as wire
from grader.failures import (
    BadReturn,
    ForbiddenModule,
    LearnerTimeout,
    LoadFailed,
    MissingName,
    WorkerCrashed,
)
from grader.sandbox import ISOLATION_LIMITS, SandboxSpec, fall_back_to_limits, kill_strays
from grader.testing import describe_call

PIPE_BUFFER_BYTES = 1 << 20


class _Dead(Exception):
    """The worker closed its pipe or broke the protocol."""


class WorkerClient:
    """One exercise's worker: lazily started, restarted after a crash, killed on `close`."""

    def __init__(self, spec: SandboxSpec):
        self.spec = spec
        self.exercise = spec.exercise
        self.limits = spec.exercise.limits
        self.process: subprocess.Popen | None = None
        self.exercise_deadline: float | None = None
        self.ready = False
        self.load_failure: LoadFailed | LearnerTimeout | None = None
        self.gave_up: str | None = None
        self.restarts = 0
        self.next_id = 0
        self.isolation = ISOLATION_LIMITS

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Spawn the worker without waiting for it (it imports while the grader sets up)."""
        if self.process is not None:
            return
        if self.exercise_deadline is None:
            self.exercise_deadline = time.monotonic() + self.limits.time_limit
        request_read, self.request_fd = os.pipe()
        self.response_fd, response_write = os.pipe()
        for fd in (self.request_fd, response_write):
            _grow_pipe(fd)
        command, config, environment, self.isolation = self.spec.launch()
        config.update(request_fd=request_read, response_fd=response_write)
        with open(self.spec.stdout_path, "ab") as stdout, open(self.spec.stderr_path, "ab") as stderr:
            self.process = subprocess.Popen(
                [*command, json.dumps(config)],
                stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
                env=environment, cwd=self.spec.folder,
                pass_fds=(request_read, response_write), start_new_session=True,
            )
        os.close(request_read)
        os.close(response_write)
        os.set_blocking(self.request_fd, False)
        self.ready = False

    def close(self) -> None:
        """Kill the worker, everything it started, and reap it."""
        if self.process is None:
            return
        # The namespace's first process first: when it dies, the kernel kills the rest.
        for child in _children(self.process.pid):
            _kill(child)
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait()
        kill_strays(self.spec, self.isolation)
        for fd in (self.request_fd, self.response_fd):
            os.close(fd)
        self.process = None
        self.ready = False

    # ------------------------------------------------------------------ calls

    def call(self, name: str, *args: Any, return_args: bool = False, **kwargs: Any) -> Any:
        """`name(*args, **kwargs)` in the worker; the value, or (value, args after) with return_args."""
        blobs: list = []
        header = {"op": "call", "name": name, "return_args": return_args,
                  "args": wire.encode_value(list(args), blobs),
                  "kwargs": wire.encode_value(dict(kwargs), blobs)}
        call = describe_call(name, *args, **kwargs)
        reply, value = self._request(header, blobs, name, call)
        if not return_args:
            return value
        after = reply.get("args_after")
        try:
            after = wire.decode_value(after, self._last_blobs) if isinstance(after, list) else None
        except wire.ProtocolError:
            after = None
        if after is None or len(after) != len(args):
            raise BadReturn(f"{call}: the worker did not send the arguments back")
        return value, after

    def get(self, name: str) -> Any:
        """The module-level constant `name` from the learner's file."""
        reply, value = self._request({"op": "get", "name": name}, [], name, name)
        return value

    def _request(self, header: dict, blobs: list, name: str, call: str) -> tuple[dict, Any]:
        self._check_usable()
        self.start()
        call_deadline = time.monotonic() + self.limits.call_timeout
        try:
            self._wait_ready()
            self.next_id += 1
            header["id"] = self.next_id
            self._write(wire.pack_message(header, blobs), call_deadline)
            reply, self._last_blobs = wire.read_message(lambda size: self._read(size, call_deadline))
        except _Deadline as late:
            self._lose_worker()
            raise LearnerTimeout(explain.timeout(name, late.which, self.exercise)) from None
        except (_Dead, wire.ProtocolError, ValueError, OSError) as error:
            description = self._exit_description()
            self._lose_worker()
            raise WorkerCrashed(f"the worker process died while running {name}: {description}"
                                + self._protocol_note(error)) from None
        if reply.get("id") != self.next_id:
            self._lose_worker()
            raise WorkerCrashed(f"the worker answered out of turn while running {name}; "
                                "did your code write to the grader's pipe?")
        return reply, self._interpret(reply, name, call)

    def _interpret(self, reply: dict, name: str, call: str) -> Any:
        self._note_forbidden(reply)
        if reply.get("ok"):
            try:
                return wire.decode_value(reply.get("value"), self._last_blobs)
            except wire.ProtocolError as error:
                raise BadReturn(f"{name} returned data the grader cannot read: {error}") from None
        if "missing" in reply:
            raise MissingName(f"{self.exercise.file} has no {name}: was it renamed or deleted? "
                              "Keep the names and signatures of the stub.")
        if "unsendable" in reply:
            raise BadReturn(f"{name} returned a {explain.printable(reply.get('type', 'value'), 60, True)}, "
                            f"which is not data the grader can check "
                            f"({explain.printable(reply['unsendable'], single_line=True)}); "
                            "return NumPy arrays, numbers or tuples")
        raise explain.learner_error(reply.get("error") or {}, name, call, self.exercise)

    def _note_forbidden(self, reply: dict) -> None:
        loaded = reply.get("forbidden_loaded") or []
        if isinstance(loaded, list) and loaded:
            raise ForbiddenModule(f"{self.exercise.id} imported {', '.join(map(str, loaded))}: "
                                  "ex01-ex06 must do the work with NumPy")

    # ------------------------------------------------------------------ start-up and failure

    def _wait_ready(self) -> None:
        if self.ready:
            return
        import_deadline = time.monotonic() + self.limits.import_timeout
        try:
            hello, _ = wire.read_message(lambda size: self._read(size, import_deadline, "import"))
        except _Deadline as late:
            self._lose_worker(permanently=True)
            self.load_failure = LearnerTimeout(explain.timeout("import", late.which, self.exercise))
            raise self.load_failure from None
        except (_Dead, wire.ProtocolError, ValueError) as error:
            description = self._exit_description()
            stderr = explain.tail(self.spec.stderr_path, 300)
            if self.isolation != ISOLATION_LIMITS and stderr.startswith("unshare"):
                self.close()
                fall_back_to_limits(f"unshare failed: {stderr.strip()[:200]}")
                self.start()
                return self._wait_ready()
            self._lose_worker(permanently=True)
            self.load_failure = LoadFailed(
                f"{self.exercise.file} could not be loaded: the worker stopped ({description})"
                + self._output_note() + self._protocol_note(error))
            raise self.load_failure from None
        if "jail_error" in hello:
            self.close()
            fall_back_to_limits(f"the worker jail failed: {explain.printable(hello['jail_error'], 200)}")
            self.start()
            return self._wait_ready()
        if not hello.get("ready"):
            self._lose_worker(permanently=True)
            self.load_failure = LoadFailed(explain.load_error(hello.get("error") or {}, self.exercise))
            raise self.load_failure
        self.ready = True
        self._note_forbidden(hello)

    def _check_usable(self) -> None:
        if self.load_failure is not None:
            raise self.load_failure
        if self.gave_up is not None:
            raise WorkerCrashed(self.gave_up)
        if self.exercise_deadline is not None and time.monotonic() >= self.exercise_deadline:
            raise LearnerTimeout(f"not run: {self.exercise.id} used up its time limit of "
                                 f"{self.limits.time_limit:g} s")

    def _lose_worker(self, permanently: bool = False) -> None:
        self.close()
        self.restarts += 1
        if not permanently and self.restarts > self.limits.max_restarts:
            self.gave_up = (f"not run: the worker for {self.exercise.id} crashed or timed out "
                            f"{self.restarts} times, so the remaining calls were skipped")

    def _exit_description(self) -> str:
        if self.process is None:
            return "it was not running"
        try:
            code = self.process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            code = None
        return explain.exit_status(code, self.exercise)

    def _output_note(self) -> str:
        excerpt = explain.output_excerpt(self.spec.stderr_path, self.spec.stdout_path)
        return f"; it printed:\n{excerpt}" if excerpt else ""

    @staticmethod
    def _protocol_note(error: Exception) -> str:
        return f" ({error})" if isinstance(error, wire.ProtocolError) else ""

    # ------------------------------------------------------------------ pipes

    def _read(self, size: int, call_deadline: float, which: str = "call") -> bytes:
        chunks = []
        while size:
            timeout, cause = self._remaining(call_deadline, which)
            readable, _, _ = select.select([self.response_fd], [], [], timeout)
            if not readable:
                raise _Deadline(cause)
            chunk = os.read(self.response_fd, min(size, PIPE_BUFFER_BYTES))
            if not chunk:
                raise _Dead("end of stream")
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def _write(self, data: bytes, call_deadline: float) -> None:
        view = memoryview(data)
        while view:
            timeout, cause = self._remaining(call_deadline, "call")
            _, writable, _ = select.select([], [self.request_fd], [], timeout)
            if not writable:
                raise _Deadline(cause)
            try:
                written = os.write(self.request_fd, view)
            except BrokenPipeError:
                raise _Dead("broken pipe") from None
            view = view[written:]

    def _remaining(self, call_deadline: float, which: str) -> tuple[float, str]:
        now = time.monotonic()
        assert self.exercise_deadline is not None
        if self.exercise_deadline <= call_deadline:
            return max(0.0, self.exercise_deadline - now), "exercise"
        return max(0.0, call_deadline - now), which


class _Deadline(Exception):
    def __init__(self, which: str):
        super().__init__(which)
        self.which = which


def _children(pid: int) -> list[int]:
    """The direct children of `pid` (for unshare: the namespace's first process)."""
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
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

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BUFFER_BYTES)
    except OSError:
        pass
