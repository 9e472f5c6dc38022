"""How a worker process is started: its folder, its environment, its command and its limits.

The trusted side calls `prepare(...)` once per exercise and gets a `SandboxSpec`: a fresh
folder holding only the learner's file and a copy of the worker script, an environment built
from scratch (no secrets, no PYTHON*/PYTEST* variables), and the command line that applies
the resource limits and, where the operating system allows, more isolation.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from grader.catalogue import Exercise, Limits

WORKER_SCRIPT = Path(__file__).resolve().parent / "worker.py"

# ex01-ex06 must do the work in NumPy (SPEC section 2).
FORBIDDEN_MODULES = ("tensorflow", "keras", "scipy.signal", "scipy.ndimage")

# Variables a worker gets; everything else in the grader's environment stays behind.
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

PROTECTION_LIMITS = "limits"


def protection_level() -> str:
    """The isolation workers get on this machine: "namespaces" or "limits"."""
    return PROTECTION_LIMITS


@dataclass
class SandboxSpec:
    """Everything needed to start one worker for one exercise."""

    exercise: Exercise
    folder: Path
    command: list[str]
    environment: dict[str, str]
    stdout_path: Path
    stderr_path: Path
    protection: str
    config: dict = field(default_factory=dict)


def resource_limits(limits: Limits) -> dict[str, int]:
    """`resource` module names and values the worker sets on itself before importing anything."""
    return {
        "RLIMIT_AS": limits.memory_mb << 20,
        "RLIMIT_CPU": int(limits.time_limit) + 1,
        "RLIMIT_FSIZE": limits.output_kb << 10,
        "RLIMIT_NOFILE": limits.open_files,
        "RLIMIT_NPROC": _process_limit(limits.processes),
        "RLIMIT_CORE": 0,
    }


def _process_limit(extra: int) -> int:
    """RLIMIT_NPROC counts every process of the user, so allow what it already runs plus `extra`."""
    uid = os.getuid()
    running = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                running += entry.stat().st_uid == uid
            except OSError:
                continue
    return running + extra


def prepare(exercise: Exercise, source: bytes, scratch: Path) -> SandboxSpec:
    """A fresh folder under `scratch` with only the learner's file and the worker script in it."""
    folder = Path(tempfile.mkdtemp(prefix=f"{exercise.id}-", dir=scratch))
    module_dir = folder / "submission"
    module_dir.mkdir()
    (folder / "tmp").mkdir()
    (module_dir / exercise.file).write_bytes(source)
    worker_copy = folder / "worker.py"
    shutil.copyfile(WORKER_SCRIPT, worker_copy)

    environment = dict(BASE_ENVIRONMENT, HOME=str(folder), TMPDIR=str(folder / "tmp"))
    if exercise.tensorflow:
        environment.update(TENSORFLOW_ENVIRONMENT)
    config = {
        "exercise": exercise.id,
        "module": exercise.module,
        "module_file": exercise.file,
        "module_dir": str(module_dir),
        "forbidden_modules": [] if exercise.tensorflow else list(FORBIDDEN_MODULES),
        "rlimits": resource_limits(exercise.limits),
    }
    return SandboxSpec(
        exercise=exercise,
        folder=folder,
        command=[sys.executable, "-I", str(worker_copy)],
        environment=environment,
        stdout_path=folder / "stdout.txt",
        stderr_path=folder / "stderr.txt",
        protection=PROTECTION_LIMITS,
        config=config,
    )
