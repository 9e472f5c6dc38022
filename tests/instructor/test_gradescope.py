"""The Gradescope bundle, run the way Gradescope runs it.

The bundle is unzipped into a temporary copy of /autograder (source/), `setup.sh` runs there
for real (installing the grader into a virtual environment that sees this machine's packages),
`run_autograder` is copied beside source/ as Gradescope copies it, each upload goes into
submission/, and results/results.json is read back. The scripts find every path from where they
lie, so the temporary tree stands for /autograder exactly.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sysconfig
import venv
from pathlib import Path

import jsonschema
import pytest

from grader.course.catalogue import PACKAGE_DIR, load_catalogue
from grader.grading.manifest import collect_manifest
from grader.instructor.check import GradescopeLayout
from grader.instructor.gradescope import flat_upload
from grader.quiz.bank import load_bank
from tests.conftest import SOLUTIONS, STUBS, run_grade

SCHEMA = json.loads((PACKAGE_DIR / "schemas" / "gradescope.schema.json").read_text())
WRONG_EX03 = """
import numpy as np

def zero_pad(x, pad):
    return np.asarray(x)  # forgets to pad

def same_padding(size, kernel_size, stride=1):
    return (0, 0)
"""


class Autograder(GradescopeLayout):
    """A temporary /autograder whose setup.sh installs the grader into a virtual environment that
    sees this machine's packages; `grade(fill)` returns results.json, checked against its schema."""

    def __init__(self, root: Path, autograder_zip: Path):
        environment = root.parent / "venv"
        venv.EnvBuilder(system_site_packages=True, with_pip=False).create(environment)
        # This interpreter's packages (a CI's fresh venv holds them, not the system) after the venv's
        # own, so setup.sh finds TensorFlow installed and downloads nothing; the pip it finds there
        # installs into the venv (which gets none of its own: ensurepip takes seconds).
        python = environment / "bin" / "python"
        site = subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        Path(site, "outer-environment.pth").write_text(
            "\n".join(dict.fromkeys(sysconfig.get_path(name) for name in ("purelib", "platlib")))
            + "\n",
            encoding="utf-8",
        )
        env = dict(os.environ, PATH=f"{environment / 'bin'}{os.pathsep}{os.environ['PATH']}")
        env.pop("VIRTUAL_ENV", None)
        super().__init__(root, autograder_zip, environment=env)

    def grade(self, fill) -> dict:
        exit_code, text, stderr = super().grade(fill)
        assert exit_code == 0, stderr
        results = json.loads(text)
        jsonschema.validate(results, SCHEMA)
        return results


@pytest.fixture(scope="module")
def autograder(tmp_path_factory):
    out = tmp_path_factory.mktemp("published")
    assert run_grade("publish", out / "release").exit_code == 0
    bundle = Autograder(
        tmp_path_factory.mktemp("gradescope") / "autograder",
        out / "release" / "gradescope" / "autograder.zip",
    )
    setup = bundle.setup()
    assert setup.exit_code == 0, setup.stdout[-2000:] + setup.stderr[-2000:]
    return bundle


@pytest.fixture(scope="module")
def solutions_results(autograder):
    """The solutions uploaded as files, side by side, as Gradescope's upload form gives them."""
    return autograder.grade(lambda folder: flat_upload(SOLUTIONS, folder))


def points(results: dict, prefix: str = "") -> tuple[float, float]:
    tests = [test for test in results["tests"] if test["name"].startswith(prefix)]
    return sum(test["score"] for test in tests), sum(test["max_score"] for test in tests)


@pytest.mark.slow
def test_the_solutions_uploaded_as_files_score_full_marks(solutions_results):
    results = solutions_results
    score, top = points(results)
    course = load_catalogue()
    quiz_points = sum(load_bank(course, quiz).max_score for quiz in course.quizzes)
    assert (
        results["score"]
        == score
        == top
        == sum(item.points for item in course.exercises) + quiz_points
    )


@pytest.fixture(scope="module")
def stubs_results(autograder):
    return autograder.grade(lambda folder: flat_upload(STUBS, folder))


@pytest.mark.slow
def test_the_stubs_score_zero(stubs_results):
    assert stubs_results["score"] == 0 and points(stubs_results)[1] > 0


@pytest.mark.slow
def test_each_submission_is_graded_with_a_fresh_seed_that_no_learner_sees(
    solutions_results, stubs_results
):
    """run_autograder passes no --seed: each grading draws its own, kept in extra_data (stored by
    Gradescope, never shown), and no text a learner sees holds it."""
    seeds = [results["extra_data"]["seed"] for results in (solutions_results, stubs_results)]
    assert seeds[0] != seeds[1]
    for results, seed in zip((solutions_results, stubs_results), seeds):
        texts = [
            results["output"],
            *(test[field] for test in results["tests"] for field in ("name", "output")),
        ]
        assert not any(str(seed) in text for text in texts)


def without_ex07(folder: Path) -> None:
    """The solutions uploaded as files, but for ex07 (not submitted: nothing trains)."""
    flat_upload(SOLUTIONS, folder)
    (folder / load_catalogue().item("ex07").file).unlink()


