"""How a worker process is started: its folder, environment, command line and resource limits.

`prepare` gives each exercise a fresh folder holding only the learner's file and copies of the
jail's worker files (grader/jail/). `SandboxSpec.launch` builds the command for the run's `Isolation`:

- "root": `unshare` makes new mount, PID, network and IPC namespaces; the worker builds its
  jail (by allowlist, grader/sandbox/allowlist.py) and becomes a fresh unprivileged uid.
- "userns": the same inside a user namespace, shedding every capability once the jail stands.
- "limits": resource limits, a fresh environment, a private scratch folder and, when the grader
  is root, a fresh unprivileged uid. The report says so.

Whatever the mode, the worker's environment is built from scratch (no CI tokens, no PYTHON* or
PYTEST* variables but a fixed PYTHONHASHSEED) and Python runs isolated from the user's site.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from grader.course.catalogue import COURSE_ROOT, PACKAGE_DIR, Exercise, Limits
from grader.sandbox.allowlist import jail_steps
from grader.sandbox.isolation import Isolation, is_root
from grader.sandbox.policy import (
    BASE_ENVIRONMENT,
    FORBIDDEN_MODULES,
    TENSORFLOW_ENVIRONMENT,
    WORKER_PYTHON_FLAGS,
)

JAIL_DIR = Path(__file__).resolve().parent.parent / "jail"
WORKER_FILES = ("worker.py", "wire.py", "jail.py", "unprivileged.py")
UNSHARE_NAMESPACES = [
    "--mount",
    "--pid",
    "--net",
    "--ipc",
    "--fork",
    "--kill-child",
    "--propagation",
    "private",
]
JAIL_TMP_MB = 64
JAIL_TMP_FILES = 16384  # files and folders in each of the jail's scratch folders (kernel memory)
WORKER_UID_BASE = 1_000_000  # fresh uids for workers run by root: no files, no processes
WORKER_UID_RANGE = 1_000_000
WORKER_TOKEN_VARIABLE = (
    "CNN_EXERCISES_WORKER"  # marks a worker's processes: "limits" mode sweeps them
)
WINDOWS_ENVIRONMENT = ("SYSTEMROOT", "WINDIR", "COMSPEC", "PATHEXT")
SECRET_PARTS = ("solutions", "tests", ".git")  # of the course root: never in a worker's view
PRELOADED_WITH_TENSORFLOW = ("keras",)  # imported by the worker while it waits for the go
# 16 bits of a 31-bit run seed: a worker that tries every run seed against its own finds
# tens of thousands that fit, so it cannot learn the run's (ex07's split, the generated cases).
LEARNER_SEED_BYTES = 2
PRIVATE_FOLDER_MODE = 0o700
SCRATCH_MODE = 0o711
# Run by root: acts as the worker's uid, is really the uid KILLER_UID_OFFSET above it (unused).
KILL_EVERY_PROCESS_OF = (
    "import os, signal, sys; uid, own = int(sys.argv[1]), int(sys.argv[2]); os.setgroups([]); "
    "os.setresgid(own, own, own); os.setresuid(own, uid, own); os.kill(-1, signal.SIGKILL)"
)
KILLER_UID_OFFSET = WORKER_UID_RANGE  # killers' uids: the range just above the workers'
KILLER_TIMEOUT_SECONDS = 10.0
STRAY_SWEEPS = 8  # sweeps of /proc for a worker's strays, while the last one still found some


@dataclass
class SandboxSpec:
    """One worker's folder and everything needed to launch a worker there."""

    folder: Path
    config: dict
    token: str
    uid: int
    limits: Limits
    tensorflow: bool = False
    stdout_path: Path = field(init=False)
    stderr_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.stdout_path = self.folder / "stdout.txt"
        self.stderr_path = self.folder / "stderr.txt"

    def launch(self, isolation: Isolation) -> tuple[list[str], dict, dict[str, str]]:
        """(command, worker config, environment) for starting this worker under `isolation`."""
        if isolation.portable:
            return self._portable_launch(isolation)
        config = dict(
            self.config, rlimits=resource_limits(self.limits, fresh_uid=isolation.fresh_uid)
        )
        if isolation.fresh_uid:
            config.update(uid=self.uid, gid=self.uid)
        environment = dict(BASE_ENVIRONMENT, **{WORKER_TOKEN_VARIABLE: self.token})
        if self.tensorflow:
            environment.update(TENSORFLOW_ENVIRONMENT)
        python = [sys.executable, *WORKER_PYTHON_FLAGS, str(self.folder / "worker.py")]
        if not isolation.namespaces:
            private = str(self.folder / "tmp")
            environment.update(
                HOME=private, TMPDIR=private, KERAS_HOME=os.path.join(private, "keras")
            )
            return python, config, environment
        environment.update(HOME="/tmp", TMPDIR="/tmp", KERAS_HOME="/tmp/keras")
        root = self.folder / "root"
        root.mkdir(exist_ok=True)
        config["jail"] = {
            "root": str(root),
            "tmp_mb": JAIL_TMP_MB,
            "tmp_files": JAIL_TMP_FILES,
            "steps": jail_steps(
                str(self.folder), tensorflow=self.tensorflow, secrets=secret_paths()
            ),
        }
        if isolation.user_namespace:  # the worker sheds its capabilities once the jail stands
            prefix = ["unshare", "--user", "--map-root-user", *UNSHARE_NAMESPACES]
        else:
            prefix = ["unshare", *UNSHARE_NAMESPACES]
        return [*prefix, "--", *python], config, environment

    def _portable_launch(self, isolation: Isolation) -> tuple[list[str], dict, dict[str, str]]:
        """The portable worker (grader/sandbox/portable.py): frames on its standard input and
        output, the limits this system has, a private HOME and TMPDIR, nothing Linux-only; run
        by root, it becomes this spec's fresh uid before any learner code exists in it."""
        private = str(self.folder / "tmp")
        limits = portable_limits(self.limits, fresh_uid=isolation.fresh_uid)
        config = dict(self.config, stdio=True, rlimits=limits)
        if isolation.fresh_uid:
            config.update(uid=self.uid, gid=self.uid)
        environment = dict(BASE_ENVIRONMENT, **{WORKER_TOKEN_VARIABLE: self.token})
        environment.update(HOME=private, TMPDIR=private, TEMP=private, TMP=private)
        environment.update(KERAS_HOME=os.path.join(private, "keras"), PATH=os.defpath)
        for name in WINDOWS_ENVIRONMENT:  # Python on Windows does not start without them
            if name in os.environ:
                environment[name] = os.environ[name]
        if self.tensorflow:
            environment.update(TENSORFLOW_ENVIRONMENT)
        python = [sys.executable, *WORKER_PYTHON_FLAGS, str(self.folder / "worker.py")]
        return python, config, environment


