"""The release scan finds any function or data in a release that earns a point, and it can fail.

A copy of a real release gets answers planted in it: the reference module the release used to
ship, solved stubs, a helper that needs the grader package, a working function beside others
that exit or hang, and a data file that records graded calls. The scan must name each one, and
nothing else of the release.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from grader.instructor import scan_examples
from grader.instructor.scan import release_contents, scan_release
from grader.jail.instructor import scan_driver
from grader.sandbox.probe import IsolationProbe
from tests.conftest import FIXTURES, SOLUTIONS, run_grade

LEAKS = FIXTURES / "release_leaks"


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("published") / "release"
    run = run_grade("publish", out)
    assert run.exit_code == 0, run.stderr
    return out / "student"


def _table(path: Path, rows: list[tuple[list, list]]) -> None:
    """A data file like the pictures', recording `same_padding(*args) -> answer` calls."""
    calls = [
        {
            "exercise": "ex03",
            "function": "same_padding",
            "args": args,
            "kwargs": {},
            "answer": answer,
        }
        for args, answer in rows
    ]
    np.savez(path, calls=np.array(json.dumps(calls)))


def _plant_answers(planted: Path) -> None:
    """The reference module the release used to ship, solved stubs, a helper that needs the
    grader package, a working function beside others that exit or hang, a table of answers."""
    shutil.copyfile(LEAKS / "reference.py", planted / "grader" / "learner" / "reference.py")
    shutil.copyfile(LEAKS / "helper.py", planted / "grader" / "learner" / "helper.py")
    shutil.copyfile(LEAKS / "unruly.py", planted / "tests" / "unruly.py")
    for name in ("ex01_convolution.py", "ex02_sobel.py"):  # solved stubs
        shutil.copyfile(SOLUTIONS / name, planted / "exercises" / name)
    _table(planted / "grader" / "learner" / "answers.npz", [([5, 3], [1, 1]), ([5, 4], [1, 2])])


def _plant_tucked_functions(planted: Path) -> None:
    """Functions inside functions and classes, a lambda in a table, a stateful callable."""
    shutil.copyfile(LEAKS / "tucked.py", planted / "grader" / "learner" / "tucked.py")
    shutil.copyfile(LEAKS / "stateful.py", planted / "grader" / "learner" / "stateful.py")


def _plant_code_as_text(planted: Path) -> None:
    """Code a learner can copy from any text of the release: Markdown blocks, doctests, string
    constants, comments, files with another suffix, notebook cells."""
    with (planted / "README.md").open("a", encoding="utf-8") as readme:
        readme.write((LEAKS / "in_markdown.md").read_text(encoding="utf-8"))
    shutil.copyfile(LEAKS / "in_strings.py", planted / "grader" / "learner" / "in_strings.py")
    shutil.copyfile(LEAKS / "whole_file.txt", planted / "grader" / "learner" / "whole_file.txt")
    shutil.copyfile(LEAKS / "in_comments.py", planted / "grader" / "learner" / "in_comments.py")
    notebook = json.loads((planted / "exercises" / "course.ipynb").read_text(encoding="utf-8"))
    notebook["cells"].append(
        {
            "cell_type": "markdown",
            "metadata": {},
            "source": [
                "A solution:\n",
                "```python\n",
                "def filter_response(patch, kernel):\n",
                "    return float((np.asarray(patch, dtype=float) * kernel).sum())\n",
                "```\n",
            ],
        }
    )
    (planted / "exercises" / "course.ipynb").write_text(json.dumps(notebook), encoding="utf-8")


@pytest.fixture(scope="module")
def planted_scan(release, tmp_path_factory, catalogue):
    """One scan of a copy of the release with every leak below planted in it (each plant is in
    a file of its own, so one scan finds them all, as it would one alone)."""
    planted = tmp_path_factory.mktemp("planted") / "release"
    shutil.copytree(release, planted)
    _plant_answers(planted)
    _plant_tucked_functions(planted)
    _plant_code_as_text(planted)
    with IsolationProbe() as isolation:
        result = scan_release(planted, catalogue, isolation, remember=False)
    assert result.untried == [] and not result.clean
    return result


