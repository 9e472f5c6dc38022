"""The student release stands alone and gives nothing away.

A learner installs it, reads its README, runs its tests, grades with it and draws pictures;
nothing in it answers a quiz (no key, no explanation), and no function or data in it earns a
point (the behavioural scan, tests/instructor/test_scan.py, which publish runs too).
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path, PurePosixPath

import pytest
import tomllib
import yaml

from grader.course.catalogue import COURSE_ROOT, load_catalogue
from grader.grading.manifest import collect_manifest
from grader.instructor.release import LAUNCHER
from tests.conftest import SOLUTIONS, STUBS, run_grade

HANGUL = re.compile("[\uac00-\ud7a3]")
FLIPPED_CONVOLUTION = (
    (SOLUTIONS / "ex01_convolution.py")
    .read_text(encoding="utf-8")
    .replace(
        "def convolve2d(image, kernel):",
        "def convolve2d(image, kernel):\n    kernel = kernel[::-1, ::-1]",
        1,
    )
)
SHORTEST_LEAK = 12  # characters: shorter key texts ("max pooling") stand in ordinary prose


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("published")
    run = run_grade("publish", out / "release")
    assert run.exit_code == 0, run.stderr
    return out / "release" / "student"


def release_grade(release: Path, *args: str) -> subprocess.CompletedProcess:
    """`python -m grader ...` with the release's own grader, as a learner in that folder runs it."""
    return subprocess.run(
        [sys.executable, "-E", "-s", "-c", LAUNCHER, *args],
        cwd=release,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_release_has_a_learners_readme_in_english_and_korean(release):
    readme = (release / "README.md").read_text(encoding="utf-8")
    assert "grade check" not in readme and "solutions/" not in readme
    assert "python -m pytest" in readme and '".[keras]"' in readme
    assert "## 한국어 안내" in readme and len(HANGUL.findall(readme)) > 300
    assert "graded on submission" in readme


def test_tensorflow_is_an_extra_of_the_release(release):
    project = tomllib.loads((release / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not any(
        item.startswith(("tensorflow", "scikit-learn")) for item in project["dependencies"]
    )
    assert any(item.startswith("tensorflow") for item in project["optional-dependencies"]["keras"])


def test_ex07_without_tensorflow_says_how_to_install_it(grade, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: None if name == "tensorflow" else real(name, *args),
    )
    run = grade("ex07", "--submission", SOLUTIONS, "--format", "json", "--lang", "en")
    item = run.item("ex07")
    assert run.exit_code == 1 and item["score"] == 0 and item["status"] == "error"
    assert all('pip install -e ".[keras]"' in test["feedback"] for test in item["tests"])
    korean = grade("ex07", "--submission", SOLUTIONS, "--format", "json", "--lang", "ko").item(
        "ex07"
    )
    assert HANGUL.search(korean["tests"][0]["feedback"])
    stub = grade("ex07", "--submission", STUBS, "--format", "json").item("ex07")
    assert stub["status"] == "error"  # the stub is there: the missing library is what to fix


def test_instructor_commands_answer_in_one_line(release):
    for command in (["check"], ["publish", "out"], ["batch", ".", "--out", "out"]):
        completed = release_grade(release, *command)
        assert completed.returncode == 2, (command, completed.stderr)
        assert "instructor command" in completed.stderr and "Traceback" not in completed.stderr


def test_the_release_grades_exercises_and_counts_quizzes_as_graded_on_submission(release):
    completed = release_grade(
        release, "ex01", "ex06", "q01", "--submission", str(SOLUTIONS), "--format", "json"
    )
    report = json.loads(completed.stdout)
    assert completed.returncode == 0, completed.stderr
    public = [entry for entry in collect_manifest() if entry.visibility == "public"]
    assert (
        report["score"]
        == report["max_score"]
        == sum(entry.points for entry in public if entry.exercise in ("ex01", "ex06"))
    )
    assert all(
        test["visibility"] == "public" for item in report["exercises"] for test in item["tests"]
    )
    quiz = next(item for item in report["exercises"] if item["id"] == "q01")
    assert quiz["max_score"] == 0 and "graded on submission" in quiz["note"]


@pytest.mark.slow
def test_the_releases_own_test_command_passes_on_the_stubs(release):
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=release,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert completed.returncode == 0, completed.stdout[-3000:]
    assert re.search(r"\b5 passed\b", completed.stdout)


def test_pictures_in_the_release_draw_from_its_data(release, tmp_path):
    """No reference code ships: the expected images are data `publish` computed, and the
    release draws yours, the expected one and the difference from them, in English and Korean."""
    assert not (release / "grader" / "learner" / "reference.py").exists()
    assert (release / "grader" / "learner" / "picture_answers.npz").is_file()
    learner = tmp_path / "flipped"
    learner.mkdir()
    (learner / "ex01_convolution.py").write_text(FLIPPED_CONVOLUTION, encoding="utf-8")
    flipped = release_grade(
        release,
        "ex01",
        "--submission",
        str(learner),
        "--pictures",
        str(tmp_path / "en"),
        "--lang",
        "en",
    )
    assert "ex01_convolution.png  your result differs from the expected one" in flipped.stdout, (
        flipped.stderr
    )
    assert (tmp_path / "en" / "ex01_convolution.png").read_bytes()[:4] == b"\x89PNG"
    korean = release_grade(
        release,
        "ex02",
        "ex03",
        "ex04",
        "ex05",
        "--submission",
        str(SOLUTIONS),
        "--pictures",
        str(tmp_path / "ko"),
        "--lang",
        "ko",
    )
    assert korean.returncode == 0 and "그림:" in korean.stdout, korean.stderr
    assert sorted(path.name for path in (tmp_path / "ko").glob("*.png")) == [
        "ex02_sobel.png",
        "ex03_padding.png",
        "ex04_stride.png",
        "ex05_pooling.png",
    ]
    assert "differs" not in korean.stdout and "Traceback" not in korean.stderr


def test_the_release_has_no_output_size_or_parameter_arithmetic(release):
    """No module of the release's grader works out an output size or a parameter count the way
    ex06 asks: the layer arithmetic is left out, and nothing else writes the formula (the public
    tests' worked examples are for learners to read)."""
    assert not list((release / "grader").rglob("arithmetic.py"))
    formula = re.compile(r"//\s*\w+\s*\+\s*1\b|\*\s*\w*(in|channels)\w*\s*\*\s*\w*(filters|out)\w*")
    for path in (release / "grader").rglob("*.py"):
        if path.name == "test_public.py":
            continue
        code = "\n".join(
            line.split("#")[0] for line in path.read_text(encoding="utf-8").splitlines()
        )
        assert not formula.search(code), f"{path.relative_to(release)} works out a layer's size"


@pytest.fixture(scope="module")
def release_installed(release, tmp_path_factory) -> Path:
    """The release installed as its README says (editable) into a virtual environment that sees
    this machine's packages (TensorFlow among them): its python."""
    environment = tmp_path_factory.mktemp("release-venv") / "venv"
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(environment)
    python = environment / "bin" / "python"
    # This interpreter's packages, which a CI's fresh venv holds (not the system), come after the
    # new venv's own; pip builds the release as `pip install -e .` does (isolated: setuptools and
    # wheel from the index or pip's cache, since a fresh venv may hold neither, or too old a one).
    # The venv gets no pip of its own (ensurepip takes seconds): the pip it sees installs into it.
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
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "-e", str(release)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    return python


@pytest.mark.slow
def test_the_installed_release_gives_every_solution_full_marks_ex07_with_keras_shapes(
    release, release_installed
):
    """The release installed as its README says grades every solution in full (public tests
    only), ex07's among them with the layer shapes taken from Keras (the release has no layer
    arithmetic). The one place the whole course is graded with a release's grader."""
    probe = subprocess.run(
        [
            str(release_installed),
            "-c",
            "import sys; "
            + LAUNCHER.split("; sys.argv")[0]
            + "; import grader.model.shapes as s; print(s.RULES is None, s.__file__)",
        ],
        cwd=release,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert probe.stdout.split() == ["True", str(release / "grader" / "model" / "shapes.py")], (
        probe.stderr
    )
    completed = subprocess.run(
        [
            str(release_installed),
            "-c",
            LAUNCHER,
            "--all",
            "--submission",
            str(SOLUTIONS),
            "--format",
            "json",
            "--lang",
            "en",
        ],
        cwd=release,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    items = json.loads(completed.stdout)["exercises"]
    exercises = {item["id"]: item for item in items if item["kind"] == "exercise"}
    assert sorted(exercises) == sorted(exercise.id for exercise in load_catalogue().exercises)
    assert all(item["score"] == item["max_score"] > 0 for item in exercises.values()), [
        (item["id"], item["score"], item["max_score"]) for item in exercises.values()
    ]


def key_texts() -> list[str]:
    """The texts of the quiz keys a program could look for: the explanations (which state the
    answers) and the longer text answers. Further accepted spellings ("MaxPooling2D") are names
    any course text uses, so they are not looked for."""
    texts = []
    for path in sorted((SOLUTIONS / "answers").glob("q*.yaml")):
        keys = yaml.safe_load(path.read_text(encoding="utf-8"))
        texts += [
            text for explanation in keys["explanations"].values() for text in explanation.values()
        ]
        texts += [
            value
            for value in keys["answers"].values()
            if isinstance(value, str) and len(value) >= SHORTEST_LEAK
        ]
    return texts


def test_no_quiz_key_or_explanation_is_in_the_release(release):
    shipped = "\n".join(
        path.read_text(encoding="utf-8", errors="replace")
        for path in release.rglob("*")
        if path.is_file()
    )
    shipped = re.sub(r"\s+", " ", shipped)
    texts = key_texts()
    assert len(texts) > 50
    # A long explanation's opening words are enough to find it.
    samples = [re.sub(r"\s+", " ", text)[:80] for text in texts]
    found = [sample for sample in samples if sample in shipped]
    assert not found, f"the release holds key text {found[:3]}"
    assert not (release / "solutions").exists() and (COURSE_ROOT / "solutions").is_dir()


def test_every_file_of_the_releases_grader_is_installed_by_pip(release):
    """`pip install .` (not only `-e .`) installs the grader's modules and the data files its
    package-data names: every file of the release's grader must be one of those (the pictures'
    data among them), or a learner's copy works only in editable mode."""
    from grader.instructor.tree import _package_data, _shipped

    package_data = _package_data(release)
    files = [
        PurePosixPath(path.relative_to(release).as_posix())
        for path in (release / "grader").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    ]
    assert PurePosixPath("grader/learner/picture_answers.npz") in files
    assert [str(path) for path in files if not _shipped(path, package_data)] == []


def test_the_releases_help_lists_only_what_a_learner_has(release):
    def listed(help_text: str) -> set[str]:
        commands = help_text.split("Commands:")[1]
        return {line.split()[0] for line in commands.splitlines() if line.strip()}

    in_release = listed(release_grade(release, "--help").stdout)
    in_course = listed(run_grade("--help").stdout)
    instructor = {"check", "new", "publish", "batch", "merge", "report"}
    assert instructor <= in_course  # the course repository lists them...
    assert not instructor & in_release, in_release  # ...the release does not
    assert {"list", "show", "hint", "quiz", "watch", "reset"} <= in_release


def test_the_releases_readme_lists_every_exercise_and_what_the_install_brings(release, catalogue):
    readme = (release / "README.md").read_text(encoding="utf-8")
    english, korean = readme.split("## 한국어 안내")
    for part in (english, korean):
        for exercise in catalogue.exercises:
            assert exercise.id in part and exercise.file in part, exercise.id
        for quiz in catalogue.quizzes:
            assert quiz.id in part or "q01-q04" in part, quiz.id
    project = tomllib.loads((release / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    needed = project["dependencies"] + project["optional-dependencies"]["keras"]
    names = {re.split(r"[<>=\[ ]", item)[0].lower() for item in needed}
    for name in names:
        assert name in english.lower() and name in korean.lower(), name


def test_reset_in_the_release_restores_the_published_stub_and_keeps_a_backup(release, tmp_path):
    learner = tmp_path / "mine"
    learner.mkdir()
    mine = "def zero_pad(x, pad):\n    return x  # my attempt\n"
    (learner / "ex03_padding.py").write_text(mine, encoding="utf-8")
    completed = release_grade(release, "reset", "ex03", "--yes", "--submission", str(learner))
    assert completed.returncode == 0, completed.stderr
    published = (release / "exercises" / "ex03_padding.py").read_text(encoding="utf-8")
    assert (learner / "ex03_padding.py").read_text(encoding="utf-8") == published
    backups = list((learner / ".grade" / "backups").iterdir())
    assert [backup.read_text(encoding="utf-8") for backup in backups] == [mine]
    assert backups[0].name in " ".join(completed.stdout.split())
