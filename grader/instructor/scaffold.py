"""`grade new exercise ID "Title"` and `grade new quiz ID ["Title"]`: everything a new item needs.

An exercise gets its marked solution in solutions/, the stub that solution gives in
exercises/, and its folder grader/exercises/ID/ (exercise.yaml, instructions.ko.yaml with the
stub's fingerprint, test_public.py, and hidden/ with test_hidden.py and reference.py); a quiz
gets its bank in quizzes/, its key in solutions/answers/ and an entry under `quizzes:` in
grader/course/course.yaml (appended as text, so its comments stay). The templates
(grader/instructor/scaffold_templates.py) hold a tiny real task, so that `grade check` accepts
the new item at once (solution full marks, stub zero); every Korean text is a placeholder
marked `UNTRANSLATED`. A bad id or title, an id the course has, or a folder that is not a
course is an `InputError` (exit code 2) before anything is written; a failure while writing
removes what was written.
"""

from __future__ import annotations

import builtins
import json
import keyword
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from grader.course.catalogue import EXERCISE_ID, QUIZ_ID, Catalogue, Exercise, load_catalogue
from grader.course.instructions import INSTRUCTIONS_FILE, english, fingerprint
from grader.course.limits import Limits
from grader.errors import InputError
from grader.instructor import scaffold_templates as templates
from grader.instructor.source import stub_from_solution

COURSE_FILES = ("grader/course/course.yaml",)
COURSE_FOLDERS = ("grader/exercises", "solutions", "exercises", "quizzes")
CATALOGUE_FILE = Path("grader") / "course" / "course.yaml"
EXERCISES_FOLDER = Path("grader") / "exercises"
SLUG_WORDS = 3  # words of the title in a file name: ex10_box_blur.py
# Names the templates' modules use: a graded function called so would hide them.
TAKEN_NAMES = {"np", "numpy", "math", "pytest", "reference", *dir(builtins), *keyword.kwlist}
TITLE_LENGTH = 80
UNSAFE_TITLE = re.compile(r'["\\\x00-\x1f\x7f]')  # it goes into a docstring and YAML


@dataclass
class Written:
    """What a scaffold wrote, relative to the course root, in order."""

    root: Path
    files: list[str] = field(default_factory=list)


def course_catalogue(root: Path) -> Catalogue:
    """The catalogue of the course at `root`, its own exercise folders included; `InputError`
    when `root` is not a course folder."""
    missing = [part for part in COURSE_FOLDERS if not (root / part).is_dir()]
    missing += [part for part in COURSE_FILES if not (root / part).is_file()]
    if missing:
        raise InputError(
            f"{root} is not a course folder (it has no {', '.join(missing)}); run "
            "`grade new` in the course repository"
        )
    return load_catalogue(root / CATALOGUE_FILE, root=root, exercises_dir=root / EXERCISES_FOLDER)


def new_exercise(root: Path, exercise_id: str, title: str) -> Written:
    """Scaffold exercise `exercise_id` in the course at `root` (see the module's docstring)."""
    catalogue = course_catalogue(root)
    if not EXERCISE_ID.fullmatch(exercise_id):
        raise InputError(f"{exercise_id!r} is not an exercise id; an exercise id looks like ex10")
    title = _checked_title(title)
    taken = [item for item in catalogue.ids if item == exercise_id]
    taken += _existing(
        root,
        [
            f"grader/exercises/{exercise_id}",
            f"solutions/{exercise_id}_*",
            f"exercises/{exercise_id}_*",
        ],
    )
    _refuse_taken(exercise_id, taken)
    slug = _slug(title, "exercise")
    function = slug if slug.isidentifier() and slug not in TAKEN_NAMES else f"solve_{slug}"
    file = f"{exercise_id}_{slug}.py"
    fill = {
        "id": exercise_id,
        "number": exercise_id[2:],
        "title": title,
        "function": function,
        "file": file,
        "untranslated": templates.UNTRANSLATED,
        "placeholder": templates.PLACEHOLDER_TASK,
        "title_yaml": _yaml_text(title),
        "title_ko_yaml": _yaml_text(f"{templates.UNTRANSLATED} {title}"),
    }
    solution = templates.SOLUTION.substitute(fill)
    stub = stub_from_solution(solution, exercise_id=exercise_id, where=f"solutions/{file}")
    folder = f"grader/exercises/{exercise_id}"
    files = {
        f"solutions/{file}": solution,
        f"exercises/{file}": stub,
        f"{folder}/__init__.py": templates.PACKAGE_INIT.substitute(fill),
        f"{folder}/exercise.yaml": templates.EXERCISE_YAML.substitute(fill),
        f"{folder}/{INSTRUCTIONS_FILE}": korean_placeholders(stub, exercise_id, file, function),
        f"{folder}/test_public.py": templates.PUBLIC_TESTS.substitute(fill),
        f"{folder}/hidden/__init__.py": templates.HIDDEN_INIT.substitute(fill),
        f"{folder}/hidden/reference.py": templates.REFERENCE.substitute(fill),
        f"{folder}/hidden/test_hidden.py": templates.HIDDEN_TESTS.substitute(fill),
    }
    return _write_all(root, files, exercise_id)


