"""Attacks through `<submission>/.grade/progress.json`: the grader writes it, but it lies in the
learner's folder, where anything can be written over it. Read back, whatever it holds is a
progress or none, never a crash (exit 3) of `grade`, `grade hint`, `grade watch` or `grade list`."""

from __future__ import annotations

import math

import pytest

from grader.progress import STATE_FILE, Progress

HOSTILE = {
    "an infinite hint count": '{"hints_shown": {"ex01": Infinity}}',
    "a negative hint count": '{"hints_shown": {"ex01": -7}}',
    "a score too large for a float": '{"best": {"ex01": 1' + "0" * 400 + "}}",
    "an infinite score": '{"best": {"ex01": Infinity}}',
    "a score that is not a number": '{"best": {"ex01": NaN}}',
    "JSON nested past the recursion limit": "[" * 200_000,
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_progress_file_reads_as_a_sane_progress(tmp_path, text):
    (tmp_path / STATE_FILE).parent.mkdir()
    (tmp_path / STATE_FILE).write_text(text, encoding="utf-8")
    progress = Progress.load(tmp_path)
    assert all(math.isfinite(score) and score >= 0 for score in progress.best.values())
    assert all(shown >= 0 for shown in progress.hints_shown.values())
    assert progress.next_hint("ex01", ("first", "second")) in ((1, "first"), (2, "second"), None)
