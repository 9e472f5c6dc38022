"""The warm fork server: forks fresh children for trusted modules only, under their limits."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from grader.processes import children
from grader.processes.warm import WARM_VARIABLE, WarmServer, run_warm

SLOW_MODULE = "timeit"  # a standard-library module that runs as long as it is told to


@pytest.fixture(scope="module")
def server():
    started = WarmServer(["numpy"], served=("grader", SLOW_MODULE))
    assert started.wait_ready()
    yield started
    started.close()


def request(
    tmp_path: Path,
    module: str,
    *arguments: str,
    timeout: float = 30.0,
    memory_mb: int | None = None,
) -> dict:
    streams = {name: tmp_path / name for name in ("stdin", "stdout", "stderr")}
    for path in streams.values():
        path.touch()
    return {
        "module": module,
        "arguments": list(arguments),
        "cwd": str(tmp_path),
        "timeout": timeout,
        "memory_mb": memory_mb,
        "environment": {},
        **{name: str(path) for name, path in streams.items()},
    }


def test_a_forked_child_runs_the_module_like_python_dash_m(server, tmp_path):
    answer = run_warm(
        server.address, request(tmp_path, "grader", "list", "--submission", str(tmp_path))
    )
    assert answer is not None and answer["exit_code"] in (0, 2), (tmp_path / "stderr").read_text()
    printed = (tmp_path / "stdout").read_text() + (tmp_path / "stderr").read_text()
    assert "ex01" in printed or "exercise" in printed


def test_a_child_past_its_time_is_killed_with_the_limit_named(server, tmp_path):
    answer = run_warm(
        server.address, request(tmp_path, SLOW_MODULE, "-n", "10000000000", "pass", timeout=0.5)
    )
    assert answer == {"exit_code": None, "limit": "time", "peak_mb": answer["peak_mb"]}


def test_a_child_past_its_memory_is_killed_with_the_limit_named(server, tmp_path):
    answer = run_warm(
        server.address,
        request(
            tmp_path,
            SLOW_MODULE,
            "-n",
            "10000000000",
            "-s",
            "x = bytearray(800 << 20)",
            "pass",
            memory_mb=300,
        ),
    )
    assert answer is not None and answer["limit"] == "memory" and answer["exit_code"] is None


def test_only_trusted_modules_and_the_right_token_are_served(server, tmp_path):
    """A request for any other module, or without the server's token, is refused: the caller
    then starts Python itself, as without a server."""
    assert run_warm(server.address, request(tmp_path, "os")) is None
    path, _separator, _token = server.address.partition(" ")
    assert run_warm(f"{path} not-the-token", request(tmp_path, "grader", "list")) is None
    assert run_warm(f"{tmp_path / 'no-such-socket'} token", request(tmp_path, "grader")) is None


def test_run_trusted_goes_to_the_server_named_in_the_environment(server, monkeypatch):
    forked: list[dict] = []
    real = children.run_warm

    def counted(address, body, follow=None):
        answer = real(address, body, follow)
        forked.append(answer)
        return answer

    monkeypatch.setattr(children, "run_warm", counted)
    monkeypatch.setenv(WARM_VARIABLE, server.address)
    result = children.run_trusted("grader", b"", timeout=30, arguments=["--help"])
    assert result.exit_code == 0 and "grade" in result.stdout
    assert forked and forked[0] is not None and forked[0]["exit_code"] == 0
    result = children.run_trusted("json.tool", json.dumps({"a": 1}).encode(), timeout=30)
    assert '"a": 1' in result.stdout and len(forked) == 1  # not a served module: started as before


def test_closing_the_server_leaves_no_process_and_no_socket():
    started = WarmServer([], served=(SLOW_MODULE,))
    assert started.wait_ready()
    pid, folder = started.popen.pid, started.folder
    started.close()
    assert started.popen.poll() is not None and not folder.exists()
    assert (
        not os.path.exists(f"/proc/{pid}/status")
        or "zombie" in Path(f"/proc/{pid}/status").read_text()
    )


def test_a_probe_made_early_by_the_server_decides_each_run_it_forks(monkeypatch):
    from grader.sandbox import isolation as modes
    from grader.sandbox import probe

    early = modes.Isolation(modes.ROOT)
    monkeypatch.setattr(probe, "_probed_early", early)
    run = probe.IsolationProbe(allow_weak=False)
    assert run.process is None and run.get() is early  # no second probe started
    monkeypatch.setattr(
        probe, "_probed_early", modes.Isolation(modes.LIMITS, "the early probe failed")
    )
    if os.geteuid() == 0:  # "limits" still needs each run's own permission
        with pytest.raises(modes.WeakSandboxRefused, match="the early probe failed"):
            probe.IsolationProbe(allow_weak=False).get()
    if os.geteuid() == 0 and modes.python_unreachable_for_others():
        with pytest.raises(modes.WeakSandboxRefused, match="the early probe failed"):
            probe.IsolationProbe(allow_weak=True).get()
    else:
        weak = probe.IsolationProbe(allow_weak=True).get()
        assert weak.mode == modes.LIMITS and "the early probe failed" in weak.note