def new_quiz(root: Path, quiz_id: str, title: str | None = None) -> Written:
    """Scaffold quiz `quiz_id`: a bank with one question, its key, its catalogue entry."""
    catalogue = course_catalogue(root)
    if not QUIZ_ID.fullmatch(quiz_id):
        raise InputError(f"{quiz_id!r} is not a quiz id; a quiz id looks like q06")
    title = _checked_title(title if title is not None else f"Quiz {quiz_id[1:]}")
    taken = [item for item in catalogue.ids if item == quiz_id]
    taken += _existing(root, [f"quizzes/{quiz_id}_*", f"solutions/answers/{quiz_id}.yaml"])
    _refuse_taken(quiz_id, taken)
    file = f"{quiz_id}_{_slug(title, 'quiz')}.yaml"
    fill = {
        "id": quiz_id,
        "title": title,
        "file": file,
        "untranslated": templates.UNTRANSLATED,
        "placeholder": templates.PLACEHOLDER_TASK,
        "title_yaml": _yaml_text(title),
        "title_ko_yaml": _yaml_text(f"{templates.UNTRANSLATED} {title}"),
    }
    catalogue_text = _with_quiz_entry((root / CATALOGUE_FILE).read_text(encoding="utf-8"), fill)
    files = {
        f"quizzes/{file}": templates.QUIZ_BANK.substitute(fill),
        f"solutions/answers/{quiz_id}.yaml": templates.QUIZ_KEYS.substitute(fill),
    }
    return _write_all(root, files, quiz_id, replaced={CATALOGUE_FILE.as_posix(): catalogue_text})


def korean_placeholders(stub: str, exercise_id: str, file: str, function: str) -> str:
    """instructions.ko.yaml for `stub`: its English, each text marked untranslated, and the
    fingerprint of that English, so that the stub is the course's own until its text changes."""
    exercise = Exercise(
        id=exercise_id, title="", file=file, functions=(function,), points=1.0, limits=Limits()
    )
    parts = english(stub, exercise)
    mark = templates.UNTRANSLATED
    lines = [
        templates.INSTRUCTIONS_HEADER.substitute(id=exercise_id, untranslated=mark).rstrip("\n"),
        f"source: {fingerprint(parts)}",
        "module: |",
        _block(f"{mark} {parts.module}", 2),
        "docs:",
    ]
    lines += [
        f"  {name}: |\n{_block(f'{mark} {doc}', 4)}" for name, doc in sorted(parts.docs.items())
    ]
    lines += ["todos:", *(f"  - {_yaml_text(f'{mark} {todo}')}" for todo in parts.todos)]
    comments = [
        f"  {_yaml_text(text)}: {_yaml_text(f'{mark} {text}')}" for text in sorted(parts.comments)
    ]
    lines += ["comments:", *comments] if comments else ["comments: {}"]
    return "\n".join(lines) + "\n"


