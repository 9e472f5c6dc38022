"""Pre-warmed workers (grader/processes/prewarm.py, grader/jail/zygote.py): one server per batch
worker has imported NumPy, and each worker is forked from it into fresh namespaces, its own uid
and private /tmp, before the learner's file is loaded. One learner's worker cannot leave
anything for the next one, or see one running beside it; killing a worker kills all it started.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from grader.course.catalogue import load_catalogue
from grader.failures import GradingFailure
from grader.processes import prewarm
from grader.sandbox.client import WorkerClient
from grader.sandbox.isolation import LIMITS, Isolation, strongest_mode
from grader.sandbox.launch import make_scratch, prepare
from tests.attacks.test_jail import MOUNT_PROBE, SCRATCH_AND_DEVICES
from tests.attacks.test_left_behind import _daemons, _daemons_started
from tests.conftest import SOLUTIONS

pytestmark = pytest.mark.skipif(
    strongest_mode() == LIMITS, reason="pre-warmed workers need Linux namespaces"
)
TRAPS = Path(__file__).resolve().parents[1] / "attacks" / "batch_fixtures"
NEIGHBOUR = """import os
open("/tmp/NEIGHBOUR.txt", "w").write("here")
os.environ["NEIGHBOUR"] = "1"


def filter_response(patch, kernel):
    return float(os.path.exists("/tmp/NEIGHBOUR.txt")) + 10 * float("NEIGHBOUR" in os.environ)
"""


@pytest.fixture(scope="module")
def server():
    started = prewarm.WorkerServer()
    assert started.wait_ready(), Path(started.folder, "stderr").read_text()
    yield started
    started.close()


@pytest.fixture
def forking(server, monkeypatch):
    monkeypatch.setenv(prewarm.SERVERS_VARIABLE, json.dumps({prewarm.NUMPY: server.socket_path}))
    return server


@pytest.fixture
def workers(tmp_path):
    """Make ex01 workers for sources; every one is closed at the end."""
    exercise = next(item for item in load_catalogue().exercises if item.id == "ex01")
    isolation = Isolation(strongest_mode())
    scratch = make_scratch(str(tmp_path / "grade-"))
    made: list[WorkerClient] = []

    def make(source: str | bytes) -> WorkerClient:
        data = source.encode() if isinstance(source, str) else source
        client = WorkerClient(prepare(exercise, data, scratch), exercise, isolation)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()
    shutil.rmtree(scratch, ignore_errors=True)


@pytest.fixture
def forked_workers(forking, workers):
    """`workers`, each forked by the module's server."""
    return workers


def _observer() -> str:
    return (
        (SOLUTIONS / "ex01_convolution.py").read_text()
        + "\n"
        + (TRAPS / "checks_for_traps.py").read_text()
    )


def test_a_forked_worker_grades_like_a_started_one(forking, workers):
    image, kernel = np.arange(36.0).reshape(6, 6), np.ones((3, 3))
    started_value = None
    solution = (SOLUTIONS / "ex01_convolution.py").read_bytes()
    forked = workers(solution)
    value = forked.call("convolve2d", (image, kernel), {}, description="convolve2d")
    assert forked.process.forked is not None  # by the server, not started
    os.environ.pop(prewarm.SERVERS_VARIABLE)
    started = workers(solution)
    started_value = started.call("convolve2d", (image, kernel), {}, description="convolve2d")
    assert started.process.forked is None
    np.testing.assert_array_equal(value, started_value)


def test_a_forked_worker_hashes_strings_like_a_started_one(forking, workers):
    """Every fork of a server shares its hash salt, and each server had its own: a learner's
    set of strings iterated in one order pre-warmed and in another cold."""
    from tests.sandbox.test_launch import STRING_HASHES, string_hash_answer

    forked = workers(STRING_HASHES)
    forked_answer = string_hash_answer(forked)
    assert forked.process.forked is not None
    os.environ.pop(prewarm.SERVERS_VARIABLE)
    started = workers(STRING_HASHES)
    assert string_hash_answer(started) == forked_answer
    assert started.process.forked is None


def test_the_next_learner_forked_from_the_same_server_is_unaffected(forking, workers):
    """The first worker plants traps everywhere it can (files, environment, a patched NumPy,
    sys.modules, a daemon in its own session); the next one, forked from the same server,
    finds none of them, and the daemon died with its worker."""
    planter = workers((TRAPS / "a_leaves_traps" / "ex01_convolution.py").read_bytes())
    assert (
        planter.call(
            "filter_response", (np.ones((2, 2)), np.ones((2, 2))), {}, description="filter_response"
        )
        == 4.0
    )
    assert planter.process.forked is not None
    assert _daemons_started()  # planted, and alive while its worker is
    planter.close()
    observer = workers(_observer())
    assert (
        observer.call(
            "filter_response", (np.ones((2, 2)), np.ones((2, 2))), {}, description="filter_response"
        )
        == 4.0
    )  # it raises, naming a trace, if it sees one
    assert observer.process.forked is not None
    deadline = time.monotonic() + 5
    while _daemons() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _daemons(), "the daemon outlived its worker"