def portable_limits(limits: Limits, fresh_uid: bool) -> dict[str, int]:
    """The resource limits of the portable worker; the worker sets those its system has. As a
    fresh uid, which has no other process, its process limit is exact; as the learner's own
    user, it would need a count of that user's processes (/proc), so it has none."""
    return {
        name: value
        for name, value in resource_limits(limits, fresh_uid=True).items()
        if fresh_uid or name != "RLIMIT_NPROC"
    }


def secret_paths() -> tuple[str, ...]:
    """The grader's own files and the course's secrets: never visible to a worker."""
    return (str(PACKAGE_DIR), *(str(COURSE_ROOT / part) for part in SECRET_PARTS))


def resource_limits(limits: Limits, fresh_uid: bool) -> dict[str, int]:
    """`resource` names and values the worker sets on itself before any learner code runs."""
    processes = limits.processes if fresh_uid else _processes_of_this_user() + limits.processes
    return {
        "RLIMIT_AS": limits.memory_mb << 20,
        "RLIMIT_CPU": limits.cpu_seconds,
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


def prepare(exercise: Exercise, source: bytes, scratch: Path, run_seed: int = 0) -> SandboxSpec:
    """A fresh folder under `scratch` with only the learner's file and the worker's files; the
    learner's own random generators start from a seed derived from `run_seed`."""
    spec = _folder(exercise.id, scratch, exercise.limits, exercise.tensorflow)
    module_dir = spec.folder / "submission"
    module_dir.mkdir()
    (module_dir / exercise.file).write_bytes(source)
    spec.config.update(
        {
            "exercise": exercise.id,
            "module": exercise.module,
            "module_file": exercise.file,
            "module_dir": str(module_dir),
            "forbidden_modules": [] if exercise.tensorflow else list(FORBIDDEN_MODULES),
            "preload": list(PRELOADED_WITH_TENSORFLOW) if exercise.tensorflow else [],
            "learner_seed": learner_seed(run_seed, exercise.id),
        }
    )
    return spec


def learner_seed(run_seed: int, exercise_id: str) -> int:
    """The seed of `random` and NumPy's global generator in an exercise's worker, so that a
    learner's unseeded randomness grades the same way every time with the same run seed. It is
    a short one-way digest: the run's seed itself never reaches a worker, nor can be worked back
    from it (LEARNER_SEED_BYTES)."""
    digest = hashlib.sha256(f"{run_seed}:{exercise_id}:learner".encode()).digest()
    return int.from_bytes(digest[:LEARNER_SEED_BYTES], "big")


def prepare_probe(scratch: Path, limits: Limits) -> SandboxSpec:
    """A worker folder with no learner file: the worker builds its sandbox, describes it, stops."""
    spec = _folder("probe", scratch, limits, tensorflow=False)
    spec.config["probe"] = True
    return spec


def _folder(name: str, scratch: Path, limits: Limits, tensorflow: bool) -> SandboxSpec:
    folder = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=scratch))
    folder.chmod(0o755)
    uid = WORKER_UID_BASE + secrets.randbelow(WORKER_UID_RANGE)
    private = folder / "tmp"
    private.mkdir(mode=PRIVATE_FOLDER_MODE)
    if is_root():
        os.chown(private, uid, uid)
    for name_ in WORKER_FILES:
        shutil.copyfile(JAIL_DIR / name_, folder / name_)
    return SandboxSpec(
        folder=folder,
        config={"must_not_see": list(secret_paths())},
        token=f"{folder}:{secrets.token_hex(8)}",
        uid=uid,
        limits=limits,
        tensorflow=tensorflow,
    )


