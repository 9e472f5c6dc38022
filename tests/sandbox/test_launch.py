"""How a worker is started (grader/sandbox/launch.py): what its Python gives the learner's code
is the same in every worker, so that the same submission and seed grade the same way."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from grader.course.catalogue import load_catalogue
from grader.sandbox.client import WorkerClient
from grader.sandbox.isolation import Isolation, strongest_mode
from grader.sandbox.launch import make_scratch, prepare

# A learner's slip that hangs on string hashes: the order of a set of strings (or hash() itself).
STRING_HASHES = """def filter_response(patch, kernel):
    order = list({"size", "kernel", "stride", "padding", "valid", "same"})
    return float(order.index("size") * 10**6 + hash("padding") % 10**6)
"""


@pytest.fixture
def started_workers(tmp_path):
    """`make(source)`: an ex01 worker started as a grading run starts it (each its own process)."""
    exercise = load_catalogue().item("ex01")
    scratch = make_scratch(str(tmp_path / "grade-"))
    made: list[WorkerClient] = []

    def make(source: str) -> WorkerClient:
        made.append(
            WorkerClient(
                prepare(exercise, source.encode(), scratch), exercise, Isolation(strongest_mode())
            )
        )
        return made[-1]

    yield make
    for client in made:
        client.close()
    shutil.rmtree(scratch, ignore_errors=True)


def string_hash_answer(client: WorkerClient) -> float:
    return client.call(
        "filter_response", (np.ones((1, 1)), np.ones((1, 1))), {}, description="filter_response"
    )


def test_workers_hash_strings_alike(started_workers):
    """Python salts string hashes per process unless told a seed: a learner's set of strings
    would iterate in another order in each worker, and one submission graded twice with one
    seed would score differently."""
    answers = {string_hash_answer(started_workers(STRING_HASHES)) for _repeat in range(3)}
    assert len(answers) == 1, answers


def test_a_workers_seed_cannot_be_worked_back_to_the_runs():
    """The learner's generators are seeded from the run's seed, but through a 16-bit digest: many
    run seeds give each worker seed, so trying them all does not tell a worker the run's seed."""
    from grader.sandbox.launch import learner_seed

    run_seeds = range(1 << 17)
    worker_seeds = {learner_seed(seed, "ex04") for seed in run_seeds}
    assert max(worker_seeds) < 1 << 16
    assert len(worker_seeds) < len(run_seeds) / 2  # every worker seed fits several run seeds
    assert learner_seed(7, "ex04") == learner_seed(7, "ex04") != learner_seed(7, "ex05")
