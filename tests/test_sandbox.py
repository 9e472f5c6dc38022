"""The sandbox: which isolation runs, what a worker can see, and the fallbacks when it cannot."""

from __future__ import annotations

import ast
import os

import pytest

from grader import sandbox
from grader.catalogue import COURSE_ROOT, PACKAGE_DIR
from tests.conftest import SOLUTIONS, SUBMISSION_FIXTURES

CAN_UNSHARE = sandbox.isolation() != sandbox.ISOLATION_LIMITS


def probe(grade, make_submission, tmp_path) -> dict:
    source = (SUBMISSION_FIXTURES / "environment_probe" / "ex01_convolution.py").read_text()
    source = source.replace("__GRADER__", str(PACKAGE_DIR)).replace("__COURSE__", str(COURSE_ROOT))
    folder = make_submission(ex01=source, ex06=SOLUTIONS)
    run = grade("ex01", "ex06", "--submission", folder, "--format", "json")
    assert run.item("ex06")["score"] == 15
    feedback = run.item("ex01")["tests"][0]["feedback"]
    facts = ast.literal_eval(feedback.split("raised RuntimeError: ", 1)[1].split("\n")[0])
    facts["protection"] = run.json()["protection"]
    return facts


@pytest.fixture
def force_isolation(monkeypatch):
    def force(mode: str) -> None:
        monkeypatch.setitem(sandbox._isolation_override, "mode", mode)
    return force


def test_worker_environment_is_built_from_scratch(grade, make_submission, tmp_path, monkeypatch):
    for name in ("GITHUB_TOKEN", "PYTHONPATH", "PYTEST_ADDOPTS", "PYTHONSTARTUP", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "leak")
    facts = probe(grade, make_submission, tmp_path)
    assert set(facts["env"]) <= set(sandbox.BASE_ENVIRONMENT) | {"HOME", "TMPDIR", "KERAS_HOME",
                                                                sandbox.WORKER_TOKEN_VARIABLE}


@pytest.mark.skipif(not CAN_UNSHARE, reason="this machine offers no namespaces; see test_limits_*")
def test_namespaces_hide_the_course_and_the_machine(grade, make_submission, tmp_path):
    facts = probe(grade, make_submission, tmp_path)
    assert facts["protection"] == "namespaces"
    assert facts["pid"] == 1  # a PID namespace of its own
    assert not facts["grader"] and not facts["course"] and not facts["solutions"]
    assert facts["mount"] != 0  # no capability left to mount over the jail
    assert facts["own_file_writable"] is False
    if os.geteuid() == 0:
        assert sandbox.WORKER_UID_BASE <= facts["uid"] < sandbox.WORKER_UID_BASE + sandbox.WORKER_UID_RANGE


@pytest.mark.skipif(not CAN_UNSHARE, reason="this machine offers no namespaces")
def test_user_namespace_mode_drops_capabilities(grade, make_submission, tmp_path, force_isolation):
    force_isolation(sandbox.ISOLATION_USERNS)
    facts = probe(grade, make_submission, tmp_path)
    assert facts["protection"] == "namespaces"
    assert not facts["grader"] and not facts["course"]
    assert facts["mount"] != 0


def test_limits_mode_grades_and_says_so(grade, tmp_path, force_isolation):
    force_isolation(sandbox.ISOLATION_LIMITS)
    run = grade("ex01", "ex06", "--submission", SOLUTIONS, "--format", "json")
    assert run.exit_code == 0
    assert run.json()["protection"] == "limits"
    text = grade("ex01", "--submission", SOLUTIONS).stdout
    assert "protection: limits" in text


def test_limits_mode_kills_what_the_worker_left_behind(grade, make_submission, force_isolation,
                                                       tmp_path, monkeypatch):
    import tempfile

    from tests.attacks.test_attacks import ATTACKS, stray_workers

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    force_isolation(sandbox.ISOLATION_LIMITS)
    folder = make_submission(ex01=ATTACKS / "leaves_daemons_behind", ex06=SOLUTIONS)
    run = grade("ex01", "ex06", "--submission", folder, "--format", "json")
    assert run.item("ex01")["score"] == 0
    assert stray_workers(tmp_path) == []


@pytest.mark.skipif(not CAN_UNSHARE, reason="this machine offers no namespaces")
def test_a_jail_that_fails_falls_back_to_limits(grade, monkeypatch):
    real_jail = sandbox.SandboxSpec._jail

    def broken_jail(self):
        config = real_jail(self)
        config["root"] = "/nonexistent/jail/root"
        return config

    monkeypatch.setattr(sandbox.SandboxSpec, "_jail", broken_jail)
    monkeypatch.setattr(sandbox, "_isolation_override", {})
    run = grade("ex01", "ex06", "--submission", SOLUTIONS, "--format", "json")
    assert run.exit_code == 0
    report = run.json()
    assert report["protection"] == "limits"
    assert "the worker jail failed" in report["protection_note"]


def test_static_check_finds_forbidden_imports():
    from grader.static_checks import forbidden_imports

    source = ("import numpy as np\nimport tensorflow as tf\nfrom scipy import signal\n"
              "from scipy.ndimage import convolve\nk = __import__('keras')\n"
              "import importlib\nimportlib.import_module('scipy.signal')\nimport scipy.linalg\n")
    assert forbidden_imports(source) == ["keras", "scipy.ndimage", "scipy.signal", "tensorflow"]
    assert forbidden_imports("import numpy\nimport scipy.linalg\n") == []
    assert forbidden_imports("def broken(:\n") == []


@pytest.mark.parametrize("source, banned", [
    ("import scipy as sp\ndef f(x):\n    return sp.ndimage.maximum_filter(x, 2)\n", "scipy.ndimage"),
    ("import scipy\ny = scipy.signal.correlate2d\n", "scipy.signal"),
    ("from scipy import signal as s\n", "scipy.signal"),
])
def test_static_check_follows_aliases(source, banned):
    from grader.static_checks import forbidden_imports

    assert forbidden_imports(source) == [banned]


@pytest.mark.parametrize("source", [
    "import numpy as np\nnp.pad\n", "import scipy.linalg\nscipy.linalg.norm\n", "signal = 3\nsignal.real\n",
])
def test_static_check_allows_the_rest(source):
    from grader.static_checks import forbidden_imports

    assert forbidden_imports(source) == []
