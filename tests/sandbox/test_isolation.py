"""The sandbox: which isolation runs, what a worker can see, and what happens without namespaces."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from grader.cli.app import Course
from grader.course.catalogue import COURSE_ROOT, PACKAGE_DIR
from grader.sandbox import launch, policy
from grader.sandbox.isolation import (
    LIMITS,
    USERNS,
    Isolation,
    first_closed_folder,
    python_unreachable_for_others,
    strongest_mode,
)
from tests.attacks.test_attacks import ATTACKS, stray_workers
from tests.conftest import SOLUTIONS, SUBMISSION_FIXTURES, GradeRun, run_grade

CAN_UNSHARE = strongest_mode() != LIMITS
AS_ROOT = os.geteuid() == 0
needs_namespaces = pytest.mark.skipif(not CAN_UNSHARE, reason="this machine offers no namespaces")


def probe_source() -> str:
    source = (SUBMISSION_FIXTURES / "environment_probe" / "ex01_convolution.py").read_text()
    return source.replace("__GRADER__", str(PACKAGE_DIR)).replace("__COURSE__", str(COURSE_ROOT))


def facts_of(run: GradeRun) -> dict:
    """What the environment probe saw, from its ex01 feedback, plus the report's protection."""
    assert run.item("ex06")["score"] == 15, run.stderr
    feedback = run.item("ex01")["tests"][0]["feedback"]
    facts = ast.literal_eval(feedback.split("raised RuntimeError: ", 1)[1].split("\n")[0])
    facts["protection"] = run.json()["protection"]
    return facts


def probe(make_submission, course: Course | None = None) -> dict:
    folder = make_submission(ex01=probe_source(), ex06=SOLUTIONS)
    return facts_of(
        run_grade("ex01", "ex06", "--submission", folder, "--format", "json", course=course)
    )


def test_worker_environment_is_built_from_scratch(make_submission, monkeypatch):
    for name in (
        "GITHUB_TOKEN",
        "PYTHONPATH",
        "PYTEST_ADDOPTS",
        "PYTHONSTARTUP",
        "AWS_SECRET_ACCESS_KEY",
    ):
        monkeypatch.setenv(name, "leak")
    facts = probe(make_submission)
    assert set(facts["env"]) <= set(policy.BASE_ENVIRONMENT) | {
        "HOME",
        "TMPDIR",
        "KERAS_HOME",
        launch.WORKER_TOKEN_VARIABLE,
    }


@needs_namespaces
def test_namespaces_hide_the_course_and_the_machine(make_submission):
    facts = probe(make_submission)
    assert facts["protection"] == "namespaces"
    assert facts["pid"] == 1  # a PID namespace of its own
    assert not facts["grader"] and not facts["course"] and not facts["solutions"]
    assert facts["mount"] != 0  # no capability left to mount over the jail
    assert facts["own_file_writable"] is False
    if AS_ROOT:
        assert (
            launch.WORKER_UID_BASE
            <= facts["uid"]
            < launch.WORKER_UID_BASE + launch.WORKER_UID_RANGE
        )


@needs_namespaces
def test_user_namespace_mode_drops_capabilities(make_submission):
    facts = probe(make_submission, Course(isolation=Isolation(USERNS)))
    assert facts["protection"] == "namespaces"
    assert not facts["grader"] and not facts["course"]
    assert facts["mount"] != 0


# ------------------------------------------------------------------------------ without namespaces


@pytest.fixture
def open_scratch():
    """A temporary folder a worker's fresh uid can pass through (pytest's own are private)."""
    folder = Path(tempfile.mkdtemp(prefix="grade-test-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def grade_without_namespaces(
    *args: str | Path, scratch: Path, python_args: tuple[str, ...] = ("-m", "grader")
) -> GradeRun:
    """`grade ARGS` in a real process that finds no `unshare`, so its probe must say "limits"
    (`python_args`: how that Python starts the grader, `-m grader` unless a test shims it).

    As root, Python may live where no other user may enter: under /root (pyenv), or in a virtual
    environment inside a private folder (`mktemp -d`, as .ci/run makes). The run then happens in
    a private mount namespace where each such folder is an open tmpfs holding only that Python
    or environment, so that learner code can run as an unprivileged uid, as it must.
    """
    environment = dict(os.environ, PATH="/nonexistent", TMPDIR=str(scratch))
    command = [sys.executable, *python_args, *map(str, args)]
    if AS_ROOT and python_unreachable_for_others():
        script, script_args = _open_up_script(scratch)
        environment["PATH"] = os.environ.get("PATH", "/usr/bin:/bin")
        command = [
            "/usr/bin/unshare",
            "--mount",
            "--propagation",
            "private",
            "/bin/sh",
            "-c",
            script,
            "sh",
            *script_args,
            *command,
        ]
    completed = subprocess.run(
        command, capture_output=True, text=True, cwd=COURSE_ROOT, env=environment, timeout=120
    )
    return GradeRun(completed.returncode, completed.stdout, completed.stderr)


def _open_up_script(scratch: Path) -> tuple[str, list[str]]:
    """A shell script (and its arguments) that makes this Python's folders enterable by anyone.

    Each folder Python needs (its installation and, in a virtual environment, the environment)
    is bound aside, a tmpfs with mode 0755 covers the closed folder above it, and the folder is
    bound back into place: nothing else of the closed folder is visible inside the namespace.
    """
    needed = sorted({os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix)})
    needed = [path for path in needed if first_closed_folder(path)]
    closed = sorted({first_closed_folder(path) for path in needed}, key=len)
    lines, args = ["set -e"], []
    for index, path in enumerate(needed):
        holder = scratch / f"python-{index}"
        holder.mkdir(exist_ok=True)
        lines.append(f'mount --bind "${{{len(args) + 1}}}" "${{{len(args) + 2}}}"')
        args += [path, str(holder)]
    for folder in closed:
        lines.append(f'mount -t tmpfs -o mode=0755 tmpfs "${{{len(args) + 1}}}"')
        args.append(folder)
    for index in range(len(needed)):
        lines.append(
            f'mkdir -p "${{{2 * index + 1}}}"; mount --bind "${{{2 * index + 2}}}" "${{{2 * index + 1}}}"'
        )
    lines.append(f'shift {len(args)}; exec env PATH=/nonexistent "$@"')
    return "; ".join(lines), args


