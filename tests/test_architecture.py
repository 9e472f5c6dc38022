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
    "sandbox.standalone": set(),
    "errors": {"i18n", "sanitise"},
    "logs": {"sanitise"},  # `grade -v`: the grader's decisions on standard error
    "i18n": set(),
    "evidence": set(),
    "sanitise": {"i18n"},
    "failures": {"i18n"},
    "results": {"i18n", "sanitise"},
    "course": {"i18n", "errors"},
    "submission": {"i18n", "errors"},
    "sandbox": {"i18n", "sandbox.standalone", "course", "errors", "failures", "sanitise"},
    "checks": {"i18n", "check_feedback", "evidence", "failures", "sanitise"},
    "check_feedback": {"i18n", "evidence"},  # what a failed check may say, public or hidden
    "model": {"i18n", "course", "errors", "failures", "sanitise", "sandbox", "sandbox.standalone"},
    "quiz": {"i18n", "course", "errors", "results", "sanitise", "submission"},
    "grading": {"i18n", "checks", "course", "evidence", "errors", "failures", "quiz", "results", "sandbox", "sanitise",
                "submission"},
    "markdown_report": {"i18n", "results"},
    "gradescope_report": {"i18n", "results"},
    "reports": {"i18n", "gradescope_report", "markdown_report", "results", "sanitise"},
    "progress": {"i18n", "results"},
    "commands": {"i18n", "course", "errors", "grading", "progress", "reports", "results", "sanitise",
                 "submission"},
    # instructor -> learner: a release gets the pictures' data (learner/picture_data.py writes it);
    # -> failures: the release scan reads what its workers' calls failed with
    "instructor": {"i18n", "course", "errors", "failures", "grading", "learner", "quiz", "reports", "results",
                   "sandbox", "sanitise", "submission"},
    "suites": {"i18n", "checks", "course", "evidence", "failures", "model", "sanitise", "suites"},
    # learner -> suites: in the course repository the pictures' answers come from the hidden
    # references (a release has their data instead, and no hidden suites)
    "learner": {"i18n", "commands", "course", "errors", "failures", "grading", "model", "progress", "reports",
                "results", "sandbox", "sanitise", "submission", "suites"},
    "cli": {"i18n", "cli_class", "cli_learner", "cli_messages", "commands", "course", "errors", "grading", "instructor", "learner", "logs", "quiz",
            "reports", "results", "sandbox", "sanitise"},
    "cli_class": {"i18n", "cli", "instructor"},
    "cli_messages": {"i18n", "cli"},  # the command tree, for its help texts
    "cli_learner": {"cli", "commands", "learner"},
    "__main__": {"cli"},
    "__init__": {"learner"},  # load_ipython_extension, imported only by IPython
}
PROCESS_MODULES = {"subprocess", "multiprocessing", "pty", "concurrent.futures.process"}
PROCESS_CALLS = {"fork", "forkpty", "system", "popen", "posix_spawn", "posix_spawnp", "execv", "execve",
                 "execvp", "execvpe", "execl", "execle", "execlp", "execlpe", "spawnv", "spawnve"}
MAX_MODULE_LINES = 320
MAX_FUNCTION_LINES = 60
STANDALONE_THIRD_PARTY = {"numpy"}

MODULES = sorted(path for path in PACKAGE_DIR.rglob("*.py") if "__pycache__" not in path.parts)


def unit_of(module: str) -> str:
    """`grader.sandbox.standalone.wire` -> "sandbox.standalone"; `grader.reports` -> "reports"."""
    parts = module.split(".")[1:]
    if parts[:2] == ["sandbox", "standalone"]:
        return "sandbox.standalone"
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
            found += [f"{node.module}.{alias.name}" for alias in node.names
                      if is_module(f"{node.module}.{alias.name}")]
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
    assert not forbidden, f"{path.relative_to(PACKAGE_DIR)} ({unit}) may not import {sorted(forbidden)}"


def test_a_forbidden_arrow_is_caught():
    """The checker itself can fail: results that import the sandbox, a jail file that imports
    the grader, a renderer that imports the runner."""
    assert forbidden_arrows("results", "from grader.sandbox.client import WorkerClient\n") == {"sandbox"}
    assert forbidden_arrows("sandbox.standalone", "import grader.failures\n") == {"failures"}
    assert forbidden_arrows("reports", "from grader.grading import runner\n") == {"grading"}
    assert forbidden_arrows("reports", "from grader.results import Report\n") == set()


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(PACKAGE_DIR)))
def test_only_the_sandbox_starts_processes(path):
    if unit_of(module_name(path)) in ("sandbox", "sandbox.standalone"):
        return
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    modules = set(imports(source))
    calls = {node.func.attr for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
             and isinstance(node.func.value, ast.Name) and node.func.value.id == "os"
             and node.func.attr in PROCESS_CALLS}
    assert not (modules & PROCESS_MODULES) and not calls, \
        f"{path.relative_to(PACKAGE_DIR)} starts processes ({sorted(modules | calls)}); only grader/sandbox/ may"


def test_the_jail_files_need_only_the_standard_library_and_numpy():
    standalone = PACKAGE_DIR / "sandbox" / "standalone"
    for path in standalone.glob("*.py"):
        tops = {name.split(".")[0] for name in imports(path.read_text(encoding="utf-8"))}
        outside = {top for top in tops if top not in sys.stdlib_module_names} - STANDALONE_THIRD_PARTY
        assert not outside, f"{path.name} imports {sorted(outside)}: the jail holds none of them"


def test_renderers_import_no_learner_facing_runtime():
    for name in ("reports.py", "markdown_report.py", "gradescope_report.py", "progress.py"):
        source = (PACKAGE_DIR / name).read_text(encoding="utf-8")
        grader_imports = {unit_of(item) for item in imports(source) if item.startswith("grader.")}
        assert grader_imports <= {"results", "sanitise", "markdown_report", "gradescope_report", "i18n"}, name


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(PACKAGE_DIR)))
def test_modules_and_functions_stay_small(path):
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_MODULE_LINES, f"{path.name} has {len(text.splitlines())} lines"
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = node.end_lineno - node.lineno + 1
            assert length <= MAX_FUNCTION_LINES, f"{path.name}: {node.name} has {length} lines"
