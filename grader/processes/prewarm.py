"""Pre-warmed workers for `grade batch`: each worker forked, in fresh namespaces, from a server that
imported NumPy (and Keras) once for the whole class.

`WorkerServer` starts grader/jail/zygote.py for one batch worker, with exactly
the environment a worker gets (grader/sandbox/policy.py), so NumPy and Keras are set up in it
as they would be in a started worker. It runs no learner code, and cannot: it never reads a
request, and what it forks builds its jail before the learner's file is loaded.

The grading runs of that batch worker learn the servers' sockets from `SERVERS_VARIABLE`
(grader/instructor/batch.py sets it in their environment; a worker's environment is always
built from scratch, so no worker sees it). `fork_worker` asks the right server for one worker:
the same configuration, pipes, output files and namespaces as a started one
(grader/sandbox/launch.py), with a pidfd to kill it by. Without a server, or with the weak
"limits" isolation, or if the server fails, the worker is started as before.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader.processes.warm import STOP_SECONDS, ServerProcess, read_line
from grader.sandbox.isolation import Isolation
from grader.sandbox.launch import JAIL_DIR, SandboxSpec
from grader.sandbox.policy import BASE_ENVIRONMENT, TENSORFLOW_ENVIRONMENT, WORKER_PYTHON_FLAGS

SERVERS_VARIABLE = "CNN_EXERCISES_WORKER_SERVERS"  # JSON: {"numpy": socket, "keras": socket}
NUMPY, KERAS = "numpy", "keras"
ANSWER_SECONDS = 10.0  # for the server's fork to say which process the worker is
HEADER_BYTES = 4  # zygote.py's request header: the request's length, big-endian


class WorkerServer(ServerProcess):
    """One started zygote.py (NumPy only, or with Keras) in its own private folder; `close` stops
    it, and it kills every worker it forked that is still running."""

    def __init__(self, kind: str = NUMPY):
        self.kind = kind
        self.folder = Path(tempfile.mkdtemp(prefix="grade-workers-"))
        self.socket_path = str(self.folder / "socket")
        home = self.folder / "home"
        home.mkdir()
        environment = dict(
            BASE_ENVIRONMENT, HOME=str(home), TMPDIR=str(home), KERAS_HOME=str(home / "keras")
        )
        if kind == KERAS:
            environment.update(TENSORFLOW_ENVIRONMENT)
        self._start(
            [
                sys.executable,
                *WORKER_PYTHON_FLAGS,
                str(JAIL_DIR / "zygote.py"),
                self.socket_path,
                *([KERAS] if kind == KERAS else []),
            ],
            cwd=home,
            environment=environment,
        )


def servers_environment(servers: list[WorkerServer]) -> dict[str, str]:
    """The variable that tells a grading run where its batch worker's ready servers are."""
    ready = {server.kind: server.socket_path for server in servers if server.wait_ready()}
    return {SERVERS_VARIABLE: json.dumps(ready)} if ready else {}


@dataclass
class ForkedWorker:
    """A worker forked by a server: `pid` is the first process of its PID namespace."""

    pid: int
    pidfd: int
    connection: socket.socket
    exit_status: int | None = None

    def kill(self) -> None:
        """Kill the worker (the kernel kills the rest of its namespace) and collect its status."""
        try:
            signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.wait(STOP_SECONDS)
        os.close(self.pidfd)
        self.connection.close()

    def running(self) -> bool:
        """Whether the worker is still running (its pidfd, unlike its pid, names no other process)."""
        return not select.select([self.pidfd], [], [], 0)[0]

    def wait(self, timeout: float) -> int | None:
        """The worker's exit code (negative: the signal), or None if it is still running."""
        if self.exit_status is None and self.connection.fileno() >= 0:
            self.connection.settimeout(timeout)
            try:
                self.exit_status = int(json.loads(read_line(self.connection))["exit"])
            except (
                OSError,
                ValueError,
                KeyError,
                TypeError,
            ):  # ValueError: the launcher is gone too
                return None
        return self.exit_status


def server_for(spec: SandboxSpec, isolation: Isolation, config: dict) -> str | None:
    """The socket of this batch worker's server for `spec`'s kind of worker, or None: no server
    here, the weak "limits" isolation, or the probe (always started)."""
    if not isolation.namespaces or config.get("probe"):
        return None
    try:
        address = json.loads(os.environ.get(SERVERS_VARIABLE, "{}")).get(
            KERAS if spec.tensorflow else NUMPY
        )
    except (ValueError, AttributeError):
        return None
    return address if isinstance(address, str) and address else None


def fork_worker(
    address: str,
    spec: SandboxSpec,
    isolation: Isolation,
    config: dict,
    environment: dict[str, str],
    fds: list[int],
) -> ForkedWorker | None:
    """A worker for `spec` forked by the server at `address`, or None (start one instead).

    `fds` are the worker's request and response pipes and its stdout and stderr files."""
    request = json.dumps(
        {
            "config": config,
            "environment": environment,
            "cwd": str(spec.folder),
            "user_namespace": isolation.user_namespace,
        }
    ).encode()
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.settimeout(ANSWER_SECONDS)
        connection.connect(address)
        socket.send_fds(connection, [len(request).to_bytes(HEADER_BYTES, "big")], fds)
        connection.sendall(request)
        message, received, _flags, _address = socket.recv_fds(connection, 4096, 1)
        pid = int(json.loads(message)["pid"])
        if len(received) != 1:
            raise ValueError("no pidfd")
    except (OSError, ValueError, KeyError, TypeError):
        connection.close()
        return None
    return ForkedWorker(pid, received[0], connection)
