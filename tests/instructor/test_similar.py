"""`grade similar`: planted copies flagged, independent solutions and the stub not, learner
files read only as text (escaped in the report, capped, never run), odd uploads reported."""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest

from grader.course.catalogue import load_catalogue
from grader.instructor.similar import MAX_SOURCE_BYTES, compare_class
from tests.conftest import SOLUTIONS, run_grade
from tests.instructor.classes import zipped
from tests.instructor.similarity_class import (
    DISGUISES,
    FAMILIES,
    build_class,
    filled_stub,
    is_copy,
)

pytest.importorskip("copydetect", reason="grade similar needs copydetect (the similar extra)")

ITEMS = ("ex01", "ex03", "ex05")
HOSTILE = "eve<img src=x onerror=alert(1)>"
ESCAPING_CODE = "# </pre><script>alert('eve')</script>\n"
RAN = "similar-learner-code-ran"


@pytest.fixture(scope="module")
def similar_class(tmp_path_factory):
    """The measurement's four independent families (ex01, ex03, ex05) with a copy of each in
    every disguise at once, two learners with the untouched stubs, a copy under a hostile name
    in a zip, and uploads that cannot be compared: graded once through the CLI."""
    root = tmp_path_factory.mktemp("similar")
    folder = root / "class"
    family_of = build_class(folder, list(FAMILIES), ["all"], only=ITEMS)
    shutil.copytree(folder / "untouched", folder / "untouched-too")
    copied = filled_stub("ex03_padding.py", "helpers") + ESCAPING_CODE
    copied += f"open({str(root / RAN)!r}, 'w').close()\n"  # would run if the code were imported
    zipped(folder / f"{HOSTILE}.zip", {"ex03_padding.py": copied})
    family_of[HOSTILE] = "helpers"
    odd = folder / "odd"
    odd.mkdir()
    (odd / "ex01_convolution.py").write_bytes(b"x = 1\n" * (MAX_SOURCE_BYTES // 6 + 1))
    (odd / "ex03_padding.py").write_bytes(b"\x00\x01binary")
    os.symlink(folder / "solution" / "ex05_pooling.py", odd / "ex05_pooling.py")
    out = root / "out"
    result = run_grade("similar", folder, "--out", out)
    return root, folder, out, family_of, result


def flagged_rows(out: Path) -> list[dict]:
    with open(out / "pairs.csv", newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def test_planted_copies_are_flagged_and_independent_solutions_are_not(similar_class):
    _root, _folder, out, family_of, result = similar_class
    assert result.exit_code == 0, result.stderr
    flagged = {(row["learner_a"], row["learner_b"], row["item"]) for row in flagged_rows(out)}
    planted = {
        (a, b, item)
        for item in ITEMS
        for a in family_of
        for b in family_of
        if a < b and is_copy(family_of, a, b) and (a != HOSTILE and b != HOSTILE or item == "ex03")
    }
    assert flagged == planted
    assert all(float(row["similarity"]) >= 0.7 for row in flagged_rows(out))


def test_the_untouched_stub_is_boilerplate_not_a_copy(similar_class):
    _root, _folder, out, _family_of, _result = similar_class
    assert not [
        row for row in flagged_rows(out) if "untouched" in row["learner_a"] + row["learner_b"]
    ]


def test_learner_code_is_read_as_text_and_escaped_in_the_report(similar_class):
    root, _folder, out, _family_of, result = similar_class
    assert not (root / RAN).exists()
    page = (out / "similar.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;/pre&gt;&lt;script&gt;" in page
    assert HOSTILE not in page and "eve&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<mark>" in page and "http" not in page  # marked regions, nothing fetched
    assert page.count('class="pair"') == len(flagged_rows(out))


def test_files_too_large_binary_or_linked_are_reported_not_compared(similar_class):
    _root, _folder, out, _family_of, result = similar_class
    assert "not compared: odd: ex01: over 256 KB, not read" in result.stderr
    assert "not compared: odd: ex03: a binary file" in result.stderr
    assert "not compared: odd: ex05: a symbolic link (never followed)" in result.stderr
    assert not [row for row in flagged_rows(out) if "odd" in (row["learner_a"], row["learner_b"])]


def test_a_disguise_leaves_valid_python_that_differs_from_the_original():
    original = filled_stub("ex01_convolution.py", "loops")
    for name, disguise in DISGUISES.items():
        assert disguise(original) != original, name


def test_the_report_is_written_whole_when_nothing_is_flagged(tmp_path):
    folder = tmp_path / "class"
    for name in ("ann", "ben"):
        (folder / name).mkdir(parents=True)
    shutil.copyfile(SOLUTIONS / "ex01_convolution.py", folder / "ann" / "ex01_convolution.py")
    (folder / "ben" / "ex01_convolution.py").write_text(
        filled_stub("ex01_convolution.py", "vectorised")
    )
    comparison = compare_class(folder, load_catalogue())
    assert comparison.flagged == [] and comparison.unread == {}
    assert len(comparison.sources["ex01"]) == 2


def test_a_copy_padded_with_code_of_its_own_is_still_flagged(tmp_path):
    """Diluting a copy with unrelated functions lowers the copier's share, not the original's."""
    folder = tmp_path / "class"
    original = filled_stub("ex01_convolution.py", "helpers")
    padding = "".join(
        f"\n\ndef unrelated_{n}(values):\n    total = {n}\n    for v in values:\n"
        f"        total = total * {n + 3} % {97 + n} + v\n    return [total] * {n}\n"
        for n in range(40)
    )
    for name, text in (("orig", original), ("padded", DISGUISES["all"](original) + padding)):
        (folder / name).mkdir(parents=True)
        (folder / name / "ex01_convolution.py").write_text(text, encoding="utf-8")
    (pair,) = compare_class(folder, load_catalogue()).flagged
    assert min(pair.share_a, pair.share_b) < 0.5 < 0.7 <= pair.similarity
