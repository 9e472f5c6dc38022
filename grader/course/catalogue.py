"""The course catalogue: exercises and quizzes as frozen dataclasses, loaded from YAML.

course.yaml holds the course-wide settings and the quizzes; each exercise is a folder,
grader/exercises/exNN/, whose exercise.yaml says the rest (title, file, functions, points,
limits, hints), found by `load_catalogue` in id order. The CLI, the runner and `publish` all
read the catalogue; nothing else hard-codes an exercise id, a file name, a point total or a
limit. A catalogue that does not match the schema below raises `CatalogueError`, which the CLI
reports in one line with exit code 2.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.course import yamlfile
from grader.course.limits import Limits, parse_limits
from grader.course.schedule import Schedule, parse_schedule
from grader.course.training import Training, parse_training
from grader.course.visibility import (
    EXERCISE_VISIBILITY,
    QUIZ_VISIBILITY,
    Visibility,
    parse_visibility,
)
from grader.course.yamlfile import is_number
from grader.errors import InputError
from grader.i18n import _

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # grader/
COURSE_ROOT = PACKAGE_DIR.parent
CATALOGUE_PATH = Path(__file__).resolve().parent / "course.yaml"
EXERCISES_DIR = PACKAGE_DIR / "exercises"  # one folder per exercise: exNN/

EXERCISE_ID = re.compile(r"^ex\d\d$")
QUIZ_ID = re.compile(r"^q\d\d$")
FORGIVEN_ID = re.compile(r"^(ex|q)?0*(\d{1,2})$")  # a bare number is an exercise


class CatalogueError(InputError):
    """The catalogue file is missing, is not YAML, or does not match the schema."""


class _InTwoLanguages:
    """The learner-facing texts of an item (title, hints) in English or Korean; Korean falls back
    to English where the catalogue has none (tests/test_i18n.py fails on such a gap)."""

    # the fields of an Exercise and a Quiz that every item has
    id: str
    title: str
    title_ko: str
    hints: tuple[str, ...]
    hints_ko: tuple[str, ...]

    def title_for(self, lang: str) -> str:
        return (self.title_ko or self.title) if lang == "ko" else self.title

    def hints_for(self, lang: str) -> tuple[str, ...]:
        return (self.hints_ko or self.hints) if lang == "ko" else self.hints


@dataclass(frozen=True)
class Exercise(_InTwoLanguages):
    """One coding exercise: a learner edits `exercises/<file>`; suites grade `functions`."""

    id: str
    title: str
    file: str
    functions: tuple[str, ...]
    points: float
    limits: Limits
    hints: tuple[str, ...] = ()
    constants: tuple[str, ...] = ()
    title_ko: str = ""
    hints_ko: tuple[str, ...] = ()
    tensorflow: bool = False
    training: Training | None = None
    gradescope: Visibility = EXERCISE_VISIBILITY
    advanced: bool = False  # beyond the course notes (심화): marked in `grade list` and `show`

    @property
    def module(self) -> str:
        """The import name of the learner's file (`ex01_convolution`)."""
        return Path(self.file).stem

    @property
    def kind(self) -> str:
        return "exercise"

    def folder(self, exercises_dir: Path = EXERCISES_DIR) -> Path:
        """The exercise's folder: exercise.yaml, instructions.ko.yaml, its suites."""
        return exercises_dir / self.id

    def suite_files(self, exercises_dir: Path = EXERCISES_DIR) -> list[Path]:
        """The public and (where present: not in a student release) hidden suites, in the order they run."""
        folder = self.folder(exercises_dir)
        candidates = [folder / "test_public.py", folder / "hidden" / "test_hidden.py"]
        return [path for path in candidates if path.is_file()]


