"""`grade batch --scheduler`: each learner a task on a Dask cluster; the gradebook equals a local run."""

from __future__ import annotations

import json

import pytest

from tests.instructor.classes import rows_of, small_class

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    """A small cluster in this process: a scheduler and one worker with two threads; each task
    still starts the full sandboxed child grader, as it would on another machine."""
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as local:
        yield local


def test_a_cluster_grades_the_class_as_a_local_run_does(grade, tmp_path, cluster):
    learners = small_class(tmp_path / "class")
    (learners / "empty").mkdir()
    local, remote = tmp_path / "local", tmp_path / "remote"
    grade("batch", learners, "--out", local, "--seed", "21")
    run = grade(
        "batch", learners, "--out", remote, "--seed", "21", "--scheduler", cluster.scheduler_address
    )
    assert run.exit_code == 1, run.stdout + run.stderr
    for name in ("grades.csv", "canvas.csv", "moodle.csv"):
        assert (remote / name).read_text() == (local / name).read_text(), name
    assert rows_of(remote)["bob"]["status"] == "graded" and rows_of(remote)["empty"][
        "status"
    ].startswith("empty")
    report = json.loads((remote / "bob.json").read_text())
    assert report["protection"] == json.loads((local / "bob.json").read_text())["protection"]
    rerun = grade("batch", learners, "--out", remote, "--scheduler", cluster.scheduler_address)
    assert "3 unchanged since their report" in rerun.stdout


def test_an_unreachable_scheduler_is_an_input_error(grade, tmp_path, monkeypatch):
    monkeypatch.setattr("grader.instructor.cluster.CONNECT_TIMEOUT", "2s")
    learners = small_class(tmp_path / "class")
    run = grade(
        "batch",
        learners,
        "--out",
        tmp_path / "out",
        "--seed",
        "1",
        "--scheduler",
        "tcp://127.0.0.1:9",
    )
    assert run.exit_code == 2 and "cannot reach the Dask scheduler" in run.stderr


def test_a_worker_with_another_course_version_grades_nobody(tmp_path):
    from grader.course.catalogue import load_catalogue
    from grader.instructor.batch import BatchRun, GradingTask, TaskResult, _record
    from grader.instructor.intake import Packed
    from grader.instructor.recordcheck import RecordCheck
    from grader.instructor.records import grader_version, load_records

    run = BatchRun(seed=1)
    task = GradingTask("alice", Packed(()), 1)
    report = {"score": 0, "max_score": 0, "seed": 1, "exercises": []}
    check = RecordCheck(load_catalogue())
    _record(task, TaskResult(0, report, "", "sha256:older", grader_version()), run, tmp_path, check)
    record = load_records(tmp_path, check)["alice"]
    assert not record.graded and "course version sha256:older" in record.status
    assert "alice" in run.problems and not run.graded


def test_without_dask_the_scheduler_option_says_what_to_install(grade, tmp_path, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "dask.distributed", None)  # as if not installed
    learners = small_class(tmp_path / "class")
    run = grade(
        "batch", learners, "--out", tmp_path / "out", "--seed", "1", "--scheduler", "tcp://x:1"
    )
    assert run.exit_code == 2 and "cnn-exercises[cluster]" in run.stderr
