"""A warm fork server for `grade batch`: the grader's imports paid once per batch worker, not per learner.

`python -I -m grader.processes.warm SOCKET SERVED MODULE...` imports the trusted modules named (the
grading stack: pytest, NumPy, the CLI; and, when the class has ex07 work, Keras and TensorFlow,
imported but with no operation run), then forks one fresh child per request on its Unix socket.
A request runs a trusted module (`grader` for one learner's grading, `grader.model.trainer` for
ex07's training) as `python -I -m MODULE ARGUMENTS` would, in its own session, working folder
and output files, under the same time and memory limits as a started child
(grader/processes/children.py). No learner code ever runs in the server or in what it forks: a
learner's files are only ever loaded by workers, which every grading child starts fresh, in
their own jail, as before. Each learner's grading is a new process forked from the same clean
state, so nothing of one learner's run reaches the next.

`WarmServer` starts and stops a server; `children.run_trusted` sends its requests there
instead of starting Python when `WARM_VARIABLE` names a server (only the grading children the
server forks have it; workers never inherit the grader's environment).
"""

from __future__ import annotations

import importlib
import json
import os
import runpy
import secrets
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

WARM_VARIABLE = "CNN_EXERCISES_WARM_SERVER"  # "SOCKET TOKEN", set only in the server's children
TOKEN_VARIABLE = "CNN_EXERCISES_WARM_TOKEN"
SERVED_MODULES = ("grader", "grader.model.trainer")  # what a request may run: nothing else
POLL_SECONDS = 0.02
SOCKET_NAME = "socket"
WARM_UP_SECONDS = 120.0  # importing TensorFlow on a busy machine
STOP_SECONDS = 5.0
REQUEST_BYTES = 1 << 20
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024 if hasattr(os, "sysconf") else 4


def main(argv: list[str]) -> None:
    """`SOCKET SERVED MODULE...`: warm up, say so on standard output, then serve the modules
    listed in SERVED (comma-separated) until standard input closes."""
    address, served, token = argv[1], tuple(argv[2].split(",")), os.environ.get(TOKEN_VARIABLE, "")
    for name in argv[3:]:
        module, _separator, function = name.partition(":")
        try:
            imported = importlib.import_module(module)
            if function:
                getattr(imported, function)()
        except (
            Exception
        ) as error:  # not warm then: each child imports it and meets the error itself
            print(
                f"warm server: {name} not imported ({type(error).__name__}: {error})",
                file=sys.stderr,
            )
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen(16)
    os.environ[WARM_VARIABLE] = f"{address} {token}"
    print("ready", flush=True)
    _serve(listener, token, served)


def _serve(listener: socket.socket, token: str, served: tuple[str, ...]) -> None:
    running: dict[int, tuple[socket.socket, float, int | None]] = {}
    while True:
        readable, _writable, _exceptional = select.select(
            [listener, sys.stdin], [], [], POLL_SECONDS
        )
        if sys.stdin in readable and not os.read(sys.stdin.fileno(), 1):
            for pid in running:
                _kill_group(pid)
            os._exit(0)
        if listener in readable:
            connection, _address = listener.accept()
            started = _start(connection, token, served, listener)
            if started is not None:
                running[started[0]] = (connection, *started[1:])
        for pid in list(running):
            connection, deadline, memory_mb = running[pid]
            ended = _look_at(pid, deadline, memory_mb)
            if ended is not None:
                del running[pid]
                _answer(connection, ended)


def _start(
    connection: socket.socket, token: str, served: tuple[str, ...], listener: socket.socket
) -> tuple | None:
    """Fork the child of one request: (pid, deadline, memory limit), or None after refusing it."""
    try:
        connection.settimeout(5.0)
        request = json.loads(read_line(connection))
        if (
            not secrets.compare_digest(str(request.get("token")), token)
            or request.get("module") not in served
        ):
            raise ValueError("refused")
    except (OSError, ValueError, AttributeError):
        _answer(connection, {"exit_code": None, "limit": "refused", "peak_mb": 0})
        return None
    deadline = time.monotonic() + float(request["timeout"])
    pid = os.fork()
    if pid == 0:
        _child(request, [listener, connection])
    return pid, deadline, request.get("memory_mb")