@dataclass(frozen=True)
class Quiz(_InTwoLanguages):
    """One quiz: questions in `quizzes/<file>`, a learner's answers in `answers/<id>.yaml`."""

    id: str
    title: str
    file: str
    hints: tuple[str, ...] = ()
    title_ko: str = ""
    hints_ko: tuple[str, ...] = ()
    gradescope: Visibility = QUIZ_VISIBILITY
    advanced: bool = False  # beyond the course notes (심화): marked in `grade list`

    @property
    def answers_file(self) -> str:
        """Where a learner's answers live, relative to the submission folder."""
        return f"answers/{self.id}.yaml"

    @property
    def kind(self) -> str:
        return "quiz"


@dataclass(frozen=True)
class Catalogue:
    """The whole course, in the order the catalogue lists it."""

    course: str
    exercises: tuple[Exercise, ...]
    quizzes: tuple[Quiz, ...] = field(default=())
    root: Path = COURSE_ROOT
    schedule: Schedule = field(default_factory=Schedule)  # due dates, late policy
    order: tuple[
        str, ...
    ] = ()  # the recommended order (course.yaml's `order`), rising in difficulty

    @property
    def items(self) -> tuple[Exercise | Quiz, ...]:
        return (*self.exercises, *self.quizzes)

    @property
    def in_order(self) -> tuple[Exercise | Quiz, ...]:
        """Every item in the order the course recommends: those `order` lists first, in its
        order, then the rest in catalogue order."""
        by_id = {item.id: item for item in self.items}
        listed = [by_id[item_id] for item_id in self.order if item_id in by_id]
        return (*listed, *(item for item in self.items if item.id not in self.order))

    def next_item(self, done: set[str], after: str | None = None) -> Exercise | Quiz | None:
        """The first item in the recommended order that is not `done` (has no full marks yet),
        looking after `after` first, then from the start; None when all are done."""
        ordered = list(self.in_order)
        ids = [item.id for item in ordered]
        start = ids.index(after) + 1 if after in ids else 0
        for item in ordered[start:] + ordered[:start]:
            if item.id not in done and item.id != after:
                return item
        return None

    @property
    def ids(self) -> list[str]:
        return [item.id for item in self.items]

    def item(self, item_id: str) -> Exercise | Quiz:
        """The exercise or quiz called `item_id`, read forgivingly (`ex3`, `EX03`, `3`, `Q1`);
        `InputError` with "did you mean ...?" and the valid ids if there is none."""
        wanted = canonical_id(item_id)
        for item in self.items:
            if item.id == wanted:
                return item
        close = difflib.get_close_matches(wanted, self.ids, n=1, cutoff=0.5)
        hint = _("did you mean {id}? ").format(id=close[0]) if close else ""
        raise InputError(
            _("unknown exercise or quiz {given!r}; {hint}choose from {ids}").format(
                given=item_id, hint=hint, ids=", ".join(self.ids)
            )
        )

    def select(self, item_ids: list[str] | tuple[str, ...]) -> list[Exercise | Quiz]:
        """The items for `item_ids`, each once, in catalogue order."""
        wanted = {self.item(item_id).id for item_id in item_ids}
        return [item for item in self.items if item.id in wanted]


def canonical_id(text: str) -> str:
    """`ex3`, `EX03`, `ex-3` and `3` -> "ex03"; `Q1` -> "q01"; anything else as it was, lowercased."""
    match = FORGIVEN_ID.match(re.sub(r"[\s_-]", "", str(text)).lower())
    if not match:
        return str(text).strip().lower()
    prefix, number = match.groups()
    return f"{prefix or 'ex'}{int(number):02d}"


def load_catalogue(
    path: Path = CATALOGUE_PATH, root: Path = COURSE_ROOT, exercises_dir: Path = EXERCISES_DIR
) -> Catalogue:
    """Read and validate the catalogue at `path` and the exercise folders of `exercises_dir`
    (unless the file lists its `exercises` itself, as a test's catalogue may); `CatalogueError`
    says what is wrong where."""
    from grader.course.folders import exercise_entries

    data = yamlfile.read_yaml(path, CatalogueError, "the course catalogue")
    listed = isinstance(data, dict) and "exercises" in data
    found = (
        [] if listed else [(str(file), entry) for file, entry in exercise_entries(exercises_dir)]
    )
    return parse_catalogue(data, source=str(path), root=root, found=found)


