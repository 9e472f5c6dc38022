"""The release scan: no function of a student release, and none of its data, earns a point.

Every function, method and lambda of every Python module of the release (its grader, the
stubs, its tests), those defined inside functions too, is tried in place of every exercise function, and every data file of the
release is replayed as a table of answers, against the course's official suites (public and
hidden). To keep this fast, each function is first probed, in a jailed worker next to a copy
of the release, on public examples of each exercise function (scan_examples.py, and the jail's
side in grader/sandbox/standalone/scan_driver.py): only a function that answers one with an
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

import ast
import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader.course.catalogue import PACKAGE_DIR, Catalogue, Exercise, Limits
from grader.failures import GradingFailure
from grader.instructor import scan_examples
from grader.sandbox.client import WorkerClient
from grader.sandbox.isolation import IsolationSource
from grader.sandbox.launch import make_scratch, prepare

HERE = Path(__file__).resolve().parent
STANDALONE = HERE.parent / "sandbox" / "standalone"
DRIVER_FILES = ("scan_driver.py", "scan_loader.py")  # the jail's side, copied next to the release copy
DATA_SUFFIXES = (".npz", ".npy")
SKIPPED = ("__pycache__", ".grade", ".pytest_cache", ".hypothesis")
CACHE_NAME = "cnn-exercises/clean-releases"  # under the user's cache folder: releases found clean
# Its public tests compare with values the course gives learners anyway (ex02's test of the Sobel
# kernels holds them, and its feedback says them): not looked at for constants.
PUBLIC_SUITES = "grader/suites/public/"
# The probe worker: one call per module, restarted after any crash, for as long as it takes.
PROBE_LIMITS = Limits(call_timeout=1800.0, time_limit=3600.0, import_timeout=120.0, memory_mb=4096,
                      processes=64, open_files=256, max_restarts=1000)


@dataclass(frozen=True)
class Module:
    """A Python file of the release: its functions (qualified names) and module-level names."""

    relative: str
    functions: tuple[str, ...]
    names: tuple[str, ...]
    raising: tuple[str, ...] = ()  # undecorated functions whose body is one `raise`: they never answer


@dataclass(frozen=True)
class Candidate:
    """A release function (or a data file's table) tried as the exercise function `stands_for`."""

    where: str  # path inside the release
    name: str  # qualified name, or "" for a data file's table
    stands_for: str

    def __str__(self) -> str:
        what = f"{self.where}:{self.name}" if self.name else f"{self.where} (replayed as a table)"
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
            return (f"release scan: {self.tried} functions tried in place of every exercise function "
                    f"({len(self.skipped)} hang or end their process), {len(self.graded)} graded by the "
                    "suites; none earns a point" + (" (unchanged since it was scanned)" if self.remembered else ""))
        lines = [f"release scan: {len(self.findings)} answer(s) in the release, {len(self.untried)} untried"]
        return "\n".join(lines + [f"  {line}" for line in self.findings + self.untried])


def scan_release(release: Path, catalogue: Catalogue, isolation: IsolationSource, *,
                 remember: bool = True) -> ScanResult:
    """Scan the student release at `release` (see the module's docstring). With `remember`, a
    release this grader has already found clean, file for file, is not scanned again: its
    verdict is kept in the user's cache folder (only clean verdicts are)."""
    from grader.instructor.scan_grading import grade_candidates

    key = _fingerprint(release, catalogue)
    known = _known_clean(key) if remember else None
    if known is not None:
        return known
    modules, data_files = release_contents(release)
    result = ScanResult(tried=sum(len(module.functions) + len(module.raising) for module in modules))
    scratch = make_scratch("grade-scan-")
    try:
        candidates = _probe(release, modules, data_files, catalogue, isolation, scratch, result)
        candidates += [Candidate(path, "", function) for path in data_files
                       for function in _table_functions(release / path, catalogue)]
        grade_candidates(release, candidates, catalogue, isolation, scratch, result)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if remember and result.clean:
        _remember_clean(key, result)
    return result


def _fingerprint(release: Path, catalogue: Catalogue) -> str:
    """A hash of every file of the release, of this grader (its suites and this scan included)
    and of the course's exercises: what a verdict depends on."""
    digest = hashlib.sha256(repr([(item.id, item.functions, item.constants) for item in catalogue.exercises]).encode())
    for root in (release, PACKAGE_DIR):
        for folder, folders, files in os.walk(root):
            folders[:] = sorted(name for name in folders if name not in SKIPPED)
            for name in sorted(files):
                path = Path(folder, name)
                if not path.is_symlink() and path.is_file():
                    digest.update(f"{root == release}:{path.relative_to(root).as_posix()}\0".encode())
                    digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _cache_folder() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / CACHE_NAME


def _known_clean(key: str) -> ScanResult | None:
    try:
        known = json.loads((_cache_folder() / key).read_text(encoding="utf-8"))
        return ScanResult(tried=int(known["tried"]), graded=[str(item) for item in known["graded"]],
                          skipped=[str(item) for item in known["skipped"]], seed=int(known["seed"]), remembered=True)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _remember_clean(key: str, result: ScanResult) -> None:
    try:
        folder = _cache_folder()
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        (folder / key).write_text(json.dumps({"tried": result.tried, "graded": result.graded,
                                              "skipped": result.skipped, "seed": result.seed}), encoding="utf-8")
    except OSError:
        pass  # the next publish scans again


def release_contents(release: Path) -> tuple[list[Module], list[str]]:
    """The release's Python modules and data files, walked without following links."""
    modules, data_files = [], []
    for folder, folders, files in os.walk(release):
        folders[:] = sorted(name for name in folders if name not in SKIPPED
                            and not os.path.islink(os.path.join(folder, name)))
        for name in sorted(files):
            path = Path(folder, name)
            relative = PurePosixPath(path.relative_to(release).as_posix())
            if path.is_symlink():
                continue
            if name.endswith(".py"):
                modules.append(_module(path, str(relative)))
            elif name.endswith(DATA_SUFFIXES):
                data_files.append(str(relative))
    return modules, data_files


def _module(path: Path, relative: str) -> Module:
    tree = ast.parse(path.read_bytes(), filename=relative)
    functions: list[str] = []
    names: list[str] = []
    raising: list[str] = []
    named: set[int] = set()
    _defined(tree.body, "", functions, names, raising, named)
    # every other lambda (in a table, a call, a function), by where it stands (scan_loader.target)
    functions += [f"<lambda:{node.lineno}:{node.col_offset}>" for node in ast.walk(tree)
                  if isinstance(node, ast.Lambda) and id(node) not in named]
    return Module(relative, tuple(functions), tuple(names), tuple(raising))


def _defined(body: list[ast.stmt], prefix: str, functions: list[str], names: list[str],
             raising: list[str], named: set[int]) -> None:
    """Functions (and methods, functions and classes defined inside functions, and lambdas bound
    to a name at module or class level) defined by `body`, by qualified name as Python writes it
    (`outer.<locals>.inner`), apart from those that only raise (a stub's); the names it assigns
    at module level. Blocks (if, try, with, for, while, match) are looked into."""
    in_function = prefix.endswith(".<locals>.")
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            statements = node.body[1:] if ast.get_docstring(node) is not None else node.body
            only_raises = len(statements) == 1 and isinstance(statements[0], ast.Raise) and not node.decorator_list
            (raising if only_raises else functions).append(prefix + node.name)
            _defined(node.body, f"{prefix}{node.name}.<locals>.", functions, names, raising, named)
        elif isinstance(node, ast.ClassDef):
            _defined(node.body, f"{prefix}{node.name}.", functions, names, raising, named)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and not in_function:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            bound = [target.id for target in targets if isinstance(target, ast.Name)]
            if isinstance(node.value, ast.Lambda) and bound:
                functions += [prefix + name for name in bound]
                named.add(id(node.value))
            elif not prefix:
                names += bound
        for inner in blocks(node):
            _defined(inner, prefix, functions, names, raising, named)


def blocks(node: ast.AST) -> list[list[ast.stmt]]:
    """The statement lists inside a compound statement that opens no scope of its own (the
    branches of an if, a try and its handlers, a loop, a with, a match's cases)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
        return []
    found = []
    for _field, value in ast.iter_fields(node):
        if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
            found.append(value)
        elif isinstance(value, list):
            found += [item.body for item in value if isinstance(item, (ast.excepthandler, ast.match_case))]
    return found


def jailed_worker(exercise: Exercise, module_source: bytes, release: Path, isolation: IsolationSource,
                  scratch: Path, *, forbidden: list[str], preload: list[str]) -> WorkerClient:
    """A worker whose folder holds a copy of the release, the driver and `module_source` as the
    exercise's file, jailed with the interpreter's site-packages in view."""
    spec = prepare(exercise, module_source, scratch)
    module_dir = Path(spec.config["module_dir"])
    shutil.copytree(release, module_dir, dirs_exist_ok=True, symlinks=True,
                    ignore=shutil.ignore_patterns(*SKIPPED))
    for name in DRIVER_FILES:
        shutil.copyfile(STANDALONE / name, module_dir / name)
    spec.config.update(forbidden_modules=forbidden, preload=preload)
    return WorkerClient(spec, exercise, isolation)


def _probe(release: Path, modules: list[Module], data_files: list[str], catalogue: Catalogue,
           isolation: IsolationSource, scratch: Path, result: ScanResult) -> list[Candidate]:
    """The functions that answer an example with the right kind, as what they answered."""
    examples = scan_examples.examples()
    for example in examples:  # no answer in a second, then none within a grading call's time
        owner = next((item for item in catalogue.exercises if example["function"] in item.functions), None)
        example.setdefault("retry_seconds", owner.limits.call_timeout if owner is not None else 0)
    driver = Exercise(id="scan", title="release scan", file="scan_entry.py", functions=(),
                      points=0.0, limits=PROBE_LIMITS, tensorflow=True)
    source = b"from scan_driver import probe_all  # noqa: F401\nfrom scan_loader import data_constants  # noqa: F401\n"
    client = jailed_worker(driver, source, release, isolation, scratch, forbidden=[], preload=[])
    tasks = [{"relative": module.relative, "functions": list(module.functions),
              "names": [] if module.relative.startswith(PUBLIC_SUITES) else list(module.names),
              "assigned": list(module.names)}
             for module in modules if module.functions or module.names]
    try:
        outcomes = client.call("probe_all", (tasks, examples, scan_examples.CONSTANTS), {},
                               description="probe_all(release)")
        equal = [(path, client.call("data_constants", (path, scan_examples.CONSTANTS), {},
                                    description=f"data_constants({path})")) for path in data_files]
    except GradingFailure as failure:
        result.untried.append(f"the probe itself failed: {_first_line(failure)}")
        return []
    finally:
        client.close()
    candidates = set()
    for outcome in outcomes:
        where = outcome["relative"]
        if outcome.get("load_error"):
            result.untried.append(f"{where}: the module does not load in the sandbox ({outcome['load_error']})")
            continue
        candidates |= {Candidate(where, qualname, examples[index]["function"]) for qualname, index in outcome["fits"]}
        result.skipped += sorted({f"{where}:{qualname} (no answer in time)" for qualname, _ in outcome["late"]})
        result.skipped += [f"{where}:{qualname} (its process died)" for qualname in outcome.get("dead", [])]
        equal.append((where, outcome["constants"]))
    result.findings += [f"{where}:{name} holds the answer {constant}" if name else f"{where} holds the answer "
                        f"{constant}" for where, pairs in equal for name, constant in pairs]
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
