"""One forced self-check (the portable worker) graded once, and what it shows; as root, that
learner code runs as a fresh unprivileged uid (grader/jail/unprivileged.py), never as root."""

from __future__ import annotations

import ast
import json
import os
import shutil
import signal
import tempfile
import textwrap
from pathlib import Path

import pytest

from grader.course.catalogue import load_catalogue
from grader.sandbox import isolation as modes
from grader.sandbox import launch
from tests.conftest import SOLUTIONS, course_with_limits, run_grade
from tests.sandbox.test_isolation import AS_ROOT, grade_without_namespaces
from tests.sandbox.test_portable import LOOPING, needs_a_reachable_python

needs_root = pytest.mark.skipif(not AS_ROOT, reason="the portable worker drops only root")

FACTS = textwrap.dedent(
    """
    import os
    import time

    SOBEL_X = None
    SOBEL_Y = None
    SLEEPER = []


    def _sleeper():
        \"\"\"A daemon out of the worker's process group and environment: only its uid names it.\"\"\"
        read, write = os.pipe()
        if os.fork() == 0:
            os.setsid()
            pid = os.fork()
            if pid == 0:
                try:
                    os.execve("/bin/sleep", ["sleep", "600"], {})
                finally:
                    os._exit(0)
            os.write(write, str(pid).encode())
            os._exit(0)
        os.close(write)
        pid = int(os.read(read, 32))
        os.wait()
        return pid


    def _wrote(path, mode):
        try:
            with open(path, mode) as file:
                file.write("learner")
            return True
        except OSError:
            return False


    def sobel_edges(image):
        if not SLEEPER:
            SLEEPER.append(_sleeper())
        facts = {
            "uid": os.geteuid(), "gid": os.getegid(), "groups": os.getgroups(),
            "sleeper": SLEEPER[0],
            "appended": _wrote("__ROOT_OWNED__/kept.txt", "a"),
            "created": _wrote("__ROOT_OWNED__/new.txt", "w"),
        }
        raise RuntimeError(repr(facts))
    """
)
FLOOD = textwrap.dedent(
    """
    import os
    import time


    def zero_pad(x, pad):
        forked = 0
        for _ in range(64):  # bounded: as root, with no process limit, it would reach 64
            try:
                pid = os.fork()
            except OSError:
                break
            if pid == 0:
                time.sleep(60)
                os._exit(0)
            forked += 1
        raise RuntimeError(repr({"forked": forked, "uid": os.geteuid()}))


    same_padding = zero_pad
    """
)