@pytest.mark.skipif(
    AS_ROOT and not CAN_UNSHARE,
    reason="the test needs a mount namespace to give an unprivileged uid a Python to run",
)
def test_without_namespaces_root_needs_the_instructors_flag(open_scratch):
    run = grade_without_namespaces(
        "ex01", "--submission", SOLUTIONS, "--format", "json", scratch=open_scratch
    )
    if not AS_ROOT:  # an ordinary user may grade with limits: workers cannot become root anyway
        assert run.exit_code == 0 and json.loads(run.stdout)["protection"] == "limits"
        return
    assert run.exit_code == 2
    assert "--allow-weak-sandbox" in run.stderr and "Traceback" not in run.stderr
    assert run.stdout == ""


@pytest.mark.skipif(AS_ROOT and not CAN_UNSHARE, reason="needs a mount namespace (see above)")
def test_limits_mode_grades_says_so_and_never_runs_learner_code_as_root(
    make_submission, open_scratch
):
    folder = make_submission(ex01=probe_source(), ex06=SOLUTIONS)
    run = grade_without_namespaces(
        "ex01",
        "ex06",
        "--submission",
        folder,
        "--format",
        "json",
        "--allow-weak-sandbox",
        scratch=open_scratch,
    )
    facts = facts_of(GradeRun(run.exit_code, run.stdout, run.stderr))
    report = json.loads(run.stdout)
    assert report["protection"] == "limits"
    assert "namespaces" in report["protection_note"]
    assert facts["uid"] != 0
    if AS_ROOT:
        assert (
            launch.WORKER_UID_BASE
            <= facts["uid"]
            < launch.WORKER_UID_BASE + launch.WORKER_UID_RANGE
        )
    text = grade_without_namespaces(
        "ex01", "--submission", SOLUTIONS, "--allow-weak-sandbox", scratch=open_scratch
    )
    assert text.exit_code == 0 and "protection: limits" in text.stdout


@pytest.mark.skipif(AS_ROOT and not CAN_UNSHARE, reason="needs a mount namespace (see above)")
def test_limits_mode_kills_what_the_worker_left_behind(make_submission, open_scratch):
    folder = make_submission(ex01=ATTACKS / "leaves_daemons_behind", ex06=SOLUTIONS)
    run = grade_without_namespaces(
        "ex01",
        "ex06",
        "--submission",
        folder,
        "--format",
        "json",
        "--allow-weak-sandbox",
        scratch=open_scratch,
    )
    report = json.loads(run.stdout)
    assert [item["score"] for item in report["exercises"]] == [0, 15]
    assert stray_workers(open_scratch) == []


@needs_namespaces
def test_a_failing_probe_means_no_namespaces_and_as_root_no_grading(monkeypatch):
    import grader.sandbox.probe as probe_module

    monkeypatch.setattr(probe_module, "prepare_probe", _broken_probe(probe_module.prepare_probe))
    run = run_grade("ex01", "--submission", SOLUTIONS, "--format", "json")
    if AS_ROOT:
        assert run.exit_code == 2
        assert "the sandbox probe failed" in run.stderr and "--allow-weak-sandbox" in run.stderr
    else:
        assert run.json()["protection"] == "limits"
        assert "the sandbox probe failed" in run.json()["protection_note"]


def _broken_probe(real):
    def prepare(scratch, limits):
        spec = real(scratch, limits)
        (spec.folder / "jail.py").write_text("raise SystemExit('this jail is broken')\n")
        return spec

    return prepare


def test_static_check_finds_forbidden_imports():
    source = (
        "import numpy as np\nimport tensorflow as tf\nfrom scipy import signal\n"
        "from scipy.ndimage import convolve\nk = __import__('keras')\n"
        "import importlib\nimportlib.import_module('scipy.signal')\nimport scipy.linalg\n"
    )
    assert policy.forbidden_imports(source) == [
        "keras",
        "scipy.ndimage",
        "scipy.signal",
        "tensorflow",
    ]
    assert policy.forbidden_imports("import numpy\nimport scipy.linalg\n") == []
    assert policy.forbidden_imports("def broken(:\n") == []


@pytest.mark.parametrize(
    "source, banned",
    [
        (
            "import scipy as sp\ndef f(x):\n    return sp.ndimage.maximum_filter(x, 2)\n",
            "scipy.ndimage",
        ),
        ("import scipy\ny = scipy.signal.correlate2d\n", "scipy.signal"),
        ("from scipy import signal as s\n", "scipy.signal"),
    ],
)
def test_static_check_follows_aliases(source, banned):
    assert policy.forbidden_imports(source) == [banned]


@pytest.mark.parametrize(
    "source",
    [
        "import numpy as np\nnp.pad\n",
        "import scipy.linalg\nscipy.linalg.norm\n",
        "signal = 3\nsignal.real\n",
    ],
)
def test_static_check_allows_the_rest(source):
    assert policy.forbidden_imports(source) == []
