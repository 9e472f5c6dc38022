"""Attacks on the jail: nothing a worker sees may be written but its scratch folders, and as
root no worker keeps root's uid.

A recursive bind copies the mounts below a bound tree with their own flags, so a tree bound
read-only could still hold writable mounts (the control groups below /sys/fs/cgroup for
TensorFlow, the jail's own root seen again through the worker's folder). Each test has the
learner's code list the writable mounts it can see, for an exercise of each kind of jail.
"""

from __future__ import annotations

import ast
import os
import shutil

import pytest

from grader.cli.app import Course
from grader.sandbox.isolation import ROOT, USERNS, Isolation
from tests.attacks.test_attacks import NAMESPACES
from tests.conftest import SOLUTIONS, run_grade

SCRATCH_AND_DEVICES = {
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
MOUNT_PROBE = '''"""Raises, as its feedback, the mount points it can see that are not read-only."""
import os


def _writable_mounts():
    found = []
    for line in open("/proc/self/mounts"):
        point, options = line.split()[1], line.split()[3].split(",")
        if "rw" in options:
            found.append(point)
    return found


def __FUNCTION__(*args, **kwargs):
    raise RuntimeError(repr({"writable": sorted(_writable_mounts()), "uid": os.getuid()}))
'''
JAILS = {"ex02": ("ex02_sobel.py", "sobel_edges"), "ex07": ("ex07_keras_cnn.py", "build_model")}


@pytest.mark.skipif(not NAMESPACES, reason="the jail needs Linux namespaces")
@pytest.mark.parametrize("exercise_id", sorted(JAILS))
def test_only_the_scratch_folders_are_writable(exercise_id, grade, tmp_path):
    file_name, function = JAILS[exercise_id]
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / file_name).write_text(MOUNT_PROBE.replace("__FUNCTION__", function))
    shutil.copyfile(SOLUTIONS / "ex06_output_size.py", folder / "ex06_output_size.py")
    run = grade(exercise_id, "ex06", "--submission", folder, "--format", "json")
    assert run.exit_code == 1, run.stderr
    feedback = next(
        test["feedback"]
        for test in run.item(exercise_id)["tests"]
        if "raised RuntimeError" in test["feedback"]
    )
    facts = ast.literal_eval(feedback.split("raised RuntimeError: ", 1)[1].split("\n")[0])
    assert facts["uid"] != 0
    assert set(facts["writable"]) <= SCRATCH_AND_DEVICES, (
        set(facts["writable"]) - SCRATCH_AND_DEVICES
    )
    assert run.item(exercise_id)["score"] == 0
    assert run.item("ex06")["score"] == 15


UID_PROBE = '''"""Raises, as its feedback, its uid and whether it could write the kernel's settings."""
import os

SOBEL_X = None
SOBEL_Y = None


def sobel_edges(image):
    raise RuntimeError(repr({"uid": os.getuid(), "euid": os.geteuid(),
                             "sysctl": os.access("/proc/sys/kernel/core_pattern", os.W_OK)}))
'''


@pytest.mark.skipif(not NAMESPACES or os.geteuid() != 0, reason="about a grader that runs as root")
@pytest.mark.parametrize("mode", [ROOT, USERNS])
def test_as_root_learner_code_never_runs_as_root_in_any_mode(mode, tmp_path):
    """A user namespace that root creates maps its root to the real root: without a capability
    left, that uid could still write root's files, /proc/sys/kernel/core_pattern among them (a
    command the kernel runs as root). So as root every mode gives workers a fresh uid."""
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "ex02_sobel.py").write_text(UID_PROBE)
    run = run_grade(
        "ex02", "--submission", folder, "--format", "json", course=Course(isolation=Isolation(mode))
    )
    feedback = next(
        test["feedback"]
        for test in run.item("ex02")["tests"]
        if "raised RuntimeError" in test["feedback"]
    )
    facts = ast.literal_eval(feedback.split("raised RuntimeError: ", 1)[1].split("\n")[0])
    assert facts["uid"] != 0 and facts["euid"] != 0
    assert facts["sysctl"] is False
