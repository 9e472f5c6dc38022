"""The release scan's view of a release, in a worker's jail next to a copy of that release.

`load` imports a module of the release copy (never the grader's own), `target` finds a function
in it by its qualified name (one defined inside a function, or a lambda, made anew from the
module's source); `table` replays a picture's data file as a table of answers (a
stand-in that answers only the calls the data records); `stand_ins` fills the exercise file the
scan grades candidates with (grader/instructor/scan_grading.py); `equal_constants` and
`data_constants` find values equal to an exercise's constant. The probe (scan_driver.py) uses
them too. Standard library and NumPy only, like every file that runs in the jail; it is not
part of a release.
"""

from __future__ import annotations

import ast
import functools
import importlib
import importlib.util
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RECEIVER = (
    "@None"  # after a method's name: called with None as `self` (one that never uses it answers)
)
INSTANCE = "@new"  # after a method's name: called on an instance its class makes with no arguments
LOCALS = ".<locals>."  # in a qualified name: what follows is defined inside the function before it
LAMBDA = "<lambda:"  # a lambda's name: "<lambda:LINE:COLUMN>", where it stands in its module


def _release_first() -> None:
    """Modules come from the release copy here: no editable install's finder supplies others."""
    if HERE not in sys.path:
        sys.path.insert(0, HERE)
    sys.meta_path[:] = [
        finder
        for finder in sys.meta_path
        if not getattr(finder, "__module__", "").startswith("__editable__")
    ]


def load(relative: str):
    """The release module at `relative` (a path inside the release): a module of its grader
    package by its dotted name, any other file under a private name."""
    _release_first()
    parts = relative[:-3].split("/")
    if parts[0] == "grader":
        return importlib.import_module(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    name = "_scanned_" + "_".join(parts)
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, relative))
        if spec is None or spec.loader is None:  # a .py file always has both
            raise ImportError(f"cannot load {relative}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def target(module, qualname: str):
    """The function `qualname` names in `module`, unwrapped to what a caller runs. A method
    named with `@None` after it is called with None in the place of `self`; with `@new`, on an
    instance of its class made with no arguments."""
    if qualname.endswith(RECEIVER):
        return functools.partial(target(module, qualname[: -len(RECEIVER)]), None)
    if qualname.endswith(INSTANCE):  # the method's class, made with its defaults, as `self`
        owner, _separator, method = qualname[: -len(INSTANCE)].rpartition(".")
        return getattr(target(module, owner)(), method)
    if LOCALS in qualname or qualname.startswith(LAMBDA):
        value, rest = _from_source(module, qualname)
    else:
        value, rest = module, qualname.split(".")
    for part in rest:
        namespace = getattr(value, "__dict__", {})
        value = namespace[part] if part in namespace else getattr(value, part)
    if isinstance(value, (staticmethod, classmethod)):
        value = value.__func__
    if isinstance(value, property):
        value = value.fget
    return getattr(value, "callback", None) or value  # a Click command: its function


def _from_source(module, qualname: str):
    """(the object a nested name or a lambda starts from, the attribute names after it). The
    definition is run anew in a copy of the module's globals: a name it took from the function
    around it is missing there, so it answers only if it needs none."""
    with open(module.__file__, "rb") as source:
        tree = ast.parse(source.read())
    namespace = dict(vars(module))
    if qualname.startswith(LAMBDA):
        line, column = (int(number) for number in qualname[len(LAMBDA) : -1].split(":"))
        node = next(
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.Lambda) and (node.lineno, node.col_offset) == (line, column)
        )
        return eval(compile(ast.Expression(body=node), module.__file__, "eval"), namespace), []
    outer, _separator, inner = qualname.rpartition(LOCALS)
    scope = tree
    for name in outer.replace(LOCALS, ".").split("."):
        scope = _definition(scope.body, name)
    first, *rest = inner.split(".")
    node = _definition(scope.body, first)
    exec(compile(ast.Module(body=[node], type_ignores=[]), module.__file__, "exec"), namespace)
    return namespace[first], rest


