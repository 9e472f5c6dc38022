"""`grade --pictures DIR`: the learner's results drawn next to the expected ones, as PNG files.

The learner's functions run in the sandbox; what comes back is checked before it is drawn.
ex07's picture (its layer diagram and the grader's training curve) is tested in
tests/model/test_ex07.py, where the solution's training is done already.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from grader.exercises.ex01.hidden import reference as ref_ex01
from grader.exercises.ex03.hidden import reference as ref_ex03
from grader.exercises.hidden.picture_answers import EMBOSS, photograph
from grader.learner.picture_data import picture_set
from grader.learner.pictures import checked, learner_pictures
from grader.sandbox.probe import IsolationProbe
from tests.conftest import SOLUTIONS, STUBS, SUBMISSION_FIXTURES

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
FLIPPED = (
    (SOLUTIONS / "ex01_convolution.py")
    .read_text(encoding="utf-8")
    .replace(
        "def convolve2d(image, kernel):",
        "def convolve2d(image, kernel):\n    kernel = kernel[::-1, ::-1]",
        1,
    )
)
WRONG_SHAPE = """import numpy as np

def filter_response(patch, kernel):
    return 0.0

def convolve2d(image, kernel):
    return np.zeros((3, 3))
"""


def _pictures(folder: Path, ids: list[str], out: Path, catalogue):
    with IsolationProbe() as isolation:
        return {
            picture.exercise_id: picture
            for picture in learner_pictures(
                catalogue, ids, submission=folder, isolation=isolation, out_dir=out
            )
        }


def _panels(picture):
    return [panel for row in picture.rows for panel in row]


def test_grade_writes_pictures_and_the_report_names_them(grade, tmp_path):
    out = tmp_path / "pictures"
    run = grade("ex02", "ex05", "--submission", SOLUTIONS, "--pictures", out, "--lang", "en")
    assert run.exit_code == 0, run.stdout + run.stderr
    files = sorted(out.glob("*.png"))
    assert [path.name for path in files] == ["ex02_sobel.png", "ex05_pooling.png"]
    for path in files:
        assert path.read_bytes()[:8] == PNG_MAGIC and path.stat().st_size > 10_000
        assert str(path) in run.stdout
    assert "your results match the expected ones" in run.stdout


def test_a_flipped_kernel_gets_a_difference_image(make_submission, tmp_path, catalogue):
    folder = make_submission(ex01=FLIPPED)
    picture = _pictures(folder, ["ex01"], tmp_path / "out", catalogue)["ex01"]
    differences = [panel for panel in _panels(picture) if panel.diverging]
    assert len(differences) == 1
    expected = ref_ex01.cross_correlate2d(photograph(), EMBOSS)
    assert np.allclose(picture.rows[0][2].image, expected)
    assert np.abs(differences[0].image).max() > 10
    assert "differs" in picture.verdict
    assert picture.path.read_bytes()[:8] == PNG_MAGIC
    assert "ex01_convolution" not in sys.modules  # the learner's file ran in the worker only


def test_stubs_and_wrong_shapes_are_drawn_as_notes_not_errors(make_submission, tmp_path, catalogue):
    pictures = _pictures(STUBS, ["ex01", "ex03", "ex04", "ex05"], tmp_path / "stubs", catalogue)
    for picture in pictures.values():
        notes = [panel.note for panel in _panels(picture) if panel.image is None]
        assert notes and all("not attempted" in note for note in notes), notes
        assert picture.path.is_file()
    folder = make_submission(ex01=WRONG_SHAPE)
    picture = _pictures(folder, ["ex01"], tmp_path / "shape", catalogue)["ex01"]
    assert "shape (3, 3)" in picture.rows[0][1].note
    assert picture.rows[0][1].image is None


def test_honest_loops_get_the_padding_grid_of_their_own_same_padding(tmp_path, catalogue):
    pictures = _pictures(
        SUBMISSION_FIXTURES / "honest_loops", ["ex03", "ex04"], tmp_path / "out", catalogue
    )
    grids = [panel.grid for panel in _panels(pictures["ex03"]) if panel.grid is not None]
    height, width = photograph(16).shape
    expected = (ref_ex03.same_pads(height, 5, 2)[0], ref_ex03.same_pads(width, 5, 2)[0])
    assert [grid.before for grid in grids] == [expected, expected]
    assert any(panel.grid for panel in _panels(pictures["ex04"]))
    assert "match" in pictures["ex04"].verdict


@pytest.mark.parametrize(
    "value, problem",
    [
        ("a string", "not an array"),
        (np.array(["a", "b"]), "not numbers"),
        (np.zeros((4, 5)), "shape (4, 5)"),
        (np.zeros(2_000_000), "shape"),
        ([[1, 2], [3]], "not an array"),
    ],
)
def test_checked_refuses_what_it_cannot_draw(value, problem):
    array, why = checked(value, np.zeros((4, 4)))
    assert array is None and problem in why


def test_checked_marks_inf_and_accepts_integers():
    array, why = checked(np.array([[1, np.inf], [2, 3]]), np.zeros((2, 2)))
    assert np.isnan(array[0, 1]) and "inf or nan" in why
    array, why = checked(np.arange(4, dtype=np.uint8).reshape(2, 2), np.zeros((2, 2)))
    assert why == "" and array.dtype == np.float64


def test_show_with_picture_prints_the_task_then_draws_and_names_the_files(
    grade, tmp_path, monkeypatch
):
    out = tmp_path / "drawn"
    run = grade(
        "show",
        "ex02",
        "--picture",
        "--pictures-dir",
        out,
        "--submission",
        SOLUTIONS,
        "--lang",
        "en",
    )
    assert run.exit_code == 0, run.stdout + run.stderr
    assert "SOBEL_X" in run.stdout  # the task first
    assert str(out / "ex02_sobel.png") in run.stdout and (out / "ex02_sobel.png").is_file()
    monkeypatch.chdir(
        tmp_path
    )  # no learner folder here: `show` alone still works and draws nothing
    plain = grade("show", "ex02")
    assert (
        plain.exit_code == 0
        and not (tmp_path / "pictures").exists()
        and "Pictures" not in plain.stdout
    )


def test_with_a_machine_format_the_file_names_go_to_stderr(grade, tmp_path):
    out = tmp_path / "json-pictures"
    run = grade("ex05", "--submission", SOLUTIONS, "--format", "json", "--pictures", out)
    assert run.json()["exercises"][0]["id"] == "ex05"  # standard output stays pure JSON
    assert str(out / "ex05_pooling.png") in run.stderr and (out / "ex05_pooling.png").is_file()
    run = grade("ex06", "--submission", SOLUTIONS, "--pictures", out, "--lang", "en")
    assert "none of these exercises has one" in run.stdout


def test_a_font_named_like_a_korean_one_is_used_only_if_it_has_hangul(monkeypatch, tmp_path):
    from dataclasses import replace

    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    from grader.learner import drawing

    latin = next(
        entry
        for entry in font_manager.fontManager.ttflist
        if ord(drawing.HANGUL_SAMPLE) not in FT2Font(entry.fname).get_charmap()
    )
    monkeypatch.setattr(
        font_manager.fontManager, "ttflist", [replace(latin, name="Century Gothic")]
    )
    # the font files on disk, which hangul_font() also looks through: one named like Korean
    named_korean = tmp_path / "NanumGothic.ttf"
    shutil.copyfile(latin.fname, named_korean)
    monkeypatch.setattr(
        font_manager, "findSystemFonts", lambda *args, **kwargs: [str(named_korean)]
    )
    drawing.hangul_font.cache_clear()
    try:
        assert drawing.hangul_font() is None
    finally:
        drawing.hangul_font.cache_clear()


def test_the_release_data_file_holds_what_the_course_computes(tmp_path, monkeypatch):
    from grader.exercises.hidden import picture_answers
    from grader.learner import picture_data

    computed = picture_set()
    written = picture_data.write(tmp_path / "picture_answers.npz", picture_answers.picture_set())
    monkeypatch.setattr(picture_data, "DATA_FILE", written)
    picture_set.cache_clear()
    try:
        loaded = picture_set()
    finally:
        picture_set.cache_clear()
    assert loaded.arrays.keys() == computed.arrays.keys()
    assert all(
        np.array_equal(loaded.arrays[name], computed.arrays[name]) for name in computed.arrays
    )
    assert [call.function for call in loaded.calls] == [call.function for call in computed.calls]
    assert loaded.of("ex03", grid=True)[0].answer == computed.of("ex03", grid=True)[0].answer


def test_no_graded_suite_uses_the_photograph():
    """The pictures' data holds answers on the photograph only; it stays out of every graded case
    (the release scan also replays that data as a table against the suites)."""
    from grader.course.catalogue import EXERCISES_DIR

    suites = [path for path in EXERCISES_DIR.rglob("*.py") if path.name != "picture_answers.py"]
    assert len(suites) > 10
    for path in suites:
        text = path.read_text(encoding="utf-8")
        assert not any(
            word in text
            for word in ("picture_answers", "picture_data", "photograph", "grace_hopper")
        )


def test_a_missing_or_damaged_data_file_is_a_clear_error(tmp_path, monkeypatch):
    import builtins

    from grader.errors import InputError
    from grader.learner import picture_data

    damaged = tmp_path / "picture_answers.npz"
    damaged.write_bytes(b"PK\x03\x04 not a zip")
    monkeypatch.setattr(picture_data, "DATA_FILE", damaged)
    picture_set.cache_clear()
    try:
        with pytest.raises(InputError, match="is damaged"):
            picture_set()
        monkeypatch.setattr(picture_data, "DATA_FILE", tmp_path / "absent.npz")
        real_import = builtins.__import__

        def no_hidden(name, *args, **kwargs):  # a release: no hidden suites to compute with
            if name.startswith("grader.") and "hidden" in name.split("."):
                raise ModuleNotFoundError(name)
            return real_import(name, *args, **kwargs)

        monkeypatch.setattr(builtins, "__import__", no_hidden)
        with pytest.raises(InputError, match="no data for the pictures"):
            picture_set()
    finally:
        picture_set.cache_clear()


def test_a_hangul_font_installed_after_matplotlib_listed_its_fonts_is_found(monkeypatch):
    """matplotlib keeps the fonts it found when it built its cache: a font installed since (as
    .ci/run installs fonts-nanum) is found on disk, and used, all the same."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    from grader.learner import drawing

    def has_hangul(path: str) -> bool:
        try:
            return ord(drawing.HANGUL_SAMPLE) in FT2Font(path).get_charmap()
        except (OSError, RuntimeError):
            return False

    on_disk = [path for path in font_manager.findSystemFonts() if has_hangul(path)]
    listed = [entry for entry in font_manager.fontManager.ttflist if not has_hangul(entry.fname)]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", listed[:1])  # a stale cache
    drawing.hangul_font.cache_clear()
    try:
        found = drawing.hangul_font()
        if on_disk:
            path = font_manager.findfont(found, fallback_to_default=False)
            assert has_hangul(path)
        else:
            assert found is None
    finally:
        drawing.hangul_font.cache_clear()
