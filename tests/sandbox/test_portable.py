"""grader/sandbox/portable.py and the self-check decision: a learner's own code is graded wherever
Python runs, and instructor grading still refuses to grade without namespaces."""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from grader.sandbox import isolation as modes
from grader.sandbox.probe import IsolationProbe
from tests.conftest import SOLUTIONS, course_with_limits
from tests.sandbox.test_isolation import AS_ROOT, CAN_UNSHARE, grade_without_namespaces

# As root, the portable worker's fresh uid must reach Python: where it is closed to other users
# (pyenv under /root), each run happens in a mount namespace that opens it (test_isolation.py).
needs_a_reachable_python = pytest.mark.skipif(
    AS_ROOT and bool(modes.python_unreachable_for_others()) and not CAN_UNSHARE,
    reason="Python is closed to other users, and no mount namespace can open it up",
)

LOOPING = textwrap.dedent(
    """
    import numpy as np

    def filter_response(patch, kernel):
        return float(np.sum(np.multiply(patch, kernel)))

    def convolve2d(image, kernel):
        while True:
            pass
    """
)


def test_instructor_grading_never_heeds_the_portable_variable(monkeypatch):
    monkeypatch.setenv(modes.PORTABLE_VARIABLE, "1")
    monkeypatch.setattr(modes, "python_unreachable_for_others", lambda: "")
    with IsolationProbe() as instructor, IsolationProbe(self_check=True) as learner:
        assert not instructor.get().portable
        assert learner.get().portable


@pytest.mark.parametrize(
    ("platform", "root", "release", "allow_weak", "allowed"),
    [
        ("darwin", False, False, False, True),
        ("win32", False, True, False, True),
        ("linux", True, True, False, True),  # Colab: root, no namespaces, the student release
        ("linux", True, False, False, False),  # the course repository keeps its refusal
        ("linux", True, True, True, False),  # --allow-weak-sandbox: limits as a fresh uid
        ("linux", False, True, False, False),  # not root: the "limits" worker, as before
    ],
)
def test_where_a_self_check_may_replace_a_refusal(
    monkeypatch, platform, root, release, allow_weak, allowed
):
    monkeypatch.setattr(modes.sys, "platform", platform)
    monkeypatch.setattr(modes, "is_root", lambda: root)
    found = object() if not release else None
    monkeypatch.setattr(modes.importlib.util, "find_spec", lambda name: found)
    assert modes.self_check_allowed(allow_weak) is allowed


def test_instructor_grading_elsewhere_than_linux_is_refused(monkeypatch):
    monkeypatch.setattr(modes.sys, "platform", "darwin")
    with pytest.raises(modes.WeakSandboxRefused, match="needs Linux namespaces"):
        modes.weak("no namespaces", allow_weak=True)


HIDDEN = textwrap.dedent(
    """
    import importlib.abc, os, sys
    class Hidden(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("resource", "fcntl", "termios"):
                raise ImportError("no module named " + name + " here")
    sys.meta_path.insert(0, Hidden())
    for name in ("unshare", "sched_setaffinity", "pidfd_open"):
        if hasattr(os, name):
            delattr(os, name)
    """
)
WORKER_SHIM = HIDDEN + textwrap.dedent(
    """
    import runpy
    assert not hasattr(os, "unshare")
    with open(__file__ + ".ran", "a") as ran:  # for the test: this worker's modules were hidden
        ran.write("worker ")
    sys.argv = sys.argv[1:]
    runpy.run_path(sys.argv[0], run_name="__main__")
    """
)
GRADER_SHIM = HIDDEN + textwrap.dedent(
    """
    import types
    import grader.sandbox.isolation as modes
    class Mac(types.ModuleType):  # the decision sees a Mac: no namespaces, the portable worker
        platform = "darwin"
        def __getattr__(self, name):
            return getattr(sys, name)
    modes.sys = Mac("sys")
    sys.executable = sys.argv.pop(1)  # the worker starts through the shim, its modules hidden too
    from grader.cli import main
    main()
    """
)


@pytest.mark.slow
@needs_a_reachable_python
def test_the_worker_grades_with_linux_only_modules_hidden(tmp_path):
    scratch = Path(tempfile.mkdtemp(prefix="grade-hidden-"))
    scratch.chmod(0o755)  # as root, the worker's fresh uid passes through it to its Python
    shims = scratch / "shims"
    shims.mkdir(mode=0o755)
    (shims / "worker_shim.py").write_text(WORKER_SHIM, encoding="utf-8")
    python = shims / "python"  # the shim then runs worker.py with the modules hidden
    python.write_text(
        "#!/bin/sh\n"
        'while [ "${1#-}" != "$1" ]; do shift; done\n'  # drop the interpreter flags
        f'exec {sys.executable} -I -s "{shims}/worker_shim.py" "$@"\n',
        encoding="utf-8",
    )
    python.chmod(0o755)
    learner = tmp_path / "learner"
    learner.mkdir()
    (learner / "ex01_convolution.py").write_text(LOOPING, encoding="utf-8")
    (learner / "ex03_padding.py").write_bytes((SOLUTIONS / "ex03_padding.py").read_bytes())
    course = course_with_limits(tmp_path, call_timeout=0.5, time_limit=4, max_restarts=1)
    try:
        finished = grade_without_namespaces(
            "--course",
            course,
            "ex01",
            "ex03",
            "--submission",
            learner,
            "--format",
            "json",
            "--lang",
            "ko",
            scratch=scratch,
            python_args=("-c", GRADER_SHIM, str(python)),
        )
        ran = (shims / "worker_shim.py.ran").read_text()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    assert finished.exit_code == 1, finished.stderr
    assert ran.count("worker") >= 2  # ex01 and ex03
    report = json.loads(finished.stdout)
    assert report["protection"] == "self-check"
    assert "이 컴퓨터" in report["protection_note"]  # the self-check said in Korean too
    ex01, ex03 = report["exercises"]
    assert ex03["score"] == ex03["max_score"]
    assert any(test["status"] == "timeout" and test["score"] == 0 for test in ex01["tests"])