def _definition(body: list, name: str):
    """The function or class `name` defined in `body`, in its blocks too (not in inner scopes)."""
    scopes = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    for node in body:
        if isinstance(node, scopes) and node.name == name:
            return node
        if isinstance(node, scopes + (ast.Lambda,)):
            continue
        for _field, value in ast.iter_fields(node):
            inner = (
                [item for item in value if isinstance(item, ast.stmt)]
                if isinstance(value, list)
                else []
            )
            inner += [
                statement
                for item in (value if isinstance(value, list) else [])
                if isinstance(item, (ast.ExceptHandler, ast.match_case))
                for statement in item.body
            ]
            try:
                return _definition(inner, name)
            except LookupError:
                continue
    raise LookupError(name)


def equal_constants(values: dict, wanted: dict) -> list:
    """[name, constant] for each of `values` equal to one of the `wanted` arrays."""
    import numpy as np

    equal = []
    for name, value in values.items():
        try:
            array = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            continue
        equal += [
            [name, constant]
            for constant, expected in wanted.items()
            if array.shape == np.shape(expected) and np.array_equal(array, expected)
        ]
    return equal


def table(relative: str, function: str):
    """A stand-in for `function` that answers only the calls the data file `relative` records
    (a picture's calls, grader/learner/picture_data.py), with the recorded answer: the data
    replayed as a table of answers. Any other call raises ValueError."""
    import numpy as np

    with np.load(os.path.join(HERE, relative), allow_pickle=False) as stored:
        arrays = {name: stored[name] for name in stored.files}
    calls = json.loads(str(arrays.pop("calls"))) if "calls" in arrays else []

    def value(node):
        if isinstance(node, dict):
            return arrays[node["array"]].copy()
        return tuple(value(item) for item in node) if isinstance(node, list) else node

    rows = [
        (
            [value(item) for item in call["args"]],
            {key: value(item) for key, item in call["kwargs"].items()},
            call["answer"],
        )
        for call in calls
        if call["function"] == function
    ]

    def replay(*args, **kwargs):
        for recorded_args, recorded_kwargs, answer in rows:
            if _same(list(args), recorded_args) and _same(kwargs, recorded_kwargs):
                return value(answer)
        raise ValueError(f"{function}: not a call the data file records")

    return replay


def data_constants(relative: str, wanted: dict) -> list:
    """[array name, constant] for each array of the data file `relative` equal to a wanted one."""
    import numpy as np

    loaded = np.load(os.path.join(HERE, relative), allow_pickle=False)
    values = dict(loaded.items()) if hasattr(loaded, "files") else {"": loaded}
    return equal_constants(values, wanted)


def _same(one, other) -> bool:
    """Equal values, arrays by their cells, tuples and lists alike."""
    import numpy as np

    if isinstance(one, np.ndarray) or isinstance(other, np.ndarray):
        return (
            isinstance(one, np.ndarray)
            and isinstance(other, np.ndarray)
            and one.shape == other.shape
            and bool(np.array_equal(one, other))
        )
    if isinstance(one, dict) or isinstance(other, dict):
        return (
            isinstance(one, dict)
            and isinstance(other, dict)
            and one.keys() == other.keys()
            and all(_same(one[key], other[key]) for key in one)
        )
    if isinstance(one, (tuple, list)) or isinstance(other, (tuple, list)):
        return (
            isinstance(one, (tuple, list))
            and isinstance(other, (tuple, list))
            and len(one) == len(other)
            and all(_same(a, b) for a, b in zip(one, other))
        )
    try:
        return bool(one == other)
    except Exception:
        return False


def stand_ins(namespace: dict, candidates: list, functions: list, choice_file: str) -> None:
    """Make `namespace` (a stand-in exercise file's) answer each of `functions` with the chosen
    candidate, `(path, qualified name, function it stands for)`, an empty name meaning the data
    file at `path` replayed as a table. The choice is the index in `choice_file`, read at every
    call, so one worker serves the candidates in turn; a function not chosen is "not
    implemented". Every candidate is loaded now, a failure kept as its answer to every call."""
    resolved = []
    for path, qualname, stands_for in candidates:
        try:
            resolved.append(target(load(path), qualname) if qualname else table(path, stands_for))
        except BaseException as error:  # the function raises it when it is called
            resolved.append(error)

    def dispatcher(function: str):
        def chosen(*args, **kwargs):
            with open(choice_file) as choice:
                index = int(choice.read())
            if candidates[index][2] != function:
                raise NotImplementedError(f"{function} is not implemented yet")
            if isinstance(resolved[index], BaseException):
                raise resolved[index]
            return resolved[index](*args, **kwargs)

        chosen.__name__ = function
        return chosen

    namespace.update({function: dispatcher(function) for function in functions})
