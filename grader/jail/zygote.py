"""The pre-warmed worker server of a batch worker: NumPy (and Keras) imported once, a fresh jail per worker.

`python -s -P zygote.py SOCKET [MODULE...]`, started by grader/processes/prewarm.py with the workers'
own environment, imports this folder's worker.py, NumPy and the modules named (`keras` for
ex07's workers: Keras and TensorFlow, imported, no operation run), then waits on its Unix socket. It runs no learner code and
reads no request: for each connection it forks, and only the fork reads what it is asked.

What one fork does, for one worker (`_launch`): it checks that the caller is the server's own
user, takes the worker's pipes and output files (passed as file descriptors) and configuration,
and unshares the same namespaces as `unshare` does for a started worker (mount, PID, network,
IPC, and a user namespace when the grader is not root). Its own child is then the first process
of the new PID namespace: it closes every file descriptor but the worker's, takes the worker's
environment and folder, and runs worker.py's `run`, which builds the jail, becomes its fresh uid
and only then loads the learner's file. The launching fork sends the trusted side the worker's
pid and a pidfd for it (signals through it cannot reach a recycled pid), kills the worker if the
trusted side goes away, and reports its exit status.

So each worker is a new process in new namespaces, with its own uid, private /tmp and no
descriptor but its own; what it inherits is this server's memory as it was before any request
(NumPy's and Keras' modules), which no worker can change: a learner cannot leave anything
behind for the next one. Like worker.py, this file is standard library only (and NumPy).
"""

from __future__ import annotations

import ctypes
import fcntl
import importlib.util
import json
import os
import select
import signal
import socket
import struct
import sys
import time

CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
NAMESPACES = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC  # as `unshare` gets them
PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
HEADER = struct.Struct("!I")  # the request's length, sent with its file descriptors
DESCRIPTORS = ("request", "response", "stdout", "stderr")
MAX_REQUEST_BYTES = 1 << 20
REQUEST_SECONDS = 10.0
POLL_SECONDS = 0.5
STOP_SECONDS = 2.0
WORKER_FDS = (3, 4)  # where a forked worker finds its request and response pipes
FIRST_FREE_FD = 16  # the pipes pass through here on their way to WORKER_FDS

_libc = ctypes.CDLL(None, use_errno=True)


def _sibling(name: str):
    """worker.py (which loads wire.py and jail.py) from this folder, under a private name."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"_grader_{name}", path)
    if spec is None or spec.loader is None:  # a .py file always has both
        raise ImportError(f"cannot load {name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main(argv: list) -> None:
    """`SOCKET MODULE...`: warm up, bind SOCKET, say "ready" on standard output, fork one launcher
    per connection until standard input closes; then kill every worker still running and stop."""
    worker = _sibling("worker")
    worker._sibling("jail")
    import numpy  # noqa: F401  what every worker needs before the learner's file

    for name in argv[2:]:  # "keras" for ex07's workers: TensorFlow's seconds of import, paid once
        importlib.import_module(name)
    _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)  # orphaned workers are reaped here
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(argv[1])
    listener.listen(16)
    print("ready", flush=True)
    launchers: set[int] = set()
    while True:
        readable, _writable, _exceptional = select.select(
            [listener, sys.stdin], [], [], POLL_SECONDS
        )
        _reap(launchers)
        if sys.stdin in readable and not os.read(sys.stdin.fileno(), 1):
            _stop(launchers)
        if listener in readable:
            connection, _address = listener.accept()
            pid = os.fork()
            if pid == 0:
                _launch(connection, listener, worker)
            connection.close()
            launchers.add(pid)


def _launch(connection: socket.socket, listener: socket.socket, worker) -> None:
    """In the fork: read the request, unshare, start the worker, report on it; never returns."""
    code = 1
    try:
        os.setsid()
        listener.close()
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        request, fds = _read_request(connection)
        uid, gid = os.geteuid(), os.getegid()
        in_user_namespace = bool(request.get("user_namespace"))
        if _libc.unshare(NAMESPACES | (CLONE_NEWUSER if in_user_namespace else 0)) != 0:
            raise OSError(ctypes.get_errno(), "unshare")
        if in_user_namespace:
            _map_root(uid, gid)
        pid = os.fork()
        if pid == 0:
            _become_worker(request, fds, connection, worker)
        for fd in fds:
            os.close(fd)
        pidfd = os.pidfd_open(pid)
        try:
            code = _follow(connection, pid, pidfd)
        finally:  # whatever happens here, the worker does not outlive its launcher
            _kill_worker(pidfd)
    except BaseException:  # a launcher that fails says nothing: the trusted side sees the pipe end
        code = 1
    finally:
        os._exit(code)


def _read_request(connection: socket.socket) -> tuple[dict, list[int]]:
    """(request, [request pipe, response pipe, stdout, stderr]) from the server's own user only."""
    connection.settimeout(REQUEST_SECONDS)
    _pid, uid, _gid = struct.unpack(
        "3i", connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    )
    header, fds, _flags, _address = socket.recv_fds(connection, HEADER.size, len(DESCRIPTORS))
    if uid != os.geteuid() or len(header) != HEADER.size or len(fds) != len(DESCRIPTORS):
        raise PermissionError("refused")
    size = HEADER.unpack(header)[0]
    if size > MAX_REQUEST_BYTES:
        raise ValueError("request too large")
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            raise EOFError("request cut short")
        data += chunk
    return json.loads(data), fds


