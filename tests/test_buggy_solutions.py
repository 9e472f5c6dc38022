"""Buggy versions (tests/buggy_solutions.py) apply to today's solutions, each changes the code,
the catalogue of whole-file versions lists each file once, and an edit that no longer fits fails loudly, naming its
version, rather than grading the solution or a garbled file."""

from __future__ import annotations

import ast

import pytest
import yaml

from tests.buggy_solutions import (
    BUGGY,
    BuggyVersion,
    StaleBuggyVersion,
    apply_edits,
    buggy_source,
    buggy_versions,
    whole_file_versions,
)
from tests.conftest import SOLUTIONS


@pytest.mark.parametrize("name", sorted(buggy_versions()))
def test_every_buggy_version_applies_and_changes_the_code(name):
    file, text = buggy_source(name)
    solution = (SOLUTIONS / file).read_text(encoding="utf-8")
    assert ast.dump(ast.parse(text)) != ast.dump(ast.parse(solution))


def test_edits_anchor_on_code_lines_not_on_line_numbers():
    version = BuggyVersion("sum_not_product", "f.py", "adds", (("return a * b", "return a + b"),))
    source = "def f(a, b):\n    return a * b\n"
    moved = "# BEGIN SOLUTION\n\ndef f(a, b):\n    # END SOLUTION\n    return a * b\n"
    assert apply_edits(source, version) == "def f(a, b):\n    return a + b\n"
    assert apply_edits(moved, version).endswith("    # END SOLUTION\n    return a + b\n")


def test_a_replacement_of_several_lines_or_none_keeps_the_indentation():
    version = BuggyVersion(
        "reordered", "f.py", "moved", (("x = 1", ""), ("y = 2", "if y:\n    x = 1\n"))
    )
    source = "def f(y):\n    x = 1\n    y = 2\n    return x + y\n"
    assert apply_edits(source, version) == "def f(y):\n    if y:\n        x = 1\n    return x + y\n"


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("def f(a, b):\n    return a - b\n", "is not"),
        ("def f(a, b):\n    return a * b\n\n\ndef g(a, b):\n    return a * b\n", "occurs 2 times"),
    ],
)
def test_an_edit_that_no_longer_fits_names_its_version(source, reason):
    version = BuggyVersion(
        "sum_not_product", "ex99_demo.py", "adds", (("return a * b", "return a + b"),)
    )
    with pytest.raises(
        StaleBuggyVersion,
        match=rf"sum_not_product: the line 'return a \* b' {reason} in "
        r"solutions/ex99_demo.py; update tests/fixtures/buggy/ex99_demo.yaml",
    ):
        apply_edits(source, version)


def test_an_edit_that_breaks_the_syntax_names_its_version():
    version = BuggyVersion("half_a_line", "ex99_demo.py", "cut", (("return a * b", "return a *"),))
    with pytest.raises(
        StaleBuggyVersion, match="half_a_line: the edited solutions/ex99_demo.py no longer parses"
    ):
        apply_edits("def f(a, b):\n    return a * b\n", version)


def test_the_catalogue_lists_every_whole_file_version_once():
    entries = yaml.safe_load((BUGGY / "catalogue.yaml").read_text(encoding="utf-8"))
    files = [entry["file"] for entry in entries]
    assert sorted(files) == sorted(path.name for path in BUGGY.glob("*.py"))
    assert len(files) == len(set(files))
    for entry in entries:
        assert set(entry) == {"file", "exercise", "bug", "feedback"}, entry
    assert {version.exercise for version in whole_file_versions().values()} == {
        "ex01",
        "ex02",
        "ex03",
        "ex04",
        "ex05",
        "ex06",
    }
