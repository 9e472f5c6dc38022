"""The suite's own fixtures: a test marked `alone` runs while no other xdist worker runs one."""

from __future__ import annotations

import json

import pytest

from grader.course.catalogue import COURSE_ROOT

pytest_plugins = ["pytester"]

TIMED_TESTS = """
import json, os, time
import pytest
from tests.conftest import _alone_when_marked  # noqa: F401

def _timed(name, seconds):
    start = time.monotonic()
    time.sleep(seconds)
    with open(os.environ["INTERVALS"], "a") as stream:
        stream.write(json.dumps([name, start, time.monotonic()]) + "\\n")

@pytest.mark.alone
def test_burns_every_core():
    _timed("alone", 1.5)

@pytest.mark.parametrize("number", range(6))
def test_ordinary(number):
    _timed(f"ordinary{number}", 0.5)
"""


def test_a_test_marked_alone_overlaps_no_other_under_xdist(pytester, monkeypatch, tmp_path):
    pytest.importorskip("xdist")
    intervals = tmp_path / "intervals.jsonl"
    monkeypatch.setenv("INTERVALS", str(intervals))
    monkeypatch.setenv("PYTHONPATH", str(COURSE_ROOT))
    pytester.makepyfile(test_timed=TIMED_TESTS)
    pytester.makeini("[pytest]\nmarkers =\n    alone: runs alone\n")
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(passed=7)
    rows = [json.loads(line) for line in intervals.read_text().splitlines()]
    (alone,) = [row for row in rows if row[0] == "alone"]
    overlapping = [
        row[0] for row in rows if row[0] != "alone" and row[1] < alone[2] and alone[1] < row[2]
    ]
    assert overlapping == []