def _block(text: str, indent: int) -> str:
    """`text` as the lines of a YAML literal block at `indent` spaces."""
    return "\n".join(" " * indent + line if line.strip() else "" for line in text.splitlines())


def _yaml_text(text: str) -> str:
    """`text` as a YAML double-quoted scalar (JSON's string syntax is YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def _checked_title(title: str) -> str:
    title = " ".join(title.split())
    if not title or len(title) > TITLE_LENGTH or UNSAFE_TITLE.search(title):
        raise InputError(
            f"a title is one line of at most {TITLE_LENGTH} characters, without "
            f"double quotes or backslashes, not {title!r}"
        )
    return title


def _slug(title: str, fallback: str) -> str:
    """The first words of `title`, lower case ASCII, joined by "_" (`fallback` if none)."""
    words = re.findall(r"[a-z0-9]+", title.lower())[:SLUG_WORDS]
    return "_".join(words) or fallback


def _existing(root: Path, patterns: list[str]) -> list[str]:
    return sorted(
        {path.relative_to(root).as_posix() for pattern in patterns for path in root.glob(pattern)}
    )


def _refuse_taken(item_id: str, taken: list[str]) -> None:
    if taken:
        where = ["the catalogue" if item == item_id else item for item in taken]
        raise InputError(f"{item_id} exists already ({', '.join(where)}); choose another id")


def _with_quiz_entry(text: str, fill: dict[str, str]) -> str:
    """course.yaml's text with the quiz's entry appended to its `quizzes:` list (or a new one)."""
    node = yaml.compose(text)
    pairs = (
        {key.value: value for key, value in node.value}
        if isinstance(node, yaml.MappingNode)
        else {}
    )
    listed = pairs.get("quizzes")
    if isinstance(listed, yaml.SequenceNode) and listed.value:
        end = listed.value[-1].end_mark
        head, tail = text[: end.index], text[end.index :]
        head += "" if head.endswith("\n") else "\n"
        entry = templates.QUIZ_ENTRY.substitute(fill, indent=" " * listed.start_mark.column)
        return head + entry + tail
    if listed is not None and not (
        isinstance(listed, yaml.ScalarNode) and listed.value in ("", "~", "null")
    ):
        raise InputError(f"{CATALOGUE_FILE}: 'quizzes' is not a list; add the quiz's entry by hand")
    text = re.sub(r"(?m)^quizzes:.*\n?", "", text) if listed is not None else text
    return (
        text
        + ("" if text.endswith("\n") else "\n")
        + "quizzes:\n"
        + templates.QUIZ_ENTRY.substitute(fill, indent="  ")
    )


def _write_all(
    root: Path, files: dict[str, str], item_id: str, *, replaced: dict[str, str] | None = None
) -> Written:
    """Create each of `files` (never over an existing one), then replace each of `replaced`;
    check that the course still loads with the new item in it. On any failure, what was
    written is removed (and what was replaced restored) before the error goes on."""
    written = Written(root)
    created: list[Path] = []
    kept: dict[Path, bytes] = {}
    try:
        for relative, text in files.items():
            path = root / relative
            for parent in reversed(path.relative_to(root).parents):
                if not (root / parent).exists():
                    (root / parent).mkdir()
                    created.append(root / parent)
            with open(path, "x", encoding="utf-8", newline="\n") as handle:
                created.append(path)
                handle.write(text)
            written.files.append(relative)
        for relative, text in (replaced or {}).items():
            path = root / relative
            kept[path] = path.read_bytes()
            partial = path.with_name(f".{path.name}.new-{os.getpid()}")
            created.append(partial)  # gone once it replaces `path`; removed if it could not
            partial.write_text(text, encoding="utf-8", newline="\n")
            os.replace(partial, path)
            written.files.append(relative)
        if item_id not in course_catalogue(root).ids:
            raise InputError(
                f"{item_id} was written but the catalogue does not find it; nothing kept"
            )
    except BaseException:
        for path, content in kept.items():
            path.write_bytes(content)
        for path in reversed(created):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        raise
    return written