@pytest.fixture(scope="module")
def portable_run():
    """One forced self-check, as root on this machine where it runs as root, of: ex01 (a
    function that never returns), ex02 (what its worker is and may write, and a daemon left
    behind), ex03 (as many processes as it can start) and ex06 (the solution)."""
    scratch = Path(tempfile.mkdtemp(prefix="grade-portable-"))
    scratch.chmod(0o755)
    root_owned = scratch / "root-owned"
    root_owned.mkdir(mode=0o755)
    (root_owned / "kept.txt").write_text("root's\n")
    (root_owned / "kept.txt").chmod(0o644)
    learner = scratch / "learner"
    learner.mkdir()
    (learner / "ex01_convolution.py").write_text(LOOPING)
    (learner / "ex02_sobel.py").write_text(FACTS.replace("__ROOT_OWNED__", str(root_owned)))
    (learner / "ex03_padding.py").write_text(FLOOD)
    shutil.copyfile(SOLUTIONS / "ex06_output_size.py", learner / "ex06_output_size.py")
    course = course_with_limits(scratch, call_timeout=0.5, time_limit=4, max_restarts=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(modes.PORTABLE_VARIABLE, "1")
        run = grade_without_namespaces(
            "--course",
            course,
            "ex01",
            "ex02",
            "ex03",
            "ex06",
            "--submission",
            learner,
            "--format",
            "json",
            scratch=scratch,
        )
    report = json.loads(run.stdout) if run.stdout else {}
    items = {item["id"]: item for item in report.get("exercises", [])}
    facts = {name: _raised(items.get(name, {})) for name in ("ex02", "ex03")}
    left = _alive(
        facts["ex02"].get("sleeper", 0), {facts[name].get("uid") for name in facts}, scratch
    )
    for pid in left:  # should the test fail, the daemons it planted go anyway
        os.kill(pid, signal.SIGKILL)
    yield run, report, items, facts, left, root_owned
    shutil.rmtree(scratch, ignore_errors=True)


def _raised(item: dict) -> dict:
    """The largest dict a learner function of `item` raised as a RuntimeError (by "forked")."""
    found = [
        ast.literal_eval(test["feedback"].split("raised RuntimeError: ", 1)[1].split("\n")[0])
        for test in item.get("tests", [])
        if "raised RuntimeError: {" in test["feedback"]
    ]
    return max(found, key=lambda facts: facts.get("forked", 0), default={})


def _alive(sleeper: int, uids: set, scratch: Path) -> list[int]:
    """The test's own processes still alive (zombies are dead): the planted daemon (by its pid
    and its working folder, in `scratch`), and any process of a worker's fresh uid. Never any
    other process: not root's, whatever a worker reported as its uid."""
    fresh = {
        uid
        for uid in uids
        if isinstance(uid, int)
        and launch.WORKER_UID_BASE <= uid < launch.WORKER_UID_BASE + launch.WORKER_UID_RANGE
    }
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            status = Path(entry.path, "status").read_text()
            folder = os.readlink(Path(entry.path, "cwd")) if int(entry.name) == sleeper else ""
        except OSError:
            continue
        if "\nState:\tZ" in status:
            continue
        uid_line = next(line for line in status.splitlines() if line.startswith("Uid:"))
        ours = folder.startswith(str(scratch) + os.sep)
        if ours or fresh & {int(value) for value in uid_line.split()[1:]}:
            found.append(int(entry.name))
    return found


@needs_a_reachable_python
def test_a_forced_portable_worker_grades_full_marks_and_says_self_check(portable_run):
    run, report, items, _facts, _left, _root_owned = portable_run
    assert run.exit_code == 1, run.stderr
    assert report["protection"] == "self-check"
    assert "a self-check on this machine" in report["protection_note"]
    assert items["ex06"]["score"] == items["ex06"]["max_score"] == 15


@needs_a_reachable_python
def test_a_timeout_in_the_portable_worker_is_a_zero_point_test_with_feedback(portable_run):
    item = portable_run[2]["ex01"]
    convolve = [test for test in item["tests"] if test["name"].startswith("convolve2d")]
    assert convolve and all(test["score"] == 0 for test in convolve)
    assert any(test["status"] == "timeout" for test in convolve)
    assert all(test["feedback"] for test in convolve)
    assert any(test["status"] == "passed" for test in item["tests"])  # filter_response still counts


@needs_root
@needs_a_reachable_python
def test_learner_code_in_a_self_check_by_root_runs_as_a_fresh_uid_with_no_groups(portable_run):
    facts = portable_run[3]["ex02"]
    assert launch.WORKER_UID_BASE <= facts["uid"] < launch.WORKER_UID_BASE + launch.WORKER_UID_RANGE
    assert facts["gid"] == facts["uid"]
    assert facts["groups"] == []
    assert facts["uid"] != portable_run[3]["ex03"]["uid"]  # a fresh uid for every exercise


@needs_root
@needs_a_reachable_python
def test_learner_code_in_a_self_check_by_root_cannot_write_roots_files(portable_run):
    facts, root_owned = portable_run[3]["ex02"], portable_run[5]
    assert facts["appended"] is False and facts["created"] is False
    assert (root_owned / "kept.txt").read_text() == "root's\n"
    assert not (root_owned / "new.txt").exists()


@needs_root
@needs_a_reachable_python
def test_a_process_flood_in_a_self_check_meets_the_process_limit(portable_run):
    _run, _report, items, facts, _left, _root_owned = portable_run
    limit = load_catalogue().item("ex03").limits.processes
    assert 0 < facts["ex03"]["forked"] < limit
    assert items["ex03"]["score"] == 0
    assert items["ex06"]["score"] == 15  # the next exercise is graded in full


@needs_root
@needs_a_reachable_python
def test_a_self_check_by_root_kills_every_process_its_worker_left(portable_run):
    facts, left = portable_run[3], portable_run[4]
    assert facts["ex02"]["sleeper"] > 0  # the daemon did start, out of the worker's group
    assert left == []


@needs_root
def test_a_portable_worker_that_cannot_drop_root_is_a_zero_point_failure(monkeypatch):
    """uid -1 tells setresuid "leave it as it is": a worker that stays root must say so."""
    monkeypatch.setenv(modes.PORTABLE_VARIABLE, "1")
    monkeypatch.setattr(modes, "python_unreachable_for_others", lambda: "")
    monkeypatch.setattr(launch, "WORKER_UID_BASE", -1)
    monkeypatch.setattr(launch, "WORKER_UID_RANGE", 1)
    run = run_grade("ex01", "--submission", SOLUTIONS, "--format", "json")
    item = run.item("ex01")
    assert run.exit_code != 0 and item["score"] == 0
    assert all(test["score"] == 0 and test["feedback"] for test in item["tests"])
    assert any("sandbox could not start" in test["feedback"] for test in item["tests"])
    assert any("not -1/-1" in test["feedback"] for test in item["tests"])


@pytest.mark.parametrize(("language", "words"), [("en", "ordinary user"), ("ko", "일반 사용자")])
def test_a_self_check_by_root_is_refused_where_python_is_closed_to_others(
    monkeypatch, language, words
):
    monkeypatch.setenv(modes.PORTABLE_VARIABLE, "1")
    monkeypatch.setattr(modes, "is_root", lambda: True)
    monkeypatch.setattr(modes, "python_unreachable_for_others", lambda: "/opt/closed-python")
    run = run_grade("ex01", "--submission", SOLUTIONS, "--lang", language)
    assert run.exit_code == 2
    assert "/opt/closed-python" in run.stderr and words in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1 and "Traceback" not in run.stderr
    assert run.stdout == ""


@pytest.mark.parametrize(
    ("root", "view", "words"),
    [
        (True, {"uid": 1234567, "gid": 1234567}, ""),
        (True, {"uid": 0, "gid": 0}, "uid 0"),  # the worker kept root, whatever it says next
        (True, {"uid": 1234567, "gid": 0}, "group 0"),
        (False, {"uid": 501, "gid": 20}, ""),  # a learner's own user on their own laptop
    ],
)
def test_the_trusted_side_checks_a_portable_workers_uid_when_root(monkeypatch, root, view, words):
    monkeypatch.setattr(modes, "is_root", lambda: root)
    problem = modes.Isolation(modes.PORTABLE).view_problem(view, 1234567)
    assert (words in problem) if words else problem == ""
