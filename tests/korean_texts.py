"""Every Korean text a learner can read, each with the place it comes from, for the tests of the
glossary (tests/test_glossary.py) and of the particles (tests/test_particles.py).

A text is `formatted` when the grader fills placeholders into it (a catalogue entry): only there
may a pair form such as "을(를)" follow a `{placeholder}`. Everything else is shown as written.
Accepted quiz answers (`also_accept`) are not prose and are left out.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
PO_FILE = ROOT / "grader" / "locale" / "ko" / "LC_MESSAGES" / "grader.po"
HANGUL = re.compile("[\uac00-\ud7a3]")
# Python modules that write Korean outside the catalogue (the Gradescope summary is bilingual)
KOREAN_IN_CODE = ("grader/reports/gradescope.py",)
MARKDOWN = ("README.md", "grader/instructor/release_readme.md", "exercises/answers/README.md")


@dataclass(frozen=True)
class KoreanText:
    where: str  # file and entry, as a failing test names it
    text: str
    formatted: bool = False  # placeholders are filled in before a learner reads it


def catalogue_texts() -> Iterator[KoreanText]:
    with open(PO_FILE, "rb") as po:
        catalogue = read_po(po, locale="ko")
    for message in catalogue:
        if not message.id:
            continue
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in filter(None, strings):
            yield KoreanText(f"grader.po, msgid {msgid!r}", text, formatted=True)


def _walk(node: object, path: str, korean: bool) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "also_accept":
                continue
            inner = korean or key == "ko" or str(key).endswith("_ko")
            yield from _walk(value, f"{path}.{key}" if path else str(key), inner)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            label = value.get("id") if isinstance(value, dict) else None
            yield from _walk(value, f"{path}[{label or index}]", korean)
    elif isinstance(node, str) and korean:
        yield path, node


def yaml_texts() -> Iterator[KoreanText]:
    files = [
        *sorted((ROOT / "quizzes").glob("q*.yaml")),
        *sorted((ROOT / "solutions" / "answers").glob("q*.yaml")),
        ROOT / "grader" / "course" / "course.yaml",
        *sorted((ROOT / "grader" / "exercises").glob("ex*/exercise.yaml")),
    ]
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for where, text in _walk(data, "", False):
            yield KoreanText(f"{path.relative_to(ROOT)}: {where}", text)
    for path in sorted((ROOT / "grader" / "exercises").glob("ex*/instructions.ko.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for where, text in _walk(data, "", True):
            if where != "source":
                yield KoreanText(f"{path.relative_to(ROOT)}: {where}", text)


def mostly_korean(line: str) -> bool:
    """A line of Korean prose (an English line may gloss a term in Korean: not its prose)."""
    return len(HANGUL.findall(line)) >= len(re.findall("[A-Za-z]", line)) > 0 or (
        bool(HANGUL.search(line)) and not re.search("[A-Za-z]", line)
    )


def line_texts() -> Iterator[KoreanText]:
    """Korean lines of the Markdown files and the notebook's cells."""
    for name in MARKDOWN:
        for number, line in enumerate((ROOT / name).read_text(encoding="utf-8").splitlines(), 1):
            if mostly_korean(line):
                yield KoreanText(f"{name}:{number}", line)
    notebook = json.loads((ROOT / "exercises" / "course.ipynb").read_text(encoding="utf-8"))
    for index, cell in enumerate(notebook["cells"]):
        for line in cell["source"]:
            if mostly_korean(line):
                yield KoreanText(f"exercises/course.ipynb, cell {index}", line)
    for name in KOREAN_IN_CODE:
        for node in ast.walk(ast.parse((ROOT / name).read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                for line in node.value.splitlines():  # "English.\n한국어.": the Korean lines
                    if mostly_korean(line):
                        yield KoreanText(f"{name}:{node.lineno}", line)


def korean_texts() -> list[KoreanText]:
    return [*catalogue_texts(), *yaml_texts(), *line_texts()]
