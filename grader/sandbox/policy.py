"""What a worker may use and what it is given: forbidden modules, environments, a static check.

Exercises without the catalogue's `tensorflow` flag must do the work in NumPy
(docs/design.md#array-conventions): their source is checked here with `ast` before it runs
(parsing runs no learner code), the worker refuses the modules at import, and the jail does not
hold them at all. Every worker's environment is built from `BASE_ENVIRONMENT`, never inherited;
TensorFlow's settings are added for the exercises that use it, and the grader's own TensorFlow
uses the same ones.
"""

from __future__ import annotations

import ast

from grader.i18n import _

FORBIDDEN_MODULES = ("tensorflow", "keras", "scipy.signal", "scipy.ndimage")
IMPORT_FUNCTIONS = {"__import__", "import_module"}
MAX_CHECKED_SOURCE = 256 << 10  # characters: an honest exercise file has a few thousand

BASE_ENVIRONMENT = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    # One salt for string hashes in every worker: a learner's set of strings iterates in the same
    # order each run, pre-warmed or cold (Python reads it at start-up: see WORKER_PYTHON_FLAGS).
    "PYTHONHASHSEED": "0",
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}
# `python -I` but for -E: no user site-packages, no script folder on sys.path, and the PYTHON*
# variables of BASE_ENVIRONMENT (the worker's whole environment, built from scratch) are read.
WORKER_PYTHON_FLAGS = ("-s", "-P")
TENSORFLOW_ENVIRONMENT = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    # One thread per operation, in every process that runs TensorFlow for the grader: as fast
    # for the course's models, a batch's other core stays free, and training gives the same
    # numbers in every process (with two threads, the losses of two runs drift apart).
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
    "KERAS_BACKEND": "tensorflow",
    "CUDA_VISIBLE_DEVICES": "",
}


def forbidden_message(exercise_id: str, found: list[str], verb: str = "uses") -> str:
    """The feedback for an exercise whose code `verb` (uses, imported) forbidden modules."""
    text = (
        _("{id} imported {modules}: {id} must do the work with NumPy ({forbidden} are not allowed)")
        if verb == "imported"
        else _(
            "{id} uses {modules}: {id} must do the work with NumPy ({forbidden} are not allowed)"
        )
    )
    return text.format(
        id=exercise_id, modules=", ".join(found), forbidden=", ".join(FORBIDDEN_MODULES)
    )


def forbidden_imports(source: str, forbidden: tuple[str, ...] = FORBIDDEN_MODULES) -> list[str]:
    """The forbidden modules `source` imports or reaches, sorted; [] if none or if it does not
    parse. Aliases are followed: `import scipy as sp` then `sp.ndimage.maximum_filter` counts.

    The check runs in the trusted process, on a file of up to 1 MB that a learner wrote, so it
    costs one parse and one pass over the tree, and nothing at all for a file that does not
    name a forbidden package (a name it never mentions, it cannot import by that name) or that
    is larger than any honest answer (`MAX_CHECKED_SOURCE`).
    """
    if len(source) > MAX_CHECKED_SOURCE or not any(
        name.split(".")[0] in source for name in forbidden
    ):
        return []  # beyond the size, only the jail and the worker's import guard refuse them
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []  # the worker reports the syntax error with its line number
    found: set[str] = set()
    for name in _reached(tree):
        found.update(banned for banned in forbidden if _within(name, banned))
    return sorted(found)


def _reached(tree: ast.AST) -> list[str]:
    """Imported names and dotted names like `scipy.ndimage.maximum_filter` (aliases resolved),
    in one pass. Each attribute chain is read once, from its outermost attribute: reading it
    again from every inner one would cost the square of its length."""
    aliases: dict[str, str] = {}
    names: list[str] = []
    chains: list[tuple[str, list[str]]] = []
    inner: set[int] = set()
    for node in ast.walk(tree):  # breadth first: an outer attribute comes before its inner ones
        names += _imported_names(node)
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                aliases[alias.asname or top] = alias.name if alias.asname else top
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Attribute) and id(node) not in inner:
            parts: list[str] = []
            current: ast.expr = node
            while isinstance(current, ast.Attribute):
                parts.append(current.attr)
                inner.add(id(current.value))
                current = current.value
            if isinstance(current, ast.Name):
                chains.append((current.id, parts))
    return names + [
        ".".join([aliases[root], *reversed(parts)]) for root, parts in chains if root in aliases
    ]


def _imported_names(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        return [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    if isinstance(node, ast.Call):
        function = node.func
        name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", "")
        if (
            name in IMPORT_FUNCTIONS
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            return [node.args[0].value]
    return []


def _within(name: str, banned: str) -> bool:
    return name == banned or name.startswith(banned + ".")
