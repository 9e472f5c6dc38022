"""How a worker process is started: its folder, environment, command line, limits and isolation.

`prepare` gives each exercise a fresh folder holding only the learner's file and copies of the
worker scripts. `SandboxSpec.launch` then builds the command for the isolation this machine
offers, decided once per run by `isolation()`:

- "root": the grader is root. `unshare` makes new mount, PID, network and IPC namespaces; the
  worker builds a read-only jail (grader/jail.py) and becomes a fresh unprivileged uid.
- "userns": not root, but user namespaces are allowed: the same, inside a user namespace, with
  every capability dropped after the jail is built.
- "limits": neither works (or the first jail failed): resource limits, a fresh environment and
  the trust split only. The report says so.

Whatever the mode, the worker's environment is built from scratch (no CI tokens, no PYTHON* or
PYTEST* variables) and Python runs with -I.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import secrets
import shutil
import site
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from grader.catalogue import COURSE_ROOT, PACKAGE_DIR, Exercise, Limits

WORKER_SCRIPT = PACKAGE_DIR / "worker.py"
JAIL_SCRIPT = PACKAGE_DIR / "jail.py"

# ex01-ex06 must do the work in NumPy (SPEC section 2).
FORBIDDEN_MODULES = ("tensorflow", "keras", "scipy.signal", "scipy.ndimage")
# Site-packages folders hidden from such workers, so the ban holds even against tricks.
FORBIDDEN_PACKAGE_DIRS = ("tensorflow", "keras", "tf_keras", "scipy/signal", "scipy/ndimage")

ISOLATION_ROOT = "root"
ISOLATION_USERNS = "userns"
ISOLATION_LIMITS = "limits"
PROTECTION_NAMESPACES = "namespaces"
PROTECTION_LIMITS = "limits"

UNSHARE_NAMESPACES = ["--mount", "--pid", "--net", "--ipc", "--fork", "--kill-child",
                      "--propagation", "private"]
SYSTEM_READ_ONLY = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc/ld.so.cache",
                    "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime")
TENSORFLOW_READ_ONLY = ("/sys/devices/system/cpu", "/sys/fs/cgroup")
JAIL_TMP_MB = 64
WORKER_UID_BASE = 1_000_000  # fresh uids for workers run by root: no files, no processes
WORKER_UID_RANGE = 1_000_000
WORKER_TOKEN_VARIABLE = "CNN_EXERCISES_WORKER"  # marks a worker's processes: "limits" mode sweeps them

BASE_ENVIRONMENT = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}
TENSORFLOW_ENVIRONMENT = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "KERAS_BACKEND": "tensorflow",
    "CUDA_VISIBLE_DEVICES": "",
}

_isolation_override: dict[str, str] = {}


def isolation() -> str:
    """The strongest isolation this machine offers: "root", "userns" or "limits"."""
    if "mode" in _isolation_override:
        return _isolation_override["mode"]
    if sys.platform != "linux" or shutil.which("unshare") is None:
        return ISOLATION_LIMITS
    if os.geteuid() == 0:
        return ISOLATION_ROOT
    if _read_int("/proc/sys/user/max_user_namespaces", 1) > 0 and \
            _read_int("/proc/sys/kernel/unprivileged_userns_clone", 1) != 0:
        return ISOLATION_USERNS
    return ISOLATION_LIMITS


def fall_back_to_limits(reason: str) -> None:
    """Namespaces failed on this machine: use limits for the rest of this process."""
    _isolation_override.update(mode=ISOLATION_LIMITS, reason=reason)


def protection_level() -> str:
    """What the report calls the isolation in use: "namespaces" or "limits"."""
    return PROTECTION_LIMITS if isolation() == ISOLATION_LIMITS else PROTECTION_NAMESPACES


def protection_note() -> str:
    """Why the grader runs with limits only, or ''."""
    if isolation() != ISOLATION_LIMITS:
        return ""
    reason = _isolation_override.get("reason", "Linux namespaces (unshare) are not available here")
    if os.geteuid() == 0 and not _python_reachable_by_others():
        reason += "; workers run as root because other users cannot reach this Python"
    return reason


def _read_int(path: str, default: int) -> int:
    try:
        return int(Path(path).read_text().strip())
    except (OSError, ValueError):
        return default


@dataclass
class SandboxSpec:
    """One exercise's worker folder and everything needed to launch a worker there."""

    exercise: Exercise
    folder: Path
    stdout_path: Path
    stderr_path: Path
    config: dict = field(default_factory=dict)
    token: str = ""
    uid: int | None = None

    def launch(self) -> tuple[list[str], dict, dict[str, str], str]:
        """(command, worker config, environment, isolation) for starting a worker now."""
        mode = isolation()
        # A worker of its own uid (as root) starts with no processes against RLIMIT_NPROC.
        own_uid = mode == ISOLATION_ROOT or (
            mode == ISOLATION_LIMITS and os.geteuid() == 0 and _python_reachable_by_others())
        config = dict(self.config, rlimits=resource_limits(self.exercise.limits, counted_from_zero=own_uid))
        if own_uid:
            config.update(uid=self.uid, gid=self.uid)
        environment = dict(BASE_ENVIRONMENT, **{WORKER_TOKEN_VARIABLE: self.token})
        if self.exercise.tensorflow:
            environment.update(TENSORFLOW_ENVIRONMENT)
        python = [sys.executable, "-I", str(self.folder / "worker.py")]
        if mode == ISOLATION_LIMITS:
            environment.update(HOME=str(self.folder), TMPDIR=str(self.folder / "tmp"),
                               KERAS_HOME=str(self.folder / "tmp" / "keras"))
            return python, config, environment, mode
        environment.update(HOME="/tmp", TMPDIR="/tmp", KERAS_HOME="/tmp/keras")
        config["jail"] = self._jail()
        if mode == ISOLATION_ROOT:
            prefix = ["unshare", *UNSHARE_NAMESPACES]
        else:  # the worker sheds its capabilities once the jail stands
            prefix = ["unshare", "--user", "--map-root-user", *UNSHARE_NAMESPACES]
        return [*prefix, "--", *python], config, environment, mode

    def _jail(self) -> dict:
        read_only = set(SYSTEM_READ_ONLY) | python_paths() | {str(self.folder)}
        if self.exercise.tensorflow:
            read_only |= set(TENSORFLOW_READ_ONLY)
        hidden = {str(PACKAGE_DIR), *(str(COURSE_ROOT / name) for name in ("solutions", "tests", ".git"))}
        if not self.exercise.tensorflow:
            hidden |= {os.path.join(packages, name) for packages in site.getsitepackages()
                       for name in FORBIDDEN_PACKAGE_DIRS}
        root = self.folder / "root"
        root.mkdir(exist_ok=True)
        return {"root": str(root), "read_only": sorted(read_only), "hidden": sorted(hidden),
                "tmp_mb": JAIL_TMP_MB}


