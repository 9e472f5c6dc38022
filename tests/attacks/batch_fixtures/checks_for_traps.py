# Appended by tests/attacks/test_left_behind.py to the ex01 solution: the learner graded next in
# the same batch worker. At import it looks for every trace `a_leaves_traps` tries to leave; if
# it finds one, its functions raise with the list of what it found, so the feedback names it. A
# learner who is truly unaffected scores exactly what the solution scores.
import os as _os
import sys as _sys

import numpy as _np

_MARK = "LEFT_BEHIND"


def _traces():
    found = []
    for folder in ("/tmp", "/var/tmp", "/dev/shm", _os.path.expanduser("~"), ".."):
        for name in (f"{_MARK}.txt", f"{_MARK}.daemon", "numpy", "sitecustomize.py"):
            if _os.path.exists(_os.path.join(folder, name)):
                found.append(_os.path.join(folder, name))
    if _MARK in _os.environ or _os.environ.get("PYTHONPATH"):
        found.append("environment")
    if hasattr(_np, _MARK) or _np.sum(_np.ones(3)) != 3.0:
        found.append("patched numpy")
    if "left_behind_module" in _sys.modules or "sitecustomize" in _sys.modules:
        found.append("sys.modules")
    for pid in _os.listdir("/proc"):
        try:
            if pid.isdigit() and open(f"/proc/{pid}/comm").read().strip() == "leftbehind":
                found.append(f"daemon {pid}")
        except OSError:
            pass
    if any(key.startswith("CNN_EXERCISES_WARM") or key == "CNN_EXERCISES_WORKER_SERVERS" for key in _os.environ):
        found.append("the warm server's address")
    return found


_FOUND = _traces()


def _guarded(function):
    def guarded(*args, **kwargs):
        if _FOUND:
            raise RuntimeError(f"{_MARK} found: {_FOUND}")
        return function(*args, **kwargs)

    guarded.__name__ = function.__name__
    return guarded


filter_response = _guarded(filter_response)  # noqa: F821 (defined by the solution above)
convolve2d = _guarded(convolve2d)  # noqa: F821
