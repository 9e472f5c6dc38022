"""A learner's submission folder: where its files are, read without following any link.

Learners hand in their exercise files and quiz answers in one of three layouts, all accepted:
the files side by side (a flat upload: `ex01_convolution.py`, `q01.yaml`), a course-shaped
folder (`exercises/ex01_convolution.py`, `answers/q01.yaml`), or either of those inside any
number of folders that each hold only that one folder (as zips often have: `a-main/a-main/`).
One rule finds the layout, for exercises and answers alike, `grade` and `grade batch` alike
(`layout_folders` says which folders it looks in). `Submission` finds it and reads files with a
size cap, walking the path one folder at a time with O_NOFOLLOW: a symbolic link anywhere on
the way to a file (the file, `exercises/`, `answers/`, the top-level folder) is refused, never
followed, so a link to the course's solutions earns nothing. The same goes for a submission
folder that is itself a link, and for a hard link (a file with a second name elsewhere).
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader.errors import InputError
from grader.i18n import _
from grader.notebooks.read import MAX_NOTEBOOK_BYTES, NotebookCode, NotebookError, read_notebook

COURSE_FILE = re.compile(r"^(ex\d\d_\w+\.py|q\d\d\.yaml)$")
NOTEBOOK_FILE = re.compile(r"^[^.].*\.ipynb$", re.IGNORECASE)  # a notebook handed in (not hidden)
COURSE_FOLDERS = ("exercises", "answers")
MAX_LAYOUT_DEPTH = 64  # folders that each hold one folder: deeper than any upload's nesting
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
NONBLOCK = getattr(os, "O_NONBLOCK", 0)
NOTEBOOK_SUFFIX = ".ipynb"


class SubmissionFileError(Exception):
    """A file of the submission that cannot be graded: `kind` is missing, link, big or unreadable."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass(frozen=True)
class Submission:
    """A learner's folder (`folder`) and the folder inside it that holds their files (`base`)."""

    folder: Path
    base: PurePosixPath  # relative to `folder`: "." or "exercises" or "alice" or "alice/exercises"
    notebook: str | None = None  # `grade --submission work.ipynb`: that notebook is the submission
    _read: dict[str, NotebookCode | NotebookError] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def open(cls, folder: Path) -> Submission:
        """The submission in `folder`, or the notebook `folder` names; `InputError` if there is
        no such folder, or the notebook cannot be read (one line, before anything is graded)."""
        if folder.suffix.lower() == NOTEBOOK_SUFFIX and not folder.is_dir():
            learner = cls(folder.parent, PurePosixPath("."), notebook=folder.name)
            found = learner.notebook_code(folder.name)
            if isinstance(found, NotebookError):
                raise InputError(found.message)
            return learner
        if folder.is_file():
            raise InputError(
                _("--submission takes a folder or a notebook (.ipynb), not {file}").format(
                    file=folder
                )
            )
        if not folder.is_dir():
            raise InputError(_("submission folder {folder} does not exist").format(folder=folder))
        return cls(folder, _find_base(folder))

    def notebooks(self) -> tuple[str, ...]:
        """The notebooks the submission holds: the one given, else the base folder's `*.ipynb`."""
        if self.notebook is not None:
            return (self.notebook,)
        entries = _entries(self.folder / self.base)
        return tuple(
            sorted(
                name
                for name, kind in entries.items()
                if kind == "file" and NOTEBOOK_FILE.match(name)
            )
        )

    def notebook_code(self, name: str) -> NotebookCode | NotebookError:
        """The notebook `name` of the base folder, read once (as data, never run)."""
        if name not in self._read:
            try:
                data = self.read(self.base / name, MAX_NOTEBOOK_BYTES)
                self._read[name] = read_notebook(data, name)
            except SubmissionFileError as error:
                self._read[name] = NotebookError(error.message)
            except NotebookError as error:
                self._read[name] = error
        return self._read[name]

    def layout_folders(self) -> tuple[PurePosixPath, ...]:
        """Every folder whose entries the grader looks at: those on the way down to `base` (they
        decide the layout), `base` itself and the answers/ folders it may read from."""
        chain = [PurePosixPath(".")]
        for part in self.base.parts:
            chain.append(chain[-1] / part)
        extra = [self.base / "answers", self.base.parent / "answers"]
        return tuple(dict.fromkeys([*chain, *extra]))

    def exercise_path(self, file_name: str) -> PurePosixPath:
        return self.base / file_name

    def answers_path(self, quiz_id: str) -> PurePosixPath:
        """answers/qNN.yaml where an answers folder exists, else qNN.yaml beside the exercises."""
        candidates = (
            self.base / "answers" / f"{quiz_id}.yaml",
            self.base.parent / "answers" / f"{quiz_id}.yaml",
            self.base / f"{quiz_id}.yaml",
        )
        for candidate in candidates:
            if self.kind(candidate) != "missing":
                return candidate
        return self.base / "answers" / f"{quiz_id}.yaml"

    def kind(self, relative: PurePosixPath) -> str:
        """ "file", "missing", "link" or "other" for the entry at `relative`, links not followed."""
        current, mode = self.folder, stat.S_IFDIR
        if self.folder.is_symlink():
            return "link"
        for part in relative.parts:
            if part in (".", ""):
                continue
            current = current / part
            try:
                mode = current.lstat().st_mode
            except OSError:
                return "missing"
            if stat.S_ISLNK(mode):
                return "link"
        return "file" if stat.S_ISREG(mode) else "other"

    def read(self, relative: PurePosixPath, limit: int) -> bytes:
        """The bytes of the regular file at `relative`, or `SubmissionFileError` saying why not."""
        parts = [part for part in relative.parts if part not in (".", "")]
        name = "/".join(parts)
        if self.folder.is_symlink():
            raise SubmissionFileError(
                "link",
                _(
                    "the submission folder {folder} is a symbolic link; submit the "
                    "folder itself (links are never followed)"
                ).format(folder=self.folder.name),
            )
        try:
            handle = os.open(self.folder, os.O_RDONLY | os.O_DIRECTORY)
        except OSError as error:
            raise SubmissionFileError(
                "unreadable",
                _("the submission folder cannot be read: {reason}").format(reason=error.strerror),
            ) from None
        try:
            for index, part in enumerate(parts):
                last = index == len(parts) - 1
                flags = os.O_RDONLY | NOFOLLOW | (NONBLOCK if last else os.O_DIRECTORY)
                try:
                    child = os.open(part, flags, dir_fd=handle)
                except OSError as error:
                    raise _open_error(error, "/".join(parts[: index + 1]), self.folder) from None
                os.close(handle)
                handle = child
            info = os.fstat(handle)
            if not stat.S_ISREG(info.st_mode):
                raise SubmissionFileError(
                    "unreadable", _("{name} is not a regular file").format(name=name)
                )
            if info.st_nlink > 1:  # another name for someone else's file, such as a solution
                raise SubmissionFileError(
                    "link",
                    _(
                        "{name} is a hard link to a file elsewhere; submit a copy of "
                        "the file itself (links are never followed)"
                    ).format(name=name),
                )
            with os.fdopen(handle, "rb", closefd=True) as stream:
                handle = -1
                content = stream.read(limit + 1)
        finally:
            if handle >= 0:
                os.close(handle)
        if len(content) > limit:
            raise SubmissionFileError(
                "big",
                _("{name} is larger than {limit} KB; it is not graded").format(
                    name=name, limit=limit >> 10
                ),
            )
        return content


