"""Red team: a learner reaching for `grade batch`'s warm fork server.

`reaches_for_the_warm_server` signals every process it can see (SIGSTOP, SIGKILL, its parent,
-1, its process group), looks for the server's address in every environment it can read,
connects to every Unix socket it finds and asks it to run the grader, and writes requests into
every file descriptor it has. The next learner of the same batch worker is the ex01 solution:
it must be graded in full, forked by the very same server (nothing stopped or killed it), and
the attacker must have reached nothing. Only with namespaces: without them a worker that
stops every process of its uid would stop the test run itself.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from grader.processes import children
from grader.sandbox.isolation import LIMITS, strongest_mode
from tests.conftest import SOLUTIONS

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.mark.skipif(
    strongest_mode() == LIMITS, reason="the attack signals every process it can see"
)
def test_the_warm_server_survives_a_learner_reaching_for_it(grade, tmp_path, monkeypatch):
    learners = tmp_path / "class"
    shutil.copytree(FIXTURES / "reaches_for_the_warm_server", learners / "a_reaches")
    (learners / "b_honest").mkdir()
    shutil.copy(SOLUTIONS / "ex01_convolution.py", learners / "b_honest")
    warm_runs: list[str] = []
    real_run_warm = children.run_warm

    def counted(address, request, follow=None):
        answer = real_run_warm(address, request, follow)
        if answer is not None:
            warm_runs.append(request["module"])
        return answer

    monkeypatch.setattr(children, "run_warm", counted)
    out = tmp_path / "out"
    run = grade("batch", learners, "--out", out, "--workers", "1", "--seed", "7")
    assert run.exit_code == 1, run.stdout + run.stderr
    assert warm_runs == ["grader", "grader"]  # the second learner too was forked by the same server
    with open(out / "grades.csv", newline="", encoding="utf-8") as stream:
        rows = {row["learner"]: row for row in csv.DictReader(stream)}
    honest = json.loads((out / "b_honest.json").read_text())
    ex01 = next(exercise for exercise in honest["exercises"] if exercise["id"] == "ex01")
    assert float(rows["b_honest"]["ex01"]) == ex01["max_score"] == ex01["score"]
    attacker = json.loads((out / "a_reaches.json").read_text())
    feedback = " ".join(
        test["feedback"] for exercise in attacker["exercises"] for test in exercise["tests"]
    )
    assert "reached: []" in feedback, feedback[:2000]
    assert float(rows["a_reaches"]["ex01"]) == 0
