"""Attacks through the files `grade batch` writes and reads back: records, shard outputs, the
roster. Whoever can write to an out folder (a helper, a CI artefact, another machine's shard)
must not be able to stop the grader (exit 3), hide a learner or reach the instructor's terminal."""

from __future__ import annotations

import json

from grader.instructor import records
from tests.instructor.test_records import meta, report

CONTROL = "\x1b]0;owned\x07\x1b[2J\u202e\u200b"


def write_record(out, learner: str, data: dict) -> None:
    path = out / f"{records.record_stem(learner)}.json"
    path.write_text(json.dumps(data), encoding="utf-8")


def failed_report() -> dict:
    data = report(0.0)
    data["exercises"][0]["status"] = "failed"
    data["exercises"][0]["tests"][0]["status"] = "failed"
    return data


def test_the_class_report_shows_record_text_escaped(grade, tmp_path):
    """A record's test names and feedback reach `grade report`'s lines: escape codes, bidi
    overrides and newlines in them are shown as escapes, never obeyed or turned into lines."""
    data = failed_report()
    test = data["exercises"][0]["tests"][0]
    test["name"] = f"one{CONTROL}\nbob        221 / 221"
    test["feedback"] = f"conv2d((2, 2)): your output {CONTROL} matches a flipped kernel"
    records.save_report(tmp_path, data, meta())
    run = grade("report", tmp_path)
    assert run.exit_code == 0, run.stderr
    assert not any(char in run.stdout for char in "\x1b\x07\u202e\u200b"), run.stdout
    assert not any(line.startswith("bob") for line in run.stdout.splitlines())
    assert "\\x1b]0;owned" in run.stdout and "\\u202e" in run.stdout
