"""`grade batch --scheduler ADDRESS`: each learner's grading as a task on a Dask cluster.

Dask's `distributed` scheduler runs on one machine and its workers on many (by hand with
`dask scheduler` and `dask worker ADDRESS`, or through its deployment projects on Kubernetes,
SLURM, PBS and other HPC schedulers). A task is `grade_task` from grader/instructor/batch.py:
the learner's packed files go to the worker, which lays them out in a scratch folder and
grades them with the full sandboxed child grader of its own machine; only the report comes
back. Every worker needs this package (same version: a task reports its course version and a
mismatch is that learner's problem, not a silent different grade). Dask is an optional extra
(`pip install "cnn-exercises[cluster]"`), imported only here and only when asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from grader.errors import EXIT_GRADER_FAILED, InputError

CONNECT_TIMEOUT = "30s"


def cluster_executor(address: str) -> Callable:
    """A function that grades a list of tasks on the cluster at `address`, yielding each as it ends."""
    try:
        from dask.distributed import Client, as_completed
    except ImportError:
        raise InputError('--scheduler needs Dask: pip install "cnn-exercises[cluster]"') from None

    def execute(tasks: list) -> Iterator:
        if not tasks:
            return
        from grader.instructor.tasks import TaskResult, grade_task

        try:
            client = Client(address, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as error:
            raise InputError(f"cannot reach the Dask scheduler at {address}: {error}") from None
        with client:
            # pure=False: two learners with identical files are still two tasks, each graded.
            futures = {
                client.submit(
                    grade_task, task, pure=False, key=f"grade-{index}-{task.learner[:40]}"
                ): task
                for index, task in enumerate(tasks)
            }
            for future in as_completed(futures):
                try:
                    result = future.result()
                except Exception as error:  # the worker lost or broken, never the learner's code
                    result = TaskResult(
                        EXIT_GRADER_FAILED,
                        None,
                        f"the cluster could not run the task: {type(error).__name__}: {error}",
                        "",
                    )
                yield futures[future], result

    return execute
