"""Prestarted trusted children (ex07's trainer imports while the worker does), and the
trainer's progress events."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, replace

import pytest

from grader.course.catalogue import load_catalogue
from grader.model.config import read_model
from grader.model.judge import training_seeds
from grader.processes import children
from grader.processes.warm import WARM_VARIABLE
from grader.sandbox.policy import TENSORFLOW_ENVIRONMENT
from tests.model.test_config import model_data


@pytest.fixture(autouse=True)
def nothing_left():
    yield
    children.discard_prestarted()


def test_the_next_run_of_a_prestarted_module_uses_it():
    children.prestart("json.tool")
    (waiting,) = children._prestarted.values()
    result = children.run_trusted("json.tool", json.dumps({"a": 1}).encode(), timeout=30)
    assert result.exit_code == 0 and '"a": 1' in result.stdout
    assert not children._prestarted and waiting.popen.poll() is not None
    assert not waiting.folder.exists()


def test_another_environment_or_arguments_start_a_fresh_child():
    children.prestart("json.tool", {"EXTRA": "1"})
    result = children.run_trusted("json.tool", json.dumps({"b": 2}).encode(), timeout=30)
    assert '"b": 2' in result.stdout and len(children._prestarted) == 1


def test_an_unused_prestarted_child_is_stopped_and_removed():
    children.prestart("json.tool")
    (waiting,) = children._prestarted.values()
    children.discard_prestarted()
    assert waiting.popen.poll() is not None and not waiting.folder.exists()


def test_a_batch_worker_prestarts_nothing(monkeypatch):
    monkeypatch.setenv(WARM_VARIABLE, "/nowhere token")
    children.prestart("json.tool")
    assert not children._prestarted


@pytest.mark.slow
def test_the_trainer_reports_its_epochs_when_watched_and_trains_the_same_either_way():
    training = replace(load_catalogue().item("ex07").training, epochs=2)
    spec = read_model(model_data(), "build_model()")
    payload = {
        "spec": spec.to_payload(),
        "training": asdict(training),
        "seeds": training_seeds(3, training),
    }
    heard: list[str] = []
    children.prestart("grader.model.trainer", TENSORFLOW_ENVIRONMENT)
    watched = children.run_trusted(
        "grader.model.trainer",
        json.dumps(dict(payload, progress=True)).encode(),
        timeout=180,
        environment=TENSORFLOW_ENVIRONMENT,
        on_output=heard.extend,
    )
    quiet = children.run_trusted(
        "grader.model.trainer",
        json.dumps(payload).encode(),
        timeout=180,
        environment=TENSORFLOW_ENVIRONMENT,
    )
    events = [json.loads(line)["progress"] for line in heard if line.startswith('{"progress"')]
    total = training.epochs * training.copies  # the epochs of every copy, counted as one run
    assert [event["epoch"] for event in events] == list(range(1, total + 1)) and events[0][
        "epochs"
    ] == total
    assert all(0.0 <= event["accuracy"] <= 1.0 for event in events)
    outcomes = [json.loads(child.stdout.strip().splitlines()[-1]) for child in (watched, quiet)]
    assert outcomes[0]["epochs_run"] == 2 and outcomes[0]["accuracy"] == outcomes[1]["accuracy"]
    assert '"progress"' not in quiet.stdout
    assert os.environ.get(WARM_VARIABLE) is None


class FakeClient:
    def __init__(self, exercise_id: str, tensorflow: bool):
        self.exercise = type("Exercise", (), {"id": exercise_id, "tensorflow": tensorflow})()
        self.load_failure = None
        self.started = False

    def start(self) -> None:
        self.started = True

    def close(self) -> None:
        self.started = False


def test_a_run_starts_its_keras_worker_and_trainer_with_the_first_worker(monkeypatch):
    from grader.grading.runner import TRAINER_MODULE, Workers

    started: list[str] = []
    monkeypatch.setattr(
        children, "prestart", lambda module, environment=None: started.append(module)
    )
    monkeypatch.setattr(children, "discard_prestarted", lambda: started.append("discarded"))
    clients = {name: FakeClient(name, name == "ex07") for name in ("ex01", "ex02", "ex07")}
    workers = Workers(clients)
    workers.start_first()
    assert [name for name, client in clients.items() if client.started] == ["ex01", "ex07"]
    assert started == [TRAINER_MODULE]
    workers.entering("ex01")
    assert clients["ex02"].started
    workers.close_all()
    assert started == [TRAINER_MODULE, "discarded"]
    numpy_only = Workers({name: FakeClient(name, False) for name in ("ex01", "ex02")})
    numpy_only.start_first()
    numpy_only.close_all()
    assert started == [TRAINER_MODULE, "discarded"]  # nothing of the trainer's for ex01-ex06
