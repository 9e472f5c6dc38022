"""The exercise folders: grader/exercises/exNN/, one per exercise, each with its exercise.yaml.

A folder named like an exercise id is an exercise; its exercise.yaml is the catalogue entry
course.yaml once held, without the `id` (the folder's name). A folder without the file, or a
file that is not a mapping, is a `CatalogueError` naming it. Other folders (the shared
`hidden/` package, `__pycache__`) are not exercises.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from grader.course import yamlfile
from grader.course.catalogue import EXERCISE_ID, CatalogueError, expect

ENTRY_FILE = "exercise.yaml"


def exercise_folders(exercises_dir: Path) -> list[Path]:
    """The exNN/ folders of `exercises_dir`, in id order."""
    return sorted(
        path for path in exercises_dir.glob("ex*") if path.is_dir() and EXERCISE_ID.match(path.name)
    )


def exercise_entries(exercises_dir: Path) -> list[tuple[Path, Any]]:
    """(exercise.yaml, its entry with the folder's name as `id`) for each exercise folder."""
    entries = []
    for folder in exercise_folders(exercises_dir):
        file = folder / ENTRY_FILE
        expect(file.is_file(), str(folder), f"an exercise folder needs its {ENTRY_FILE}")
        entry = yamlfile.read_yaml(file, CatalogueError, "an exercise's catalogue entry")
        expect(isinstance(entry, dict), str(file), "an exercise must be a mapping")
        expect("id" not in entry, str(file), "'id' is the folder's name, not a key")
        entries.append((file, {"id": folder.name, **entry}))
    return entries