@pytest.mark.slow
def test_the_scan_names_every_answer_planted_in_a_release(planted_scan):
    result = planted_scan
    found = "\n".join(result.findings)
    for finding in (
        "grader/learner/reference.py:convolve2d as convolve2d earns",
        "grader/learner/reference.py:sobel_edges as sobel_edges earns",
        "grader/learner/reference.py:SOBEL_X holds the answer SOBEL_X",
        "exercises/ex01_convolution.py:convolve2d as convolve2d earns",
        "exercises/ex01_convolution.py:filter_response as filter_response earns",
        "exercises/ex02_sobel.py:sobel_edges as sobel_edges earns",
        "exercises/ex02_sobel.py:SOBEL_Y holds the answer SOBEL_Y",
        "grader/learner/helper.py:window_overhang as same_padding earns",
        "grader/learner/helper.py:response as filter_response earns",
        "tests/unruly.py:cells as conv_output_size earns",
        "tests/unruly.py:Layer.count@None as dense_param_count earns",
        "grader/learner/answers.npz (replayed as a table) as same_padding earns",
    ):
        assert finding in found, finding
    assert not any(
        "picture_answers" in line or "grader/checks.py" in line for line in result.findings
    )
    assert {
        "tests/unruly.py:leave (its process died)",
        "tests/unruly.py:wait (no answer in time)",
    } <= set(result.skipped)


@pytest.mark.slow
def test_the_planted_leaks_are_the_only_findings(planted_scan):
    """Nothing of the release itself is named beside what was planted."""
    planted_files = (
        "grader/learner/reference.py",
        "grader/learner/helper.py",
        "tests/unruly.py",
        "exercises/ex01_convolution.py",
        "exercises/ex02_sobel.py",
        "grader/learner/answers.npz",
        "grader/learner/tucked.py",
        "grader/learner/stateful.py",
        "README.md (code",
        "grader/learner/in_strings.py",
        "grader/learner/whole_file.txt",
        "grader/learner/in_comments.py",
        "exercises/course.ipynb (code",
    )
    assert [line for line in planted_scan.findings if not line.startswith(planted_files)] == []


@pytest.mark.slow
def test_nothing_in_a_published_release_earns_a_point(release, catalogue):
    with IsolationProbe() as isolation:
        result = scan_release(release, catalogue, isolation, remember=False)
    assert result.clean, result.summary()
    assert result.tried > 700  # every function of the release, the stubs and public suites included
    tables = {line for line in result.graded if "picture_answers.npz (replayed as a table)" in line}
    assert len(tables) == 6, (
        result.graded
    )  # the pictures' data, replayed for each function it records
    assert any(line.startswith("exercises/") for line in result.graded)


def test_the_scan_looks_at_every_module_and_data_file_of_a_release(release):
    modules, data_files = release_contents(release)
    names = {module.relative for module in modules}
    assert {
        "grader/cli/app.py",
        "grader/exercises/ex01/test_public.py",
        "exercises/ex01_convolution.py",
        "tests/test_release.py",
        "grader/learner/picture_data.py",
    } <= names
    assert data_files == ["grader/learner/picture_answers.npz"]
    stub = next(module for module in modules if module.relative == "exercises/ex03_padding.py")
    assert stub.raising == ("zero_pad", "same_padding") and set(stub.functions) == {
        "_check_int",
        "_pad_widths",
    }
    assert not any(
        name.startswith(("grader/instructor", "grader/jail/instructor", "solutions"))
        or "/hidden/" in name
        for name in names
    )


