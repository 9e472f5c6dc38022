"""The GitHub Actions templates in ci-templates/ and the CLI they rely on (--fail-under, markdown)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import click
import pytest
import yaml

from grader.cli.app import GRADE_COMMAND, cli
from tests.conftest import SOLUTIONS, STUBS

TEMPLATES = Path(__file__).resolve().parent.parent / "ci-templates"
LEARNER = TEMPLATES / "learner-grade.yml"
INSTRUCTOR = TEMPLATES / "instructor-grade-class.yml"
RELEASE = TEMPLATES / "release-matrix.yml"
SHELL_ENDS = {"||", "&&", "|", ";", ">", ">>", "2>&1"}


def workflow(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and data.get("name"), path.name
    assert data.get(True) or data.get("on"), (
        f"{path.name} has no triggers"
    )  # YAML 1.1 reads `on` as True
    return data


def run_scripts(data: dict) -> list[str]:
    scripts = []
    for job_name, job in data["jobs"].items():
        assert job.get("runs-on") and job.get("steps"), job_name
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), (
                f"{job_name}: a step needs one of uses/run: {step}"
            )
            if "run" in step:
                scripts.append(step["run"])
    return scripts


def grade_invocations(script: str) -> list[list[str]]:
    """Every `grade ...` command in a shell script, as arguments (GitHub expressions made words)."""
    script = re.sub(r"\$\{\{.*?\}\}", "EXPR", script).replace("\\\n", " ")
    invocations = []
    for line in script.splitlines():
        words = shlex.split(line, comments=True)
        for index, word in enumerate(words):
            if word == "grade" and (index == 0 or words[index - 1] in SHELL_ENDS):
                rest = []
                for argument in words[index + 1 :]:
                    if argument in SHELL_ENDS:
                        break
                    rest.append(argument)
                invocations.append(rest)
    return invocations


def option_names(command: click.Command) -> set[str]:
    return {
        name
        for parameter in command.params
        for name in getattr(parameter, "opts", [])
        if name.startswith("-")
    } | {"-h", "--help"}


def check_invocation(arguments: list[str]) -> str:
    """The subcommand `arguments` run; fails unless it and every flag exist in the CLI."""
    name = arguments[0] if arguments and arguments[0] in cli.commands else GRADE_COMMAND
    command = cli.commands[name]
    flags = {argument.split("=")[0] for argument in arguments if argument.startswith("--")}
    unknown = flags - option_names(command)
    assert not unknown, (
        f"`grade {' '.join(arguments)}` uses flags that `grade {name}` lacks: {unknown}"
    )
    return name


@pytest.mark.parametrize("path", [LEARNER, INSTRUCTOR, RELEASE], ids=lambda path: path.name)
def test_templates_are_workflows_whose_grade_commands_exist(path):
    invocations = [
        call for script in run_scripts(workflow(path)) for call in grade_invocations(script)
    ]
    assert invocations, f"{path.name} never runs grade"
    used = {check_invocation(call) for call in invocations}
    expected = {GRADE_COMMAND} if path in (LEARNER, RELEASE) else {"batch", "merge", "report"}
    assert used == expected


def test_the_release_template_grades_on_linux_macos_and_windows_with_python_3_11():
    job = workflow(RELEASE)["jobs"]["grade"]
    matrix = job["strategy"]["matrix"]
    assert set(matrix["os"]) == {"ubuntu-latest", "macos-latest", "windows-latest"}
    assert matrix["python-version"] == ["3.11"] and job["strategy"]["fail-fast"] is False
    assert job["runs-on"] == "${{ matrix.os }}"
    assert job["defaults"]["run"]["shell"] == "bash"  # one script for Windows too
    scripts = "\n".join(run_scripts(workflow(RELEASE)))
    assert "python -m pytest" in scripts and "['protection']" in scripts


def test_the_learner_template_shows_a_summary_and_junit_and_passes_on_partial_credit():
    text = LEARNER.read_text(encoding="utf-8")
    assert "--format markdown" in text and "$GITHUB_STEP_SUMMARY" in text
    assert "--format junit" in text and "--fail-under" in text and "action-junit-report" in text


def test_the_instructor_template_grades_a_matrix_of_shards_and_merges():
    data = workflow(INSTRUCTOR)
    shards = data["jobs"]["grade"]["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, len(shards) + 1))
    assert data["jobs"]["merge"]["needs"] == "grade"
    text = INSTRUCTOR.read_text(encoding="utf-8")
    assert f"/{len(shards)}" in text and "--seed" in text


def test_the_checker_catches_a_flag_that_does_not_exist():
    with pytest.raises(AssertionError, match="--no-such-flag"):
        check_invocation(["batch", "subs", "--out", "o", "--no-such-flag"])
    assert grade_invocations("echo x && grade --all --seed ${{ github.run_id }} || true") == [
        ["--all", "--seed", "EXPR"]
    ]


def test_fail_under_passes_at_or_above_the_threshold(grade, make_submission):
    folder = make_submission(ex01=SOLUTIONS, ex06=STUBS)  # 10 of 25 points: 40%
    at = grade("ex01", "ex06", "--submission", folder, "--fail-under", "40", "--lang", "en")
    assert at.exit_code == 0 and "40.0% of the points, at or above --fail-under 40%" in at.stderr
    below = grade("ex01", "ex06", "--submission", folder, "--fail-under", "40.5", "--lang", "ko")
    assert below.exit_code == 1 and "못 미칩니다" in below.stderr
    assert grade("ex01", "--submission", folder, "--fail-under", "101").exit_code == 2


GRADING_STEPS = [
    (INSTRUCTOR, "grade", "grade batch"),
    (INSTRUCTOR, "merge", "grade merge"),
    (LEARNER, "grade", "--format junit"),
    (RELEASE, "grade", "grade --all"),
]


def step_script(path: Path, job: str, marker: str) -> str:
    (script,) = [
        step["run"]
        for step in workflow(path)["jobs"][job]["steps"]
        if marker in step.get("run", "")
    ]
    script = script.replace("${{ matrix.shard }}", "1").replace("${{ matrix.os }}", "ubuntu")
    return re.sub(r"\$\{\{.*?\}\}", "", script)  # an empty seed input: fresh seeds


def run_step(script: str, exit_code: int, tmp_path: Path) -> subprocess.CompletedProcess:
    """The step as GitHub runs it (bash -eo pipefail), with a `grade` that only exits `exit_code`."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / "grade"
    fake.write_text(f"#!/bin/sh\nexit {exit_code}\n")
    fake.chmod(0o755)
    environment = dict(
        os.environ,
        PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        SEED="1",
        PASS_PERCENT="60",
        GITHUB_STEP_SUMMARY=str(tmp_path / "summary.md"),
    )
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "path, job, marker", GRADING_STEPS, ids=lambda value: getattr(value, "name", value)
)
def test_a_grading_step_tells_an_interrupted_or_failed_run_from_a_graded_one(
    path, job, marker, tmp_path
):
    """Seen: an aborted batch exited 1 and the templates took it for a graded run."""
    script = step_script(path, job, marker)
    for graded in (0, 1):
        assert run_step(script, graded, tmp_path).returncode == 0, graded
    for failed, words in ((130, "interrupted"), (3, "exit 3"), (2, "exit 2")):
        step = run_step(script, failed, tmp_path)
        assert step.returncode != 0 and "::error::" in step.stdout and words in step.stdout, (
            failed,
            step.stdout,
        )


def test_the_pass_mark_step_fails_below_it_and_names_why(tmp_path):
    script = step_script(LEARNER, "grade", "--fail-under")
    assert run_step(script, 0, tmp_path).returncode == 0
    below = run_step(script, 1, tmp_path)
    assert below.returncode == 1 and "below 60%" in below.stdout
    interrupted = run_step(script, 130, tmp_path)
    assert interrupted.returncode == 130 and "interrupted" in interrupted.stdout
