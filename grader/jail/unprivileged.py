"""The portable worker's privilege drop: from root to a fresh uid, on any POSIX system.

A learner's self-check run by root (Colab, a container, `sudo grade` on a laptop) must not run
the learner's code as root (docs/design.md#portable-self-check). The sandbox's own drop
(jail.py) needs Linux; this one uses only what `os` offers on Linux and macOS alike: no
supplementary groups, then the group and the user, all three of real, effective and saved ids
where the system has `setresuid`, else `setgid`/`setuid` (which, from root, set all three).
It then checks what it got: the target ids, no group but the target's, and no way back to root.

Standard library only, like its siblings: the sandbox copies it next to the worker.
"""

from __future__ import annotations

import os
import sys

try:  # imported now: after the drop, Python's own folders may be closed to the new uid
    import ctypes
except ImportError:  # a Python built without it
    ctypes = None  # type: ignore[assignment]

PR_SET_NO_NEW_PRIVS = 38  # linux/prctl.h: no exec may gain privileges again (set-uid programs)


def become(uid: int, gid: int) -> str | None:
    """Become `uid`/`gid` with no supplementary groups; why that failed, or None."""
    prctl = _prctl()  # found while still root
    try:
        os.setgroups([])
        if hasattr(os, "setresuid"):
            os.setresgid(gid, gid, gid)
            os.setresuid(uid, uid, uid)
        else:  # macOS: from root, these set the real, effective and saved ids
            os.setgid(gid)
            os.setuid(uid)
    except (OSError, OverflowError, TypeError, ValueError) as error:
        return f"could not become uid {uid}: {error}"
    problem = _check(uid, gid)
    if problem is None and prctl is not None:  # no program run later can gain privileges
        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    return problem


def _check(uid: int, gid: int) -> str | None:
    """Why the process is not exactly `uid`/`gid` with no way back to root, or None."""
    got = (os.getuid(), os.geteuid(), os.getgid(), os.getegid())
    if got != (uid, uid, gid, gid):
        return f"the worker is uid/euid/gid/egid {got}, not {uid}/{gid}"
    if set(os.getgroups()) - {gid}:
        return f"the worker kept the groups {sorted(os.getgroups())}"
    for regain in (os.setuid, os.seteuid):
        try:
            regain(0)
        except OSError:
            continue
        return "the worker could become root again"
    return None


def _prctl():
    """Linux's `prctl`, where it is one call away; None elsewhere (macOS keeps working)."""
    if sys.platform != "linux" or ctypes is None:
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
