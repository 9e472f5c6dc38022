"""The GitHub Actions templates in ci-templates/ and the CLI they rely on (--fail-under, markdown)."""

from __future__ import annotations

import json
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
CLASSROOM = TEMPLATES / "classroom" / "classroom.yml"
AUTOGRADING = TEMPLATES / "classroom" / "autograding.json"
EXERCISES = Path(__file__).resolve().parent.parent / "grader" / "exercises"
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
    expected = (
        {GRADE_COMMAND} if path in (LEARNER, RELEASE) else {"batch", "merge", "report", "similar"}
    )
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
        PASS_PERCENT=workflow(LEARNER)["env"]["PASS_PERCENT"],
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
    bar = workflow(LEARNER)["env"]["PASS_PERCENT"]
    assert below.returncode == 1 and f"below {bar}%" in below.stdout
    interrupted = run_step(script, 130, tmp_path)
    assert interrupted.returncode == 130 and "interrupted" in interrupted.stdout


def test_the_similarity_step_fails_on_anything_but_a_written_report(tmp_path):
    script = step_script(INSTRUCTOR, "similar", "grade similar")
    assert run_step(script, 0, tmp_path).returncode == 0
    for failed, words in ((130, "interrupted"), (2, "exit 2"), (3, "exit 3")):
        step = run_step(script, failed, tmp_path)
        assert step.returncode != 0 and "::error::" in step.stdout and words in step.stdout


def test_the_instructor_template_commits_no_personal_data():
    """Seen: the template needed an undocumented roster.csv in the repository and mentioned a
    release asset nothing downloaded."""
    data = workflow(INSTRUCTOR)
    text = INSTRUCTOR.read_text(encoding="utf-8")
    assert "secrets.ROSTER_CSV" in text and "gh release download" in text
    assert data[True]["workflow_dispatch"]["inputs"]["submissions_tag"]["required"] is True
    scripts = "\n".join(run_scripts(data))
    # every roster and class folder lies in the runner's temporary folder, never in the checkout
    assert not re.search(
        r"(?<![/\w])(roster\.csv|submissions)\b(?!\.zip)",
        scripts.replace('"$RUNNER_TEMP/', "TEMP/").replace("--pattern submissions.zip", ""),
    ), scripts
    uploads = [
        step
        for job in data["jobs"].values()
        for step in job["steps"]
        if step.get("uses", "").startswith("actions/upload-artifact")
    ]
    assert uploads and all(step["with"].get("retention-days") for step in uploads)


def public_points() -> dict[str, float]:
    """Each exercise's points in a student release: the sum of its public tests' markers."""
    points = {}
    for suite in sorted(EXERCISES.glob("ex*/test_public.py")):
        markers = re.findall(
            r"@pytest\.mark\.points\(([\d.]+)\)", suite.read_text(encoding="utf-8")
        )
        points[suite.parent.name] = sum(float(value) for value in markers)
    return points


def release_report(full: set[str], quizzes: tuple[str, ...] = ("q01", "q02")):
    """A report as a release writes it: public points per exercise, quizzes worth nothing."""
    from types import SimpleNamespace

    items = [
        SimpleNamespace(id=item, score=points if item in full else 0.0, max_score=points)
        for item, points in public_points().items()
    ] + [SimpleNamespace(id=quiz, score=0.0, max_score=0.0) for quiz in quizzes]
    return SimpleNamespace(
        exercises=items,
        score=sum(item.score for item in items),
        max_score=sum(item.max_score for item in items),
        unchecked=[],
    )


def test_the_learner_bar_weighs_exercises_as_the_course_does(catalogue, capsys):
    """Seen: at 60% of the release's public points (ex07 nearly half of them), a learner with
    ex01-ex06 right failed the learner template's bar."""
    from grader.cli.commands import exit_code, weighted_percent

    bar = float(workflow(LEARNER)["env"]["PASS_PERCENT"])
    weights = {exercise.id: exercise.points for exercise in catalogue.exercises}
    first_six = release_report({"ex01", "ex02", "ex03", "ex04", "ex05", "ex06"})
    assert 100 * first_six.score / first_six.max_score < bar  # the public points' verdict
    percent = weighted_percent(first_six, weights)
    assert percent == pytest.approx(100 * 80 / sum(weights.values()))
    assert percent >= bar and exit_code(first_six, bar, None, weights) == 0
    assert "this copy's own points give" in capsys.readouterr().err
    ex07_alone = release_report({"ex07"})
    ex07_weighted = weighted_percent(ex07_alone, weights)
    assert 100 * ex07_alone.score / ex07_alone.max_score > 3 * ex07_weighted  # public: ~half
    assert ex07_weighted < bar and exit_code(ex07_alone, bar, None, weights) == 1
    assert weighted_percent(release_report(set(public_points())), weights) == 100
    assert weighted_percent(release_report(set()), weights) == 0


def test_the_classroom_autograding_gives_each_exercise_its_course_points(catalogue):
    workflow(CLASSROOM)
    assert any(
        step.get("uses", "").startswith("education/autograding")
        for step in workflow(CLASSROOM)["jobs"]["build"]["steps"]
    )
    tests = json.loads(AUTOGRADING.read_text(encoding="utf-8"))["tests"]
    assert len({test["name"] for test in tests}) == len(tests)
    graded = {}
    for test in tests:
        assert set(test) >= {"name", "setup", "run", "timeout", "points"}, test
        assert 0 < test["timeout"] <= 360 and test["points"] > 0, test
        (call,) = grade_invocations(test["run"])
        assert check_invocation(call) == GRADE_COMMAND and len(call) == 1, test["run"]
        graded[call[0]] = test["points"]
    # every exercise once at its course points; quizzes, which a release cannot score, not at all
    assert graded == {exercise.id: exercise.points for exercise in catalogue.exercises}
