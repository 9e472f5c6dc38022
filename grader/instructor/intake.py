"""A class folder read safely: one learner per sub-folder or .zip, checked, and packed as data.

`find_learners` lists the learners (a link, or two entries with one name, is a problem, never
graded). `open_upload` unpacks a zip with limits (no absolute paths, no `..`, no links, a cap
on files and bytes) and says what is wrong with an upload that cannot be graded: an unreadable
zip, a zip with two top-level folders, an empty folder, a folder without exercise files.
`pack` turns the folder into a `Packed` submission: the exercise and answers files with their
bytes, every other entry as an empty placeholder (grading reads only the course's files, but
their layout decides where those are) and links as links. A `Packed` submission can be hashed
(reruns skip an unchanged one) and shipped to another machine, where `materialise` lays it
out again for the child grader; no link is ever followed, here or there.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from grader.course.catalogue import Catalogue, Exercise
from grader.errors import InputError
from grader.notebooks.read import MAX_NOTEBOOK_BYTES
from grader.submission import COURSE_FILE, NOTEBOOK_FILE, Submission

MAX_ZIP_FILES = 500
MAX_ZIP_BYTES = 50 << 20
MAX_ENTRIES = 20_000  # entries of one learner's folder that are packed
MAX_PACKED_PATH = (
    1024  # bytes of a path inside an upload: far below the system's limit, whatever folder holds it
)
MAX_COURSE_FILE_READ = (
    1 << 20
) + 1  # one byte over the grader's own limit, so it still refuses the file
MAX_ZIP_INDEX_BYTES = 1 << 20  # a zip's central directory: 500 entries take well under 100 KB
ZIP_END_RECORD = b"PK\x05\x06"  # the end-of-central-directory record's signature
ZIP_END_SEARCH = 22 + 0xFFFF  # the record is 22 bytes, then a comment of at most 64 KB
HARD_LINK_MARK = ".hard-link-{}"  # beside a re-created hard link, so the grader sees two names
UNREADABLE = "unreadable upload"
# A learner's entry besides folders: a .zip, graded, or another archive, reported (never silently skipped).
ARCHIVES = (
    ".zip",
    ".tar.gz",
    ".tar.bz2",
    ".tar.xz",
    ".tgz",
    ".tar",
    ".rar",
    ".7z",
    ".gz",
    ".bz2",
    ".xz",
)
SHOWN_NAME, SHOWN_NAMES = 60, 3  # characters of a name, and names, quoted in one learner's status


@dataclass(frozen=True)
class Learner:
    """One learner's entry in the batch folder, or the problem that keeps it from being graded."""

    name: str
    path: Path
    problem: str = ""


@dataclass(frozen=True)
class Packed:
    """A learner's submission as data: (path, kind, content) with kind "dir", "file", "link" or
    "hardlink" (an exercise or answers file with more than one name: packed without its content)."""

    entries: tuple[tuple[str, str, bytes], ...]

    @property
    def digest(self) -> str:
        """The submitted-files hash: equal for equal files and layout, whatever the upload's form."""
        digest = hashlib.sha256()
        for path, kind, content in self.entries:
            for part in (path.encode("utf-8", "surrogateescape"), kind.encode(), content):
                digest.update(len(part).to_bytes(8, "big") + part)
        return "sha256:" + digest.hexdigest()


class UploadProblem(Exception):
    """Why one learner's upload cannot be graded, in words for the gradebook's status column."""