def make_scratch(prefix: str) -> Path:
    """A fresh folder for worker folders: other users may pass through it (a worker's fresh uid
    must reach its own folder) but not list it."""
    scratch = Path(tempfile.mkdtemp(prefix=prefix))
    scratch.chmod(SCRATCH_MODE)
    return scratch


def kill_strays(spec: SandboxSpec, isolation: Isolation) -> None:
    """After a worker without namespaces, kill whatever it left behind: every process of its
    fresh uid, and every one that carries its marker. A namespace needs no help; on a system
    without /proc, the portable worker's process group or tree is all that is killed
    (grader/sandbox/portable.py). Processes that fork while they are swept are swept again."""
    if isolation.namespaces or (isolation.portable and sys.platform != "linux"):
        return
    if isolation.fresh_uid and spec.uid > 0:
        _kill_as(spec.uid)
    for _round in range(STRAY_SWEEPS):
        if not _sweep(spec, isolation):
            return


def _kill_as(uid: int) -> None:
    """Kill every process of the fresh `uid` at once: `kill(-1)` reaches them all in one pass
    of the kernel's own list, which a fork either joins in time or never finishes, so a chain
    of processes that fork and exit as fast as they can (outrunning any sweep of /proc) ends
    too. The killer acts as `uid` (effective), which may signal nobody else, but is really
    another unused uid (real and saved), so that `uid`'s processes cannot kill it first."""
    try:
        subprocess.run(
            [
                sys.executable,
                "-I",
                "-S",
                "-c",
                KILL_EVERY_PROCESS_OF,
                str(uid),
                str(uid + KILLER_UID_OFFSET),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={},
            cwd="/",
            timeout=KILLER_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.SubprocessError, ValueError):
        pass  # the sweeps of /proc below still run


def _sweep(spec: SandboxSpec, isolation: Isolation) -> int:
    """Kill the worker's processes once over; how many there were."""
    marker = f"{WORKER_TOKEN_VARIABLE}={spec.token}".encode()
    killed = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            owned = isolation.fresh_uid and spec.uid > 0 and spec.uid in _uids(entry.path)
            if owned or marker in Path(entry.path, "environ").read_bytes().split(b"\0"):
                os.kill(int(entry.name), signal.SIGKILL)
                killed += 1
        except (OSError, ValueError):
            continue
    return killed


def _uids(process: str) -> set[int]:
    """The real, effective, saved and file-system uids of the process at /proc/PID, none for a
    zombie (dead already, waiting to be reaped). (Not the owner of /proc/PID: once a process
    has changed its uid, that is root.)"""
    status = Path(process, "status").read_text()
    if "\nState:\tZ" in status:
        return set()
    for line in status.splitlines():
        if line.startswith("Uid:"):
            return {int(value) for value in line.split()[1:]}
    return set()
