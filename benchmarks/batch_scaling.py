"""How much faster `grade batch --workers 2` is than `--workers 1`, on a class of NumPy-only work.

The class is 16 learners, each a copy of the solutions of ex01-ex06 with their quiz answers
(no ex07, so no TensorFlow: the issue's target is about the NumPy exercises). Both runs grade
the same class with the same seed, side by side in one invocation, alternating the order over
the rounds so a noisy shared machine slows them alike; the script prints each run's wall time,
the ratio, and checks that both gradebooks hold identical grades. It also prints the CPU time
per learner, and one learner graded by a fresh `grade --all` process and by a fork of a warm
server, taking turns: CPU time is what a shared machine's load blurs least. Target (issue 13): a ratio of
at least 1.8 on 2 cores.

    python benchmarks/batch_scaling.py [--learners 16] [--rounds 1]

Exit code 1 if the grades differ or the ratio misses the target.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 1.8
NUMPY_EXERCISES = (
    "ex01_convolution.py",
    "ex02_sobel.py",
    "ex03_padding.py",
    "ex04_stride.py",
    "ex05_pooling.py",
    "ex06_output_size.py",
)
GRADE_COLUMNS_IGNORED = {"graded_at"}


def make_class(folder: Path, learners: int) -> Path:
    """`learners` sub-folders, each the NumPy solutions and the quiz answers."""
    for index in range(learners):
        learner = folder / f"learner{index:03d}"
        learner.mkdir(parents=True)
        for name in NUMPY_EXERCISES:
            shutil.copyfile(ROOT / "solutions" / name, learner / name)
        shutil.copytree(ROOT / "solutions" / "answers", learner / "answers")
    return folder


def children_cpu() -> float:
    """CPU seconds used so far by this script's finished children and all they waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of its whole process tree) of one command."""
    cpu, started = children_cpu(), time.perf_counter()
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if completed.returncode not in (0, 1):
        raise SystemExit(
            f"{' '.join(command[2:5])} failed (exit {completed.returncode}): {completed.stderr[-800:]}"
        )
    return elapsed, children_cpu() - cpu


def batch_time(learners: Path, out: Path, workers: int, seed: int) -> tuple[float, float]:
    """Wall and CPU time of one `grade batch` (a fresh out folder, so nobody is skipped)."""
    shutil.rmtree(out, ignore_errors=True)
    return timed(
        [
            sys.executable,
            "-m",
            "grader",
            "batch",
            str(learners),
            "--out",
            str(out),
            "--workers",
            str(workers),
            "--seed",
            str(seed),
        ]
    )


def warm_against_fresh(
    learner: Path, seed: int, rounds: int = 5
) -> tuple[float, float, float, float]:
    """(CPU fresh, CPU warm, wall fresh, wall warm), medians over `rounds` taking turns, of one
    learner graded by a fresh `python -I -m grader --all` process (what each learner cost before
    the warm servers) and by a fork of a warm server (what `grade batch` does now). A server's
    waited children add their CPU to its own /proc stat, so both are measured alike."""
    from grader.instructor.batch import warm_modules
    from grader.processes.children import run_grader
    from grader.processes.warm import WarmServer

    ticks = os.sysconf("SC_CLK_TCK")

    def server_children_cpu(pid: int) -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[13]) + int(fields[14])) / ticks  # cutime and cstime

    arguments = ["--all", "--submission", str(learner), "--format", "json", "--seed", str(seed)]
    server = WarmServer(warm_modules([]))
    server.wait_ready()
    samples: dict[str, list[float]] = {
        "cpu fresh": [],
        "cpu warm": [],
        "wall fresh": [],
        "wall warm": [],
    }
    try:
        for _round in range(rounds):
            cpu, started = children_cpu(), time.perf_counter()
            run_grader(arguments, timeout=600)
            samples["wall fresh"].append(time.perf_counter() - started)
            samples["cpu fresh"].append(children_cpu() - cpu)
            cpu, started = server_children_cpu(server.popen.pid), time.perf_counter()
            run_grader(arguments, timeout=600, server=server.address)
            samples["wall warm"].append(time.perf_counter() - started)
            samples["cpu warm"].append(server_children_cpu(server.popen.pid) - cpu)
    finally:
        server.close()
    return tuple(
        statistics.median(samples[key])
        for key in ("cpu fresh", "cpu warm", "wall fresh", "wall warm")
    )


def grades(out: Path) -> list[dict]:
    with open(out / "grades.csv", newline="", encoding="utf-8") as stream:
        return [
            {key: value for key, value in row.items() if key not in GRADE_COLUMNS_IGNORED}
            for row in csv.DictReader(stream)
        ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--seed", type=int, default=13)
    arguments = parser.parse_args()
    times: dict[int, list[float]] = {1: [], 2: []}
    cpu: dict[int, list[float]] = {1: [], 2: []}
    with tempfile.TemporaryDirectory(prefix="batch-scaling-") as folder:
        learners = make_class(Path(folder) / "class", arguments.learners)
        outs = {workers: Path(folder) / f"out{workers}" for workers in times}
        for round_number in range(arguments.rounds):
            order = (1, 2) if round_number % 2 == 0 else (2, 1)
            for workers in order:
                wall, used = batch_time(learners, outs[workers], workers, arguments.seed)
                times[workers].append(wall)
                cpu[workers].append(used)
        identical = grades(outs[1]) == grades(outs[2])
        cpu_fresh, cpu_warm, wall_fresh, wall_warm = warm_against_fresh(
            learners / "learner000", arguments.seed
        )
    one, two = (statistics.median(times[workers]) for workers in (1, 2))
    print(
        f"{arguments.learners} learners (ex01-ex06 solutions and quizzes), {os.cpu_count()} CPUs, "
        f"{arguments.rounds} round(s), load {os.getloadavg()[0]:.1f}"
    )
    print(f"  --workers 1: {one:6.1f} s  ({one / arguments.learners:.2f} s per learner)")
    print(f"  --workers 2: {two:6.1f} s  ({two / arguments.learners:.2f} s per learner)")
    print(
        f"  CPU per learner in the batch: --workers 1 {statistics.median(cpu[1]) / arguments.learners:.2f} s, "
        f"--workers 2 {statistics.median(cpu[2]) / arguments.learners:.2f} s"
    )
    print(
        f"  one learner, taking turns: a fresh process {cpu_fresh:.2f} s CPU ({wall_fresh:.2f} s wall), "
        f"forked warm {cpu_warm:.2f} s CPU ({wall_warm:.2f} s wall): {cpu_fresh / cpu_warm:.2f}x less CPU"
    )
    ratio = one / two
    print(
        f"ratio {ratio:.2f} (target >= {TARGET_RATIO}); grades identical: {'yes' if identical else 'NO'}"
    )
    if not identical or ratio < TARGET_RATIO:
        sys.exit(1)


if __name__ == "__main__":
    main()
