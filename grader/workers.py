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

from grader import worker as wire
from grader.failures import (
    BadReturn,
    ForbiddenModule,
    LearnerRaised,
    LearnerTimeout,
    LoadFailed,
    MissingName,
    NotAttempted,
    WorkerCrashed,
)
from grader.sandbox import SandboxSpec
from grader.testing import describe_call

OUTPUT_EXCERPT_BYTES = 600  # how much of what the learner printed a feedback line may quote
PIPE_BUFFER_BYTES = 1 << 20
SIGNAL_MEANINGS = {
    signal.SIGSEGV: "a segmentation fault",
    signal.SIGBUS: "a bus error",
    signal.SIGABRT: "an abort",
    signal.SIGXCPU: "the CPU time limit",
    signal.SIGXFSZ: "the output limit",
    signal.SIGKILL: "a kill signal (often the memory limit)",
    signal.SIGFPE: "a floating-point exception",
    signal.SIGILL: "an illegal instruction",
}


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
        self.forbidden_seen: set[str] = set()

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
        config = dict(self.spec.config, request_fd=request_read, response_fd=response_write)
        with open(self.spec.stdout_path, "ab") as stdout, open(self.spec.stderr_path, "ab") as stderr:
            self.process = subprocess.Popen(
                [*self.spec.command, json.dumps(config)],
                stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
                env=self.spec.environment, cwd=self.spec.folder,
                pass_fds=(request_read, response_write), start_new_session=True,
            )
        os.close(request_read)
        os.close(response_write)
        os.set_blocking(self.request_fd, False)
        self.ready = False

    def close(self) -> None:
        """Kill the worker's whole process group and reap it."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait()
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
        reply, value = self._request(header, blobs, name, describe_call(name, *args, **kwargs))
        if return_args:
            return value, wire.decode_value(reply["args_after"], self._last_blobs)
        return value

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
            raise LearnerTimeout(self._timeout_feedback(name, late.which)) from None
        except (_Dead, wire.ProtocolError, ValueError, OSError) as error:
            if self.load_failure is not None:
                raise self.load_failure from None
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
            raise BadReturn(f"{name} returned a {_printable(reply.get('type', 'value'), 60)}, which "
                            f"is not data the grader can check ({_printable(reply['unsendable'])}); "
                            "return NumPy arrays, numbers or tuples")
        error = reply.get("error") or {}
        return self._raise_learner_error(error, name, call)

    def _raise_learner_error(self, error: dict, name: str, call: str) -> Any:
        error_type, message, where = _error_fields(error)
        if error.get("not_implemented"):
            raise NotAttempted(f"not attempted: {name} still raises NotImplementedError "
                               f"(the stub). Write your code in {self.exercise.file}.")
        if error.get("memory_error"):
            raise LearnerRaised(f"{call} ran out of memory (the limit is {self.limits.memory_mb} MB): "
                                "does it build a huge array?", error_type, message)
        if error_type in ("SystemExit", "KeyboardInterrupt"):
            raise LearnerRaised(f"{call} raised {error_type}: a function must return its result, "
                                "not stop the program", error_type, message)
        location = f"\n  {where.splitlines()[-1]}" if where else ""
        raise LearnerRaised(f"{call} raised {error_type}: {message}{location}", error_type, message,
                            value_error=bool(error.get("value_error")))

    def _note_forbidden(self, reply: dict) -> None:
        loaded = reply.get("forbidden_loaded") or []
        if isinstance(loaded, list) and loaded:
            self.forbidden_seen.update(map(str, loaded))
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
            self.load_failure = LearnerTimeout(self._timeout_feedback("import", late.which))
            raise self.load_failure from None
        except (_Dead, wire.ProtocolError, ValueError) as error:
            description = self._exit_description()
            self._lose_worker(permanently=True)
            self.load_failure = LoadFailed(
                f"{self.exercise.file} could not be loaded: the worker stopped ({description})"
                + self._output_note() + self._protocol_note(error))
            raise self.load_failure from None
        if not hello.get("ready"):
            self._lose_worker(permanently=True)
            self.load_failure = LoadFailed(self._load_error_feedback(hello.get("error") or {}))
            raise self.load_failure
        self.ready = True
        self._note_forbidden(hello)

    def _load_error_feedback(self, error: dict) -> str:
        error_type, message, where = _error_fields(error)
        location = f" ({where.splitlines()[-1]})" if where else ""
        if error_type == "SyntaxError" or error_type == "IndentationError":
            return f"{self.exercise.file} has a {error_type}{location}: {message}"
        if error_type in ("SystemExit", "KeyboardInterrupt"):
            return (f"{self.exercise.file} raised {error_type} while being imported{location}: "
                    "code at the top level of the file runs on import, so call exit() nowhere")
        return f"importing {self.exercise.file} raised {error_type}: {message}{location}"

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

    def _timeout_feedback(self, name: str, which: str) -> str:
        if which == "exercise":
            return (f"{name} was stopped: {self.exercise.id} used up its time limit of "
                    f"{self.limits.time_limit:g} s")
        if which == "import":
            return (f"importing {self.exercise.file} took longer than "
                    f"{self.limits.import_timeout:g} s: is there a loop at the top level?")
        return (f"{name} did not return within {self.limits.call_timeout:g} s (the time limit "
                "per call): an infinite loop, or a loop that never reaches its end?")

    def _exit_description(self) -> str:
        if self.process is None:
            return "it was not running"
        try:
            code = self.process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            return "it stopped answering"
        if code < 0:
            number = -code
            name = signal.Signals(number).name if number in signal.Signals._value2member_map_ else str(number)
            meaning = SIGNAL_MEANINGS.get(number, "a signal")
            return f"killed by {meaning} ({name})"
        return f"it exited with code {code}; did your code call os._exit or sys.exit?"

    def _output_note(self) -> str:
        excerpt = self.output_excerpt()
        return f"; it printed:\n{excerpt}" if excerpt else ""

    @staticmethod
    def _protocol_note(error: Exception) -> str:
        return f" ({error})" if isinstance(error, wire.ProtocolError) else ""

    def output_excerpt(self) -> str:
        """The last lines the learner's code printed to stderr, then stdout, quoted and short."""
        for path in (self.spec.stderr_path, self.spec.stdout_path):
            text = _tail(path, OUTPUT_EXCERPT_BYTES)
            if text.strip():
                return "\n".join("  | " + line for line in text.strip().splitlines()[-8:])
        return ""

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


def _grow_pipe(fd: int) -> None:
    """Fewer round trips for large arrays where Linux allows a bigger pipe buffer."""
    try:
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BUFFER_BYTES)
    except OSError:
        pass


def _printable(value: Any, limit: int = 500) -> str:
    """Learner-supplied text made safe for every report format: printable and short."""
    text = "".join(ch if ch.isprintable() or ch == "\n" else "?" for ch in str(value))
    return text if len(text) <= limit else text[:limit] + "..."


def _error_fields(error: dict) -> tuple[str, str, str]:
    """(type, message, learner traceback) of an exception the worker reported."""
    return (_printable(error.get("type", "Exception"), 80), _printable(error.get("message", "")),
            _printable(error.get("traceback", ""), 1000))


def _tail(path: Path, limit: int) -> str:
    try:
        with open(path, "rb") as stream:
            stream.seek(0, os.SEEK_END)
            stream.seek(max(0, stream.tell() - limit))
            data = stream.read(limit)
    except OSError:
        return ""
    return _printable(data.decode("utf-8", errors="replace"), limit)
