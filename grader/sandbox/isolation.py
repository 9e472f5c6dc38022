"""How a run's workers are isolated: decided once, by the trusted side, before any learner code.

`Isolation` is that decision, passed down to everything that starts a worker. `decide` makes it:
it picks the strongest mode this machine claims ("root" when the grader is root, "userns" when
user namespaces are allowed, else "limits"), then starts a probe (grader/sandbox/probe.py): a
worker with no learner file that builds the real sandbox and describes what it sees, checked
from outside. Only a failed probe leads to "limits", and as root that needs the instructor's
explicit `--allow-weak-sandbox`, because without namespaces a worker reads what its user can
read. Nothing a worker says or does later changes the decision: a worker that fails to start
is that learner's failure.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from grader.errors import InputError
from grader.i18n import _

ROOT = "root"
USERNS = "userns"
LIMITS = "limits"
PORTABLE = (
    "portable"  # a learner's self-check where no sandbox can be built (macOS, Windows, Colab)
)
PROTECTION_NAMESPACES = "namespaces"
PROTECTION_LIMITS = "limits"
PROTECTION_SELF_CHECK = "self-check"
PORTABLE_VARIABLE = "CNN_EXERCISES_PORTABLE"  # "1": the portable worker, whatever the machine
INSTRUCTOR_PACKAGE = "grader.instructor"  # absent from a student release


class WeakSandboxRefused(InputError):
    """Namespaces are unavailable, and grading without them was not allowed (exit code 2)."""


@dataclass(frozen=True)
class Isolation:
    """The isolation every worker of one run gets, and why (for the report)."""

    mode: str
    note: str = ""

    @property
    def namespaces(self) -> bool:
        return self.mode not in (LIMITS, PORTABLE)

    @property
    def portable(self) -> bool:
        """A plain subprocess with time limits (grader/sandbox/portable.py): a self-check."""
        return self.mode == PORTABLE

    @property
    def protection(self) -> str:
        """What reports call it: "namespaces", "limits" or "self-check"."""
        if self.portable:
            return PROTECTION_SELF_CHECK
        return PROTECTION_NAMESPACES if self.namespaces else PROTECTION_LIMITS

    @property
    def fresh_uid(self) -> bool:
        """Workers become a fresh unprivileged uid whenever the grader is root, whatever the mode
        (the portable worker too: learner code never runs as root): a user namespace made by
        root maps its root to the real root, whose uid alone (without a single capability) may
        still write root's files, /proc/sys among them. A grader that is not root runs workers in
        a user namespace, where they shed every capability instead."""
        return is_root()

    @property
    def user_namespace(self) -> bool:
        """Whether workers start in a user namespace of their own: only when the grader is not
        root (as root, "userns" is run as "root", with a fresh uid)."""
        return self.mode == USERNS and not is_root()

    def get(self) -> Isolation:
        """Itself: an `Isolation` is already decided (a probe's `get` decides)."""
        return self

    def presumed(self) -> Isolation:
        """Itself (a probe's `presumed` is the mode it is probing, until it has decided)."""
        return self

    def __enter__(self) -> Isolation:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def view_problem(self, view: object, uid: int) -> str:
        """Why a worker's own description of its sandbox is not what this isolation promises, or ''.

        The description is sent before the learner's file is loaded, so it is the sandbox's
        word, not the learner's; a worker given `uid` must run as it.
        """
        if not isinstance(view, dict):
            return _("the worker did not describe its sandbox")
        if self.fresh_uid and view.get("uid") != uid:
            return _("the worker runs as uid {got!r}, not the unprivileged uid {uid}").format(
                got=view.get("uid"), uid=uid
            )
        if self.fresh_uid and view.get("gid") != uid:
            return _("the worker runs in group {got!r}, not the unprivileged group {gid}").format(
                got=view.get("gid"), gid=uid
            )
        if self.portable:  # the learner's own process on their own machine: nothing more to check
            return ""
        if view.get("capabilities") != 0:
            return _("the worker kept privileges")
        if self.namespaces:
            if view.get("pid") != 1:
                return _("the worker has no process namespace of its own")
            if view.get("visible"):
                return _("the worker can see {count} of the grader's private folders").format(
                    count=len(view["visible"])
                )
            if view.get("root_writable") is not False:
                return _("the worker can write to its root folder")
        return ""


class IsolationSource(Protocol):
    """An `Isolation`, or something that decides one on first use (`IsolationProbe`)."""

    def get(self) -> Isolation: ...

    def presumed(self) -> Isolation: ...


def is_root() -> bool:
    """Whether the grader runs as root (never on Windows, which has no `geteuid`)."""
    geteuid = getattr(os, "geteuid", None)
    return geteuid is not None and geteuid() == 0


def portable_forced() -> bool:
    """Whether a learner's self-check asks for the portable worker (`CNN_EXERCISES_PORTABLE=1`:
    tests, or a learner whose namespaces misbehave); instructor grading never heeds it."""
    return os.environ.get(PORTABLE_VARIABLE) == "1"


def self_check_allowed(allow_weak: bool) -> bool:
    """Whether a learner's own grading may fall back on the portable worker here: on any system
    but Linux, and on Linux as root without namespaces (Colab, a container) in a student
    release only: in the course repository root keeps its refusal (docs/design.md#portable-self-check)."""
    if sys.platform != "linux":
        return True
    return is_root() and not allow_weak and importlib.util.find_spec(INSTRUCTOR_PACKAGE) is None


def self_check(note: str) -> Isolation:
    """The portable worker's isolation, with the sentence every report shows for it.

    As root, learner code runs as a fresh uid, which must be able to reach Python and NumPy:
    where it cannot, `WeakSandboxRefused`, never a self-check as root.
    """
    unreachable = python_unreachable_for_others() if is_root() else ""
    if unreachable:
        raise WeakSandboxRefused(
            _(
                "a self-check run by root runs your code as an unprivileged user, who cannot "
                "reach Python here ({path} is not readable by other users); run grade as an "
                "ordinary user"
            ).format(path=unreachable)
        )
    return Isolation(
        PORTABLE,
        _(
            "{note}: a self-check on this machine, where your code ran as a plain process with "
            "time limits, not in a sandbox; official grading runs in one"
        ).format(note=note),
    )


def strongest_mode() -> str:
    """The strongest isolation this machine claims to offer, before any probe."""
    if sys.platform != "linux" or shutil.which("unshare") is None:
        return LIMITS
    if is_root():
        return ROOT
    if (
        _read_int("/proc/sys/user/max_user_namespaces", 1) > 0
        and _read_int("/proc/sys/kernel/unprivileged_userns_clone", 1) != 0
    ):
        return USERNS
    return LIMITS


def weak(note: str, *, allow_weak: bool) -> Isolation:
    """The "limits" isolation, if it may be used here; `WeakSandboxRefused` if not.

    As root, learner code must never keep root: it runs as a fresh uid, which must be able to
    reach Python, and only when the instructor allowed a run without namespaces.
    """
    if sys.platform != "linux":
        raise WeakSandboxRefused(
            _(
                "grading for an instructor needs Linux namespaces ({note}); grade on Linux, "
                "where learner code runs in a sandbox"
            ).format(note=note)
        )
    if is_root():
        if not allow_weak:
            raise WeakSandboxRefused(
                _(
                    "the sandbox has no namespaces here ({note}) and the grader runs as root; learner code would "
                    "run without a jail. Fix the namespaces, run as an ordinary user, or pass --allow-weak-sandbox "
                    "to grade with limits only"
                ).format(note=note)
            )
        unreachable = python_unreachable_for_others()
        if unreachable:
            raise WeakSandboxRefused(
                _(
                    "the sandbox has no namespaces here ({note}), and learner code cannot run as an unprivileged "
                    "user because {path} is not readable by other users; install Python where every user can read "
                    "it, or fix the namespaces"
                ).format(note=note, path=unreachable)
            )
    return Isolation(LIMITS, note)


@functools.cache
def python_unreachable_for_others() -> str:
    """The first folder on the way to Python or NumPy that other users cannot enter, or ''."""
    import importlib.util

    numpy_spec = importlib.util.find_spec("numpy")
    assert numpy_spec is not None and numpy_spec.origin is not None  # the grader needs NumPy
    numpy_dir = os.path.dirname(numpy_spec.origin)
    for path in (os.path.realpath(sys.executable), numpy_dir, sys.base_prefix):
        closed = first_closed_folder(path)
        if closed:
            return closed
    return ""


def first_closed_folder(path: str) -> str:
    """The outermost folder on the way to `path` that other users cannot enter (or stat), or ''."""
    current = Path(path)
    for folder in (*reversed(current.parents), current):
        try:
            mode = folder.stat().st_mode
        except OSError:
            return str(folder)
        if not mode & stat.S_IXOTH:
            return str(folder)
    return ""


def _read_int(path: str, default: int) -> int:
    try:
        return int(Path(path).read_text().strip())
    except (OSError, ValueError):
        return default
