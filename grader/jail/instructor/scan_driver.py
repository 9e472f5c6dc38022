"""The release scan's driver: it runs in a worker's jail, next to a copy of a student release.

The instructor's scan (grader/instructor/scan.py) loads this file as a worker's module and
calls `probe_all` once: each function of each release module (top-level, or a method by its
qualified name) is called on the public examples of every exercise function whose signature it
accepts, each call with fresh copies of the arguments and a time limit, and the examples it
answers with an answer of the right kind (an array of the expected shape, a number, a tuple of
such, a Keras model) are reported, with module-level values equal to an exercise's constant.
The calls run in a child process, so a function that exits, hangs or kills its process costs
only itself: its module is then tried again one function per child.

Like the worker's own files, this one needs only the standard library and NumPy, and loads the
release's modules from the folder it lies in, never the grader's (its sibling scan_loader.py,
loaded by its path). It is not part of a release.
"""

from __future__ import annotations

import copy
import fcntl
import importlib.util
import inspect
import json
import os
import select
import signal
import sys
import time


def _sibling(name: str):
    """scan_loader.py, beside this file, under a private name (as worker.py loads its own)."""
    spec = importlib.util.spec_from_file_location(
        f"_grader_{name}", os.path.join(os.path.dirname(os.path.abspath(__file__)), f"{name}.py")
    )
    if spec is None or spec.loader is None:  # a .py file always has both
        raise ImportError(f"cannot load {name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


_loader = _sibling("scan_loader")
equal_constants, load, target = _loader.equal_constants, _loader.load, _loader.target

CALL_SECONDS = 1.0  # one probe call: a public example is a few cells (an example may say more)
MODULE_SECONDS = 180.0  # one module's probe, its import (Keras for ex07) included
FUNCTION_SECONDS = 60.0  # one function's probe, when its module is tried function by function
HIGH_DESCRIPTOR = 200  # a probe child's pipe, above what probed code opens (the worker allows 256)


class _Late(BaseException):
    """Raised in a probed call that took too long (a BaseException: `except Exception` in the
    probed code does not swallow it)."""


def fits(value, kind: dict) -> bool:
    """Whether `value` has the kind of answer `kind` describes."""
    import numpy as np

    if "tuple" in kind:
        return (
            isinstance(value, (tuple, list))
            and len(value) == len(kind["tuple"])
            and all(fits(item, part) for item, part in zip(value, kind["tuple"]))
        )
    if "number" in kind:  # never a bool: the suites' checks refuse one where a number belongs
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value[()]
        return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
            value, bool
        )
    if "array" in kind:
        try:
            array = np.asarray(value) if isinstance(value, (np.ndarray, list, tuple)) else None
        except (ValueError, TypeError):
            return False
        return (
            array is not None
            and array.dtype.kind in "biuf"
            and list(array.shape) == list(kind["array"])
        )
    if "model" in kind:
        model_class = getattr(sys.modules.get("keras"), "Model", None)
        return isinstance(model_class, type) and isinstance(value, model_class)
    return False


def _late(signum, frame):
    raise _Late()


