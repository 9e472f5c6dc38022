"""A red-team pass over pre-warmed workers (grader/processes/prewarm.py, grader/jail/zygote.py): a
learner whose file runs in a worker forked from the batch worker's server tries to reach the
server, the next learner or the trusted side through what a fork inherits."""

from __future__ import annotations

import ast
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from grader.failures import GradingFailure
from grader.processes import prewarm
from grader.sandbox.client import WorkerClient
from grader.sandbox.isolation import LIMITS, USERNS, strongest_mode
from grader.sandbox.launch import JAIL_DIR
from tests.conftest import SOLUTIONS
from tests.processes.test_prewarm import forked_workers, forking, server, workers  # noqa: F401  (fixtures)

pytestmark = pytest.mark.skipif(
    strongest_mode() == LIMITS, reason="pre-warmed workers need Linux namespaces"
)
ARGUMENTS = (np.ones((1, 1)), np.ones((1, 1)))
X86_64 = pytest.mark.skipif(
    platform.machine() != "x86_64", reason="the keyring probes use x86-64's system call numbers"
)
KEYRING = """import ctypes

libc = ctypes.CDLL(None, use_errno=True)
SESSION = -3  # KEY_SPEC_SESSION_KEYRING
ADD_KEY, KEYCTL, KEYCTL_SEARCH, KEYCTL_READ = 248, 250, 10, 11


def filter_response(patch, kernel):
    found = libc.syscall(KEYCTL, KEYCTL_SEARCH, SESSION, b"user", b"from-a-learner", 0)
    if found > 0:
        buffer = ctypes.create_string_buffer(64)
        libc.syscall(KEYCTL, KEYCTL_READ, found, buffer, 64)
        raise RuntimeError(repr({"seen": buffer.value.decode()}))
    added = libc.syscall(ADD_KEY, b"user", b"from-a-learner", b"left behind", 11, SESSION)
    raise RuntimeError(repr({"seen": None, "added": added > 0}))
"""
SYSTEM_V = """import ctypes

libc = ctypes.CDLL(None, use_errno=True)


def filter_response(patch, kernel):
    try:
        for name in ("shmmax", "shmall"):
            with open("/proc/sys/kernel/" + name, "w") as setting:
                setting.write("1073741824")
        written = True
    except OSError:
        written = False
    raise RuntimeError(repr({"written": written, "segment": libc.shmget(0, 1 << 20, 0o1000 | 0o600)}))
"""
USER_KEYRING = KEYRING.replace("SESSION = -3", "SESSION = -4")  # KEY_SPEC_USER_KEYRING
SIGNALS_ITS_GROUP = """import ctypes, os, signal, time


def filter_response(patch, kernel):
    libc = ctypes.CDLL(None)
    libc.prctl(1, 0, 0, 0, 0)  # no parent-death signal
    os.kill(0, signal.SIGKILL)  # every process of its process group (the first one of a PID namespace survives)
    try:
        os.setsid()  # out of reach of a kill of the group it was started in
    except OSError:
        pass
    if os.fork() == 0:
        return 1.0  # the child answers (and dies with the pipes); the first process stays
    libc.prctl(15, b"escaped", 0, 0, 0)
    while True:
        time.sleep(0.05)
"""
AS_A_USER = """import json, os, sys, tempfile, time
import numpy as np
from grader.course.catalogue import load_catalogue
from grader.failures import GradingFailure
from grader.processes import prewarm
from grader.sandbox.client import WorkerClient
from grader.sandbox.isolation import Isolation, strongest_mode
from grader.sandbox.launch import make_scratch, prepare


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] not in "ZX"
    except OSError:
        return False


server = prewarm.WorkerServer()
assert server.wait_ready()
os.environ[prewarm.SERVERS_VARIABLE] = json.dumps({prewarm.NUMPY: server.socket_path})
exercise = next(item for item in load_catalogue().exercises if item.id == "ex01")
scratch = make_scratch(tempfile.gettempdir() + "/grade-")
answers = []
for source, forked in json.loads(sys.argv[1]):
    if not forked:
        os.environ.pop(prewarm.SERVERS_VARIABLE)
    client = WorkerClient(prepare(exercise, source.encode(), scratch), exercise, Isolation(strongest_mode()))
    client.start()
    client.exercise_deadline = time.monotonic() + 60
    client._wait_ready()
    with open(f"/proc/{client.process.pid}/stat") as stat:
        launcher = int(stat.read().rsplit(")", 1)[1].split()[1])
    try:
        answer = repr(client.call("filter_response", (np.ones((1, 1)),) * 2, {}, description="f"))
    except GradingFailure as failure:
        answer = str(failure)
    time.sleep(0.2)  # for a signal sent to the launcher to take effect
    answers.append({"answer": answer, "forked": client.process.forked is not None, "launcher": alive(launcher)})
    client.close()
    time.sleep(0.2)
    answers[-1]["outlived"] = [pid for pid in os.listdir("/proc") if pid.isdigit() and alive(pid)
                               and open(f"/proc/{pid}/comm").read().strip() == "escaped"]
    for pid in answers[-1]["outlived"]:
        os.kill(int(pid), 9)
server.close()
print(json.dumps({"mode": strongest_mode(), "uid": os.geteuid(), "answers": answers}))
"""