def _open_error(error: OSError, name: str, folder: Path) -> SubmissionFileError:
    import errno

    if error.errno == errno.ENOENT:
        return SubmissionFileError(
            "missing", _("{name} is not in the submission folder").format(name=name)
        )
    if error.errno in (errno.ELOOP, errno.ENOTDIR) and (folder / name).is_symlink():
        return SubmissionFileError(
            "link",
            _(
                "{name} is a symbolic link; submit the file itself, not a link "
                "(links are never followed)"
            ).format(name=name),
        )
    return SubmissionFileError(
        "unreadable", _("{name} cannot be read: {reason}").format(name=name, reason=error.strerror)
    )


def _find_base(folder: Path) -> PurePosixPath:
    """Where the exercise files are: the folder or its exercises/, or the same found by going down
    through folders that hold exactly one folder (and no course file), however many there are.

    A link met on the way is not entered: it becomes part of the base, so that reading through
    it fails with "symbolic link" instead of reading what it points at.
    """
    base = PurePosixPath(".")
    for _repeat in range(MAX_LAYOUT_DEPTH + 1):
        entries = _entries(folder / base)
        if any(COURSE_FILE.match(name) or NOTEBOOK_FILE.match(name) for name in entries):
            return base
        if "exercises" in entries:
            return base / "exercises"
        if "answers" in entries:
            return base
        folders = [
            name
            for name, kind in entries.items()
            if kind != "file" and not name.startswith((".", "_"))
        ]
        if len(folders) != 1:
            return base
        base = base / folders[0]
        if entries[folders[0]] == "link":
            return base
    return PurePosixPath(".")


def _entries(folder: Path) -> dict[str, str]:
    """Name -> "folder", "link" or "file" for the entries of `folder` (links are not followed)."""
    try:
        with os.scandir(folder) as scan:
            return {
                entry.name: "link"
                if entry.is_symlink()
                else "folder"
                if entry.is_dir(follow_symlinks=False)
                else "file"
                for entry in scan
            }
    except OSError:
        return {}


def find_learner_folder(default: Path, start: Path | None = None) -> Path | None:
    """Where a learner who gave no --submission works, found as git finds its repository: the
    `default` folder (exercises/) here or in a parent, or the current folder itself when it
    holds exercise files (a learner who ran `cd exercises`). None when there is none."""
    here = (start or Path.cwd()).resolve()
    if _holds_course_files(here) and not (here / default).is_dir():
        return here
    for folder in (here, *here.parents):
        candidate = folder / default
        if candidate.is_dir() and not candidate.is_symlink():
            return candidate
    return None


def _holds_course_files(folder: Path) -> bool:
    try:
        return (
            any(COURSE_FILE.match(entry.name) for entry in folder.iterdir())
            or (folder / "answers").is_dir()
        )
    except OSError:
        return False
