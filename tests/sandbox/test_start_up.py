"""A worker loads the learner's file only after the trusted side has checked its sandbox and said go.

Workers may start while the probe is still deciding the run's isolation (under the mode being
probed), so that their imports overlap the probe's; one started under a mode the probe then
rejects is stopped before any learner code ran in it, and started again under the decided one.
"""

from __future__ import annotations

import os
import time

import numpy as np
import pytest

from grader.course.catalogue import load_catalogue
from grader.jail import wire
from grader.sandbox.client import WorkerClient
from grader.sandbox.isolation import LIMITS, ROOT, USERNS, Isolation, strongest_mode
from grader.sandbox.launch import make_scratch, prepare
from grader.sandbox.process import WorkerProcess

LOUD = """print("LEARNER FILE LOADED", flush=True)


def filter_response(patch, kernel):
    return 1.0
"""
EXERCISE = next(item for item in load_catalogue().exercises if item.id == "ex01")


@pytest.fixture
def scratch(tmp_path):
    return make_scratch(str(tmp_path / "grade-"))


def test_the_learner_file_waits_for_the_go(scratch):
    spec = prepare(EXERCISE, LOUD.encode(), scratch)
    process = WorkerProcess(spec, Isolation(strongest_mode()))
    try:
        frame, _blobs = process.read_frame(time.monotonic() + 20, "import")
        assert "sandbox" in frame
        time.sleep(0.5)  # time enough to load a two-line file, had it gone on
        assert "LEARNER FILE LOADED" not in spec.stdout_path.read_text()
        process.write_frame(wire.pack_message({"op": "go"}, []), time.monotonic() + 5, "import")
        hello, _blobs = process.read_frame(time.monotonic() + 20, "import")
        assert hello.get("ready") is True
        assert "LEARNER FILE LOADED" in spec.stdout_path.read_text()
    finally:
        process.kill()


def test_a_worker_told_anything_but_go_stops_without_loading_the_file(scratch):
    spec = prepare(EXERCISE, LOUD.encode(), scratch)
    process = WorkerProcess(spec, Isolation(strongest_mode()))
    try:
        process.read_frame(time.monotonic() + 20, "import")
        process.write_frame(
            wire.pack_message({"op": "call", "name": "filter_response"}, []),
            time.monotonic() + 5,
            "import",
        )
        assert process.exit_code() == 0
        assert "LEARNER FILE LOADED" not in spec.stdout_path.read_text()
    finally:
        process.kill()


class _Rejects:
    """A probe that was probing `presumed` and decided `decided` (as a failed probe decides "limits")."""

    def __init__(self, presumed: Isolation, decided: Isolation):
        self._presumed, self._decided = presumed, decided

    def presumed(self) -> Isolation:
        return self._presumed

    def get(self) -> Isolation:
        return self._decided


@pytest.mark.skipif(strongest_mode() == LIMITS, reason="needs a namespace mode to presume")
def test_a_worker_started_under_a_mode_the_probe_rejected_is_started_again(scratch):
    # As root, "limits" needs a Python other users can read (often not so): "userns" then "root".
    presumed, decided = (USERNS, ROOT) if os.geteuid() == 0 else (USERNS, LIMITS)
    source = _Rejects(Isolation(presumed), Isolation(decided, "the probe decided otherwise"))
    client = WorkerClient(prepare(EXERCISE, LOUD.encode(), scratch), EXERCISE, source)
    try:
        client.start()
        assert client.launched.mode == presumed
        assert (
            client.call("filter_response", (np.ones((1, 1)), np.ones((1, 1))), {}, description="f")
            == 1.0
        )
        assert client.launched.mode == decided
        # Only the worker started under the decided mode ever loaded the file.
        assert client.spec.stdout_path.read_text().count("LEARNER FILE LOADED") == 1
    finally:
        client.close()


def test_a_worker_whose_sandbox_is_not_the_decided_one_never_loads_the_file(scratch):
    """Decided "root" with a fresh uid, but the worker was given another uid: no go."""
    if strongest_mode() != ROOT:
        pytest.skip("needs root, to hand a worker the wrong uid")
    spec = prepare(EXERCISE, LOUD.encode(), scratch)
    client = WorkerClient(spec, EXERCISE, Isolation(ROOT))
    client.start()
    spec.uid += 1  # what the client expects is no longer what the worker was started as
    try:
        with pytest.raises(Exception, match="unprivileged uid"):
            client.call("filter_response", (np.ones((1, 1)), np.ones((1, 1))), {}, description="f")
        assert "LEARNER FILE LOADED" not in spec.stdout_path.read_text()
    finally:
        client.close()
