"""`grade publish` hands out the stubs the solutions give, never an instructor's working files.

An instructor who tried the exercises in the course repository has solved files and answers
files in exercises/: the release's stubs come from the marked solutions instead
(grader/instructor/source.py), and publish refuses, naming the file, a solution whose stub
would not be the course's own (an answer left unmarked, a broken marker).
"""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import pytest

from grader.course.catalogue import COURSE_ROOT
from grader.instructor.scan import ScanResult
from grader.instructor.stubs import changed_files, code_problem, notebook_problem
from tests.conftest import SOLUTIONS, STUBS

COURSE_PARTS = ("pyproject.toml", "grader", "quizzes", "solutions", "exercises")


@pytest.fixture
def course_copy(tmp_path) -> Path:
    """A copy of the course repository, for `grade --course-root COPY publish ...`."""
    root = tmp_path / "course"
    for part in COURSE_PARTS:
        source = COURSE_ROOT / part
        if source.is_dir():
            shutil.copytree(
                source, root / part, ignore=shutil.ignore_patterns("__pycache__", ".grade")
            )
        else:
            root.mkdir(exist_ok=True)
            shutil.copyfile(source, root / part)
    return root


def test_publish_refuses_a_solution_whose_answer_is_unmarked_and_names_it(
    grade, course_copy, tmp_path
):
    solution = course_copy / "solutions" / "ex04_stride.py"
    lines = solution.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(number for number, line in enumerate(lines) if line.startswith("def conv2d("))
    unmarked = lines[:start] + [
        line
        for line in lines[start:]
        if not line.strip().startswith(("# BEGIN SOLUTION", "# END SOLUTION", "# STUB:"))
    ]
    solution.write_text("".join(unmarked), encoding="utf-8")
    out = tmp_path / "release"
    run = grade("--course-root", course_copy, "publish", out)
    assert run.exit_code == 2, run.stdout + run.stderr
    message = run.stderr.strip()
    assert (
        "solutions/ex04_stride.py (its stub: conv2d does more than raise NotImplementedError)"
        in message
    )
    assert "ex01" not in message and "Traceback" not in run.stderr
    assert not out.exists()  # nothing half-published


def test_publish_names_a_solutions_broken_marker_in_one_line(grade, course_copy, tmp_path):
    solution = course_copy / "solutions" / "ex01_convolution.py"
    text = solution.read_text(encoding="utf-8")
    solution.write_text(text.replace("    # END SOLUTION\n", "", 1), encoding="utf-8")
    end = (
        text.splitlines().index("    # END SOLUTION") + 1
    )  # where its first # STUB: line now stands
    run = grade("--course-root", course_copy, "publish", tmp_path / "release")
    assert run.exit_code == 2 and "Traceback" not in run.stderr, run.stderr
    assert (
        f"solutions/ex01_convolution.py:{end}: a # STUB: line belongs right after an # END SOLUTION line"
        in run.stderr
        and len(run.stderr.strip().splitlines()) == 1
    )


def test_publish_ships_the_stubs_and_never_an_answers_file(grade, course_copy, tmp_path):
    """The stubs are the ones the solutions give: an instructor's attempts in exercises/ (a
    solved file, an edited one, an answers file, a scratch file) never ship."""
    exercises = course_copy / "exercises"
    shutil.copyfile(SOLUTIONS / "ex01_convolution.py", exercises / "ex01_convolution.py")
    stub = (exercises / "ex04_stride.py").read_text(encoding="utf-8")
    (exercises / "ex04_stride.py").write_text(
        stub.replace(
            'raise NotImplementedError("ex04: conv2d is not implemented yet")', "return x", 1
        ),
        encoding="utf-8",
    )
    shutil.copyfile(SOLUTIONS / "answers" / "q01.yaml", exercises / "answers" / "q01.yaml")
    shutil.copyfile(
        SOLUTIONS / "ex01_convolution.py", exercises / "my_attempt.py"
    )  # a scratch file
    shutil.copyfile(
        SOLUTIONS / "answers" / "q02.yaml", course_copy / "quizzes" / "q02_key_copy.yaml"
    )
    (exercises / ".grade").mkdir()
    (exercises / ".grade" / "progress.json").write_text("{}", encoding="utf-8")
    out = tmp_path / "release"
    run = grade("--course-root", course_copy, "publish", out)
    assert run.exit_code == 0, run.stdout + run.stderr
    assert "none earns a point" in run.stdout
    shipped = out / "student" / "exercises"
    files = sorted(
        path.relative_to(shipped).as_posix() for path in shipped.rglob("*") if path.is_file()
    )
    assert files == sorted(
        ["course.ipynb", "answers/README.md", *(path.name for path in STUBS.glob("ex*.py"))]
    )
    for stub in STUBS.glob("ex*.py"):
        assert (shipped / stub.name).read_bytes() == stub.read_bytes()
    banks = sorted(path.name for path in (out / "student" / "quizzes").iterdir())
    assert banks == sorted(
        path.name for path in (COURSE_ROOT / "quizzes").glob("q*.yaml")
    )  # no key copy


