"""Keras imported once for a test module's ex07 gradings, as `grade batch` imports it once for
a batch worker: each grading's worker (and, with `trainer`, its training run) is forked from a
server that imported Keras, instead of starting Python and importing TensorFlow again.
tests/processes/test_prewarm.py and tests/grading/test_determinism.py show that a forked worker
and trainer grade as started ones do; a learner's own `grade ex07` starts them, and the tests
that are about starting them do not use this. Where the machine has no namespaces, workers
are started as before (grader/processes/prewarm.py's `server_for`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest


@contextmanager
def keras_imported_once(trainer: bool) -> Iterator[None]:
    from grader.instructor.tasks import ONE_THREAD_EACH, WARM_KERAS
    from grader.processes.prewarm import KERAS, WorkerServer, servers_environment
    from grader.processes.warm import WARM_VARIABLE, WarmServer

    servers = [WarmServer([WARM_KERAS], ONE_THREAD_EACH)] if trainer else []
    workers = WorkerServer(KERAS)
    try:
        with pytest.MonkeyPatch.context() as patch:
            if servers and servers[0].wait_ready():
                patch.setenv(WARM_VARIABLE, servers[0].address)
            for name, value in servers_environment([workers]).items():
                patch.setenv(name, value)
            yield
    finally:
        for server in [*servers, workers]:
            server.close()
