"""The release scan: no function of a student release, and none of its data, earns a point.

Every function, method and lambda of every Python module of the release (its grader, the
stubs, its tests), those defined inside functions too, and of the code written as text in it
(grader/instructor/scan_inventory.py), is tried in place of every exercise function, and every data file of the
release is replayed as a table of answers, against the course's official suites (public and
hidden). To keep this fast, each function is first probed, in a jailed worker next to a copy
of the release, on public examples of each exercise function (scan_examples.py, and the jail's
side in grader/jail/instructor/scan_driver.py): only a function that answers one with an
answer of the right kind is then graded, as the function it answered, by the real suites
(scan_grading.py). Module-level values and data arrays equal to an exercise's constant (ex02's
Sobel kernels) are findings too.

Calling arbitrary functions can have side effects, so every call happens in the sandbox the
grader gives learner code (its jail, where the machine allows one), with the interpreter's
site-packages visible so that modules needing more than NumPy can still be tried. A function
whose module does not load there could not be tried: it is reported, and a clean release has
none. A function that ends its process on a public example, or does not answer it within a
second and then again within the exercise's own time for a call, answers nothing, so it is not
graded (each probe runs in a child process, so it costs only itself); the summary counts them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path

from grader.course.catalogue import PACKAGE_DIR, Catalogue, Exercise, Limits
from grader.failures import GradingFailure
from grader.instructor import scan_examples
from grader.instructor.scan_inventory import SKIPPED, Module, release_contents, written_code
from grader.sandbox.client import WorkerClient
from grader.sandbox.isolation import IsolationSource
from grader.sandbox.launch import make_scratch, prepare

HERE = Path(__file__).resolve().parent
DRIVER_DIR = HERE.parent / "jail" / "instructor"
DRIVER_FILES = (
    "scan_driver.py",
    "scan_loader.py",
)  # the jail's side, copied next to the release copy
CACHE_NAME = "cnn-exercises/clean-releases"  # under the user's cache folder: releases found clean
# Its public tests compare with values the course gives learners anyway (ex02's test of the Sobel
# kernels holds them, and its feedback says them): not looked at for constants.
PUBLIC_SUITE = re.compile(r"grader/exercises/ex\d\d/test_public\.py")
# The probe worker: one call per module, restarted after any crash, for as long as it takes.
PROBE_LIMITS = Limits(
    call_timeout=1800.0,
    time_limit=3600.0,
    import_timeout=120.0,
    memory_mb=4096,
    processes=64,
    open_files=256,
    max_restarts=1000,
)


@dataclass(frozen=True)
class Candidate:
    """A release function (or a data file's table) tried as the exercise function `stands_for`."""

    where: str  # path inside the release (or the scan's copy of it)
    name: str  # qualified name, or "" for a data file's table
    stands_for: str
    label: str = ""  # where code written as text was found, in place of `where`

    def __str__(self) -> str:
        where = self.label or self.where
        what = f"{where}:{self.name}" if self.name else f"{where} (replayed as a table)"
        return f"{what} as {self.stands_for}"


@dataclass
class ScanResult:
    """What the scan found: `findings` (points earned, constants given away) and `untried`
    (functions it could not try) must both be empty for a release to go out."""

    tried: int = 0
    graded: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    untried: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # functions that hang or end their process
    seed: int | None = None
    remembered: bool = False  # the verdict of an earlier scan of the same files

    @property
    def clean(self) -> bool:
        return not self.findings and not self.untried

    def summary(self) -> str:
        if self.clean:
            return (
                f"release scan: {self.tried} functions tried in place of every exercise function "
                f"({len(self.skipped)} hang or end their process), {len(self.graded)} graded by the "
                "suites; none earns a point"
                + (" (unchanged since it was scanned)" if self.remembered else "")
            )
        lines = [
            f"release scan: {len(self.findings)} answer(s) in the release, {len(self.untried)} untried"
        ]
        return "\n".join(lines + [f"  {line}" for line in self.findings + self.untried])


def scan_release(
    release: Path, catalogue: Catalogue, isolation: IsolationSource, *, remember: bool = True
) -> ScanResult:
    """Scan the student release at `release` (see the module's docstring). With `remember`, a
    release this grader has already found clean, file for file, is not scanned again: its
    verdict is kept in the user's cache folder (only clean verdicts are)."""
    from grader.instructor.scan_grading import grade_candidates

    key = _fingerprint(release, catalogue)
    known = _known_clean(key) if remember else None
    if known is not None:
        return known
    modules, data_files = release_contents(release)
    scratch = make_scratch("grade-scan-")
    try:
        copy = scratch / "release"  # the release, with the code written as text in it as modules
        shutil.copytree(release, copy, symlinks=True, ignore=shutil.ignore_patterns(*SKIPPED))
        modules += written_code(release, copy)
        result = ScanResult(
            tried=sum(len(module.functions) + len(module.raising) for module in modules)
        )
        candidates = _probe(copy, modules, data_files, catalogue, isolation, scratch, result)
        candidates += [
            Candidate(path, "", function)
            for path in data_files
            for function in _table_functions(copy / path, catalogue)
        ]
        grade_candidates(copy, candidates, catalogue, isolation, scratch, result)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if remember and result.clean:
        _remember_clean(key, result)
    return result


def _fingerprint(release: Path, catalogue: Catalogue) -> str:
    """A hash of every file of the release, of this grader (its suites and this scan included),
    of the course's exercises, and of the interpreter and the libraries installed with it (the
    scan tries the release with them in view): what a verdict depends on."""
    import importlib.metadata
    import sys

    digest = hashlib.sha256(
        repr([(item.id, item.functions, item.constants) for item in catalogue.exercises]).encode()
    )
    installed = sorted(
        {
            (str(item.metadata["Name"]), str(item.version))
            for item in importlib.metadata.distributions()
        }
    )
    digest.update(repr((sys.version, sys.executable, installed)).encode())
    for root in (release, PACKAGE_DIR):
        for folder, folders, files in os.walk(root):
            folders[:] = sorted(name for name in folders if name not in SKIPPED)
            for name in sorted(files):
                path = Path(folder, name)
                if not path.is_symlink() and path.is_file():
                    digest.update(
                        f"{root == release}:{path.relative_to(root).as_posix()}\0".encode()
                    )
                    digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _cache_folder() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / CACHE_NAME


def _known_clean(key: str) -> ScanResult | None:
    try:
        if not _written_by_this_user_alone(_cache_folder() / key):
            return None
        known = json.loads((_cache_folder() / key).read_text(encoding="utf-8"))
        return ScanResult(
            tried=int(known["tried"]),
            graded=[str(item) for item in known["graded"]],
            skipped=[str(item) for item in known["skipped"]],
            seed=int(known["seed"]),
            remembered=True,
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _written_by_this_user_alone(path: Path) -> bool:
    """The verdict file, and its folder, are this user's and no one else may write them (a
    verdict another user could write would let a leaking release skip its scan)."""
    user = getattr(os, "getuid", lambda: None)()
    for item in (path.parent, path):
        status = item.lstat()
        if not stat.S_ISDIR(status.st_mode) and not stat.S_ISREG(status.st_mode):
            return False
        if (user is not None and status.st_uid != user) or status.st_mode & (
            stat.S_IWGRP | stat.S_IWOTH
        ):
            return False
    return True


def _remember_clean(key: str, result: ScanResult) -> None:
    try:
        folder = _cache_folder()
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        (folder / key).write_text(
            json.dumps(
                {
                    "tried": result.tried,
                    "graded": result.graded,
                    "skipped": result.skipped,
                    "seed": result.seed,
                }
            ),
            encoding="utf-8",
        )
        (folder / key).chmod(0o600)  # read back only if no one else may write it
    except OSError:
        pass  # the next publish scans again


def jailed_worker(
    exercise: Exercise,
    module_source: bytes,
    release: Path,
    isolation: IsolationSource,
    scratch: Path,
    *,
    forbidden: list[str],
    preload: list[str],
) -> WorkerClient:
    """A worker whose folder holds a copy of the release, the driver and `module_source` as the
    exercise's file, jailed with the interpreter's site-packages in view."""
    spec = prepare(exercise, module_source, scratch)
    module_dir = Path(spec.config["module_dir"])
    shutil.copytree(
        release,
        module_dir,
        dirs_exist_ok=True,
        symlinks=True,
        ignore=shutil.ignore_patterns(*SKIPPED),
    )
    for name in DRIVER_FILES:
        shutil.copyfile(DRIVER_DIR / name, module_dir / name)
    spec.config.update(forbidden_modules=forbidden, preload=preload)
    return WorkerClient(spec, exercise, isolation)


def _probe(
    release: Path,
    modules: list[Module],
    data_files: list[str],
    catalogue: Catalogue,
    isolation: IsolationSource,
    scratch: Path,
    result: ScanResult,
) -> list[Candidate]:
    """The functions that answer an example with the right kind, as what they answered."""
    examples = scan_examples.examples()
    for example in examples:  # no answer in a second, then none within a grading call's time
        owner = next(
            (item for item in catalogue.exercises if example["function"] in item.functions), None
        )
        example.setdefault("retry_seconds", owner.limits.call_timeout if owner is not None else 0)
    driver = Exercise(
        id="scan",
        title="release scan",
        file="scan_entry.py",
        functions=(),
        points=0.0,
        limits=PROBE_LIMITS,
        tensorflow=True,
    )
    source = b"from scan_driver import probe_all  # noqa: F401\nfrom scan_loader import data_constants  # noqa: F401\n"
    client = jailed_worker(driver, source, release, isolation, scratch, forbidden=[], preload=[])
    tasks = [
        {
            "relative": module.relative,
            "functions": list(module.functions),
            "names": [] if PUBLIC_SUITE.fullmatch(module.relative) else list(module.names),
            "assigned": list(module.names),
        }
        for module in modules
        if module.functions or module.names
    ]
    try:
        outcomes = client.call(
            "probe_all",
            (tasks, examples, scan_examples.CONSTANTS),
            {},
            description="probe_all(release)",
        )
        equal = [
            (
                path,
                client.call(
                    "data_constants",
                    (path, scan_examples.CONSTANTS),
                    {},
                    description=f"data_constants({path})",
                ),
            )
            for path in data_files
        ]
    except GradingFailure as failure:
        result.untried.append(f"the probe itself failed: {_first_line(failure)}")
        return []
    finally:
        client.close()
    candidates = set()
    labels = {module.relative: module.label for module in modules}
    for outcome in outcomes:
        where, label = outcome["relative"], labels.get(outcome["relative"], "")
        shown = label or where
        if outcome.get("load_error"):
            result.untried.append(
                f"{shown}: the module does not load in the sandbox ({outcome['load_error']})"
            )
            continue
        candidates |= {
            Candidate(where, qualname, examples[index]["function"], label)
            for qualname, index in outcome["fits"]
        }
        result.skipped += sorted(
            {f"{shown}:{qualname} (no answer in time)" for qualname, _example in outcome["late"]}
        )
        result.skipped += [
            f"{shown}:{qualname} (its process died)" for qualname in outcome.get("dead", [])
        ]
        equal.append((shown, outcome["constants"]))
    result.findings += [
        f"{where}:{name} holds the answer {constant}"
        if name
        else f"{where} holds the answer {constant}"
        for where, pairs in equal
        for name, constant in pairs
    ]
    return sorted(candidates, key=str)


def _table_functions(path: Path, catalogue: Catalogue) -> list[str]:
    """The exercise functions a data file records calls of (a picture's data), each a table."""
    import json

    import numpy as np

    if path.suffix != ".npz":
        return []
    with np.load(path, allow_pickle=False) as stored:
        if "calls" not in stored.files:
            return []
        recorded = {call["function"] for call in json.loads(str(stored["calls"]))}
    known = {function for exercise in catalogue.exercises for function in exercise.functions}
    return sorted(recorded & known)


def _first_line(failure: Exception) -> str:
    text = getattr(failure, "feedback", None) or str(failure)
    return text.strip().splitlines()[0][:200] if text.strip() else type(failure).__name__
