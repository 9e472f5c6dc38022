"""The architecture, enforced: which package may import which, who starts processes, module sizes.

Every module of grader/ is parsed (never imported) and each `import` becomes an arrow between
two units: a sub-package (`sandbox`, `quiz`, ...) or a top-level module (`reports`, ...). An
arrow that `ALLOWED` does not list fails the test, so the trust boundary cannot drift quietly.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from grader.course.catalogue import PACKAGE_DIR

# unit -> the units it may import. The jail's files import nothing of the grader; renderers
# see results only; the lower layers never reach up.
ALLOWED: dict[str, set[str]] = {
    "jail": set(),
    "errors": {"i18n", "sanitise", "terminal"},
    "logs": {"sanitise"},  # `grade -v`: the grader's decisions on standard error
    "i18n": {"particles"},
    "particles": set(),  # Korean particles chosen from the word before them (i18n formats with it)
    "terminal": {"i18n"},  # every screen's wrapping, by display width
    "evidence": set(),
    "sanitise": {"i18n"},
    "failures": {"i18n"},
    "results": {"i18n", "sanitise"},
    "course": {"i18n", "errors"},
    "submission": {"i18n", "errors", "notebooks"},
    "notebooks": {"i18n", "sanitise"},  # a notebook read as data, its definitions extracted
    # sandbox -> processes: a worker forked by a pre-warmed server, a long wait's line on a terminal
    "sandbox": {"i18n", "jail", "course", "errors", "failures", "processes", "sanitise"},
    "checks": {"i18n", "check_feedback", "evidence", "failures", "sanitise"},
    "check_feedback": {"i18n", "evidence"},  # what a failed check may say, public or hidden
    "processes": {
        "i18n",
        "sandbox",
    },  # trusted children and warm servers; prewarm uses the launcher
    # model -> hidden: the course's layer arithmetic, imported as optional (a release asks Keras)
    "model": {
        "i18n",
        "course",
        "errors",
        "failures",
        "hidden",
        "sanitise",
        "processes",
        "sandbox",
        "jail",
    },
    "quiz": {"i18n", "course", "errors", "results", "sanitise", "submission", "terminal"},
    "grading": {
        "i18n",
        "checks",
        "course",
        "evidence",
        "errors",
        "failures",
        "notebooks",
        "processes",
        "quiz",
        "results",
        "sandbox",
        "sanitise",
        "submission",
    },
    "reports": {"i18n", "results", "sanitise", "terminal"},
    "progress": {"i18n", "results"},
    "cli.commands": {
        "i18n",
        "terminal",
        "course",
        "errors",
        "grading",
        "progress",
        "reports",
        "results",
        "sanitise",
        "submission",
    },
    # the learner's way through the course: `grade list` and what to do next (watch names it)
    "cli.course_path": {"i18n", "course", "progress", "quiz", "reports", "submission", "terminal"},
    # instructor -> learner: a release gets the pictures' data (learner/picture_data.py writes it);
    # -> failures: the release scan reads what its workers' calls failed with
    "instructor": {
        "i18n",
        "course",
        "errors",
        "failures",
        "grading",
        "hidden",
        "learner",
        "notebooks",
        "processes",
        "quiz",
        "reports",
        "results",
        "sandbox",
        "sanitise",
        "submission",
    },
    # an exercise's folder: its public suite, which a release has (never a hidden package)
    "exercises": {"i18n", "checks", "course", "evidence", "failures", "model", "sanitise"},
    # every package named `hidden`: the hidden suites and whatever holds an answer, kept back
    "hidden": {
        "i18n",
        "checks",
        "course",
        "evidence",
        "exercises",
        "failures",
        "model",
        "sanitise",
    },
    # learner -> hidden: in the course repository the pictures' answers come from the hidden
    # references, imported as optional (a release has their data instead)
    "learner": {
        "i18n",
        "cli.commands",
        "cli.course_path",
        "terminal",
        "course",
        "errors",
        "failures",
        "grading",
        "hidden",
        "model",
        "progress",
        "reports",
        "results",
        "sandbox",
        "sanitise",
        "submission",
    },
    "cli": {
        "i18n",
        "cli.commands",
        "cli.course_path",
        "terminal",
        "course",
        "errors",
        "grading",
        "instructor",
        "learner",
        "logs",
        "quiz",
        "reports",
        "results",
        "sandbox",
        "sanitise",
    },
    "__main__": {"cli"},
    "__init__": {"learner"},  # load_ipython_extension, imported only by IPython
}
PROCESS_MODULES = {"subprocess", "multiprocessing", "pty", "concurrent.futures.process"}
PROCESS_CALLS = {
    "fork",
    "forkpty",
    "system",
    "popen",
    "posix_spawn",
    "posix_spawnp",
    "execv",
    "execve",
    "execvp",
    "execvpe",
    "execl",
    "execle",
    "execlp",
    "execlpe",
    "spawnv",
    "spawnve",
}
# Measured on ruff-formatted code (line length 100), which runs about 1.3x the packed lines the
# first caps (320, functions 60) were set on: guides to a module read in one sitting, never a
# reason to pack lines. A function counts its body, not its signature (one parameter a line once
# formatted) nor its docstring.
MAX_MODULE_LINES = 420
MAX_FUNCTION_LINES = 80
# Longer on purpose, each one unit that splitting would scatter (grader/-relative, :function).
LONGER = {
    "exercises/ex04/hidden/diagnosis.py:conv_mistakes": 110,  # a table, one named mistake a row
    "exercises/ex01/hidden/test_hidden.py:convolve_misconceptions": 105,  # a table, likewise
}
JAIL_THIRD_PARTY = {"numpy"}

MODULES = sorted(path for path in PACKAGE_DIR.rglob("*.py") if "__pycache__" not in path.parts)


def unit_of(module: str) -> str:
    """ "hidden" for a module of any package named `hidden`, else the longest name in `ALLOWED`
    that `module` sits in: `grader.jail.wire` -> "jail", `grader.cli.commands` -> "cli.commands",
    `grader.cli.app` -> "cli", `grader.exercises.ex01.hidden.reference` -> "hidden"."""
    parts = module.split(".")[1:]
    if "hidden" in parts:
        return "hidden"
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in ALLOWED:
            return ".".join(parts[:end])
    return parts[0] if parts else "__init__"


def module_name(path: Path) -> str:
    """grader/sandbox/client.py -> grader.sandbox.client; grader/quiz/__init__.py -> grader.quiz."""
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str) -> bool:
    relative = PACKAGE_DIR.parent / Path(*name.split("."))
    return relative.with_suffix(".py").is_file() or (relative / "__init__.py").is_file()


def imports(source: str) -> list[str]:
    """Every module name `source` imports (`from a import b` counts a.b when b is a module)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "the grader uses absolute imports only"
            found.append(node.module)
            found += [
                f"{node.module}.{alias.name}"
                for alias in node.names
                if is_module(f"{node.module}.{alias.name}")
            ]
    return found


