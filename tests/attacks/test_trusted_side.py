"""Attacks on what the trusted side spends: its memory when a worker answers, the machine's
memory when a worker's processes together grow.

A worker (or learner code writing to its pipe) may send any bytes; the grader must refuse a
message before parsing it costs more than a small, fixed amount of memory. And each worker's
processes volunteer to be the first the kernel kills when memory runs out, so that a tree of
processes, each within its limits, cannot cost the grader its life.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from grader.course.catalogue import COURSE_ROOT
from tests.attacks.test_attacks import build_submission, scratch, short_limits, stray_workers  # noqa: F401
from tests.conftest import SOLUTIONS, course_with_limits

TRUSTED_PEAK_MB = 600  # the grader grading ex01 and ex06 takes about 150 MB
PEAK_OF_CHILDREN = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], capture_output=True); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)"
)


def test_a_flood_of_lists_in_the_pipe_costs_the_grader_no_memory(short_limits, tmp_path):
    """60 MB of "[]," would be 20 million lists, about 3 GB, in the grader's process."""
    folder = build_submission("floods_the_pipe_with_lists", tmp_path / "submission")
    report = tmp_path / "report.json"
    measured = subprocess.run(
        [
            sys.executable,
            "-c",
            PEAK_OF_CHILDREN,
            sys.executable,
            "-m",
            "grader",
            "--course",
            str(short_limits),
            "ex01",
            "ex06",
            "--submission",
            str(folder),
            "--format",
            "json",
            "--output",
            str(report),
        ],
        capture_output=True,
        text=True,
        cwd=COURSE_ROOT,
        timeout=300,
    )
    peak_mb = int(measured.stdout.split()[-1])
    assert peak_mb < TRUSTED_PEAK_MB, f"the grader grew to {peak_mb} MB"
    assert '"score": 15.0' in report.read_text()


OOM_PROBE = '''"""Reports, through an exception, its out-of-memory score and whether it can lower it."""
SOBEL_X = None
SOBEL_Y = None


def sobel_edges(image):
    score = open("/proc/self/oom_score_adj").read().strip()
    try:
        open("/proc/self/oom_score_adj", "w").write("-1000")
        lowered = True
    except OSError:
        lowered = False
    raise RuntimeError(repr({"score": int(score), "lowered": lowered}))
'''


@pytest.mark.skipif(sys.platform != "linux", reason="oom_score_adj is Linux's")
def test_workers_are_the_first_the_kernel_kills(grade, tmp_path):
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "ex02_sobel.py").write_text(OOM_PROBE)
    shutil.copyfile(SOLUTIONS / "ex06_output_size.py", folder / "ex06_output_size.py")
    report = grade("ex02", "ex06", "--submission", folder, "--format", "json")
    feedback = next(
        test["feedback"]
        for test in report.item("ex02")["tests"]
        if "raised RuntimeError" in test["feedback"]
    )
    facts = ast.literal_eval(feedback.split("raised RuntimeError: ", 1)[1].split("\n")[0])
    assert facts == {"score": 1000, "lowered": False}
    assert report.item("ex06")["score"] == 15
    assert int(open(f"/proc/{os.getpid()}/oom_score_adj").read()) < 1000  # the grader is not


def _resident_mb_of_workers(scope: Path) -> int:
    """The resident memory of every live process whose environment names `scope` (the test's
    scratch folder: every worker process carries it in its marker variable)."""
    marker, pages = str(scope).encode(), 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            if marker in Path(entry.path, "environ").read_bytes():
                pages += int(Path(entry.path, "statm").read_text().split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return pages * os.sysconf("SC_PAGE_SIZE") >> 20


def test_a_worker_s_processes_together_stay_within_its_memory_limit(grade, scratch, tmp_path):
    """Seven processes of 400 MB each pass no address-space limit of 512 MB, but together they
    hold 2.8 GB; the worker is killed when its processes together pass 512 MB."""
    course = course_with_limits(
        tmp_path, memory_mb=512, call_timeout=20.0, time_limit=30.0, max_restarts=1
    )
    folder = build_submission("memory_bomb_across_processes", tmp_path / "submission")
    peak, done = [0], threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], _resident_mb_of_workers(scratch))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        run = grade("--course", course, "ex01", "ex06", "--submission", folder, "--format", "json")
    finally:
        done.set()
        sampler.join()
    assert run.exit_code == 1, run.stderr
    assert run.item("ex01")["score"] == 0 and run.item("ex06")["score"] == 15
    assert "memory limit (512 MB for all the processes" in run.item("ex01")["tests"][0]["feedback"]
    assert peak[0] < 1024, f"the worker's processes held {peak[0]} MB together"
    assert stray_workers(scratch) == []


