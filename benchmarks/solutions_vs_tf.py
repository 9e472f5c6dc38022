"""Benchmark: the ex04 and ex05 solutions against TensorFlow on a realistic layer.

A (8, 32, 32, 16) float32 batch through 32 3x3 filters (`conv2d` against `tf.nn.conv2d` plus
the bias) and through max pooling (`max_pool2d` against `tf.nn.max_pool2d`). Both sides take
NumPy arrays and give NumPy arrays back, as a learner's function does; the TensorFlow time on
tensors that already live in TensorFlow is printed too. Each time is the median of many runs
after a warm-up. The target is the solutions within 3x of TensorFlow on the course's machine.

    python benchmarks/solutions_vs_tf.py [--repeats 50] [--max-ratio 3]

Exit code 1 if a ratio (solution / TensorFlow on NumPy arrays) is above --max-ratio.
"""

from __future__ import annotations

import importlib.util
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import click
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BATCH_SHAPE = (8, 32, 32, 16)  # N, H, W, C_in
FILTERS = 32
KERNEL_SIZE = 3
WARM_UP_RUNS = 3


def load_solution(file_name: str):
    spec = importlib.util.spec_from_file_location(
        file_name.removesuffix(".py"), ROOT / "solutions" / file_name
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def median_ms(run: Callable[[], object], repeats: int) -> float:
    for _run in range(WARM_UP_RUNS):
        run()
    times = []
    for _run in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


@click.command(context_settings={"help_option_names": ["-h", "--help"], "show_default": True})
@click.option("--repeats", type=click.IntRange(min=1), default=50, help="Timed runs per case.")
@click.option(
    "--max-ratio",
    type=float,
    default=3.0,
    help="Exit with 1 if a solution is slower than TensorFlow by more than this factor.",
)
def main(repeats: int, max_ratio: float) -> None:
    """Time conv2d and max_pool2d against TensorFlow and print medians and ratios."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf

    ex04 = load_solution("ex04_stride.py")
    ex05 = load_solution("ex05_pooling.py")
    rng = np.random.default_rng(0)
    x = rng.normal(size=BATCH_SHAPE).astype(np.float32)
    kernel = rng.normal(size=(KERNEL_SIZE, KERNEL_SIZE, BATCH_SHAPE[3], FILTERS)).astype(np.float32)
    bias = rng.normal(size=FILTERS).astype(np.float32)
    x_tf, kernel_tf, bias_tf = tf.constant(x), tf.constant(kernel), tf.constant(bias)

    cases = []
    for strides, padding in ((1, "valid"), (1, "same"), (2, "same")):
        cases.append(
            (
                f"conv2d 3x3x16x32 stride {strides} {padding}",
                lambda s=strides, p=padding: ex04.conv2d(x, kernel, bias, s, p),
                lambda s=strides, p=padding: (tf.nn.conv2d(x, kernel, s, p.upper()) + bias).numpy(),
                lambda s=strides, p=padding: tf.nn.conv2d(x_tf, kernel_tf, s, p.upper()) + bias_tf,
            )
        )
    for pool, strides, padding in ((2, None, "valid"), (3, 2, "same")):
        tf_strides = pool if strides is None else strides
        cases.append(
            (
                f"max_pool2d {pool}x{pool} stride {tf_strides} {padding}",
                lambda f=pool, s=strides, p=padding: ex05.max_pool2d(x, f, s, p),
                lambda f=pool, s=tf_strides, p=padding: tf.nn.max_pool2d(
                    x, f, s, p.upper()
                ).numpy(),
                lambda f=pool, s=tf_strides, p=padding: tf.nn.max_pool2d(x_tf, f, s, p.upper()),
            )
        )

    click.echo(
        f"input {BATCH_SHAPE} float32, {FILTERS} filters {KERNEL_SIZE}x{KERNEL_SIZE}; "
        f"median of {repeats} runs; {os.cpu_count()} CPUs; TensorFlow {tf.__version__}, "
        f"NumPy {np.__version__}"
    )
    click.echo(f"{'case':<36} {'solution':>10} {'TF numpy':>10} {'TF tensor':>10} {'ratio':>7}")
    worst = 0.0
    for name, ours, theirs, theirs_resident in cases:
        np.testing.assert_allclose(np.asarray(ours()), np.asarray(theirs()), rtol=1e-4, atol=1e-3)
        ours_ms = median_ms(ours, repeats)
        theirs_ms = median_ms(theirs, repeats)
        resident_ms = median_ms(theirs_resident, repeats)
        ratio = ours_ms / theirs_ms
        worst = max(worst, ratio)
        click.echo(
            f"{name:<36} {ours_ms:>8.2f}ms {theirs_ms:>8.2f}ms {resident_ms:>8.2f}ms {ratio:>6.2f}x"
        )
    verdict = "within" if worst <= max_ratio else "OVER"
    click.echo(f"worst ratio {worst:.2f}x: {verdict} the {max_ratio:g}x target")
    sys.exit(0 if worst <= max_ratio else 1)


if __name__ == "__main__":
    main()