@functools.cache
def python_paths() -> frozenset[str]:
    """The folders the worker's Python and NumPy live in (and their real paths)."""
    numpy_init = importlib.util.find_spec("numpy").origin  # found, not imported: start-up is hot
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             os.path.dirname(os.path.dirname(os.path.realpath(sys.executable))),
             os.path.dirname(os.path.dirname(numpy_init)), *site.getsitepackages()}
    return frozenset(path for candidate in paths for path in (candidate, os.path.realpath(candidate))
                     if os.path.isdir(path))


@functools.cache
def _python_reachable_by_others() -> bool:
    """Can an unprivileged uid read Python and NumPy where they are (pyenv under /root cannot)?"""
    import stat

    for path in python_paths():
        current = Path(path)
        for folder in (current, *current.parents):
            try:
                mode = folder.stat().st_mode
            except OSError:
                return False
            if not mode & stat.S_IXOTH or (folder == current and not mode & stat.S_IROTH):
                return False
    return True


def resource_limits(limits: Limits, counted_from_zero: bool) -> dict[str, int]:
    """`resource` names and values the worker sets on itself before any learner code runs."""
    processes = limits.processes if counted_from_zero else _processes_of_this_user() + limits.processes
    return {
        "RLIMIT_AS": limits.memory_mb << 20,
        "RLIMIT_CPU": int(limits.time_limit) + 1,
        "RLIMIT_FSIZE": limits.output_kb << 10,
        "RLIMIT_NOFILE": limits.open_files,
        "RLIMIT_NPROC": processes,
        "RLIMIT_CORE": 0,
    }


def _processes_of_this_user() -> int:
    """RLIMIT_NPROC counts all of a user's processes, so a worker run as that user adds to them."""
    uid = os.getuid()
    running = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                running += entry.stat().st_uid == uid
            except OSError:
                continue
    return running


def prepare(exercise: Exercise, source: bytes, scratch: Path) -> SandboxSpec:
    """A fresh folder under `scratch` with only the learner's file and the worker scripts."""
    folder = Path(tempfile.mkdtemp(prefix=f"{exercise.id}-", dir=scratch))
    folder.chmod(0o755)
    module_dir = folder / "submission"
    module_dir.mkdir()
    (folder / "tmp").mkdir(mode=0o777)
    (folder / "tmp").chmod(0o777)
    (module_dir / exercise.file).write_bytes(source)
    shutil.copyfile(WORKER_SCRIPT, folder / "worker.py")
    shutil.copyfile(JAIL_SCRIPT, folder / "jail.py")
    config = {
        "exercise": exercise.id,
        "module": exercise.module,
        "module_file": exercise.file,
        "module_dir": str(module_dir),
        "forbidden_modules": [] if exercise.tensorflow else list(FORBIDDEN_MODULES),
    }
    return SandboxSpec(exercise=exercise, folder=folder, stdout_path=folder / "stdout.txt",
                       stderr_path=folder / "stderr.txt", config=config,
                       token=f"{folder}:{secrets.token_hex(8)}",
                       uid=WORKER_UID_BASE + secrets.randbelow(WORKER_UID_RANGE))


def kill_strays(spec: SandboxSpec, mode: str) -> None:
    """After a worker in "limits" mode, kill whatever it left behind (a namespace needs no help)."""
    import signal

    if mode != ISOLATION_LIMITS:
        return
    marker = f"{WORKER_TOKEN_VARIABLE}={spec.token}".encode()
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            owned = os.geteuid() == 0 and entry.stat().st_uid == spec.uid
            if owned or marker in Path(entry.path, "environ").read_bytes().split(b"\0"):
                os.kill(int(entry.name), signal.SIGKILL)
        except (OSError, ValueError):
            continue
