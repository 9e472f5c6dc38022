"""The activity line: shown on a terminal during long waits, never in a pipe, a file or a report."""

from __future__ import annotations

import io
import json

import pytest

from grader.processes import activity
from grader.processes.children import run_trusted


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def default_setting():
    activity.set_enabled(None)
    yield
    activity.set_enabled(None)


def test_a_pipe_or_file_gets_nothing():
    stream = io.StringIO()
    line = activity.Line(stream, quiet_seconds=0)
    line.show("ex05: max_pool2d is still running", force=True)
    line.close()
    assert stream.getvalue() == ""


def test_a_terminal_sees_the_line_and_then_has_it_erased():
    stream = Terminal()
    line = activity.Line(stream, quiet_seconds=0)
    line.show(activity.waiting_text("ex05", "max_pool2d", 12.4, 30.0))
    assert "max_pool2d is still running (12 s of at most 30 s)" in stream.getvalue()
    line.close()
    assert stream.getvalue().endswith(activity.ERASE_LINE)


def test_a_short_wait_shows_nothing_and_a_report_format_turns_it_off():
    quiet = Terminal()
    line = activity.Line(quiet, quiet_seconds=60)
    line.show("not yet")
    line.close()
    assert quiet.getvalue() == ""
    activity.set_enabled(False)
    off = Terminal()
    activity.Line(off, quiet_seconds=0).show("never", force=True)
    assert off.getvalue() == ""


def test_korean_lines_fit_an_80_column_terminal():
    text = activity._fit("합성곱 " * 60)
    assert sum(2 if ord(character) > 0x1100 else 1 for character in text) <= activity.MAX_COLUMNS


def test_training_progress_reads_events_and_ignores_everything_else():
    stream = Terminal()
    progress = activity.TrainingProgress(stream)
    progress(["not json", json.dumps({"accuracy": 1.0}), json.dumps({"progress": {"epoch": "x"}})])
    assert "starting" in stream.getvalue()
    progress.line.last_drawn = 0.0
    progress([json.dumps({"progress": {"epoch": 3, "epochs": 20, "accuracy": 0.912}})])
    assert "epoch 3/20, training accuracy 91.2%" in stream.getvalue()
    progress.close()
    assert stream.getvalue().endswith(activity.ERASE_LINE)


def test_a_childs_output_lines_reach_the_listener_while_it_runs():
    heard: list[str] = []
    child = run_trusted(
        "json.tool",
        json.dumps({"progress": {"epoch": 1}}).encode(),
        timeout=30,
        on_output=heard.extend,
    )
    assert child.exit_code == 0
    # json.tool writes quickly, so the lines may arrive after the last look: then none are lost
    # from the result, and the listener heard only whole lines.
    assert all("\n" not in line for line in heard)
    assert '"epoch": 1' in child.stdout


def test_loading_a_file_is_announced_in_english_and_korean():
    from grader.i18n import language

    assert (
        activity.loading_text("ex07", "ex07_keras_cnn.py", 4.6)
        == "ex07: loading ex07_keras_cnn.py (4 s)"
    )
    with language("ko"):
        assert "불러오는 중(4초)" in activity.loading_text("ex07", "ex07_keras_cnn.py", 4.6)