def find_learners(folder: Path, out_dir: Path | None = None) -> list[Learner]:
    """Every learner in `folder` (sorted by name): a sub-folder or a .zip each, but the batch's own
    `out_dir` if it lies there. Entries that cannot be told apart safely (one name twice, names
    equal but for letter case or Unicode form, a link, a name that is not UTF-8) are each a
    learner with a problem, never graded."""
    if not folder.is_dir():
        raise InputError(f"batch folder {folder} does not exist")
    here, out = folder.resolve(), (out_dir.resolve() if out_dir is not None else None)
    if out == here:
        raise InputError(
            f"--out {out_dir} is the class folder itself: write the records elsewhere "
            f"(such as --out {here.parent / 'grades'})"
        )
    entries: dict[str, list[Path]] = {}
    unreadable: dict[str, str] = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(".") or here / entry.name == out:
            continue
        try:
            archive = next((kind for kind in ARCHIVES if entry.name.lower().endswith(kind)), "")
            if entry.is_symlink() or entry.is_dir() or (entry.is_file() and archive):
                named = (
                    entry.name[: -len(archive)]
                    if archive == ".zip" or (archive and entry.is_file())
                    else entry.name
                )
                entries.setdefault(shown_name(named), []).append(entry)
        except OSError as error:  # one entry the system cannot look at: that learner's problem
            entries.setdefault(shown_name(entry.name), []).append(entry)
            unreadable[shown_name(entry.name)] = f"{UNREADABLE}: {error.strerror or error}"
    if not entries:
        raise InputError(f"{folder} holds no learner folders or .zip files")
    clashes = _clashing_names(list(entries))
    return [
        _learner(name, paths, unreadable.get(name, "") or clashes.get(name, ""))
        for name, paths in entries.items()
    ]


def _learner(name: str, paths: list[Path], problem: str) -> Learner:
    if problem:
        return Learner(name, paths[0], problem)
    if len(paths) > 1:
        listed = " and ".join(
            shown_name(path.name) + ("/" if path.is_dir() else "") for path in paths
        )
        return Learner(name, paths[0], f"two submissions for {name}: {listed}; keep one")
    if shown_name(paths[0].name) != paths[0].name:
        return Learner(name, paths[0], f"the name {name} is not valid UTF-8 text: rename it")
    if paths[0].is_symlink():
        return Learner(
            name,
            paths[0],
            f"{name} is a symbolic link; links are never followed, submit the folder itself",
        )
    if paths[0].is_file() and not paths[0].name.lower().endswith(".zip"):
        return Learner(
            name,
            paths[0],
            f"{UNREADABLE}: {shown_name(paths[0].name)}: only a folder or a .zip "
            "file is graded; unpack it, or hand it in as a .zip",
        )
    return Learner(name, paths[0])


def fold(name: str) -> str:
    """What a case-insensitive, normalising file system (macOS, Windows) keeps of a name."""
    return unicodedata.normalize("NFC", name).casefold()


def _clashing_names(names: list[str]) -> dict[str, str]:
    """Name -> problem, for names that differ only in letter case or Unicode form (`Kim`, `kim`):
    on a case-insensitive file system one learner's files or record would replace the other's."""
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(fold(name), []).append(name)
    problems = {}
    for group in groups.values():
        if len(group) > 1:
            shown = [
                name if len(name) <= SHOWN_NAME else name[:SHOWN_NAME] + "..."
                for name in group[:SHOWN_NAMES]
            ]
            listed = " and ".join(shown) + (
                f" and {len(group) - SHOWN_NAMES} more" if len(group) > SHOWN_NAMES else ""
            )
            for name in group:
                problems[name] = (
                    f"the names {listed} differ only in letter case or Unicode form, so a "
                    "file system may take them for one learner: rename one; neither is graded"
                )
    return problems