def test_a_failed_scan_leaves_nothing_published(grade, tmp_path, monkeypatch):
    """Publish's side of the scan (the scan itself is tests/instructor/test_scan.py): a finding
    stops the publication, says what was found, and removes what was written."""
    found = ScanResult(
        tried=1,
        findings=["grader/learner/x.py:convolve2d as convolve2d earns 7.5 of ex01's points"],
    )
    monkeypatch.setattr("grader.instructor.scan.scan_release", lambda *args, **kwargs: found)
    out = tmp_path / "release"
    run = grade("publish", out)
    assert (
        run.exit_code == 2
        and "grader/learner/x.py:convolve2d as convolve2d earns 7.5" in run.stderr
    )
    assert not out.exists()
    kept = tmp_path / "kept"
    kept.mkdir()
    assert grade("publish", kept).exit_code == 2 and kept.is_dir() and not any(kept.iterdir())


def test_the_course_folder_holds_the_course_stubs(catalogue):
    assert changed_files(catalogue) == []
    assert notebook_problem(STUBS / "course.ipynb") == ""


def _trees(exercise_id: str, catalogue, edit) -> tuple[ast.Module, ast.Module]:
    exercise = catalogue.item(exercise_id)
    stub = (STUBS / exercise.file).read_text(encoding="utf-8")
    return ast.parse(edit(stub)), ast.parse((SOLUTIONS / exercise.file).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "exercise_id, edit, problem",
    [
        (
            "ex02",
            lambda text: text.replace(
                "SOBEL_X = None", "SOBEL_X = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]"
            ),
            "line",
        ),
        ("ex01", lambda text: text + "\n\ndef helper(a, b):\n    return (a * b).sum()\n", "line"),
        ("ex01", lambda text: text + "\nconvolve2d = lambda image, kernel: image\n", "line"),
        (
            "ex03",
            lambda text: text.replace(
                "    if isinstance(pad, (int, np.integer))",
                "    pad = 1\n    if isinstance(pad, (int, np.integer))",
                1,
            ),
            "line",
        ),
        (
            "ex06",
            lambda text: text.replace(
                'raise NotImplementedError("ex06: dense_param_count is not implemented yet")',
                "return in_features * units + units",
                1,
            ),
            "dense_param_count does more than raise NotImplementedError",
        ),
        (
            "ex01",
            lambda text: text.replace(
                "def convolve2d(image, kernel):", "@staticmethod\ndef convolve2d(image, kernel):"
            ),
            "convolve2d does more than raise NotImplementedError",
        ),
    ],
)
def test_code_a_stub_does_not_have_is_named(catalogue, exercise_id, edit, problem):
    stub, solution = _trees(exercise_id, catalogue, edit)
    assert problem in code_problem(stub, solution, catalogue.item(exercise_id))
    untouched, solution = _trees(exercise_id, catalogue, lambda text: text)
    assert code_problem(untouched, solution, catalogue.item(exercise_id)) == ""


def test_a_stub_whose_texts_changed_is_not_the_courses(course_copy):
    from grader.course.catalogue import load_catalogue

    solution = course_copy / "solutions" / "ex01_convolution.py"
    solution.write_text(
        solution.read_text(encoding="utf-8").replace(
            "# STUB: # TODO(ex01):",
            "# STUB: # Solution: return (patch * kernel).sum()\n    # STUB: # TODO(ex01):",
            1,
        ),
        encoding="utf-8",
    )
    assert changed_files(load_catalogue(root=course_copy)) == [
        "solutions/ex01_convolution.py (its stub: its docstrings, comments or TODO lines differ from the course's)"
    ]