def _map_root(uid: int, gid: int) -> None:
    """In the new user namespace, be its root, mapped to the grader's own uid and gid (what
    `unshare --map-root-user` does)."""
    for path, text in (
        ("/proc/self/setgroups", "deny"),
        ("/proc/self/uid_map", f"0 {uid} 1"),
        ("/proc/self/gid_map", f"0 {gid} 1"),
    ):
        with open(path, "w") as stream:
            stream.write(text)


def _become_worker(request: dict, fds: list[int], connection: socket.socket, worker) -> None:
    """The first process of the new PID namespace: nothing of the server's but its memory."""
    try:
        _libc.prctl(
            PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0
        )  # the launcher dies: so does this
        os.dup2(fds[2], 1)
        os.dup2(fds[3], 2)
        moved = [fcntl.fcntl(fd, fcntl.F_DUPFD, FIRST_FREE_FD) for fd in fds[:2]]
        for fd, target in zip(moved, WORKER_FDS):
            os.dup2(fd, target)
        connection.detach()  # its number is closed below: the object must not close a reused one
        os.closerange(WORKER_FDS[-1] + 1, os.sysconf("SC_OPEN_MAX"))
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["environment"])
        import numpy

        numpy.random.seed()  # fresh entropy, as a started worker's NumPy would have
        worker.run(dict(request["config"], request_fd=WORKER_FDS[0], response_fd=WORKER_FDS[1]))
    finally:
        os._exit(1)


def _follow(connection: socket.socket, pid: int, pidfd: int) -> int:
    """Send the worker's pid and a pidfd for it; kill it if the trusted side hangs up; send its
    exit status (as subprocess reports it) once it is over."""
    signal.signal(
        signal.SIGTERM, lambda *_signal: _kill_worker(pidfd)
    )  # the server stops: so does this
    connection.settimeout(None)
    socket.send_fds(connection, [json.dumps({"pid": pid}).encode() + b"\n"], [pidfd])
    watched: list[socket.socket | int] = [connection, pidfd]
    status = None
    while status is None:
        readable, _writable, _exceptional = select.select(watched, [], [])
        if connection in readable and not connection.recv(1):
            watched.remove(connection)
            _kill_worker(pidfd)
        done, wait_status = os.waitpid(pid, os.WNOHANG)
        if done:
            status = os.waitstatus_to_exitcode(wait_status)
    try:
        connection.sendall(json.dumps({"exit": status}).encode() + b"\n")
    except OSError:
        pass
    return 0


def _kill_worker(pidfd: int) -> None:
    """SIGKILL to the first process of the worker's PID namespace: the kernel kills the rest."""
    try:
        signal.pidfd_send_signal(pidfd, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _stop(launchers: set[int]) -> None:
    """Standard input closed: every launcher kills its worker (SIGTERM), then goes (SIGKILL)."""
    for pid in launchers:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + STOP_SECONDS
    while launchers and time.monotonic() < deadline:
        _reap(launchers)
        time.sleep(0.01)
    for pid in launchers:
        _kill_group(pid)
    os._exit(0)


def _reap(launchers: set[int]) -> None:
    """Collect every finished child: launchers, and workers whose launcher died first."""
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        launchers.discard(pid)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


if __name__ == "__main__":
    main(sys.argv)