@pytest.mark.skipif(
    os.geteuid() != 0, reason="a worker gets a fresh uid only when the grader is root"
)
def test_without_namespaces_a_daemon_that_shed_its_marker_is_still_swept(tmp_path):
    """Without namespaces, a worker's leftovers are found by their marker variable or their
    fresh uid. A daemon that starts with an empty environment keeps only its uid, and the owner
    of /proc/PID of a process that is not dumpable (as one that changed its uid is, where
    fs.suid_dumpable is 0) is root on most kernels, so the uid is read from its status."""
    from grader.course.catalogue import Limits
    from grader.sandbox.isolation import LIMITS, Isolation
    from grader.sandbox.launch import SandboxSpec, kill_strays

    uid = 1_999_999
    daemon = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import ctypes, os, time; os.setresgid({uid}, {uid}, {uid}); "
            f"os.setresuid({uid}, {uid}, {uid}); ctypes.CDLL(None).prctl(4, 0, 0, 0, 0); "
            "time.sleep(60)",
        ],
        env={},
    )  # 4: PR_SET_DUMPABLE, as suid_dumpable=0 makes it
    try:
        time.sleep(0.5)
        spec = SandboxSpec(
            folder=tmp_path, config={}, token="no-such-marker", uid=uid, limits=Limits()
        )
        kill_strays(spec, Isolation(LIMITS))
        assert daemon.wait(timeout=5) < 0
    finally:
        daemon.kill()
        daemon.wait()


def _long_chains(size: int) -> str:
    """A learner file of about `size` characters: an import of scipy, then lines of attribute
    chains 800 long, which a check that reads each chain from every inner attribute takes
    minutes over."""
    line_count = size // 1610
    return "import scipy as x\n" + "".join(
        f"y{index} = x" + ".a" * 800 + "\n" for index in range(line_count)
    )


@pytest.mark.parametrize("size", [200_000, 1_000_000])
def test_the_static_check_of_a_learner_file_takes_the_grader_seconds_at_most(size):
    from grader.sandbox.policy import forbidden_imports

    source = _long_chains(size)
    started = time.process_time()  # this process's CPU time: other processes' load adds none
    assert forbidden_imports(source) == []
    assert time.process_time() - started < 5.0


def test_a_file_of_long_chains_costs_its_exercise_and_nothing_else(grade, short_limits, tmp_path):
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "ex01_convolution.py").write_text(_long_chains(1_000_000))
    shutil.copyfile(SOLUTIONS / "ex06_output_size.py", folder / "ex06_output_size.py")
    started = time.process_time()  # the trusted side's CPU time (the workers are children)
    run = grade(
        "--course", short_limits, "ex01", "ex06", "--submission", folder, "--format", "json"
    )
    assert run.exit_code == 1, run.stderr
    assert run.item("ex01")["score"] == 0 and run.item("ex06")["score"] == 15
    assert time.process_time() - started < 30


SLOWLY = """

# The course's solution above, taking 15 ms over every answer.
import functools
import time


def _slowly(function):
    @functools.wraps(function)
    def slow(*args, **kwargs):
        time.sleep(0.015)
        return function(*args, **kwargs)
    return slow


for _name in ("conv_output_size", "conv_output_shape", "pool_output_shape", "conv2d_param_count",
              "dense_param_count"):
    globals()[_name] = _slowly(globals()[_name])
"""


def test_an_exercise_that_spends_all_its_time_leaves_the_next_one_its_own(
    grade, short_limits, tmp_path
):
    """The next exercise's worker starts while this one's tests run; its time limit must start
    with its own first call, or an attack that spends its whole budget takes the next one's."""
    folder = build_submission("uses_all_of_its_time", tmp_path / "submission")
    (folder / "ex06_output_size.py").write_text(
        (SOLUTIONS / "ex06_output_size.py").read_text() + SLOWLY
    )
    run = grade(
        "--course", short_limits, "ex01", "ex06", "--submission", folder, "--format", "json"
    )
    assert run.exit_code == 1, run.stderr
    assert run.item("ex01")["score"] == 0
    ex06 = run.item("ex06")
    assert ex06["score"] == 15, [
        test["feedback"] for test in ex06["tests"] if test["score"] < test["max_score"]
    ]
