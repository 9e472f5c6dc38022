"""The `grade` command line: scores, exit codes, formats, seeds and one-line errors."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree

import jsonschema
import pytest

from grader.course.catalogue import PACKAGE_DIR
from tests.conftest import SOLUTIONS, STUBS

SCHEMAS = PACKAGE_DIR / "schemas"


def schema(name: str) -> dict:
    return json.loads((SCHEMAS / name).read_text())


def test_solutions_score_full_marks(grade):
    run = grade("ex01", "ex06", "--submission", SOLUTIONS, "--format", "json")
    assert run.exit_code == 0
    report = run.json()
    assert report["score"] == report["max_score"] == 25
    assert {item["status"] for item in report["exercises"]} == {"passed"}


def test_stubs_score_zero_and_say_not_attempted(grade):
    run = grade("ex01", "ex06", "--submission", STUBS)
    assert run.exit_code == 1
    assert "not attempted" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr
    assert "Total 0 / 25" in run.stdout


def test_text_report_is_a_table_with_feedback(grade, make_submission):
    folder = make_submission(ex01=SOLUTIONS, ex06=STUBS)
    run = grade("ex01", "ex06", "--submission", folder)
    lines = run.stdout.splitlines()
    header = next(line for line in lines if line.startswith("ex01"))
    assert "10 / 10" in header and "passed" in header
    assert any(line.strip().startswith("pass") and "6600" in line for line in lines)
    assert "Replay these random cases with: grade ex01 ex06 --seed" in run.stdout


def test_json_report_validates(grade):
    run = grade("ex01", "ex06", "--submission", STUBS, "--format", "json")
    report = run.json()
    jsonschema.validate(report, schema("report.schema.json"))
    assert report["protection"] in ("namespaces", "limits")


def test_gradescope_report_validates_and_hides_hidden_tests(grade):
    run = grade("ex01", "--submission", SOLUTIONS, "--format", "gradescope")
    results = run.json()
    jsonschema.validate(results, schema("gradescope.schema.json"))
    assert results["score"] == 10
    visibilities = {test["visibility"] for test in results["tests"]}
    assert visibilities == {"visible", "after_due_date"}


def test_junit_report_parses(grade):
    run = grade("ex01", "--submission", STUBS, "--format", "junit")
    root = ElementTree.fromstring(run.stdout.split("\n", 1)[1])
    suite = root.find("testsuite")
    assert suite.get("name") == "ex01"
    assert int(suite.get("failures")) == len(suite.findall("testcase")) > 0


def test_output_file(grade, tmp_path):
    target = tmp_path / "report.json"
    run = grade("ex01", "--submission", SOLUTIONS, "--format", "json", "--output", target)
    assert run.exit_code == 0
    assert run.stdout == ""
    assert json.loads(target.read_text())["score"] == 10
    assert "report written to" in run.stderr


def test_seed_replays_the_same_cases(grade, make_submission):
    # A wrong solution whose feedback quotes random values: the same seed gives the same text.
    folder = make_submission(
        ex01="import numpy as np\n"
        "def filter_response(p, k):\n    return float(np.sum(p) + 1)\n"
        "def convolve2d(i, k):\n    return np.ones((2, 2))\n"
    )
    first = grade("ex01", "--submission", folder, "--format", "json", "--seed", "1234").json()
    second = grade("ex01", "--submission", folder, "--format", "json", "--seed", "1234").json()
    other = grade("ex01", "--submission", folder, "--format", "json", "--seed", "99").json()
    assert first["seed"] == 1234
    assert first["exercises"] == second["exercises"]
    assert first["exercises"] != other["exercises"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["ex99"], "unknown exercise or quiz 'ex99'"),
        (["ex01", "--submission", "/no/such/folder"], "does not exist"),
        ([], "name what to grade"),
        (["ex01", "--all"], "either ids or --all"),
        (["ex01", "--format", "pdf"], "'pdf' is not one of"),
    ],
)
def test_usage_errors_exit_2_with_one_line(grade, args, message):
    run = grade(*args)
    assert run.exit_code == 2
    assert message in run.stderr
    assert "Traceback" not in run.stderr
    assert len([line for line in run.stderr.splitlines() if line.startswith("Error")]) == 1


def test_broken_catalogue_exits_2(grade, tmp_path):
    broken = tmp_path / "course.yaml"
    broken.write_text("exercises:\n  - id: ex01\n    title: [unclosed\n")
    run = grade("--course", broken, "ex01")
    assert run.exit_code == 2
    assert "course.yaml line" in run.stderr and "not valid YAML" in run.stderr


def test_internal_error_exits_3_without_traceback(grade, monkeypatch):
    import grader.cli.commands

    def explode(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(grader.cli.commands, "grade", explode)
    run = grade("ex01", "--submission", SOLUTIONS)
    assert run.exit_code == 3
    assert "internal error: RuntimeError: disk on fire" in run.stderr
    assert "Traceback" not in run.stderr


def test_list_and_hint_remember_progress(grade, make_submission):
    folder = make_submission(ex01=SOLUTIONS)
    grade("ex01", "--submission", folder)
    listing = grade("list", "--submission", folder).stdout
    ex01_line = next(line for line in listing.splitlines() if line.startswith("ex01"))
    assert "passed" in ex01_line and "best 10" in ex01_line
    assert "not started" in next(line for line in listing.splitlines() if line.startswith("ex06"))
    first = grade("hint", "ex01", "--submission", folder).stdout
    second = grade("hint", "ex01", "--submission", folder).stdout
    assert "Hint 1 of" in first and "Hint 2 of" in second
    assert first.splitlines()[1] != second.splitlines()[1]


def test_version_and_help(grade):
    assert grade("--version").exit_code == 0
    help_text = grade("--help").stdout
    for command in ("list", "hint", "check"):
        assert command in help_text


@pytest.mark.parametrize(
    "command",
    [
        ["list", "--submission", str(STUBS)],
        ["--help"],
        ["hint", "ex01", "--submission", "{tmp}"],
        ["ex06", "--submission", str(STUBS)],
    ],
)
def test_a_closed_pipe_ends_quietly(tmp_path, command):
    """`grade list | head -1`: the reader is gone before the grader writes; no traceback, no
    "internal error", and exit 0 (or the grading verdict, 1 for the stubs)."""
    import subprocess
    import sys

    arguments = [part.replace("{tmp}", str(tmp_path)) for part in command]
    process = subprocess.Popen(
        [sys.executable, "-m", "grader", *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    process.stdout.close()  # before the child has started, so its first write finds no reader
    stderr = process.stderr.read().decode()
    code = process.wait(timeout=120)
    assert stderr == "", stderr
    assert code == (1 if command[0] == "ex06" else 0)


def test_usage_never_shows_the_internal_command_name(grade):
    for args in ([], ["--help"], ["ex01", "--bogus"], ["--all", "--help"]):
        run = grade(*args)
        assert "grade-items" not in run.stdout + run.stderr, args
        assert "grade ID [ID ...]" in run.stdout + run.stderr


def test_the_learners_folder_is_found_as_git_finds_a_repository(grade, tmp_path, monkeypatch):
    course = tmp_path / "course"
    (course / "exercises").mkdir(parents=True)
    (course / "notes" / "week1").mkdir(parents=True)
    (course / "exercises" / "ex06_output_size.py").write_bytes(
        (SOLUTIONS / "ex06_output_size.py").read_bytes()
    )
    for where in (course / "exercises", course / "notes" / "week1"):
        monkeypatch.chdir(where)
        run = grade("ex06", "--format", "json")
        assert run.exit_code == 0, run.stderr
        assert f"using the learner folder {course / 'exercises'}" in run.stderr
    monkeypatch.chdir(tmp_path)
    lost = grade("list")
    assert lost.exit_code == 2 and "--submission" in lost.stderr and "Traceback" not in lost.stderr