def parse_catalogue(
    data: Any, *, source: str, root: Path = COURSE_ROOT, found: Sequence[tuple[str, Any]] = ()
) -> Catalogue:
    """Build a `Catalogue` from already-parsed YAML, checking every key: course.yaml's `data`,
    whose `exercises` (if any) come first, then the exercise folders' entries `found`."""
    expect(isinstance(data, dict), source, "the top level must be a mapping")
    only_keys(data, {"course", "defaults", "exercises", "quizzes", "schedule", "order"}, source)
    defaults = data.get("defaults") or {}
    expect(isinstance(defaults, dict), source, "'defaults' must be a mapping")
    default_limits = parse_limits(
        defaults.get("limits") or {}, Limits(), f"{source}: defaults.limits", expect, only_keys
    )

    exercises = data.get("exercises") or []
    expect(isinstance(exercises, list), source, "'exercises' must be a list")
    expect(
        exercises or found,
        source,
        "the course has no exercise (no 'exercises' and no exercise folder)",
    )
    quizzes = data.get("quizzes") or []
    expect(isinstance(quizzes, list), source, "'quizzes' must be a list")

    parsed_exercises = tuple(
        [
            _parse_exercise(entry, default_limits, f"{source}: exercises[{index}]")
            for index, entry in enumerate(exercises)
        ]
        + [_parse_exercise(entry, default_limits, where) for where, entry in found]
    )
    parsed_quizzes = tuple(
        _parse_quiz(entry, f"{source}: quizzes[{index}]") for index, entry in enumerate(quizzes)
    )
    ids = [item.id for item in (*parsed_exercises, *parsed_quizzes)]
    duplicates = sorted({item_id for item_id in ids if ids.count(item_id) > 1})
    expect(not duplicates, source, f"duplicate ids: {', '.join(duplicates)}")
    return Catalogue(
        course=str(data.get("course", "")),
        exercises=parsed_exercises,
        quizzes=parsed_quizzes,
        root=root,
        schedule=parse_schedule(data.get("schedule"), ids, f"{source}: schedule"),
        order=_order(data.get("order"), ids, source),
    )


def _order(value: Any, ids: list[str], source: str) -> tuple[str, ...]:
    """course.yaml's `order`: item ids, each once (the rest follow in catalogue order). An id
    whose exercise folder is absent is passed over: a course may be a part of this one."""
    if value is None:
        return ()
    expect(
        isinstance(value, list) and all(isinstance(item_id, str) for item_id in value),
        source,
        "'order' must be a list of exercise and quiz ids",
    )
    malformed = [
        item_id for item_id in value if not (EXERCISE_ID.match(item_id) or QUIZ_ID.match(item_id))
    ]
    expect(not malformed, source, f"'order' holds what is not an id like ex01 or q01: {malformed}")
    twice = sorted({item_id for item_id in value if value.count(item_id) > 1})
    expect(not twice, source, f"'order' names ids more than once: {', '.join(twice)}")
    return tuple(item_id for item_id in value if item_id in ids)


