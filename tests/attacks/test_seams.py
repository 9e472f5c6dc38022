"""Attacks at the grader's seams: talking the sandbox down, a jail by allowlist, links, ex07's door.

Each test closes a class of holes, not one recipe: whatever a worker says or does, the run's
isolation stays what the probe found and later workers stay jailed; nothing installed outside
the allowlist is importable; no link inside a submission is followed; no layer of a Keras
configuration can carry fitted weights into the grader's model.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.course.catalogue import COURSE_ROOT
from tests.attacks.test_attacks import ATTACKS, NAMESPACES, stray_workers
from tests.conftest import SOLUTIONS, SUBMISSION_FIXTURES, run_grade
from tests.keras_servers import keras_imported_once

needs_namespaces = pytest.mark.skipif(not NAMESPACES, reason="the jail needs Linux namespaces")

EX02_PROBE = '''"""Reports, through an exception, what the ex02 worker is and can see."""
import os

SOBEL_X = None
SOBEL_Y = None


def sobel_edges(image):
    facts = {"pid": os.getpid(), "uid": os.getuid(),
             "solutions": os.path.exists("__COURSE__/solutions"), "grader": os.path.exists("__GRADER__")}
    raise RuntimeError(repr(facts))
'''


def ex02_facts(report: dict) -> dict:
    ex02 = next(item for item in report["exercises"] if item["id"] == "ex02")
    feedback = next(
        test["feedback"] for test in ex02["tests"] if "raised RuntimeError" in test["feedback"]
    )
    return ast.literal_eval(feedback.split("raised RuntimeError: ", 1)[1].split("\n")[0])


@pytest.fixture
def scratch(tmp_path, monkeypatch) -> Path:
    import tempfile

    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@needs_namespaces
@pytest.mark.parametrize("attack", ["forges_a_failed_jail", "fakes_an_unshare_failure"])
def test_a_worker_cannot_talk_the_sandbox_down(attack, tmp_path, scratch):
    """Forged jail failures and fake unshare errors cost the attacker its exercise, and nothing
    else: the run stays in namespaces, and the next worker is jailed as before."""
    folder = tmp_path / "submission"
    shutil.copytree(ATTACKS / attack, folder)
    (folder / "ex02_sobel.py").write_text(
        EX02_PROBE.replace("__COURSE__", str(COURSE_ROOT)).replace(
            "__GRADER__", str(COURSE_ROOT / "grader")
        )
    )
    shutil.copyfile(SOLUTIONS / "ex06_output_size.py", folder / "ex06_output_size.py")
    run = run_grade("ex01", "ex02", "ex06", "--submission", folder, "--format", "json")
    report = run.json()
    assert report["protection"] == "namespaces" and "protection_note" not in report
    scores = {item["id"]: item["score"] for item in report["exercises"]}
    assert scores["ex01"] == 0 and scores["ex06"] == 15
    facts = ex02_facts(report)
    assert facts["pid"] == 1 and facts["uid"] != 0
    assert not facts["solutions"] and not facts["grader"]
    assert stray_workers(scratch) == []


@needs_namespaces
def test_a_forbidden_library_installed_elsewhere_cannot_be_imported(tmp_path):
    """The jail holds the standard library, NumPy and the worker's files: a `tensorflow` or a
    `scipy` put anywhere else (here: a folder of the test's, beside Python's own lib folder)
    is not there, even with the import guard removed."""
    sites = [
        tmp_path / "second-site",
        Path(os.path.realpath(sys.base_prefix)) / "lib" / "cnn-exercises-test-site",
    ]
    try:
        for site in sites:
            (site / "tensorflow").mkdir(parents=True)
            (site / "tensorflow" / "__init__.py").write_text("LOADED = True\n")
            (site / "scipy" / "signal").mkdir(parents=True)
            (site / "scipy" / "__init__.py").write_text("")
            (site / "scipy" / "signal" / "__init__.py").write_text(
                "import numpy as np\n"
                "def correlate2d(a, k, mode='valid'):\n"
                "    a, k = np.asarray(a, float), np.asarray(k, float)\n"
                "    h, w = a.shape[0] - k.shape[0] + 1, a.shape[1] - k.shape[1] + 1\n"
                "    return np.array([[np.sum(a[i:i + k.shape[0], j:j + k.shape[1]] * k)\n"
                "                      for j in range(w)] for i in range(h)])\n"
            )
        for site in sites:  # the copies work where nothing stops them: the test can fail
            check = subprocess.run(
                [
                    sys.executable,
                    "-I",
                    "-c",
                    f"import sys; sys.path.insert(0, {str(site)!r}); "
                    "import tensorflow, scipy.signal; print(tensorflow.LOADED)",
                ],
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert check.stdout.strip() == "True", check.stderr
            folder = tmp_path / f"submission-{sites.index(site)}"
            folder.mkdir()
            source = (
                ATTACKS / "imports_a_forbidden_copy_elsewhere" / "ex01_convolution.py"
            ).read_text()
            (folder / "ex01_convolution.py").write_text(
                source.replace("__SECOND_SITE__", str(site))
            )
            ex01 = run_grade("ex01", "--submission", folder, "--format", "json").item("ex01")
            assert ex01["score"] == 0
            assert any("No module named 'tensorflow'" in test["feedback"] for test in ex01["tests"])
    finally:
        for site in sites:
            shutil.rmtree(site, ignore_errors=True)


@pytest.mark.parametrize("layout", ["exercises", "top-level folder", "answers"])
def test_no_link_anywhere_in_a_submission_is_followed(tmp_path, layout):
    """A folder on the way to the files that links to the solutions earns nothing."""
    folder = tmp_path / "submission"
    folder.mkdir()
    if layout == "exercises":
        (folder / "exercises").symlink_to(SOLUTIONS, target_is_directory=True)
    elif layout == "top-level folder":
        (folder / "alice").symlink_to(SOLUTIONS, target_is_directory=True)
    else:
        shutil.copyfile(SOLUTIONS / "ex01_convolution.py", folder / "ex01_convolution.py")
        (folder / "answers").symlink_to(SOLUTIONS / "answers", target_is_directory=True)
    run = run_grade("--all", "--submission", folder, "--format", "json")
    report = run.json()
    linked = [
        item for item in report["exercises"] if not (layout == "answers" and item["id"] == "ex01")
    ]
    assert all(item["score"] == 0 for item in linked), [(i["id"], i["score"]) for i in linked]
    text = "\n".join(test["feedback"] for item in linked for test in item["tests"])
    assert "symbolic link" in text
    if layout == "answers":
        assert run.item("ex01")["score"] == 10


@pytest.fixture(scope="module")
def keras_workers():
    """The ex07 workers here forked from one server that imported Keras (tests/keras_servers.py)."""
    with keras_imported_once(trainer=False):
        yield


@pytest.fixture
def no_trainer_started_ahead(monkeypatch, keras_workers):
    """For an ex07 model refused as it is read: the trainer a grading starts ahead (to import
    TensorFlow while the worker does) would never be used, so it is not started; the worker is
    forked from a server that imported Keras."""
    from grader.processes import children

    monkeypatch.setattr(children, "prestart", lambda module, environment=None: None)


@pytest.mark.slow
@pytest.mark.parametrize(
    "fixture, words",
    [
        ("ex07_smuggled_weights", "fresh random weights"),
        ("ex07_constant_layers", "must be one number"),
    ],
)
def test_ex07_cannot_carry_weights_fitted_in_the_worker(fixture, words, no_trainer_started_ahead):
    """A classifier fitted in the worker (it can load the digits too) and put into the model as
    constants, frozen, with no learning: refused before the grader builds anything."""
    item = run_grade(
        "ex07", "--submission", SUBMISSION_FIXTURES / fixture, "--format", "json"
    ).item("ex07")
    assert item["score"] == 0
    assert any(words in test["feedback"] for test in item["tests"]), item["tests"][0]["feedback"]


EX07_FORGED_CONFIG = '''
import keras


class Described(keras.Sequential):
    """A real Keras model that describes itself with whatever text this file likes."""

    def to_json(self, **kwargs):
        return __TEXT__


def build_model(input_shape=(8, 8, 1), num_classes=10):
    model = Described([keras.Input(shape=input_shape), keras.layers.Flatten(),
                       keras.layers.Dense(num_classes, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model
'''


@pytest.mark.slow
@pytest.mark.parametrize(
    "text",
    [
        '\'{"module": "keras", "class_name": "Sequential", "config": {"layers": [{"module": "keras.layers", '
        '"class_name": "Dropout", "config": {"rate": "\\\\ud800\\\\u001b[2J"}}]}}\'',
        '\'{"class_name": "Sequential", "config": {"layers": [{"class_name": "Dense", "config": {"units": '
        "' + \"9\" * 5000 + '}}]}}'",
        '"\\ud800" * 3000',
    ],
)
def test_learner_text_in_a_model_description_never_breaks_the_report(
    tmp_path, text, monkeypatch, no_trainer_started_ahead
):
    """The model is refused as it is read: one grading, and the Report it built rendered in
    every format, as the CLI writes it."""
    import click

    from grader.cli import commands
    from grader.reports.registry import formats, render

    built = []

    def recorded(report, output_format, **options):
        built.append((report, options))
        return render(report, output_format, **options)

    monkeypatch.setattr(commands, "render", recorded)
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "ex07_keras_cnn.py").write_text(EX07_FORGED_CONFIG.replace("__TEXT__", text))
    shutil.copyfile(SOLUTIONS / "ex06_output_size.py", folder / "ex06_output_size.py")
    report_path = tmp_path / "report.json"
    run = run_grade(
        "ex06", "ex07", "--submission", folder, "--format", "json", "--output", report_path
    )
    assert run.exit_code == 1, run.stderr
    report = json.loads(report_path.read_text(encoding="utf-8"))  # valid UTF-8
    assert [item["score"] for item in report["exercises"]] == [15, 0]
    ((graded, options),) = built
    for output_format in formats():  # every format renders the same sanitised Report
        path = tmp_path / f"report.{output_format}"
        path.write_text(click.unstyle(render(graded, output_format, **options)), encoding="utf-8")
        path.read_text(encoding="utf-8")
