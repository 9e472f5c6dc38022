"""`grade publish` keeps the secrets back, and what it writes grades."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

from tests.conftest import SOLUTIONS, STUBS


def test_publish_keeps_solutions_hidden_suites_and_keys_back(grade, tmp_path):
    out = tmp_path / "release"
    run = grade("publish", out)
    assert run.exit_code == 0, run.stderr
    student = out / "student"
    files = {path.relative_to(student).as_posix() for path in student.rglob("*") if path.is_file()}
    assert "exercises/ex01_convolution.py" in files and "grader/cli/app.py" in files
    assert not any(
        name.startswith(("solutions/", "benchmarks/", "grader/instructor/")) for name in files
    )
    assert not any("/hidden/" in name or "ref_ex" in name for name in files)
    # no code that computes an answer, nor the instructor's scan of the release, which did run
    assert not any(
        name.endswith(("reference.py", "scan_driver.py", "scan_loader.py")) for name in files
    )
    assert "grader/learner/picture_answers.npz" in files and "none earns a point" in run.stdout
    assert [name for name in files if name.startswith("tests/")] == ["tests/test_release.py"]
    suites = [
        name for name in files if name.startswith("grader/exercises/") and name.endswith(".py")
    ]
    assert "grader/exercises/ex01/test_public.py" in suites and not any(
        "test_hidden" in name for name in suites
    )
    for stub in (STUBS).glob("ex*.py"):
        assert (student / "exercises" / stub.name).read_bytes() == stub.read_bytes()

    with zipfile.ZipFile(out / "gradescope" / "autograder.zip") as bundle:
        names = bundle.namelist()
        # Gradescope unzips into /autograder/source: the course stands at the root of the zip.
        assert {"setup.sh", "run_autograder", "pyproject.toml", "README.md"} <= set(names)
        assert (
            "grader/exercises/ex01/hidden/test_hidden.py" in names
            and "solutions/answers/q01.yaml" in names
        )
        assert not any(name.startswith(("source/", "solutions/ex", "tests/")) for name in names)
        for script in ("setup.sh", "run_autograder"):
            assert bundle.getinfo(script).external_attr >> 16 & 0o111


def test_student_release_grades_public_tests(tmp_path):
    out = tmp_path / "release"
    from click.testing import CliRunner

    from grader.cli.app import cli

    assert CliRunner().invoke(cli, ["publish", str(out)]).exit_code == 0
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "grader",
            "ex01",
            "ex06",
            "--submission",
            str(SOLUTIONS),
            "--format",
            "json",
        ],
        cwd=out / "student",
        capture_output=True,
        text=True,
    )
    report = json.loads(completed.stdout)
    assert completed.returncode == 0, completed.stderr
    assert all(
        test["visibility"] == "public" for item in report["exercises"] for test in item["tests"]
    )
    assert report["score"] == report["max_score"] < 25


def test_publish_refuses_a_non_empty_folder(grade, tmp_path):
    (tmp_path / "something").write_text("x")
    run = grade("publish", tmp_path)
    assert run.exit_code == 2 and "not empty" in run.stderr
