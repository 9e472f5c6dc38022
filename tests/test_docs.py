"""The repository speaks for itself: every `docs/NAME.md#anchor` cited in the code, the tests,
the benchmarks or the documents names a heading that exists, and nothing cites a document the
repository does not hold (the "SPEC section N" of earlier comments)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SEARCHED = (
    "grader",
    "tests",
    "benchmarks",
    "docs",
    "README.md",
    "quizzes",
    "solutions",
    "exercises",
    ".ci",
)
SUFFIXES = {".py", ".md", ".yaml", ".yml", ".txt", ".toml", ".cfg", ""}
CITATION = re.compile(r"docs/([\w-]+\.md)#([\w-]*)")
OUTSIDE_DOCUMENT = re.compile(r"\bSPEC(?: section|'s|\)| §)")
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")


def slug(heading: str) -> str:
    """GitHub's anchor for a Markdown heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(document: Path) -> set[str]:
    found, in_code = set(), False
    for line in document.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_code = not in_code
        match = HEADING.match(line)
        if match and not in_code:
            found.add(slug(match.group(1)))
    return found


def searched_files() -> list[Path]:
    files = []
    for part in SEARCHED:
        path = ROOT / part
        candidates = [path] if path.is_file() else sorted(path.rglob("*")) if path.is_dir() else []
        files += [
            file
            for file in candidates
            if file.is_file()
            and file.suffix in SUFFIXES
            and "__pycache__" not in file.parts
            and file.name != Path(__file__).name
        ]
    return files


def citations() -> list[tuple[str, str, str]]:
    found = []
    for file in searched_files():
        text = file.read_text(encoding="utf-8", errors="replace")
        found += [
            (str(file.relative_to(ROOT)), document, anchor)
            for document, anchor in CITATION.findall(text)
        ]
    return found


def test_slugs_follow_githubs_rule():
    assert slug("A grade is evidence") == "a-grade-is-evidence"
    assert slug("Command-line contract") == "command-line-contract"
    assert slug("The `learner` fixture, and points!") == "the-learner-fixture-and-points"


def test_the_design_is_cited():
    cited = {anchor for _file, document, anchor in citations() if document == "design.md"}
    assert {
        "exit-codes",
        "a-grade-is-evidence",
        "hidden-stays-hidden",
        "array-conventions",
    } <= cited


@pytest.mark.parametrize(("file", "document", "anchor"), citations())
def test_every_cited_anchor_exists(file, document, anchor):
    assert (DOCS / document).is_file(), f"{file} cites docs/{document}, which does not exist"
    assert anchor in anchors(DOCS / document), (
        f"{file} cites docs/{document}#{anchor}: no such heading"
    )


@pytest.mark.parametrize(
    "document", sorted(DOCS.glob("*.md")) + [ROOT / "README.md"], ids=lambda path: path.name
)
def test_every_link_within_a_document_exists(document):
    missing = set(re.findall(r"\]\(#([\w-]+)\)", document.read_text(encoding="utf-8"))) - anchors(
        document
    )
    assert not missing, f"{document.name} links to #{sorted(missing)}: no such heading"


def test_no_comment_cites_a_document_outside_the_repository():
    cited = [
        f"{file.relative_to(ROOT)}:{number}"
        for file in searched_files()
        for number, line in enumerate(
            file.read_text(encoding="utf-8", errors="replace").splitlines(), 1
        )
        if OUTSIDE_DOCUMENT.search(line)
    ]
    assert cited == []