def _try(function, example: dict, seconds: float) -> str:
    """ "fits", "refused" (its signature cannot take the call), "other" or "late"."""
    args, kwargs = copy.deepcopy(example["args"]), copy.deepcopy(example["kwargs"])
    try:
        inspect.signature(function).bind(*args, **kwargs)
    except TypeError:
        return "refused"
    except ValueError:  # no signature to read (some built-ins): call it and see
        pass
    signal.signal(signal.SIGALRM, _late)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        value = function(*args, **kwargs)
        signal.setitimer(signal.ITIMER_REAL, 0)
        return "fits" if fits(value, example["kind"]) else "other"
    except _Late:
        _kill_tree(os.getpid(), keep_root=True)  # a child it started and left waiting, with its own
        return "late"
    except BaseException:  # whatever it raises (SystemExit too): not an answer
        return "other"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def _kill_tree(pid: int, keep_root: bool = False) -> None:
    """Kill `pid` and every process it started, found from parent to child (a process that left
    its session or group is still found), the children first collected, then all killed."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    queue += [int(child) for child in children.read().split()]
        except (OSError, ValueError):
            continue
    for process in found[1:] if keep_root else found:
        try:
            os.kill(process, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def probe_module(task: dict, examples: list, wanted: dict) -> dict:
    """The probe of one module (in the calling process): which examples each of its functions
    answers in kind, which ran out of time, and which of its values equal a wanted constant."""
    try:
        module = load(task["relative"])
    except BaseException as error:
        return {"load_error": f"{type(error).__name__}: {str(error)[:300]}"}
    found, late = [], []
    methods = [
        name + receiver
        for name in task["functions"]  # not a function's own inner ones
        if "." in name and not name.rsplit(".", 1)[0].endswith("<locals>")
        for receiver in (_loader.RECEIVER, _loader.INSTANCE)
    ]
    # a name bound at module level to something callable (a partial, an alias) is a function too
    bound = [
        name
        for name in task.get("assigned", [])
        if callable(getattr(module, name, None))
        and not isinstance(getattr(module, name), type)
        and name not in task["functions"]
    ]
    for qualname in [*task["functions"], *methods, *bound]:
        try:
            function = target(module, qualname)
        except BaseException:
            continue
        for index, example in enumerate(examples if callable(function) else []):
            outcome = _try(function, example, example.get("seconds", CALL_SECONDS))
            if outcome == "late" and example.get(
                "retry_seconds"
            ):  # its first call may import things
                outcome = _try(function, example, example["retry_seconds"])
            if outcome == "fits":
                found.append([qualname, index])
            elif outcome == "late":
                late.append([qualname, index])
                break  # it hangs: its other examples would too
    values = {name: getattr(module, name, None) for name in task.get("names", [])}
    return {"fits": found, "late": late, "constants": equal_constants(values, wanted)}


def probe_all(tasks: list, examples: list, wanted: dict) -> list:
    """`probe_module` for every task, in child processes: the modules one after another in one
    child; a module whose child dies or hangs is tried again one function per child (a function
    that kills or hangs its child is then "dead") and the rest go on in a new child."""
    results: dict = {}
    while len(results) < len(tasks):
        pending = [task for task in tasks if task["relative"] not in results]
        lines = _in_child(_module_lines(pending, examples, wanted), len(pending), MODULE_SECONDS)
        for line in lines:
            results.update(json.loads(line))
        if len(lines) < len(pending):
            task = pending[len(lines)]
            results[task["relative"]] = _one_by_one(task, examples, wanted)
    return [dict(results[task["relative"]], relative=task["relative"]) for task in tasks]


def _module_lines(tasks: list, examples: list, wanted: dict):
    for task in tasks:
        yield json.dumps({task["relative"]: probe_module(task, examples, wanted)})


def _one_by_one(task: dict, examples: list, wanted: dict) -> dict:
    """`task` again, in a child that loads its module once and probes each function in a
    grandchild of its own: one that dies or hangs is "dead", the others are heard."""
    # each line comes from a grandchild given FUNCTION_SECONDS: the child waits a little longer
    lines = _in_child(
        _function_lines(task, examples, wanted), len(task["functions"]) + 1, 2 * FUNCTION_SECONDS
    )
    merged: dict = {"fits": [], "late": [], "dead": [], "constants": []}
    for line in lines:
        outcome = json.loads(line)
        if "load_error" in outcome:
            return outcome
        for key in merged:
            merged[key] += outcome.get(key, [])
    merged["dead"] += task["functions"][len(lines) :]  # one line per function, then the names'
    if len(lines) <= len(task["functions"]):
        merged["dead"].append("(its module-level names)")
    return merged


def _function_lines(task: dict, examples: list, wanted: dict):
    try:
        load(task["relative"])
    except BaseException as error:
        yield json.dumps({"load_error": f"{type(error).__name__}: {str(error)[:300]}"})
        return
    for qualname in task["functions"]:
        part = dict(task, functions=[qualname], names=[], assigned=[])
        heard = _in_child(
            (json.dumps(probe_module(part, examples, wanted)) for _once in range(1)),
            1,
            FUNCTION_SECONDS,
        )
        yield heard[0] if heard else json.dumps({"dead": [qualname]})
    rest = dict(task, functions=[])  # the module-level values, and names bound to callables
    heard = _in_child(
        (json.dumps(probe_module(rest, examples, wanted)) for _once in range(1)),
        1,
        FUNCTION_SECONDS,
    )
    yield heard[0] if heard else json.dumps({"dead": ["(its module-level names)"]})


def _in_child(lines, count: int, seconds_each: float) -> list:
    """Run the generator `lines` (JSON texts, one per unit of work) in a forked child and return
    the lines it sent: fewer than `count` if it died, or went past `seconds_each` on one."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: each line as soon as it is made, then go without any clean-up
        # Its pipe moves out of the way, and every other descriptor (the worker's own pipes)
        # closes: a probed function that opens or writes a small descriptor number hits none.
        write_end = fcntl.fcntl(write_end, fcntl.F_DUPFD, HIGH_DESCRIPTOR)
        os.closerange(3, write_end)
        try:
            for line in lines:
                os.write(write_end, (line + "\n").encode())
        finally:
            os._exit(0)
    os.close(write_end)
    received: list[str] = []
    buffer = b""
    deadline = time.monotonic() + seconds_each
    try:
        while len(received) < count and time.monotonic() < deadline:
            ready, _writable, _exceptional = select.select(
                [read_end], [], [], max(deadline - time.monotonic(), 0)
            )
            chunk = os.read(read_end, 1 << 16) if ready else b""
            if not chunk:
                break
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                received.append(line.decode())
                deadline = time.monotonic() + seconds_each
    finally:
        os.close(read_end)
        _kill_tree(pid)
        os.waitpid(pid, 0)
    return received[:count]