def test_two_workers_running_side_by_side_cannot_see_each_other(forking, workers):
    first, second = workers(NEIGHBOUR), workers(NEIGHBOUR)
    arguments = (np.ones((1, 1)), np.ones((1, 1)))
    assert (
        first.call("filter_response", arguments, {}, description="f") == 11.0
    )  # its own file and variable
    assert (
        second.call("filter_response", arguments, {}, description="f") == 11.0
    )  # not 11 + the other's
    assert first.process.pid != second.process.pid
    assert not Path("/tmp/NEIGHBOUR.txt").exists()


def test_a_forked_worker_runs_as_a_fresh_uid_with_no_descriptor_of_the_server(forking, workers):
    probe = """import os

def filter_response(patch, kernel):
    fds = sorted(int(fd) for fd in os.listdir("/proc/self/fd"))
    raise RuntimeError(repr({"uid": os.getuid(), "pid": os.getpid(), "fds": fds,
                             "environment": sorted(os.environ)}))
"""
    client = workers(probe)
    with pytest.raises(GradingFailure) as failure:
        client.call("filter_response", (np.ones((1, 1)), np.ones((1, 1))), {}, description="f")
    facts = ast.literal_eval(str(failure.value).split("RuntimeError: ", 1)[1].split("\n")[0])
    assert facts["pid"] == 1
    if os.geteuid() == 0:
        assert facts["uid"] == client.spec.uid != 0
    assert set(facts["fds"]) <= {0, 1, 2, 3, 4, max(facts["fds"])}  # its pipes; listdir's own
    assert prewarm.SERVERS_VARIABLE not in facts["environment"]
    assert "HOME" in facts["environment"]


def test_only_the_scratch_folders_are_writable_in_a_forked_worker(forking, workers):
    client = workers(MOUNT_PROBE.replace("__FUNCTION__", "filter_response"))
    with pytest.raises(GradingFailure) as failure:
        client.call("filter_response", (np.ones((1, 1)), np.ones((1, 1))), {}, description="f")
    facts = ast.literal_eval(str(failure.value).split("RuntimeError: ", 1)[1].split("\n")[0])
    assert set(facts["writable"]) <= SCRATCH_AND_DEVICES, (
        set(facts["writable"]) - SCRATCH_AND_DEVICES
    )


def test_closing_a_forked_worker_kills_all_it_started(forking, workers):
    spawner = """import os, time

def filter_response(patch, kernel):
    for _ in range(3):
        if os.fork() == 0:
            try:
                os.setsid()
                import ctypes
                libc = ctypes.CDLL(None)
                libc.prctl(1, 0, 0, 0, 0)  # no parent-death signal
                libc.prctl(15, b"leftbehind", 0, 0, 0)  # its name, as /proc/PID/comm shows it
                while True:
                    time.sleep(0.05)
            finally:
                os._exit(0)
    return 1.0
"""
    client = workers(spawner)
    assert (
        client.call("filter_response", (np.ones((1, 1)), np.ones((1, 1))), {}, description="f")
        == 1.0
    )
    assert _daemons_started()
    client.close()
    deadline = time.monotonic() + 5
    while _daemons() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _daemons()


def test_a_worker_that_dies_has_its_exit_status_reported(forking, workers):
    client = workers("import os\n\ndef filter_response(patch, kernel):\n    os._exit(7)\n")
    with pytest.raises(GradingFailure, match="7"):
        client.call("filter_response", (np.ones((1, 1)), np.ones((1, 1))), {}, description="f")


def test_without_a_server_the_worker_is_started(workers, tmp_path, monkeypatch):
    """A server that is gone (or never was) costs nothing but the warm start."""
    monkeypatch.setenv(
        prewarm.SERVERS_VARIABLE, json.dumps({prewarm.NUMPY: str(tmp_path / "gone")})
    )
    client = workers((SOLUTIONS / "ex01_convolution.py").read_bytes())
    assert (
        client.call("filter_response", (np.ones((2, 2)), np.ones((2, 2))), {}, description="f")
        == 4.0
    )
    assert client.process.forked is None


def test_another_user_cannot_reach_the_server(server):
    """The socket lies in a folder only the grader's user may enter."""
    if os.geteuid() != 0:
        pytest.skip("needs root, to try as another user")
    attempt = (
        "import os, socket; os.setgid(54321); os.setuid(54321); s = socket.socket(socket.AF_UNIX); "
        f"s.connect({server.socket_path!r})"
    )
    run = subprocess.run([sys.executable, "-I", "-c", attempt], capture_output=True, text=True)
    assert run.returncode != 0 and "PermissionError" in run.stderr


def test_the_server_stops_with_every_worker_it_forked(workers, monkeypatch):
    own = prewarm.WorkerServer()
    assert own.wait_ready()
    monkeypatch.setenv(prewarm.SERVERS_VARIABLE, json.dumps({prewarm.NUMPY: own.socket_path}))
    client = workers("import time\n\ndef filter_response(patch, kernel):\n    time.sleep(60)\n")
    client.start()
    client.exercise_deadline = time.monotonic() + 60
    client._wait_ready()
    pid = client.process.pid
    own.close()
    deadline = time.monotonic() + 5
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    status = Path(f"/proc/{pid}/status").read_text() if Path(f"/proc/{pid}").exists() else "gone"
    assert status == "gone" or "zombie" in status
    assert not own.folder.exists()