def _parse_exercise(entry: Any, default_limits: Limits, where: str) -> Exercise:
    expect(isinstance(entry, dict), where, "each exercise must be a mapping")
    allowed = {
        "id",
        "title",
        "title_ko",
        "file",
        "functions",
        "constants",
        "points",
        "limits",
        "hints",
        "hints_ko",
        "tensorflow",
        "training",
        "gradescope",
        "advanced",
    }
    only_keys(entry, allowed, where)
    for key in ("id", "title", "file", "functions", "points"):
        expect(key in entry, where, f"missing key '{key}'")
    item_id = entry["id"]
    expect(
        isinstance(item_id, str) and EXERCISE_ID.match(item_id),
        where,
        f"'id' must look like ex01, not {item_id!r}",
    )
    where = f"{where} ({item_id})"
    file_name = entry["file"]
    expect(
        isinstance(file_name, str) and re.fullmatch(r"ex\d\d_\w+\.py", file_name or ""),
        where,
        f"'file' must be a file name like ex01_convolution.py, not {file_name!r}",
    )
    points = entry["points"]
    expect(is_number(points) and points > 0, where, "'points' must be a positive number")
    limits = parse_limits(
        entry.get("limits") or {}, default_limits, f"{where}: limits", expect, only_keys
    )
    training = None
    if "training" in entry:
        expect(entry.get("tensorflow") is True, where, "'training' needs 'tensorflow: true'")
        training = parse_training(entry["training"], f"{where}: training", expect)
    return Exercise(
        id=item_id,
        title=_text(entry, "title", where),
        title_ko=_text(entry, "title_ko", where, required=False),
        file=file_name,
        functions=_names(entry, "functions", where),
        constants=_names(entry, "constants", where, required=False),
        points=float(points),
        limits=limits,
        hints=_texts(entry, "hints", where),
        hints_ko=_korean_hints(entry, where),
        tensorflow=bool(entry.get("tensorflow", False)),
        training=training,
        gradescope=parse_visibility(
            entry.get("gradescope", {}), EXERCISE_VISIBILITY, where, expect
        ),
        advanced=_flag(entry, "advanced", where),
    )


def _parse_quiz(entry: Any, where: str) -> Quiz:
    expect(isinstance(entry, dict), where, "each quiz must be a mapping")
    only_keys(
        entry,
        {"id", "title", "title_ko", "file", "hints", "hints_ko", "gradescope", "advanced"},
        where,
    )
    for key in ("id", "title", "file"):
        expect(key in entry, where, f"missing key '{key}'")
    item_id = entry["id"]
    expect(
        isinstance(item_id, str) and QUIZ_ID.match(item_id),
        where,
        f"'id' must look like q01, not {item_id!r}",
    )
    where = f"{where} ({item_id})"
    return Quiz(
        id=item_id,
        title=_text(entry, "title", where),
        title_ko=_text(entry, "title_ko", where, required=False),
        file=_text(entry, "file", where),
        hints=_texts(entry, "hints", where),
        hints_ko=_korean_hints(entry, where),
        gradescope=parse_visibility(entry.get("gradescope", {}), QUIZ_VISIBILITY, where, expect),
        advanced=_flag(entry, "advanced", where),
    )


def _flag(entry: dict, key: str, where: str) -> bool:
    value = entry.get(key, False)
    expect(isinstance(value, bool), where, f"'{key}' must be true or false")
    return value


def _text(entry: dict, key: str, where: str, required: bool = True) -> str:
    value = entry.get(key, None if required else "")
    expect(isinstance(value, str) and (value or not required), where, f"'{key}' must be text")
    assert isinstance(value, str)  # expect() raised otherwise
    return value


def _texts(entry: dict, key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key) or []
    expect(
        isinstance(value, list) and all(isinstance(item, str) for item in value),
        where,
        f"'{key}' must be a list of text",
    )
    return tuple(value)


def _korean_hints(entry: dict, where: str) -> tuple[str, ...]:
    """`hints_ko`: the same hints in Korean, one for one (a missing one would shift the rest)."""
    korean = _texts(entry, "hints_ko", where)
    expect(
        not korean or len(korean) == len(_texts(entry, "hints", where)),
        where,
        "'hints_ko' must have one Korean hint for each of 'hints'",
    )
    return korean


def _names(entry: dict, key: str, where: str, required: bool = True) -> tuple[str, ...]:
    value = entry.get(key) or []
    valid = isinstance(value, list) and all(
        isinstance(name, str) and name.isidentifier() for name in value
    )
    expect(valid and (value or not required), where, f"'{key}' must be a list of Python names")
    return tuple(value)


def only_keys(data: dict, allowed: set[str], where: str) -> None:
    yamlfile.only_keys(data, allowed, where, CatalogueError)


def expect(condition: Any, where: str, message: str) -> None:
    yamlfile.expect(condition, where, message, CatalogueError)