def _child(request: dict, sockets: list[socket.socket]) -> None:
    """In the forked child: a session, a folder and streams of its own, then the module."""
    code = 1
    try:
        for server_socket in sockets:
            server_socket.close()
        os.setsid()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.chdir(request["cwd"])
        for fd, path, mode in (
            (0, request["stdin"], os.O_RDONLY),
            (1, request["stdout"], os.O_WRONLY),
            (2, request["stderr"], os.O_WRONLY),
        ):
            opened = os.open(path, mode)
            os.dup2(opened, fd)
            os.close(opened)
        os.environ.update(request.get("environment") or {})
        sys.argv = [request["module"], *request.get("arguments", [])]
        # The module was imported to warm up; running it as __main__ again is the point here.
        warnings.filterwarnings("ignore", category=RuntimeWarning, module="runpy")
        runpy.run_module(request["module"], run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(code)


def _look_at(pid: int, deadline: float, memory_mb: int | None) -> dict | None:
    """The child's end ({exit_code, limit, peak_mb}) once it is over, killed at a limit, or None."""
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        return {"exit_code": os.waitstatus_to_exitcode(status), "limit": "", "peak_mb": 0}
    peak = _peak_mb(pid)
    limit = (
        "memory"
        if memory_mb is not None and peak > memory_mb
        else "time"
        if time.monotonic() > deadline
        else ""
    )
    if not limit:
        return None
    _kill_group(pid)
    os.waitpid(pid, 0)
    return {"exit_code": None, "limit": limit, "peak_mb": peak}


def _peak_mb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def read_line(connection: socket.socket) -> bytes:
    """One line from a server's socket (up to REQUEST_BYTES); ValueError if it ends before one."""
    data = b""
    while not data.endswith(b"\n"):
        chunk = connection.recv(65536)
        if not chunk or len(data) > REQUEST_BYTES:
            raise ValueError("no request")
        data += chunk
    return data


def _answer(connection: socket.socket, result: dict) -> None:
    try:
        connection.sendall(json.dumps(result).encode() + b"\n")
    except OSError:
        pass
    connection.close()


class ServerProcess:
    """A server started in its own private folder (mode 0700: no one else's): it says "ready" on
    its standard output once warm, and stops, with all it started, when its standard input
    closes. `WarmServer` here; grader/processes/prewarm.py's `WorkerServer` for the workers."""

    folder: Path

    def _start(self, command: list[str], *, cwd: Path, environment: dict[str, str]) -> None:
        with open(self.folder / "stderr", "wb") as stderr:
            self.popen = subprocess.Popen(
                command,
                cwd=cwd,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                env=environment,
                start_new_session=True,
            )
        self.ready: bool | None = None

    def wait_ready(self, timeout: float = WARM_UP_SECONDS) -> bool:
        """Whether the server has warmed up (False for good if it failed or took too long)."""
        if self.ready is None:
            stdout = self.popen.stdout
            assert stdout is not None  # started with stdout=PIPE
            readable, _writable, _exceptional = select.select([stdout], [], [], timeout)
            self.ready = bool(readable) and stdout.readline().strip() == b"ready"
            if not self.ready:
                self.close()
        return self.ready

    def close(self) -> None:
        assert self.popen.stdin is not None and self.popen.stdout is not None  # both pipes
        if self.popen.poll() is None:
            self.popen.stdin.close()
            try:
                self.popen.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                _kill_group(self.popen.pid)
                self.popen.wait()
        self.popen.stdout.close()
        shutil.rmtree(self.folder, ignore_errors=True)


class WarmServer(ServerProcess):
    """One started fork server (its own private folder and socket); `close` stops it."""

    def __init__(
        self,
        modules: list[str],
        environment: dict[str, str] | None = None,
        served: tuple[str, ...] = SERVED_MODULES,
    ):
        self.folder = Path(tempfile.mkdtemp(prefix="grade-warm-"))
        self.token = secrets.token_hex(16)
        self.address = f"{self.folder / SOCKET_NAME} {self.token}"
        empty = self.folder / "cwd"
        empty.mkdir()
        environment = dict(os.environ, **(environment or {}), **{TOKEN_VARIABLE: self.token})
        environment.pop(WARM_VARIABLE, None)
        self._start(
            [
                sys.executable,
                "-I",
                "-m",
                "grader.processes.warm",
                str(self.folder / SOCKET_NAME),
                ",".join(served),
                *modules,
            ],
            cwd=empty,
            environment=environment,
        )


def run_warm(address: str, request: dict, follow: Callable[[], None] | None = None) -> dict | None:
    """Run `request` (module, arguments, cwd, stdin/stdout/stderr paths, timeout, memory_mb,
    environment) on the server at `address` ("SOCKET TOKEN"): {exit_code, limit, peak_mb}, or
    None when there is no server to ask (the caller then starts Python itself)."""
    path, _separator, token = address.partition(" ")
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(path)
        connection.sendall(json.dumps(dict(request, token=token)).encode() + b"\n")
        while not select.select([connection], [], [], POLL_SECONDS)[0]:
            if follow is not None:
                follow()
        answer = json.loads(read_line(connection))
    except (OSError, ValueError):
        return None
    finally:
        connection.close()
    if answer.get("limit") == "refused":
        return None
    return answer


if __name__ == "__main__":
    main(sys.argv)