def test_a_notebook_that_was_run_or_holds_code_is_refused(tmp_path):
    notebook = json.loads((STUBS / "course.ipynb").read_text(encoding="utf-8"))
    code = next(cell for cell in notebook["cells"] if cell["cell_type"] == "code")
    code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["ex01 10 / 10"]}]
    (tmp_path / "run.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    assert "it was run" in notebook_problem(tmp_path / "run.ipynb")
    code["outputs"], code["source"] = [], ["def convolve2d(image, kernel):\n", "    return image\n"]
    (tmp_path / "code.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    assert "more than %-commands" in notebook_problem(tmp_path / "code.ipynb")


# An instructor's leftovers inside the grader package: editor backups, a merge's .orig, a
# notebook checkpoint, a swap file. None is part of the package, and none may ship.
STRAY_FILES = {
    "grader/learner/reference.py.orig": SOLUTIONS / "ex01_convolution.py",
    "grader/learner/ex03_padding.py.bak": SOLUTIONS / "ex03_padding.py",
    "grader/exercises/ex01/test_public.py~": SOLUTIONS / "ex01_convolution.py",
    "grader/.ipynb_checkpoints/scratch-checkpoint.txt": SOLUTIONS / "ex04_stride.py",
    "grader/course/.course.yaml.swp": SOLUTIONS / "ex06_output_size.py",
    "grader/locale/notes.md": SOLUTIONS / "ex09_receptive_field.py",
}


def test_publish_ships_the_grader_packages_files_only(grade, course_copy, tmp_path):
    import zipfile

    for relative, source in STRAY_FILES.items():
        (course_copy / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, course_copy / relative)
    out = tmp_path / "release"
    run = grade("--course-root", course_copy, "publish", out)
    assert run.exit_code == 0, run.stdout + run.stderr
    shipped = {
        path.relative_to(out / "student").as_posix()
        for path in (out / "student").rglob("*")
        if path.is_file()
    }
    with zipfile.ZipFile(out / "gradescope" / "autograder.zip") as bundle:
        bundled = set(bundle.namelist())
    for relative in STRAY_FILES:
        assert relative not in shipped and relative not in bundled, relative
    assert {
        "grader/checks.py",
        "grader/course/course.yaml",
        "grader/locale/ko/LC_MESSAGES/grader.mo",
        "grader/py.typed",
        "grader/schemas/report.schema.json",
    } <= shipped


# `grade publish OUT` whose scan announces itself (writes FLAG) and then waits, so that the test
# can kill the process while the release is written but not yet scanned.
PUBLISH_KILLED_DURING_SCAN = """
import sys, time, pathlib
import grader.instructor.scan as scan
flag, out = sys.argv[1], sys.argv[2]
def announced(*args, **kwargs):
    pathlib.Path(flag).write_text("scanning", encoding="utf-8")
    time.sleep(600)
scan.scan_release = announced
from grader.cli.app import main
sys.argv = ["grade", "publish", out]
main()
"""


@pytest.mark.parametrize("out_exists", [False, True])
def test_a_publish_killed_before_its_scan_ends_leaves_no_release(tmp_path, out_exists):
    """SIGKILL allows no clean-up: what a killed publish leaves must not look like a release."""
    import os
    import signal
    import subprocess
    import sys
    import time

    flag, out = tmp_path / "scanning", tmp_path / "release"
    if out_exists:
        out.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-c", PUBLISH_KILLED_DURING_SCAN, str(flag), str(out)],
        cwd=COURSE_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 300
        while not flag.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert flag.exists(), (
            process.stderr.read().decode()[-2000:] if process.poll() is not None else "no scan"
        )
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    assert out.is_dir() == out_exists and not (out_exists and any(out.iterdir()))
    visible = [path.name for path in tmp_path.iterdir() if not path.name.startswith(".")]
    assert sorted(visible) == sorted(["scanning"] + (["release"] if out_exists else []))


@pytest.mark.parametrize(
    "linked",
    [
        "grader",
        "quizzes",
        "exercises",
        "solutions",
        "grader/course/course.yaml",
        "grader/exercises/ex01",
    ],
)
def test_publish_refuses_a_course_part_that_is_a_link(grade, course_copy, tmp_path, linked):
    """A link is never followed into an artefact, and never skipped quietly either (a release
    without its grader or a bundle without its quizzes): publish names it and writes nothing."""
    real = tmp_path / "elsewhere" / linked.replace("/", "_")
    real.parent.mkdir()
    (course_copy / linked).rename(real)
    (course_copy / linked).symlink_to(real, target_is_directory=real.is_dir())
    out = tmp_path / "release"
    run = grade("--course-root", course_copy, "publish", out)
    assert run.exit_code == 2, run.stdout + run.stderr
    assert f"{linked} is a symbolic link" in run.stderr and "Traceback" not in run.stderr
    assert not out.exists() and not any(
        path.name.startswith(".release") for path in tmp_path.iterdir()
    )


def test_a_stub_whose_texts_cannot_be_checked_is_not_published(course_copy, monkeypatch):
    """The Korean instructions record the stub's own texts; without them (deleted, broken) a
    comment such as a commented-out answer could not be told from the course's: publish refuses."""
    from grader.course.catalogue import load_catalogue
    from grader.errors import InputError

    def unreadable(exercise, *args, **kwargs):
        raise InputError(f"{exercise.id} has no Korean instructions yet ({exercise.id}.ko.yaml)")

    monkeypatch.setattr("grader.instructor.stubs.korean", unreadable)
    solution = course_copy / "solutions" / "ex01_convolution.py"
    solution.write_text(
        solution.read_text(encoding="utf-8").replace(
            "import numpy as np\n",
            "import numpy as np\n\n# def filter_response(patch, kernel):\n"
            "#     return float((patch * kernel).sum())\n",
            1,
        ),
        encoding="utf-8",
    )
    problems = changed_files(load_catalogue(root=course_copy))
    assert any(
        problem.startswith("solutions/ex01_convolution.py (its stub: its texts cannot be checked")
        and "ex01.ko.yaml" in problem
        for problem in problems
    ), problems