def _facts(client: WorkerClient) -> dict:
    """What a probe's filter_response raised, as a dict."""
    with pytest.raises(GradingFailure) as failure:
        client.call("filter_response", ARGUMENTS, {}, description="f")
    assert client.process.forked is not None
    return ast.literal_eval(str(failure.value).split("RuntimeError: ", 1)[1].split("\n")[0])


@X86_64
def test_a_key_left_in_the_session_keyring_does_not_reach_the_next_learner(forked_workers):
    """Keyrings belong to no namespace a worker gets: every process forked (or started) by the
    grader shares its session keyring, and possessing it is permission enough to add to it."""
    first = forked_workers(KEYRING)
    assert _facts(first)["seen"] is None
    first.close()
    assert _facts(forked_workers(KEYRING))["seen"] is None


def _launcher(client: WorkerClient) -> int:
    """The server's fork that follows this worker: the worker's parent, outside its namespace."""
    return int(Path(f"/proc/{client.process.pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def test_a_worker_whose_launcher_dies_is_a_grading_failure_not_a_grader_error(forked_workers):
    """The launcher's report never comes (it was killed, say by the out-of-memory killer): the
    worker dies with it, and the trusted side says so; it does not stumble on the missing report."""
    client = forked_workers(
        "import time\n\ndef filter_response(patch, kernel):\n    time.sleep(30)\n"
    )
    client.start()
    client.exercise_deadline = time.monotonic() + 30
    client._wait_ready()
    os.kill(_launcher(client), signal.SIGKILL)
    with pytest.raises(GradingFailure):
        client.call("filter_response", ARGUMENTS, {}, description="f")
    client.close()


@pytest.fixture(scope="module")
def as_a_user():
    """Probes graded by a grader that is not root (so in "userns" mode), each forked by its own
    server: the grader runs as uid 1000 of a user namespace of its own (still able to read
    Python's files, which root's may keep from a real other user)."""
    sources = [
        [SYSTEM_V, True],
        [KEYRING, True],
        [KEYRING, True],
        [SIGNALS_ITS_GROUP, True],
        [SIGNALS_ITS_GROUP, False],
    ]
    run = subprocess.run(
        [
            "unshare",
            "--user",
            "--map-user=1000",
            "--map-group=1000",
            sys.executable,
            "-c",
            AS_A_USER,
            json.dumps(sources),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if run.returncode != 0 and "unshare:" in run.stderr:
        pytest.skip(f"no user namespace for a test grader here: {run.stderr.strip()}")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout.splitlines()[-1])
    assert report["mode"] == USERNS and report["uid"] == 1000
    assert [answer["forked"] for answer in report["answers"]] == [
        forked for _source, forked in sources
    ]
    return report["answers"]


def _raised(answer: dict) -> dict:
    return ast.literal_eval(answer["answer"].split("RuntimeError: ", 1)[1].split("\n")[0])


def test_as_root_a_learner_cannot_turn_system_v_memory_back_on(forked_workers):
    assert _facts(forked_workers(SYSTEM_V)) == {"written": False, "segment": -1}


def test_in_a_user_namespace_a_learner_cannot_turn_system_v_memory_back_on(as_a_user):
    """The IPC namespace's settings belong to the worker's own user namespace, whose root the
    learner is (with no capability): /proc/sys must be read-only, or it writes them back."""
    assert _raised(as_a_user[0]) == {"written": False, "segment": -1}


@X86_64
def test_in_a_user_namespace_a_key_does_not_reach_the_next_learner(as_a_user):
    """Every worker there is the grader's own uid: its keyrings must still be its own."""
    assert _raised(as_a_user[1])["seen"] is None and _raised(as_a_user[1])["added"]
    assert _raised(as_a_user[2])["seen"] is None


MASKED_MOUNT = """import json, os, sys
sys.path.insert(0, sys.argv[1])
import jail

base = sys.argv[2]
jail._mount(None, "/", None, jail.MS_REC | jail.MS_PRIVATE)
os.makedirs(base + "/tree/secret/inner")
jail._mount("inner", base + "/tree/secret/inner", "tmpfs", 0, "size=64k")
os.makedirs(base + "/root")
jail.enter({"root": base + "/root", "tmp_mb": 1,
            "steps": [["bind", base + "/tree"], ["mask", base + "/tree/secret"]]})
print(json.dumps([line.split()[1] for line in open("/proc/self/mounts") if "rw" in line.split()[3].split(",")]))
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="builds a jail by hand, as root")
def test_a_mount_that_a_mask_hides_does_not_stop_the_jail(tmp_path):
    """A tree bound with a mount inside it, and a mask over the part holding that mount (a
    course's secrets on a volume of their own, say): the jail still stands, read-only."""
    run = subprocess.run(
        [
            "unshare",
            "--mount",
            "--pid",
            "--fork",
            sys.executable,
            "-I",
            "-c",
            MASKED_MOUNT,
            str(JAIL_DIR),
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert run.returncode == 0, run.stderr
    assert set(json.loads(run.stdout)) <= {
        "/tmp",
        "/var/tmp",
        "/dev/shm",
        "/proc",
        "/dev/null",
        "/dev/zero",
        "/dev/full",
        "/dev/random",
        "/dev/urandom",
    }


REACH = """import gc, os, socket, sys


def filter_response(patch, kernel):
    try:  # the server's socket, named in the command line this process inherited
        socket.socket(socket.AF_UNIX).connect(sys.argv[1])
        reached = True
    except OSError:
        reached = False
    raise RuntimeError(repr({"reached": reached, "processes": [p for p in os.listdir("/proc") if p.isdigit()],
                             "open_sockets": [o.fileno() for o in gc.get_objects()
                                              if isinstance(o, socket.socket) and o.fileno() >= 0]}))
"""


def test_a_learner_cannot_reach_its_server_or_see_beyond_its_namespace(forked_workers):
    """It knows the socket's path (sys.argv is the server's) but not the way there; the
    server's listener and the launcher's connection are closed objects in its memory."""
    assert _facts(forked_workers(REACH)) == {
        "reached": False,
        "processes": ["1"],
        "open_sockets": [],
    }


def test_a_server_that_takes_the_pipes_and_fails_leaves_them_dead(
    forked_workers, tmp_path, monkeypatch
):
    """A launcher that got the worker's pipes and then failed: the worker is started instead, on
    fresh pipes, and nothing that launcher may still start can talk to the trusted side."""
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(tmp_path / "socket"))
    listener.listen(1)
    received: list[int] = []

    def take_and_fail() -> None:
        connection, _address = listener.accept()
        received.extend(socket.recv_fds(connection, 4, 4)[1])
        connection.close()

    thread = threading.Thread(target=take_and_fail)
    thread.start()
    monkeypatch.setenv(
        prewarm.SERVERS_VARIABLE, json.dumps({prewarm.NUMPY: str(tmp_path / "socket")})
    )
    client = forked_workers((SOLUTIONS / "ex01_convolution.py").read_text())
    assert (
        client.call("filter_response", (np.ones((2, 2)), np.ones((2, 2))), {}, description="f")
        == 4.0
    )
    assert client.process.forked is None
    thread.join(10)
    request, response = received[:2]
    os.set_blocking(request, False)
    assert os.read(request, 1) == b""  # no writer left: not a BlockingIOError
    with pytest.raises(BrokenPipeError):
        os.write(response, b"x")
    for fd in received:
        os.close(fd)
    listener.close()


@pytest.mark.skipif(os.geteuid() != 0, reason="about the fresh uids of a grader that runs as root")
@X86_64
def test_a_key_left_for_a_later_learner_with_the_same_uid_is_gone(forked_workers):
    """Fresh uids are drawn at random, so two learners may get the same one (one class in a
    few hundred, more over many runs), and a uid's keyring lives as long as the kernel does."""
    clients = []
    for _repeat in range(2):
        client = forked_workers(USER_KEYRING)
        client.spec.uid = 1_999_999  # the same uid drawn twice
        os.chown(client.spec.folder / "tmp", client.spec.uid, client.spec.uid)
        clients.append(client)
    first = _facts(clients[0])
    clients[0].close()
    assert first["seen"] is None and first["added"]
    assert _facts(clients[1])["seen"] is None


def test_in_a_user_namespace_a_learner_cannot_signal_its_launcher(as_a_user):
    """Its launcher is the grader's own uid there, and led the process group the worker was
    forked into: a signal to its process group (kill(0, ...)) must stay inside its namespace."""
    assert as_a_user[3]["answer"] == "1.0"
    assert as_a_user[3]["launcher"], "the learner killed its launcher"
    assert not as_a_user[3]["outlived"]


def test_in_a_user_namespace_a_started_worker_cannot_outlive_its_grading(as_a_user):
    """Started, not forked: killing its `unshare` (same uid, same process group) and leaving
    that group, the worker's first process was out of reach of the trusted side's kill."""
    assert as_a_user[4]["answer"] == "1.0"
    assert not as_a_user[4]["outlived"], "the worker outlived its grading"
