"""`grade batch` stopped from outside in the ways test_interrupts.py does not try: the terminal
hanging up (SIGHUP, as when an instructor's SSH session drops), and an interrupt that lands while
the gradebook is being written. Real processes, as a shell runs them."""

from __future__ import annotations

import csv
import json
import signal
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import SOLUTIONS
from tests.instructor.classes import learner
from tests.instructor.test_interrupts import (
    SLEEPING_EX01,
    WAIT,
    batch_command,
    environment,
    processes_using,
    records_in,
    wait_for,
)

pytestmark = pytest.mark.slow
# Runs `grade` with os.replace watched: just before the rename onto grades.csv, the process sends
# itself SIGNAL, as an instructor's Ctrl-C (or CI's cancel) might land at that moment.
SIGNALLING_DRIVER = textwrap.dedent("""
    import os, signal, sys
    real_replace, signum = os.replace, int(sys.argv[1])

    def replace(source, destination, *args, **options):
        if os.fspath(destination).endswith("grades.csv"):
            os.kill(os.getpid(), signum)
        return real_replace(source, destination, *args, **options)

    os.replace = replace
    sys.argv = ["grade", *sys.argv[2:]]
    from grader.cli.app import main
    main()
""")


def learners_of(out):
    with open(out / "grades.csv", encoding="utf-8", newline="") as stream:
        return {row["learner"]: row for row in csv.DictReader(stream)}


def test_a_hangup_stops_the_batch_as_sigterm_does(tmp_path):
    """Seen: SIGHUP (a closed terminal, a dropped SSH session) killed the batch outright: no
    gradebook for the learners already graded, scratch folders of learners' files left in /tmp."""
    learners = tmp_path / "class"
    learner(learners / "alice", ex01=SOLUTIONS)
    learner(learners / "slow", ex01=SLEEPING_EX01)
    out = tmp_path / "out"
    process = subprocess.Popen(
        batch_command(learners, out, "--seed", "3"),
        env=environment(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(
            lambda: (out / "alice.json").exists() or process.poll() is not None, "alice's record"
        )
        process.send_signal(signal.SIGHUP)
        stdout, stderr = process.communicate(timeout=WAIT)
    finally:
        process.kill()
    assert process.returncode == 130, stdout + stderr
    assert [path.name for path in records_in(out)] == ["alice.json"]
    assert learners_of(out)["alice"]["ex01"] == "10"
    wait_for(lambda: not processes_using(tmp_path / "scratch"), "the batch's children to be gone")
    assert not [path for path in (tmp_path / "scratch").iterdir() if path.name.startswith("batch-")]


def test_a_hangup_ignored_with_nohup_stays_ignored(tmp_path):
    learners = tmp_path / "class"
    learner(learners / "alice", ex01=SOLUTIONS)
    learner(learners / "bob", ex01=SOLUTIONS)
    out = tmp_path / "out"
    process = subprocess.Popen(
        batch_command(learners, out, "--seed", "3"),
        env=environment(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN),
    )
    try:
        wait_for(
            lambda: (
                (out / "alice.json").exists()
                or (out / "bob.json").exists()
                or process.poll() is not None
            ),
            "a first record",
        )
        process.send_signal(signal.SIGHUP)
        stdout, stderr = process.communicate(timeout=WAIT)
    finally:
        process.kill()
    assert process.returncode == 1, stdout + stderr  # graded, points missing: never 130
    assert set(learners_of(out)) == {"alice", "bob"}


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupt_while_the_gradebook_is_written_leaves_it_whole(tmp_path, signum):
    """Seen: an interrupt at the rename of grades.csv left no grades.csv, canvas.csv nor moodle.csv
    for the records the batch had kept (or older ones beside newer records)."""
    learners = tmp_path / "class"
    learner(learners / "alice", ex01=SOLUTIONS)
    learner(learners / "bob", ex06=SOLUTIONS)
    driver = tmp_path / "signalling_driver.py"
    driver.write_text(SIGNALLING_DRIVER)
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-I",
        str(driver),
        str(int(signum)),
        *batch_command(learners, out, "--seed", "3")[4:],
    ]
    run = subprocess.run(
        command, env=environment(tmp_path), capture_output=True, text=True, timeout=WAIT
    )
    assert run.returncode == 130, run.stderr
    rows = learners_of(out)
    assert rows["alice"]["ex01"] == "10" and rows["bob"]["ex06"] == "15"
    for export in ("canvas.csv", "moodle.csv"):
        assert (out / export).read_text().count("\n") == 1 + (export == "canvas.csv") + 2, export
    assert json.loads((out / "alice.json").read_text())["score"] == 10
    assert not list(out.glob(".tmp-*"))


def test_a_terminal_that_hangs_up_costs_no_gradebook(tmp_path):
    """Seen: the instructor's terminal closing (SIGHUP, then every write to it failing) ended the
    batch with exit code 120 or 3 and no gradebook: the progress bar's last write, and the lines
    after it, met the dead terminal first."""
    import os
    import pty
    import select
    import time

    learners = tmp_path / "class"
    learner(learners / "alice", ex01=SOLUTIONS)
    learner(learners / "slow", ex01=SLEEPING_EX01)
    out = tmp_path / "out"
    command = batch_command(learners, out, "--seed", "3")
    pid, terminal = pty.fork()
    if pid == 0:  # the batch, on a terminal of its own, as an instructor's SSH session runs it
        try:
            os.execve(command[0], command, environment(tmp_path))
        finally:
            os._exit(127)
    deadline = time.monotonic() + WAIT
    try:
        while not (out / "alice.json").exists() and time.monotonic() < deadline:
            if select.select([terminal], [], [], 0.2)[0]:
                os.read(terminal, 1 << 16)  # the progress bar
    finally:
        os.close(terminal)  # the terminal hangs up
    _pid, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 130
    assert learners_of(out)["alice"]["ex01"] == "10"
    assert (out / "canvas.csv").exists() and (out / "moodle.csv").exists()
