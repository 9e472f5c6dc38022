"""grader/jail/unprivileged.py: the portable worker's drop from root, checked by the worker
itself. Each case runs in a child process: a drop cannot be undone."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from grader.course.catalogue import PACKAGE_DIR

UNPRIVILEGED = PACKAGE_DIR / "jail" / "unprivileged.py"
FRESH = 1_234_567
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="only root can change its uid")


def in_child(statements: str) -> dict:
    """Run `statements` after loading unprivileged.py as `drop`; what they print, as JSON."""
    code = f"import json, os, runpy\ndrop = runpy.run_path({str(UNPRIVILEGED)!r})\n{statements}\n"
    finished = subprocess.run(
        [sys.executable, "-I", "-c", code], capture_output=True, text=True, timeout=30
    )
    assert finished.returncode == 0, finished.stderr
    return json.loads(finished.stdout)


def test_the_drop_leaves_the_fresh_uid_no_groups_and_no_way_back():
    facts = in_child(
        f"problem = drop['become']({FRESH}, {FRESH})\n"
        "try:\n    os.setuid(0)\n    back = True\nexcept OSError:\n    back = False\n"
        "print(json.dumps({'problem': problem, 'ids': os.getresuid() + os.getresgid(),"
        " 'groups': os.getgroups(), 'back': back,"
        " 'no_new_privs': 'NoNewPrivs:\\t1' in open('/proc/self/status').read()}))"
    )
    assert facts == {
        "problem": None,
        "ids": [FRESH] * 6,
        "groups": [],
        "back": False,
        "no_new_privs": sys.platform == "linux",
    }


@pytest.mark.parametrize(
    ("statements", "words"),
    [
        ("", "not 1234567/1234567"),  # still root: nothing was changed
        (
            f"os.setgroups([0]); os.setresgid({FRESH}, {FRESH}, {FRESH}); "
            f"os.setresuid({FRESH}, {FRESH}, {FRESH})",
            "kept the groups [0]",
        ),
        (
            f"os.setgroups([]); os.setresgid({FRESH}, {FRESH}, {FRESH}); "
            f"os.setresuid({FRESH}, {FRESH}, 0)",
            "could become root again",
        ),  # saved uid 0
    ],
)
def test_the_check_names_a_drop_that_went_wrong(statements, words):
    facts = in_child(f"{statements}\nprint(json.dumps(drop['_check']({FRESH}, {FRESH})))")
    assert words in facts


def test_a_uid_that_means_leave_it_unchanged_is_caught():
    """-1 tells setresuid "leave it as it is": the process stays root, and says so."""
    problem = in_child("print(json.dumps(drop['become'](-1, -1)))")
    assert problem is not None and "not -1/-1" in problem
