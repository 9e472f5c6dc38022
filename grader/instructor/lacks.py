"""What an exercise or quiz lacks, for `grade check`: one line per lack, naming the file to edit.

A lack fails the check when the course cannot be published or graded right without it (the
same things `grade publish` refuses, or that leave points resting on nothing kept back):

- an exercise: no solution, or one whose markers give no stub; a stub in exercises/ that is
  missing or differs from what its solution gives; no public test (`test_public.py`) or no
  hidden test (`hidden/test_hidden.py`); no Korean instructions, or ones that translate
  another version of the stub;
- a quiz: no bank in quizzes/, or no key in solutions/answers/.

The rest are warnings, since a course without them still grades right: Korean texts still
marked untranslated (`grade new`'s placeholders), no Korean title, no hints or no Korean hints,
the placeholder task `grade new` wrote, and an exercise function the release scan has no
example call for (grader/instructor/scan_examples.py), so nothing is tried in its place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from grader.course.catalogue import EXERCISES_DIR, Catalogue, Exercise, Quiz
from grader.course.instructions import INSTRUCTIONS_FILE, english, fingerprint, korean
from grader.errors import InputError
from grader.instructor.scaffold_templates import PLACEHOLDER_TASK, UNTRANSLATED
from grader.instructor.source import stub_from_solution

REGENERATE = "run python -m grader.instructor.source"
Note = Callable[..., None]  # lack(what, path, fails=True): one lack of the item being checked


@dataclass(frozen=True)
class Lack:
    """One thing an item lacks: which item, what, the file to edit, and whether it fails."""

    item: str
    what: str
    file: str
    fails: bool

    def line(self) -> str:
        return f"{'BAD ' if self.fails else 'warn'} {self.item}: {self.what} ({self.file})"


def course_lacks(
    catalogue: Catalogue, ids: list[str] | None = None, exercises_dir: Path = EXERCISES_DIR
) -> list[Lack]:
    """What the items `ids` (default: all) of the course lack, in catalogue order."""
    lacks: list[Lack] = []
    items: list[Exercise | Quiz] = [*catalogue.exercises, *catalogue.quizzes]
    for item in catalogue.select(ids) if ids else items:
        if isinstance(item, Exercise):
            lacks += exercise_lacks(catalogue, item, exercises_dir)
        else:
            lacks += quiz_lacks(catalogue, item)
    return lacks


def exercise_lacks(
    catalogue: Catalogue, exercise: Exercise, exercises_dir: Path = EXERCISES_DIR
) -> list[Lack]:
    """What `exercise` lacks: its solution and stub, suites, Korean texts, hints, scan examples."""
    root, folder = catalogue.root, exercise.folder(exercises_dir)
    shown = _shown_from(root)
    lacks: list[Lack] = []

    def lack(what: str, path: Path, fails: bool = True) -> None:
        lacks.append(Lack(exercise.id, what, shown(path), fails))

    stub = _stub(catalogue, exercise, lack)
    for suite, what in (
        ("test_public.py", "no public test"),
        ("hidden/test_hidden.py", "no hidden test"),
    ):
        if not (folder / suite).is_file():
            lack(what, folder / suite)
    _korean_lacks(exercise, exercises_dir, stub, lack)
    lacks += _text_lacks(exercise, shown(folder / "exercise.yaml"))
    solution = root / "solutions" / exercise.file
    if solution.is_file() and PLACEHOLDER_TASK in _text(solution):
        lack("still the placeholder task `grade new` wrote", solution, fails=False)
    from grader.instructor.scan_examples import examples

    probed = {example["function"] for example in examples()}
    for function in exercise.functions:
        if function not in probed:
            what = f"the release scan has no example call of {function}, so tries nothing for it"
            lack(what, Path(__file__).with_name("scan_examples.py"), fails=False)
    return lacks


def _korean_lacks(exercise: Exercise, exercises_dir: Path, stub: str | None, lack: Note) -> None:
    """No Korean instructions, unreadable ones, ones for another stub, untranslated ones."""
    instructions = exercise.folder(exercises_dir) / INSTRUCTIONS_FILE
    if not instructions.is_file():
        lack("no Korean instructions", instructions)
        return
    try:
        translated, recorded = korean(exercise, exercises_dir)
    except InputError as unreadable:
        lack(f"its Korean instructions cannot be read: {unreadable.message}", instructions)
        return
    if stub is not None and recorded != fingerprint(english(stub, exercise)):
        lack(
            "its Korean instructions translate another version of the stub; update them and their "
            f"'source' (python -m grader.course.instructions {exercise.id})",
            instructions,
        )
    texts = [
        translated.module,
        *translated.docs.values(),
        *translated.todos,
        *translated.comments.values(),
    ]
    if any(UNTRANSLATED in text for text in texts):
        lack(f"Korean placeholders still marked {UNTRANSLATED}", instructions, fails=False)


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def _stub(catalogue: Catalogue, exercise: Exercise, lack: Note) -> str | None:
    """The stub the solution gives (None without one), after noting what is wrong with either."""
    solution = catalogue.root / "solutions" / exercise.file
    target = catalogue.root / "exercises" / exercise.file
    if not solution.is_file():
        lack("no solution", solution)
        return None
    try:
        stub = stub_from_solution(
            solution.read_text(encoding="utf-8"),
            exercise_id=exercise.id,
            where=f"solutions/{exercise.file}",
        )
    except (InputError, UnicodeDecodeError) as broken:
        lack(f"its markers give no stub: {getattr(broken, 'message', broken)}", solution)
        return None
    if target.is_symlink() or not target.is_file():
        lack(f"no stub; {REGENERATE}", target)
    elif target.read_bytes() != stub.encode("utf-8"):
        lack(f"the stub differs from what its solution gives; {REGENERATE}", target)
    return stub


def quiz_lacks(catalogue: Catalogue, quiz: Quiz) -> list[Lack]:
    """What `quiz` lacks: its bank and key, their Korean, its title and hints in two languages."""
    shown = _shown_from(catalogue.root)
    lacks: list[Lack] = []
    for path, what in (
        (catalogue.root / "quizzes" / quiz.file, "no question bank"),
        (catalogue.root / "solutions" / "answers" / f"{quiz.id}.yaml", "no answer key"),
    ):
        found = [] if path.is_file() else [(what, True)]
        if path.is_file() and UNTRANSLATED in _text(path):
            found.append((f"Korean placeholders still marked {UNTRANSLATED}", False))
        if path.is_file() and PLACEHOLDER_TASK in _text(path):
            found.append(("still the placeholder question `grade new` wrote", False))
        lacks += [Lack(quiz.id, text, shown(path), fails) for text, fails in found]
    return lacks + _text_lacks(quiz, shown(catalogue.root / "grader" / "course" / "course.yaml"))


def _text_lacks(item: Exercise | Quiz, entry: str) -> list[Lack]:
    """Warnings about the catalogue entry's title and hints in two languages."""
    found = []
    if not item.title_ko:
        found.append("no Korean title (title_ko)")
    if not item.hints:
        found.append("no hints")
    elif not item.hints_ko:
        found.append("no Korean hints (hints_ko)")
    marked = [
        key
        for key, texts in (("title_ko", (item.title_ko,)), ("hints_ko", item.hints_ko))
        if any(UNTRANSLATED in text for text in texts)
    ]
    if marked:
        found.append(f"Korean placeholders still marked {UNTRANSLATED} ({', '.join(marked)})")
    return [Lack(item.id, what, entry, False) for what in found]


def _shown_from(root: Path) -> Callable[[Path], str]:
    """How a path is named in a line: relative to the course root where it is inside it."""

    def shown(path: Path) -> str:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            return str(path)

    return shown
