"""A learner cannot leave anything behind for the next learner of the same batch worker.

`grade batch --workers 1` grades `a_leaves_traps` and then `b_checks_for_traps` with one warm
server (grader/processes/warm.py) and one pre-warmed worker server (grader/processes/prewarm.py), so
the second learner's grading, and its worker, are forked from the very servers that forked the
first one's. The first plants traps in every place it can reach (files in
/tmp, /var/tmp, /dev/shm and its home, a shadowing numpy package and a sitecustomize.py, the
environment, a patched numpy, sys.modules, a daemon); the second
is the ex01 solution with a guard that fails every call, naming the trace, if it sees any.
"""

from __future__ import annotations

import csv
import json
import os
import time
from pathlib import Path

import pytest

from grader.instructor import tasks
from grader.processes import children
from grader.processes.prewarm import SERVERS_VARIABLE
from tests.conftest import SOLUTIONS

FIXTURES = Path(__file__).resolve().parent / "batch_fixtures"
GUARD = FIXTURES / "checks_for_traps.py"
KERAS_GUARD = FIXTURES / "checks_for_keras_traps.py"
DAEMON_NAME = "leftbehind"


def _daemons() -> list[str]:
    found = []
    for pid in os.listdir("/proc"):
        try:
            if pid.isdigit() and Path(f"/proc/{pid}/comm").read_text().strip() == DAEMON_NAME:
                found.append(pid)
        except OSError:
            continue
    return found