def _solution(function: str):
    import importlib.util

    for path in sorted(SOLUTIONS.glob("ex*.py")):
        spec = importlib.util.spec_from_file_location(f"_solution_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        source = path.read_text(encoding="utf-8")
        if f"def {function}(" in source:
            spec.loader.exec_module(module)
            return getattr(module, function)
    raise LookupError(function)


@pytest.mark.parametrize(
    "index, example",
    [
        pytest.param(
            index,
            example,
            id=f"{example['function']}-{index}",
            marks=[pytest.mark.slow] if example["kind"] == scan_examples.MODEL else [],
        )
        for index, example in enumerate(scan_examples.examples())
    ],
)
def test_every_solution_answers_its_examples_in_kind(index, example):
    """So a solved stub in a release is always graded, never dropped by the probe."""
    function = _solution(example["function"])
    answer = function(*example["args"], **example["kwargs"])
    assert scan_driver.fits(answer, example["kind"]), (example["function"], answer)


@pytest.mark.parametrize(
    "value, kind, fits",
    [
        (np.zeros((3, 3)), scan_examples.array(3, 3), True),
        ([[0, 1], [2, 3]], scan_examples.array(2, 2), True),
        (np.zeros((3, 4)), scan_examples.array(3, 3), False),
        (np.array(["a"]), scan_examples.array(1), False),
        (7, scan_examples.NUMBER, True),
        (np.float32(0.5), scan_examples.NUMBER, True),
        (True, scan_examples.NUMBER, False),  # the suites' checks refuse a bool for a number
        ((1, 2), scan_examples.tuple_of(scan_examples.NUMBER, scan_examples.NUMBER), True),
        ((1, 2, 3), scan_examples.tuple_of(scan_examples.NUMBER, scan_examples.NUMBER), False),
        (None, scan_examples.MODEL, False),
    ],
)
def test_the_kind_of_an_answer(value, kind, fits):
    assert scan_driver.fits(value, kind) is fits


@pytest.mark.slow
def test_the_scan_tries_functions_inside_functions_classes_and_tables(planted_scan):
    found = "\n".join(planted_scan.findings)
    for finding in (
        "grader/learner/tucked.py:_factory.<locals>.correlate as convolve2d earns",
        "grader/learner/tucked.py:_classes.<locals>.Field.compute@None as receptive_field earns",
        "grader/learner/tucked.py:<lambda:39:13> as dense_param_count earns",
        "grader/learner/stateful.py:Pooling.__call__@new as max_pool2d earns",
    ):
        assert finding in found, finding


@pytest.mark.slow
def test_the_scan_tries_code_written_as_text(planted_scan):
    """Code a learner can copy from any text of the release (_plant_code_as_text)."""
    found = "\n".join(planted_scan.findings)
    for finding in (
        "README.md (code 1):pointwise_conv as pointwise_conv earns",
        "README.md (code 2):receptive_field as receptive_field earns",
        "grader/learner/in_strings.py (code 1):same_padding as same_padding earns",
        "grader/learner/whole_file.txt (code 1):parameters as dense_param_count earns",
        "exercises/course.ipynb (code 1):filter_response as filter_response earns",
        "grader/learner/in_comments.py (code 1):zero_pad as zero_pad earns",
    ):
        assert finding in found, (finding, found)


VERDICT = {"tried": 1, "graded": [], "skipped": [], "seed": 1}


@pytest.mark.parametrize(
    "folder_mode, owner, trusted",
    [
        (0o700, None, True),
        (0o777, None, False),  # anyone may have written it
        (0o755, 12345, False),  # another user's folder
    ],
)
def test_a_remembered_verdict_counts_only_from_the_users_own_folder(
    tmp_path, monkeypatch, folder_mode, owner, trusted
):
    """A "clean" verdict skips the scan: one that someone else could have written never does."""
    import os

    from grader.instructor import scan

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = tmp_path / scan.CACHE_NAME
    folder.mkdir(parents=True)
    (folder / "some-release").write_text(json.dumps(VERDICT), encoding="utf-8")
    folder.chmod(folder_mode)
    if owner is not None:
        if os.geteuid() != 0:
            pytest.skip("needs root, to hand the folder to another user")
        os.chown(folder, owner, owner)
    known = scan._known_clean("some-release")
    assert (known is not None and known.remembered) is trusted


def test_a_verdict_is_remembered_for_the_installed_libraries_it_was_reached_with(
    release, catalogue, monkeypatch
):
    """The scan tries the release with the interpreter's site-packages in view: a function that
    works only with a newer NumPy (or another library) must be scanned again after an upgrade."""
    import importlib.metadata

    from grader.instructor import scan

    before = scan._fingerprint(release, catalogue)
    assert scan._fingerprint(release, catalogue) == before
    installed = list(importlib.metadata.distributions())
    numpy = next(item for item in installed if item.metadata["Name"].lower() == "numpy")

    class Upgraded:
        metadata = {"Name": "numpy"}
        version = numpy.version + ".post1"

    monkeypatch.setattr(
        importlib.metadata,
        "distributions",
        lambda: [item for item in installed if item is not numpy] + [Upgraded()],
    )
    assert scan._fingerprint(release, catalogue) != before
