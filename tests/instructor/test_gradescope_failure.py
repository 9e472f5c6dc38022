"""run_autograder when the grader itself fails: no results.json, a non-zero exit, the reason in the log.

Gradescope shows "The autograder failed to execute correctly" when run_autograder leaves no
valid /autograder/results/results.json (its troubleshooting guide); the submission then has no
score and the instructor can rerun it. So the script must never turn a grader failure into a
results.json, least of all one with a 0. The bundle's real run_autograder runs here in a
temporary /autograder whose `python3` is this interpreter, except that `python3 -m grader` is a
fake grader that writes a chosen report and exits with a chosen code (and records its
arguments).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.instructor.gradescope import RUN_AUTOGRADER

GRADED = {
    "score": 12.5,
    "execution_time": 1.0,
    "output": "Visible now: ex01 10 / 10.",
    "visibility": "visible",
    "stdout_visibility": "hidden",
    "extra_data": {"seed": 123456789, "protection": "namespaces"},
    "tests": [
        {
            "name": "ex01 a test",
            "score": 10.0,
            "max_score": 10.0,
            "status": "passed",
            "output": "",
            "visibility": "visible",
        }
    ],
}
UNCHECKED = dict(
    GRADED,
    extra_data={
        "seed": 123456789,
        "protection": "namespaces",
        "unchecked": ["ex02: sobel_edges: generated images"],
    },
)
FAKE_GRADER = """#!{python}
import json, os, sys
arguments = sys.argv[1:]
if arguments[:2] != ["-m", "grader"]:
    os.execv({python!r}, [{python!r}, *arguments])
with open(os.environ["FAKE_ARGUMENTS"], "w") as stream:
    json.dump(arguments, stream)
report = os.environ.get("FAKE_REPORT")
if report is not None:
    with open(arguments[arguments.index("--output") + 1], "w") as stream:
        stream.write(report)
if os.environ.get("FAKE_CRASH"):
    raise RuntimeError("a grader bug")
sys.exit(int(os.environ["FAKE_EXIT"]))
"""


def run_autograder(
    tmp_path: Path,
    exit_code: int,
    report: str | None,
    *,
    crash: bool = False,
    stale_results: bool = False,
) -> tuple[subprocess.CompletedProcess, Path]:
    """The bundle's run_autograder in a temporary /autograder with a fake grader: (the run, root)."""
    root = tmp_path / "autograder"
    for folder in ("source", "submission", "results"):
        (root / folder).mkdir(parents=True)
    (root / "run_autograder").write_text(RUN_AUTOGRADER, encoding="utf-8")
    (root / "run_autograder").chmod(0o755)
    (root / "submission" / "ex01_convolution.py").write_text("def convolve2d(image, kernel): ...\n")
    if stale_results:
        (root / "results" / "results.json").write_text(
            json.dumps(dict(GRADED, score=0)), encoding="utf-8"
        )
    shims = tmp_path / "bin"
    shims.mkdir()
    (shims / "python3").write_text(FAKE_GRADER.format(python=sys.executable), encoding="utf-8")
    (shims / "python3").chmod(0o755)
    env = dict(
        os.environ,
        PATH=f"{shims}{os.pathsep}{os.environ['PATH']}",
        FAKE_EXIT=str(exit_code),
        FAKE_ARGUMENTS=str(tmp_path / "arguments.json"),
    )
    env.pop("FAKE_REPORT", None)
    if report is not None:
        env["FAKE_REPORT"] = report
    if crash:
        env["FAKE_CRASH"] = "1"
    run = subprocess.run(
        [str(root / "run_autograder")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return run, root


def assert_visible_failure(run: subprocess.CompletedProcess, root: Path, reason: str) -> None:
    """No results.json (so Gradescope records no score and shows an autograder failure), a
    non-zero exit, and the reason in the log that only the instructor sees."""
    assert run.returncode != 0, run.stdout
    assert not (root / "results" / "results.json").exists()
    assert list((root / "results").iterdir()) == []
    assert "AUTOGRADER FAILURE" in run.stdout and reason in run.stdout, run.stdout
    assert run.stderr == ""  # everything goes to the log Gradescope keeps (stdout)


@pytest.mark.parametrize("exit_code", [2, 3, 130, 137])
def test_a_grader_that_fails_leaves_no_results_and_fails_the_run(tmp_path, exit_code):
    run, root = run_autograder(tmp_path, exit_code, json.dumps(GRADED))
    assert_visible_failure(run, root, f"exit code {exit_code}")


def test_could_not_check_is_a_failure_that_names_the_unchecked_tests(tmp_path):
    """Exit code 3 with a whole report (contract 2's "could not check"): the partial report is
    not handed to Gradescope, and the log names what could not be checked."""
    run, root = run_autograder(tmp_path, 3, json.dumps(UNCHECKED))
    assert_visible_failure(run, root, "exit code 3")
    assert "ex02: sobel_edges: generated images" in run.stdout


def test_a_crash_is_a_failure_even_with_exit_code_1(tmp_path):
    """An uncaught exception exits Python with code 1, the code of a graded run with points missing:
    without a readable report that is still the grader's failure."""
    run, root = run_autograder(tmp_path, 1, None, crash=True)
    assert_visible_failure(run, root, "exit code 1")
    assert "a grader bug" in run.stdout


@pytest.mark.parametrize(
    "report",
    ["", '{"score": 3', "[]", json.dumps({"score": "10", "tests": []}), json.dumps({"tests": []})],
)
def test_a_graded_exit_code_with_an_unreadable_report_is_a_failure(tmp_path, report):
    run, root = run_autograder(tmp_path, 1, report)
    assert_visible_failure(run, root, "exit code 1")


def test_an_earlier_results_json_never_stands_for_a_failed_grading(tmp_path):
    run, root = run_autograder(tmp_path, 3, None, stale_results=True)
    assert_visible_failure(run, root, "exit code 3")


@pytest.mark.parametrize("exit_code", [0, 1])
def test_a_graded_run_hands_its_report_to_gradescope(tmp_path, exit_code):
    run, root = run_autograder(tmp_path, exit_code, json.dumps(GRADED))
    assert run.returncode == 0, run.stdout
    assert json.loads((root / "results" / "results.json").read_text(encoding="utf-8")) == GRADED
    assert "AUTOGRADER FAILURE" not in run.stdout


def test_each_grading_draws_a_fresh_seed_and_the_upload_is_out_of_the_learners_reach(tmp_path):
    """run_autograder passes no --seed (the grader draws a fresh one), and leaves /autograder
    (submission_metadata.json with earlier results, the keys) to root alone."""
    run, root = run_autograder(tmp_path, 0, json.dumps(GRADED))
    arguments = json.loads((tmp_path / "arguments.json").read_text())
    assert arguments[:3] == ["-m", "grader", "--all"] and "--seed" not in arguments
    assert arguments[arguments.index("--format") + 1] == "gradescope"
    assert root.stat().st_mode & 0o077 == 0 and (root / "source").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("exit_code", [0, 1])
def test_a_report_with_unchecked_tests_is_a_failure_whatever_the_exit_code(tmp_path, exit_code):
    """A test the grader could not check is its failure, not the learner's 0: a report that names
    one never reaches Gradescope, even if the grader's exit code says it graded."""
    run, root = run_autograder(tmp_path, exit_code, json.dumps(UNCHECKED))
    assert_visible_failure(run, root, f"exit code {exit_code}")
    assert "ex02: sobel_edges: generated images" in run.stdout