def forbidden_arrows(unit: str, source: str) -> set[str]:
    """The units `source` (a module of `unit`) imports without the architecture allowing it."""
    targets = {unit_of(name) for name in imports(source) if name.startswith("grader.")}
    return {target for target in targets if target != unit and target not in ALLOWED[unit]}


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(PACKAGE_DIR)))
def test_imports_follow_the_architecture(path):
    unit = unit_of(module_name(path))
    assert unit in ALLOWED, f"{path}: unit {unit!r} is not in the architecture table"
    forbidden = forbidden_arrows(unit, path.read_text(encoding="utf-8"))
    assert not forbidden, (
        f"{path.relative_to(PACKAGE_DIR)} ({unit}) may not import {sorted(forbidden)}"
    )


def test_a_forbidden_arrow_is_caught():
    """The checker itself can fail: results that import the sandbox, a jail file that imports
    the grader, a renderer that imports the runner."""
    assert forbidden_arrows("results", "from grader.sandbox.client import WorkerClient\n") == {
        "sandbox"
    }
    assert forbidden_arrows("jail", "import grader.failures\n") == {"failures"}
    assert forbidden_arrows("reports", "from grader.grading import runner\n") == {"grading"}
    assert forbidden_arrows("reports", "from grader.results import Report\n") == set()


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(PACKAGE_DIR)))
def test_only_the_sandbox_and_processes_start_processes(path):
    if unit_of(module_name(path)) in ("sandbox", "processes", "jail"):
        return
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    modules = set(imports(source))
    calls = {
        node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "os"
        and node.func.attr in PROCESS_CALLS
    }
    assert not (modules & PROCESS_MODULES) and not calls, (
        f"{path.relative_to(PACKAGE_DIR)} starts processes ({sorted(modules | calls)}); only grader/sandbox/ and grader/processes/ may"
    )


def test_the_jail_files_need_only_the_standard_library_and_numpy():
    for path in (PACKAGE_DIR / "jail").rglob("*.py"):
        tops = {name.split(".")[0] for name in imports(path.read_text(encoding="utf-8"))}
        outside = {top for top in tops if top not in sys.stdlib_module_names} - JAIL_THIRD_PARTY
        assert not outside, f"{path.name} imports {sorted(outside)}: the jail holds none of them"


def test_renderers_import_no_learner_facing_runtime():
    for path in [*(PACKAGE_DIR / "reports").glob("*.py"), PACKAGE_DIR / "progress.py"]:
        source = path.read_text(encoding="utf-8")
        grader_imports = {unit_of(item) for item in imports(source) if item.startswith("grader.")}
        assert grader_imports <= {"reports", "results", "sanitise", "i18n", "terminal"}, path.name


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(PACKAGE_DIR)))
def test_modules_and_functions_stay_small(path):
    text = path.read_text(encoding="utf-8")
    name = str(path.relative_to(PACKAGE_DIR))
    cap = LONGER.get(name, MAX_MODULE_LINES)
    assert len(text.splitlines()) <= cap, f"{name} has {len(text.splitlines())} lines"
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = body_lines(node)
            cap = LONGER.get(f"{name}:{node.name}", MAX_FUNCTION_LINES)
            assert length <= cap, f"{name}: {node.name} has {length} lines"


