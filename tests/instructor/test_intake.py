"""A class folder read safely: uploads found by the grader's one rule, names that clash reported."""

from __future__ import annotations

import json
import os
import shutil
import unicodedata
import zipfile
from pathlib import Path

import pytest

from grader.instructor.intake import find_learners, materialise, open_upload, pack
from grader.submission import Submission
from tests.conftest import SOLUTIONS
from tests.instructor.classes import rows_of
from tests.test_submission import LAYOUTS, NESTINGS, lay_out


def course_files(folder: Path, catalogue) -> dict[str, tuple[str, bytes | None]]:
    """Every course file as the grader sees it in `folder`: (kind, bytes when it is a file)."""
    submission = Submission.open(folder)
    seen = {}
    for item in (*catalogue.exercises, *catalogue.quizzes):
        path = (
            submission.exercise_path(item.file)
            if item.kind == "exercise"
            else submission.answers_path(item.id)
        )
        kind = submission.kind(path)
        seen[item.id] = (
            str(path),
            kind,
            submission.read(path, 1 << 21) if kind == "file" else None,
        )
    return seen


@pytest.mark.parametrize("nesting", NESTINGS)
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_a_packed_upload_shows_the_child_what_the_folder_shows(
    tmp_path, catalogue, nesting, layout
):
    upload = lay_out(tmp_path / "upload", nesting, layout)
    (upload / "README.md").write_text("notes")  # beside the top folder: part of the layout
    copy = materialise(pack(upload), tmp_path / "copy")
    assert course_files(copy, catalogue) == course_files(upload, catalogue)
    assert course_files(copy, catalogue)["q01"][1] == "file"


def test_packing_reads_only_the_folders_the_grader_looks_in(tmp_path):
    upload = lay_out(tmp_path / "upload", "", "course")
    (upload / "exercises" / "node_modules" / "deep").mkdir(parents=True)
    for index in range(50):
        (upload / "exercises" / "node_modules" / "deep" / f"f{index}.js").write_text("x")
    paths = [path for path, _kind, _content in pack(upload).entries]
    assert "exercises/node_modules" in paths and not any(
        path.startswith("exercises/node_modules/") for path in paths
    )


def test_a_zip_nested_two_folders_deep_is_graded_whole(grade, tmp_path):
    """Seen: a-main/a-main/exercises/... graded ex01 but called every quiz "not in the submission
    folder" (its answers were packed away), status `graded`, 18 points silently missing."""
    learners = tmp_path / "class"
    learners.mkdir()
    with zipfile.ZipFile(learners / "ana.zip", "w") as archive:
        archive.write(
            SOLUTIONS / "ex01_convolution.py", "a-main/a-main/exercises/ex01_convolution.py"
        )
        archive.write(
            SOLUTIONS / "answers" / "q01.yaml", "a-main/a-main/exercises/answers/q01.yaml"
        )
    out = tmp_path / "out"
    run = grade("batch", learners, "--out", out, "--seed", "2", "--workers", "1")
    assert run.exit_code == 1, run.stdout + run.stderr
    row = rows_of(out)["ana"]
    assert row["status"] == "graded" and row["ex01"] == "10" and row["q01"] == "18", row
    report = json.loads((out / "ana.json").read_text(encoding="utf-8"))
    q01 = next(item for item in report["exercises"] if item["id"] == "q01")
    assert not any("not in the submission folder" in test["feedback"] for test in q01["tests"])


def test_names_equal_but_for_case_or_unicode_form_are_problems_for_both(tmp_path, catalogue):
    learners = tmp_path / "class"
    composed = unicodedata.normalize("NFC", "김민수")
    decomposed = unicodedata.normalize("NFD", "김민수")
    for name in ("Kim", "kim", composed, decomposed, "alice"):
        (learners / name).mkdir(parents=True)
        shutil.copyfile(SOLUTIONS / "ex01_convolution.py", learners / name / "ex01_convolution.py")
    found = {learner.name: learner.problem for learner in find_learners(learners)}
    assert found["alice"] == ""
    for name in ("Kim", "kim", composed, decomposed):
        assert "differ only in letter case or Unicode form" in found[name], name


def test_odd_archives_are_the_learners_problem(tmp_path, catalogue):
    archive = tmp_path / "odd.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr(zipfile.ZipInfo("ex01_convolution.py"), "x = 1\n")
    data = bytearray(archive.read_bytes())
    data[data.index(b"PK\x03\x04") + 8] = (
        99  # an unknown compression method: zipfile raises NotImplementedError
    )
    data[data.index(b"PK\x01\x02") + 10] = 99
    archive.write_bytes(bytes(data))
    learner = next(learner for learner in find_learners(tmp_path) if learner.name == "odd")
    with pytest.raises(Exception) as raised:
        open_upload(learner, tmp_path / "scratch", catalogue)
    assert type(raised.value).__name__ == "UploadProblem" and "unreadable upload: odd.zip" in str(
        raised.value
    )


def test_the_packed_digest_ignores_the_uploads_form(tmp_path):
    folder = lay_out(tmp_path / "folder", "a-main/", "course")
    archive = tmp_path / "zipped.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in sorted(folder.rglob("*")):
            bundle.write(path, path.relative_to(folder).as_posix())
    from grader.instructor.intake import unpack

    unpacked = unpack(archive, tmp_path / "unpacked")
    assert pack(unpacked).digest == pack(folder).digest
    os.remove(folder / "a-main" / "exercises" / "answers" / "q01.yaml")
    assert pack(unpacked).digest != pack(folder).digest
    assert json.dumps(pack(folder).digest)


def test_a_notebook_upload_is_packed_with_its_bytes_and_needs_no_exercise_file(tmp_path, catalogue):
    from tests.notebooks.builders import write_notebook

    upload = tmp_path / "class" / "alice" / "alice-work"  # nested one folder deep, as zips are
    upload.mkdir(parents=True)
    notebook = write_notebook(upload / "Work.IPYNB", "def zero_pad(x, pad):\n    return x")
    (upload / "data").mkdir()  # a second folder must not be taken for the layout
    (upload / "data" / "photo.png").write_bytes(b"png")
    (learner,) = find_learners(tmp_path / "class")
    packed = open_upload(learner, tmp_path / "scratch", catalogue)
    entries = {path: (kind, content) for path, kind, content in packed.entries}
    assert entries["alice-work/Work.IPYNB"] == ("file", notebook.read_bytes())
    child = materialise(packed, tmp_path / "child")
    assert Submission.open(child).notebooks() == ("Work.IPYNB",)