def _daemons_started(seconds: float = 10.0) -> list[str]:
    """The planted daemons, waited for: a daemon names itself a moment after its fork, later still
    on a busy machine."""
    deadline = time.monotonic() + seconds
    while not (found := _daemons()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


def _observer_source() -> str:
    return (SOLUTIONS / "ex01_convolution.py").read_text() + "\n" + GUARD.read_text()


def test_the_guard_sees_a_trace_when_there_is_one(monkeypatch):
    """The observer can fail: with a trace planted here, its functions raise and name it."""
    monkeypatch.setenv("LEFT_BEHIND", "1")
    namespace: dict = {"__name__": "observer"}
    exec(compile(_observer_source(), "observer", "exec"), namespace)
    with pytest.raises(RuntimeError, match="environment"):
        namespace["filter_response"]([[1.0]], [[1.0]])


def _batch_of_two(
    grade,
    tmp_path: Path,
    monkeypatch,
    planter: dict[str, str],
    observer: dict[str, str],
    **others: dict[str, str],
):
    """`grade batch --workers 1` over a planter then an observer (each: file name -> source),
    then any `others` (learner name -> files); (rows of grades.csv, the observer's report, the
    servers' variable), after checking that every grading was forked by the one warm server and
    every learner's workers by the same pre-warmed worker servers (grader/processes/prewarm.py)."""
    learners = tmp_path / "class"
    cohort = {"a_leaves_traps": planter, "b_checks_for_traps": observer, **others}
    for learner, files in cohort.items():
        (learners / learner).mkdir(parents=True)
        for name, source in files.items():
            (learners / learner / name).write_text(source)
    warm_runs: list[str] = []
    real_run_warm = children.run_warm

    def counted(address, request, follow=None):
        answer = real_run_warm(address, request, follow)
        if answer is not None:
            warm_runs.append(request["module"])
        return answer

    monkeypatch.setattr(children, "run_warm", counted)
    worker_servers: list[dict] = []
    real_environment = tasks.servers_environment

    def recorded(servers):
        worker_servers.append(real_environment(servers))
        return worker_servers[-1]

    monkeypatch.setattr(tasks, "servers_environment", recorded)
    out = tmp_path / "out"
    run = grade("batch", learners, "--out", out, "--workers", "1", "--seed", "5")
    assert run.exit_code == 1, run.stdout + run.stderr
    assert warm_runs.count("grader") == len(cohort)  # all forked by the one warm server
    assert len(worker_servers) == len(cohort) and worker_servers[0] != {}
    assert all(servers == worker_servers[0] for servers in worker_servers)
    with open(out / "grades.csv", newline="", encoding="utf-8") as stream:
        rows = {row["learner"]: row for row in csv.DictReader(stream)}
    return rows, json.loads((out / "b_checks_for_traps.json").read_text()), worker_servers[0]


def _feedback(report: dict, exercise_id: str) -> tuple[dict, str]:
    exercise = next(item for item in report["exercises"] if item["id"] == exercise_id)
    return exercise, " ".join(test["feedback"] for test in exercise["tests"])


def test_the_next_learner_in_the_same_batch_worker_is_unaffected(grade, tmp_path, monkeypatch):
    planter = {
        "ex01_convolution.py": (FIXTURES / "a_leaves_traps" / "ex01_convolution.py").read_text()
    }
    rows, observer, _worker_server = _batch_of_two(
        grade, tmp_path, monkeypatch, planter, {"ex01_convolution.py": _observer_source()}
    )
    ex01, feedback = _feedback(observer, "ex01")
    assert float(rows["b_checks_for_traps"]["ex01"]) == ex01["max_score"], feedback
    assert "LEFT_BEHIND" not in feedback
    assert float(rows["a_leaves_traps"]["ex01"]) > 0  # its own code ran: its traps were planted
    deadline = time.monotonic() + 5
    while _daemons() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _daemons(), "the daemon outlived its worker"
    assert not Path("/tmp/LEFT_BEHIND.txt").exists() and not Path("/tmp/sitecustomize.py").exists()


@pytest.mark.slow
def test_the_next_ex07_learner_forked_from_the_same_keras_server_is_unaffected(
    grade, tmp_path, monkeypatch
):
    """ex07's workers come from a server that imported Keras: a learner who changes Keras'
    settings and registry, or writes a keras.json, leaves nothing for the next one. A third
    learner, forked from the same server, changes Keras' settings in its own file before the
    guard looks: the guard sees that trace, so it can fail."""
    solution = (SOLUTIONS / "ex07_keras_cnn.py").read_text() + "\n"
    untrained = (  # the planter's points need no training: its traps are planted before
        "\n_planted = build_model\n\n\ndef build_model(*args, **kwargs):\n"
        "    model = _planted(*args, **kwargs)\n"
        "    model.compile(optimizer='adam', loss='categorical_crossentropy')\n"
        "    return model\n"
    )
    traps = (FIXTURES / "plants_keras_traps.py").read_text()
    planter = {"ex07_keras_cnn.py": solution + traps + untrained}
    guard = KERAS_GUARD.read_text()
    own_trace = "import keras\nkeras.config.set_floatx('float16')\n"
    rows, observer, servers = _batch_of_two(
        grade,
        tmp_path,
        monkeypatch,
        planter,
        {"ex07_keras_cnn.py": solution + guard},
        c_plants_its_own_trace={"ex07_keras_cnn.py": solution + own_trace + guard},
    )
    assert "keras" in json.loads(servers[SERVERS_VARIABLE])
    ex07, feedback = _feedback(observer, "ex07")
    assert float(rows["b_checks_for_traps"]["ex07"]) == ex07["max_score"], feedback
    assert "LEFT_BEHIND" not in feedback
    assert float(rows["a_leaves_traps"]["ex07"]) > 0  # its own code ran: its traps were planted
    assert not Path("/tmp/keras/keras.json").exists()
    planted = json.loads((tmp_path / "out" / "a_leaves_traps.json").read_text())
    assert "integer labels" in _feedback(planted, "ex07")[1]  # not trained: nothing to wait for
    traced = json.loads((tmp_path / "out" / "c_plants_its_own_trace.json").read_text())
    _ex07, traced_feedback = _feedback(traced, "ex07")
    assert "LEFT_BEHIND found: ['keras.config']" in traced_feedback, traced_feedback