@pytest.fixture(scope="module")
def untrained_results(autograder):
    """The solutions but ex07: what the uploads below that change other items are held against
    (the full solutions' upload, where ex07 trains, is graded once, above)."""
    return autograder.grade(without_ex07)


def scores(results: dict) -> dict[str, float]:
    return {test["name"]: test["score"] for test in results["tests"]}


@pytest.mark.slow
def test_a_wrong_ex03_in_one_top_level_folder_loses_exactly_ex03s_points(
    autograder, untrained_results
):
    def fill(folder):
        ex07 = load_catalogue().item("ex07").file
        shutil.copytree(
            SOLUTIONS, folder / "alice", ignore=shutil.ignore_patterns("__pycache__", ex07)
        )
        (folder / "alice" / "ex03_padding.py").write_text(WRONG_EX03, encoding="utf-8")

    results = autograder.grade(fill)
    assert points(results, "ex03 ") == (0, 10)
    assert results["score"] == untrained_results["score"] - 10 > 0
    right, wrong = scores(untrained_results), scores(results)
    assert right.keys() == wrong.keys()
    assert {name for name in right if right[name] != wrong[name]} == {
        name for name in right if name.startswith("ex03 ") and right[name] > 0
    }


@pytest.mark.slow
def test_nothing_shown_before_the_due_date_tells_a_hidden_result(autograder, untrained_results):
    """Two uploads that differ only in hidden tests look the same to the learner until the due
    date: the visible tests, the summary line and the status of each visible test."""

    def wrong_hidden_only(folder):
        without_ex07(folder)
        source = (SOLUTIONS / "ex06_output_size.py").read_text(encoding="utf-8")
        # Right for the public cases (all of size 32), wrong for a hidden one (7 with F=2, S=2).
        (folder / "ex06_output_size.py").write_text(
            source + "\n_right = conv_output_size\n"
            "def conv_output_size(size, kernel_size, stride=1, padding=0):\n"
            "    return _right(size, kernel_size, stride, padding) + (size == 7)\n",
            encoding="utf-8",
        )

    right = untrained_results
    wrong = autograder.grade(wrong_hidden_only)
    assert points(wrong, "ex06 ")[0] < points(right, "ex06 ")[0]

    def shown(results):
        return [
            (test["name"], test["score"], test["status"])
            for test in results["tests"]
            if test["visibility"] == "visible"
        ]

    assert shown(wrong) == shown(right)
    assert wrong["output"] == right["output"]
    quiz_tests = [
        test for test in right["tests"] if test["name"].startswith("q") and test["max_score"] > 0
    ]
    assert quiz_tests and {test["visibility"] for test in quiz_tests} == {"after_due_date"}
    hidden_names = {entry.name for entry in collect_manifest() if entry.visibility == "hidden"}
    assert all(
        test["visibility"] == "after_due_date"
        for test in right["tests"]
        if test["name"].split(" ", 1)[1] in hidden_names
    )


def test_the_bundle_scripts_are_valid_bash():
    from grader.instructor.gradescope import RUN_AUTOGRADER, SETUP_SH

    for script in (SETUP_SH, RUN_AUTOGRADER):
        assert subprocess.run(["bash", "-n"], input=script, text=True).returncode == 0


# A system python3 as Ubuntu 23.04 and later ship it (PEP 668: "externally managed"): pip refuses to
# install into it unless told that breaking system packages is intended.
EXTERNALLY_MANAGED_PYTHON = """#!{python}
import json, os, sys
arguments = sys.argv[1:]
if arguments[:3] == ["-m", "pip", "install"]:
    if os.environ.get("PIP_BREAK_SYSTEM_PACKAGES", "").lower() not in ("1", "true", "yes", "on") \\
            and "--break-system-packages" not in arguments:
        print("error: externally-managed-environment", file=sys.stderr)
        sys.exit(1)
    with open(os.environ["PIP_CALLS"], "a") as calls:
        calls.write(json.dumps(arguments[3:]) + "\\n")
    sys.exit(0)
os.execv({python!r}, [{python!r}, *arguments])
"""


def test_setup_installs_the_grader_into_an_externally_managed_system_python(tmp_path):
    """Gradescope's newer Ubuntu images (24.04) ship a PEP 668 python3, where a plain `pip install`
    fails and with it the autograder's build."""
    import sys

    from grader.instructor.gradescope import SETUP_SH

    shims = tmp_path / "bin"
    shims.mkdir()
    (shims / "python3").write_text(
        EXTERNALLY_MANAGED_PYTHON.format(python=sys.executable), encoding="utf-8"
    )
    (shims / "python3").chmod(0o755)
    (tmp_path / "setup.sh").write_text(SETUP_SH, encoding="utf-8")
    env = dict(
        os.environ,
        PATH=f"{shims}{os.pathsep}{os.environ['PATH']}",
        PIP_CALLS=str(tmp_path / "calls"),
    )
    env.pop("PIP_BREAK_SYSTEM_PACKAGES", None)
    run = subprocess.run(
        ["bash", str(tmp_path / "setup.sh")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    calls = [json.loads(line) for line in (tmp_path / "calls").read_text().splitlines()]
    assert any("-e" in call and ".[keras]" in call for call in calls), calls