def shown_name(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 shown as escapes (`\\xff`)."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def unpack(archive: Path, target: Path) -> Path:
    """Extract a learner's zip safely into `target`; returns `target`."""
    _check_zip_index(archive)
    with zipfile.ZipFile(archive) as bundle:
        members = bundle.infolist()
        if len(members) > MAX_ZIP_FILES or sum(m.file_size for m in members) > MAX_ZIP_BYTES:
            raise ValueError(
                f"the archive is too large (over {MAX_ZIP_FILES} files or "
                f"{MAX_ZIP_BYTES >> 20} MB unpacked)"
            )
        seen: set[tuple[str, ...]] = set()
        for member in members:
            name = Path(member.filename)
            if name.is_absolute() or ".." in name.parts or stat.S_ISLNK(member.external_attr >> 16):
                raise ValueError(f"the archive holds an unsafe entry: {member.filename}")
            if (
                name.parts in seen
            ):  # which of the two a tool unpacks differs: the grade would hang on it
                raise ValueError(f"the archive holds {name} twice")
            seen.add(name.parts)
            if member.is_dir():
                (target / name).mkdir(parents=True, exist_ok=True)
                continue
            destination = target / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            with bundle.open(member) as source, open(destination, "wb") as sink:
                shutil.copyfileobj(source, sink)
    return target


def _check_zip_index(archive: Path) -> None:
    """Refuse a zip whose index alone is too big to read (its entries are counted only after
    Python has parsed the whole index): the end record says how long the index is."""
    size = archive.stat().st_size
    if size > MAX_ZIP_BYTES:
        raise ValueError(f"the archive is over {MAX_ZIP_BYTES >> 20} MB")
    with open(archive, "rb") as stream:
        stream.seek(max(0, size - ZIP_END_SEARCH))
        tail = stream.read()
    end = tail.rfind(ZIP_END_RECORD)
    if end < 0 or len(tail) < end + 22:
        raise ValueError("the file is not a zip archive")
    entries = int.from_bytes(tail[end + 10 : end + 12], "little")
    index_bytes = int.from_bytes(tail[end + 12 : end + 16], "little")
    if entries > MAX_ZIP_FILES or index_bytes > MAX_ZIP_INDEX_BYTES:
        raise ValueError(f"the archive is too large (over {MAX_ZIP_FILES} files)")


def open_upload(learner: Learner, scratch: Path, catalogue: Catalogue) -> Packed:
    """The learner's submission packed, or `UploadProblem` saying why it cannot be graded.

    Whatever the upload holds (an archive of any kind or size of names, entries the system
    refuses), the outcome is that learner's: a `Packed` submission or an `UploadProblem`.
    """
    if learner.problem:
        raise UploadProblem(learner.problem)
    is_zip = learner.path.is_file()
    try:
        folder = unpack(learner.path, scratch) if is_zip else learner.path
    except Exception as error:  # zipfile, zlib and the OS raise many kinds for odd archives
        raise UploadProblem(
            f"{UNREADABLE}: {shown_name(learner.path.name)}: {_reason(error)}"
        ) from None
    try:
        layout_problem = _layout_problem(folder, catalogue, "the zip" if is_zip else "the folder")
        if layout_problem:
            raise UploadProblem(layout_problem)
        return pack(folder)
    except (OSError, ValueError, RecursionError) as error:
        raise UploadProblem(f"{UNREADABLE}: {_reason(error)}") from None


def _reason(error: BaseException) -> str:
    """An exception as a short reason: the system's words for an OSError, the message otherwise."""
    if isinstance(error, OSError) and error.strerror:
        where = (
            f" ({shown_name(os.path.basename(str(error.filename)))[:60]})" if error.filename else ""
        )
        return f"{error.strerror}{where}"
    return str(error) or type(error).__name__


def _layout_problem(folder: Path, catalogue: Catalogue, what: str) -> str:
    """Why `folder` holds nothing to grade ("" when some exercise or answers file is there)."""
    submission = Submission.open(folder)
    for item in (*catalogue.exercises, *catalogue.quizzes):
        path = (
            submission.exercise_path(item.file)
            if isinstance(item, Exercise)
            else submission.answers_path(item.id)
        )
        if submission.kind(path) != "missing":
            return ""
    if submission.notebooks():  # a notebook handed in: grading says what it defines
        return ""
    top = sorted(entry.name for entry in folder.iterdir() if not entry.name.startswith("."))
    folders = [
        name for name in top if (folder / name).is_dir() and not (folder / name).is_symlink()
    ]
    if len(folders) >= 2:
        listed = ", ".join(name + "/" for name in folders[:4]) + (
            ", ..." if len(folders) > 4 else ""
        )
        return (
            f"{what} holds {len(folders)} top-level folders ({listed}) and no exercise files "
            "beside them: hand in one folder"
        )
    if not any(
        files for _folder, _subfolders, files in os.walk(folder)
    ):  # os.walk does not follow links
        return f"empty upload: {what} holds no files"
    example = catalogue.exercises[0].file
    return (
        f"no exercise files: {what} holds none of the course's files (such as {example} "
        f"or answers/q01.yaml); found {', '.join(top[:4]) or 'only empty folders'}"
    )


def pack(folder: Path) -> Packed:
    """`folder` as a `Packed` submission, read without following any link: the entries of every
    folder the grader looks in (grader/submission.py's one rule, at any depth) and the folders
    on the way to them, so the child grader finds the same layout and files."""
    submission = Submission.open(folder)
    entries: dict[PurePosixPath, tuple[str, bytes]] = {}
    for relative in submission.layout_folders():
        if submission.kind(relative) != "other" or not (folder / relative).is_dir():
            continue  # missing, a link or a file: nothing to list (no link is on the way: kind says so)
        for depth in range(1, len(relative.parts)):
            entries.setdefault(PurePosixPath(*relative.parts[:depth]), ("dir", b""))
        if relative.parts:
            entries[relative] = ("dir", b"")
        _list(folder / relative, relative, entries)
    too_long = next(
        (path for path in entries if len(os.fsencode(str(path))) > MAX_PACKED_PATH), None
    )
    if (
        too_long is not None
    ):  # it would not fit below the scratch folder that grading lays it out in
        shown = shown_name(str(too_long))[:60]
        raise ValueError(f"a path in it is too long (over {MAX_PACKED_PATH} bytes): {shown}...")
    ordered = sorted(entries.items(), key=lambda entry: entry[0].parts)
    return Packed(tuple((str(path), kind, content) for path, (kind, content) in ordered))


def _list(folder: Path, relative: PurePosixPath, entries: dict) -> None:
    """Add the entries of `folder` (at `relative`): folders as folders, links as links, the
    course's files with their bytes and any other file as an empty placeholder."""
    with os.scandir(folder) as scan:
        children = sorted(scan, key=lambda entry: entry.name)
    for entry in children:
        path = relative / entry.name
        if len(entries) >= MAX_ENTRIES:
            raise ValueError(f"more than {MAX_ENTRIES} files and folders")
        if entry.is_symlink():
            entries[path] = ("link", os.fsencode(os.readlink(entry.path)))
        elif entry.is_dir(follow_symlinks=False):
            entries.setdefault(path, ("dir", b""))
        elif entry.is_file(follow_symlinks=False):
            hard_link = entry.stat(follow_symlinks=False).st_nlink > 1 and _graded(entry.name)
            entries[path] = (
                "hardlink" if hard_link else "file",
                b"" if hard_link else _course_bytes(Path(entry.path)),
            )


def _graded(name: str) -> bool:
    """Whether a file of this name is read by grading: an exercise or answers file, a notebook."""
    return bool(COURSE_FILE.match(name) or NOTEBOOK_FILE.match(name))


def _course_bytes(path: Path) -> bytes:
    """The bytes of an exercise, answers or notebook file (capped one byte over what grading
    reads, so grading still refuses it); any other file is a placeholder."""
    if not _graded(path.name):
        return b""
    limit = MAX_NOTEBOOK_BYTES + 1 if NOTEBOOK_FILE.match(path.name) else MAX_COURSE_FILE_READ
    try:
        with open(path, "rb") as stream:
            return stream.read(limit)
    except OSError as error:
        raise ValueError(f"{path.name} cannot be read: {error.strerror}") from None


def materialise(packed: Packed, target: Path) -> Path:
    """Lay a `Packed` submission out in the new folder `target`; returns `target`."""
    target.mkdir()
    for path, kind, content in packed.entries:
        relative = PurePosixPath(path)
        if relative.is_absolute() or ".." in relative.parts:
            raise ValueError(f"unsafe path in a packed submission: {path}")
        destination = target.joinpath(*relative.parts)
        if kind == "dir":
            destination.mkdir()
        elif kind == "link":
            os.symlink(os.fsdecode(content), destination)  # recreated, never followed by the grader
        elif kind == "hardlink":  # recreated too (two names, no content): the grader refuses it
            destination.write_bytes(b"")
            os.link(destination, destination.with_name(HARD_LINK_MARK.format(destination.name)))
        else:
            destination.write_bytes(content)
    return target
