"""What a jail holds, by allowlist: the steps that build a worker's view of the file system.

The jail's root is an empty tmpfs; only what is named here appears in it, read-only:

- Python's standard library (with its site-packages and dist-packages masked by empty
  folders), NumPy and its compiled dependencies, the C libraries that the interpreter, the
  standard library's extension modules and NumPy load (found by `grader.sandbox.elf`, each
  file with the links the loader opens it by), and the worker's own folder;
- for an exercise that uses TensorFlow, also the interpreter's site-packages, with the
  grader's own package and the course's secrets masked.

Nothing else of the machine is there, so a forbidden library installed anywhere else (another
interpreter, a system dist-packages, a folder a learner names on sys.path) cannot be imported.
The steps run in order in `jail.enter`: a "bind", a "mask" (an empty folder laid over a part
of something bound) or a "link" (a symbolic link the loader follows).
"""

from __future__ import annotations

import functools
import importlib.util
import os
import re
import site
import sys
import sysconfig

from grader.sandbox.elf import library_closure

PACKAGE_FOLDERS = ("site-packages", "dist-packages")
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/localtime")
TENSORFLOW_SYSTEM = ("/sys/devices/system/cpu", "/sys/fs/cgroup")  # CPU count and quotas
MAX_LINK_HOPS = 40
SHARED_OBJECT = re.compile(r"\.so(\.\d+)*$")


def jail_steps(folder: str, *, tensorflow: bool, secrets: tuple[str, ...]) -> list[list[str]]:
    """The ordered steps that build the view of a worker whose own files are in `folder`.

    `secrets` are folders that must never be visible (the grader package, the course's
    solutions and tests), masked wherever an allowed tree would include them.
    """
    binds, masks, links = _python_view(tensorflow)
    shown = {*binds, folder}
    hidden = {*masks, *(path for path in secrets if os.path.isdir(path))}
    return _ordered(shown, hidden, links)


@functools.cache
def _python_view(
    tensorflow: bool,
) -> tuple[frozenset[str], frozenset[str], tuple[tuple[str, str], ...]]:
    """(trees and files to bind, folders to mask, links) for Python and the libraries it loads."""
    stdlib = {_real(sysconfig.get_paths()[key]) for key in ("stdlib", "platstdlib")}
    dynload = {_real(path) for path in sys.path if os.path.basename(path) == "lib-dynload"}
    numpy_spec = importlib.util.find_spec("numpy")
    assert numpy_spec is not None and numpy_spec.origin is not None  # the grader needs NumPy
    numpy = _real(os.path.dirname(numpy_spec.origin))
    python_trees = {*dynload, numpy, *_existing([numpy + ".libs"])}
    if tensorflow:
        python_trees |= {_real(path) for path in site.getsitepackages()}
    masks = {os.path.join(tree, name) for tree in stdlib for name in PACKAGE_FOLDERS} - python_trees
    compiled = [
        _real(sys.executable),
        *(path for tree in python_trees for path in _shared_objects(tree)),
    ]
    trees = stdlib | python_trees | (_existing(TENSORFLOW_SYSTEM) if tensorflow else set())

    files, links = set(_existing(SYSTEM_FILES)), set()
    for real, aliases in library_closure(compiled).items():
        files.add(real)
        for alias in aliases:
            links.update(links_along(alias))
    return frozenset(trees | files), frozenset(_existing(masks)), tuple(sorted(links))


def links_along(path: str) -> list[tuple[str, str]]:
    """The symbolic links met on the way to `path`, as (where, target), outermost first."""
    found, current = [], "/"
    parts = [part for part in path.split("/") if part]
    hops = 0
    while parts and hops <= MAX_LINK_HOPS:
        name = parts.pop(0)
        if name == "..":
            current = os.path.dirname(current)
            continue
        candidate = os.path.join(current, name)
        if not os.path.islink(candidate):
            current = candidate
            continue
        target = os.readlink(candidate)
        found.append((candidate, target))
        hops += 1
        if target.startswith("/"):
            current = "/"
        parts = [part for part in target.split("/") if part] + parts
    return found


def _ordered(
    binds: set[str], masks: set[str], links: tuple[tuple[str, str], ...]
) -> list[list[str]]:
    """Parents before children; a path already shown by a bound tree (and not masked) is skipped."""
    steps: list[list[str]] = []
    shown: dict[str, str] = {}  # path -> "bind" or "mask", for what the steps so far lay out
    for path, kind in sorted(
        [(path, "bind") for path in binds] + [(path, "mask") for path in masks],
        key=lambda item: (_depth_key(item[0]), item[1] == "bind"),
    ):
        above = _nearest(path, shown)
        if kind == "bind" and above == "bind":
            continue  # already visible through an allowed tree
        if kind == "mask" and above != "bind":
            continue  # nothing to hide: it is not visible
        shown[path] = kind
        steps.append([kind, path])
    for where, target in links:
        if _nearest(where, shown) is None:
            steps.append(["link", where, target])
    return steps


def _nearest(path: str, shown: dict[str, str]) -> str | None:
    """What the closest laid-out ancestor (or the path itself) of `path` is, if any."""
    current = path
    while True:
        if current in shown:
            return shown[current]
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _depth_key(path: str) -> tuple[str, ...]:
    return tuple(part for part in path.split("/") if part)


def _shared_objects(tree: str) -> list[str]:
    """The compiled files (`*.so`, `*.so.N`) under `tree`, without following links."""
    return [
        os.path.join(folder, name)
        for folder, _subfolders, names in os.walk(tree)
        for name in names
        if ".so" in name and SHARED_OBJECT.search(name)
    ]


def _real(path: str) -> str:
    return os.path.realpath(path)


def _existing(paths) -> set[str]:
    return {path for path in paths if os.path.exists(path)}
