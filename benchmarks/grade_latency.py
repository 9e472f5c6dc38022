"""How long `grade ex01` takes on a correct file, next to `python -c "import numpy, pytest"`.

The two commands run alternately, ROUNDS times each, so that a noisy shared machine slows
both alike; the script prints each median and their ratio. Target (SPEC section 6): a ratio
of at most 2.5. It also checks that grading ex01-ex06 never imports TensorFlow.

    python benchmarks/grade_latency.py [--rounds 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 2.5
BASELINE = [sys.executable, "-c", "import numpy, pytest"]
GRADE = [sys.executable, "-m", "grader", "ex01", "--submission", str(ROOT / "solutions"),
         "--format", "json"]
TENSORFLOW_PROBE = (
    "import sys\n"
    "from click.testing import CliRunner\n"
    "from grader.cli import cli\n"
    "CliRunner().invoke(cli, ['ex01', 'ex02', 'ex03', 'ex04', 'ex05', 'ex06', '--submission', sys.argv[1]])\n"
    "print('tensorflow' in sys.modules or 'keras' in sys.modules)\n"
)


def wall_time(command: list[str]) -> float:
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - started
    if command is GRADE and completed.returncode != 0:
        raise SystemExit(f"grade ex01 failed on the solution: {completed.stderr.decode()[-500:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    rounds = parser.parse_args().rounds

    wall_time(GRADE)  # warm the file cache for both
    wall_time(BASELINE)
    baseline, grading = [], []
    for _ in range(rounds):
        baseline.append(wall_time(BASELINE))
        grading.append(wall_time(GRADE))
    base, grade = statistics.median(baseline), statistics.median(grading)
    ratio = grade / base
    print(f"python -c 'import numpy, pytest'  median {base * 1000:7.1f} ms  ({rounds} runs)")
    print(f"grade ex01 (solution)             median {grade * 1000:7.1f} ms  ({rounds} runs)")
    print(f"ratio {ratio:.2f}  (target <= {TARGET_RATIO})  {'OK' if ratio <= TARGET_RATIO else 'TOO SLOW'}")

    probe = subprocess.run([sys.executable, "-c", TENSORFLOW_PROBE, str(ROOT / "solutions")],
                           cwd=ROOT, capture_output=True, text=True)
    imported = probe.stdout.strip().splitlines()[-1:] == ["True"]
    print(f"tensorflow imported while grading ex01-ex06: {'YES (bad)' if imported else 'no'}")


if __name__ == "__main__":
    main()