def body_lines(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """The lines of `function`'s body, from its first statement after the docstring."""
    body = function.body
    if ast.get_docstring(function) is not None and len(body) > 1:
        body = body[1:]
    assert function.end_lineno is not None
    return function.end_lineno - body[0].lineno + 1


def test_a_function_counts_its_body_only():
    source = (
        'def f(\n    a,\n    b,\n):\n    """Doc.\n\n    More."""\n    x = a\n    return x + b\n'
    )
    function = ast.parse(source).body[0]
    assert isinstance(function, ast.FunctionDef)
    assert body_lines(function) == 2


def test_every_longer_entry_is_still_needed():
    """An entry of LONGER that a module or function no longer needs is removed, not kept."""
    needed = set()
    for path in MODULES:
        name = str(path.relative_to(PACKAGE_DIR))
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > MAX_MODULE_LINES:
            needed.add(name)
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if body_lines(node) > MAX_FUNCTION_LINES:
                    needed.add(f"{name}:{node.name}")
    assert set(LONGER) <= needed, sorted(set(LONGER) - needed)


def kept_back(module: str) -> bool:
    """A module of a package the student release leaves out (grader/instructor/release.py)."""
    from grader.instructor.release import KEPT_BACK

    return any(part in KEPT_BACK for part in module.split("."))


def unguarded_hidden_imports(source: str) -> list[str]:
    """The imports of a `hidden` package in `source` that are not optional: outside a `try`
    whose handler catches ModuleNotFoundError (or ImportError) for the release, which lacks it."""
    tree = ast.parse(source)
    guarded: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(
            isinstance(handler.type, ast.Name)
            and handler.type.id in ("ModuleNotFoundError", "ImportError")
            for handler in node.handlers
        ):
            guarded |= {id(inner) for statement in node.body for inner in ast.walk(statement)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in guarded:
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
            )
            found += [
                name for name in names if name.startswith("grader.") and "hidden" in name.split(".")
            ]
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(PACKAGE_DIR)))
def test_nothing_outside_a_kept_back_package_needs_a_hidden_one(path):
    """The release is the grader minus its `hidden` (and `instructor`) packages, so no module it
    keeps may need one: a hidden package is imported only from another kept-back one, or as an
    optional part with a fallback (the pictures' answers, the layer arithmetic)."""
    if kept_back(module_name(path)):
        return
    unguarded = unguarded_hidden_imports(path.read_text(encoding="utf-8"))
    assert not unguarded, (
        f"{path.relative_to(PACKAGE_DIR)} imports {unguarded} outside a try/except ModuleNotFoundError"
    )


def test_a_needed_hidden_import_is_caught():
    assert unguarded_hidden_imports("from grader.exercises.ex01.hidden import reference\n")
    assert unguarded_hidden_imports("def f():\n    import grader.exercises.hidden.cases\n")
    assert not unguarded_hidden_imports(
        "try:\n    from grader.exercises.hidden import cases\n"
        "except ModuleNotFoundError:\n    cases = None\n"
    )
    assert unguarded_hidden_imports(
        "try:\n    from grader.exercises.hidden import cases\n"
        "except ValueError:\n    cases = None\n"
    )


def test_the_release_is_the_grader_minus_its_kept_back_packages():
    """The release's grader files are derived: every module but those of a kept-back package."""
    from grader.instructor.release import KEPT_BACK
    from grader.instructor.tree import copy_course_parts

    released = {
        str(relative)
        for relative, _path in copy_course_parts(PACKAGE_DIR.parent, ["grader"], KEPT_BACK)
    }
    modules = {str(path.relative_to(PACKAGE_DIR.parent)) for path in MODULES}
    assert {name for name in released if name.endswith(".py")} == {
        name for name in modules if not kept_back(name.removesuffix(".py").replace("/", "."))
    }
    assert not any(
        name.endswith(
            (
                "test_hidden.py",
                "reference.py",
                "picture_answers.py",
                "arithmetic.py",
                "scan_driver.py",
                "scan_loader.py",
            )
        )
        for name in released
    )


def test_every_answer_holding_module_sits_in_a_hidden_package():
    """A reference, a hidden suite, the pictures' answers and the layer arithmetic each live under
    a package named `hidden`, so leaving those packages out leaves every answer out."""
    answer_files = (
        "test_hidden.py",
        "reference.py",
        "picture_answers.py",
        "arithmetic.py",
        "windows.py",
        "cases.py",
    )
    holders = [path for path in MODULES if path.name in answer_files]
    assert (
        len(holders) >= 9 + 9
    )  # a hidden suite and (but for ex07) a reference per exercise, and more
    assert all("hidden" in path.relative_to(PACKAGE_DIR).parts for path in holders), holders
