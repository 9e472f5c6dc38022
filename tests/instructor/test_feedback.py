"""`grade feedback GRADES --out DIR`: a file per learner from a graded class, nothing regraded.

A class is graded once for the module (alice: ex01 right and a flipped kernel in ex04, whose
hidden tests fail; mallory: code that prints a <script> and a roster name that is one; 김민수:
ex06 right; dave: an empty folder), then each test writes feedback from its records.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from grader.instructor import signature
from grader.instructor.records import read_json
from tests.conftest import SOLUTIONS, run_grade
from tests.instructor.classes import FLIPPED_KERNEL, learner

SEED = (
    987654  # given, so that feedback quoting "--seed 987654" is certain; still the grading's secret
)
PRINTING_EX01 = """import numpy as np


def filter_response(patch, kernel):
    print("<script>alert('pwned')</script> & </pre> [link](http://evil.example)")
    return 1.0


def convolve2d(image, kernel):
    raise NotImplementedError("ex01: convolve2d is not implemented yet")
"""
ROSTER = (
    "folder,student_id,name,email\n"
    "alice,2024001,Alice Kim,alice@example.edu\n"
    'mallory,2024009,"<script>alert(""name"")</script>",mallory@example.edu\n'
    "김민수,2024002,김민수,minsu@example.edu\n"
)
ALLOWED_TAGS = {
    *("html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "pre", "small"),
    *("table", "thead", "tbody", "tr", "th", "td", "figure", "img", "figcaption"),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("feedback")
    learners = root / "class"
    learner(learners / "alice", ex01=SOLUTIONS, ex04=FLIPPED_KERNEL)
    learner(learners / "mallory", ex01=PRINTING_EX01)
    learner(learners / "김민수", ex06=SOLUTIONS)
    (learners / "dave").mkdir()
    (root / "roster.csv").write_text(ROSTER, encoding="utf-8")
    out = root / "out"
    run = run_grade(
        "batch", learners, "--out", out, "--seed", SEED, "--roster", root / "roster.csv"
    )
    assert run.exit_code == 1, run.stderr
    return out


def feedback(graded: Path, target: Path, *options: str):
    run = run_grade("feedback", graded, "--out", target, *options)
    return run, {path.name: path.read_text(encoding="utf-8") for path in target.iterdir()}


@pytest.fixture(scope="module")
def pages(graded, tmp_path_factory) -> dict[str, str]:
    run, files = feedback(graded, tmp_path_factory.mktemp("pages") / "html")
    assert run.exit_code == 0, run.stderr
    assert "4 feedback files" in run.stdout and "1 of them for learners not graded" in run.stdout
    return files


@pytest.fixture(scope="module")
def markdown(graded, tmp_path_factory) -> dict[str, str]:
    run, files = feedback(graded, tmp_path_factory.mktemp("markdown") / "md", "--format", "md")
    assert run.exit_code == 0, run.stderr
    return files


def record(graded: Path, name: str) -> dict:
    return read_json(graded / f"{name}.json")


def korean_stem(graded: Path) -> str:
    (path,) = [path for path in graded.glob("*.json") if path.name.startswith("김민수")]
    return path.stem


class Page(HTMLParser):
    """What a browser would make of a page: its tags, attributes, text and <pre> blocks."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str, str]] = []
        self.text: list[str] = []
        self.pre: list[str] = []
        self._in_pre = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]
        if tag == "pre":
            self._in_pre, self._block = True, []

    def handle_endtag(self, tag):
        if tag == "pre":
            self._in_pre = False
            self.pre.append("".join(self._block))

    def handle_data(self, data):
        self.text.append(data)
        if self._in_pre:
            self._block.append(data)


def test_every_record_gets_a_file_named_after_it(graded, pages, markdown):
    stems = {"alice", "mallory", "dave", korean_stem(graded)}
    assert set(pages) == {f"{stem}.html" for stem in stems}
    assert set(markdown) == {f"{stem}.md" for stem in stems}


def test_each_item_score_and_each_failed_tests_feedback_is_shown(graded, pages, markdown):
    data = record(graded, "alice")
    page = Page(pages["alice.html"])
    text = "".join(page.text)
    assert "Alice Kim (alice)" in text
    for item in data["exercises"]:
        assert f"{item['id']} {item['title']}: {item['score']:g} / {item['max_score']:g}" in text
    recorded = {
        test["feedback"].replace(str(SEED), "N"): item["status"]
        for item in data["exercises"]
        for test in item["tests"]
        if test["status"] != "passed" and test["feedback"]
    }
    failed = {feedback for feedback, status in recorded.items() if status != "not_attempted"}
    assert len(failed) > 10  # the flipped kernel fails most of ex04
    assert failed <= set(page.pre) <= set(recorded)  # every feedback, whole, and nothing else
    assert all(html.escape(feedback, quote=False) in markdown["alice.md"] for feedback in failed)


def test_hidden_tests_show_what_the_record_shows_and_never_an_expected_array(graded, pages):
    data = record(graded, "alice")
    ex04 = next(item for item in data["exercises"] if item["id"] == "ex04")
    hidden = [test for test in ex04["tests"] if test["visibility"] == "hidden"]
    assert any(test["status"] == "failed" for test in hidden)
    page = Page(pages["alice.html"])
    shown = [
        test["feedback"].replace(str(SEED), "N") for test in hidden if test["status"] == "failed"
    ]
    for feedback in shown:
        assert feedback in page.pre and "expected" not in feedback and "values differ" in feedback
    assert any("flipped kernel" in feedback for feedback in shown)


def test_the_grading_seed_never_reaches_a_learner(graded, pages, markdown):
    quoted = any(
        f"--seed {SEED}" in test["feedback"]
        for item in record(graded, "alice")["exercises"]
        for test in item["tests"]
    )
    assert quoted  # the record quotes it: the files must not
    for text in [*pages.values(), *markdown.values()]:
        assert str(SEED) not in text
    assert "--seed N" in pages["alice.html"] and "--seed N" in markdown["alice.md"]
    assert "graded_by" not in pages["alice.html"] and "course_version" not in pages["alice.html"]


def test_a_page_is_self_contained_and_learner_text_stays_text(pages):
    for name, text in pages.items():
        page = Page(text)
        assert page.tags <= ALLOWED_TAGS, name
        assert "<script" not in text.lower() and "url(" not in text
        for tag, attribute, value in page.attributes:
            assert not attribute.startswith("on"), name
            if attribute in ("src", "href"):
                assert tag == "img" and value.startswith("data:image/png;base64,"), name
        assert "<style>" in text and 'http-equiv="Content-Security-Policy"' in text
    mallory = Page(pages["mallory.html"])
    shown = "".join(mallory.text)
    assert '<script>alert("name")</script> (mallory)' in shown  # the roster's name, as text
    assert any("<script>alert('pwned')</script> & </pre>" in block for block in mallory.pre)


def test_markdown_keeps_learner_text_inert(markdown):
    text = markdown["mallory.md"]
    assert "<script" not in text
    outside_blocks = re.sub(r"<pre>.*?</pre>", "", text, flags=re.DOTALL)
    assert "evil.example" in text and "evil.example" not in outside_blocks  # inert in <pre>
    assert "&lt;script&gt;alert('pwned')&lt;/script&gt; &amp; &lt;/pre&gt;" in text
    assert text.count("<pre>") == text.count("</pre>") > 0
    assert "\\<script\\>" not in text and "&lt;script&gt;alert\\(" in text  # the roster name


def test_a_learner_not_graded_gets_a_file_saying_why(pages, markdown):
    for text in (pages["dave.html"], markdown["dave.md"]):
        assert "not graded" in text and "empty upload" in text
        assert "Total" not in text


def test_korean_feedback_follows_lang(graded, tmp_path):
    run, files = feedback(graded, tmp_path / "ko", "--lang", "ko")
    assert run.exit_code == 0, run.stderr
    assert "피드백 파일" in run.stdout
    page = files[f"{korean_stem(graded)}.html"]
    assert '<html lang="ko">' in page and "김민수 (김민수)" in page
    assert "합계" in page and "시도하지 않음" in page and "Total" not in page
    assert "제출물을 채점하지 못했습니다" in files["dave.html"]


def with_changes(graded: Path, folder: Path, changes: dict) -> Path:
    """A copy of the graded folder whose alice record also holds `changes`, signed again."""
    shutil.copytree(graded, folder)
    path = folder / "alice.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(signature.signed({**data, **changes})), encoding="utf-8")
    return folder


def test_adjustments_late_work_and_the_final_grade_are_shown(graded, tmp_path):
    changes = {
        "adjustments": [
            {"item": "ex04", "points": 2.5, "reason": "regrade: <b>kernel</b> ok", "by": "TA Lee"}
        ],
        "late": {
            "submitted_at": "2025-03-02T10:00:00Z",
            "source": "upload",
            "items": {
                "ex01": {
                    "due": "2025-03-01T23:59:00Z",
                    "extension": None,
                    "late_seconds": 36060,
                    "penalty_points": 1,
                    "refused": False,
                },
                "ex04": {
                    "due": "2025-03-01T23:59:00Z",
                    "extension": "2025-03-05T23:59:00Z",
                    "late_seconds": 0,
                    "penalty_points": 0,
                    "refused": False,
                },
                "ex06": {"due": "2025-02-01T00:00:00Z", "late_seconds": 3e6, "refused": True},
            },
        },
        "final": {
            "items": {
                "ex01": {"graded": 10, "late_penalty": 1, "adjustment": 0, "points": 9, "max": 10},
                "ex04": {
                    "graded": 3,
                    "late_penalty": 0,
                    "adjustment": 2.5,
                    "points": 5.5,
                    "max": 20,
                },
            },
            "total": 14.5,
            "max": 221,
        },
    }
    out = with_changes(graded, tmp_path / "adjusted", changes)
    run, files = feedback(out, tmp_path / "html")
    assert run.exit_code == 0, run.stderr
    page = Page(files["alice.html"])
    text = " ".join(page.text)
    assert "Final grade: 14.5 / 221 points" in text
    assert "regrade: <b>kernel</b> ok" in text and "TA Lee" in text and "<b>" not in page.tags
    assert "Submitted at 2025-03-02T10:00:00Z (from upload)." in text
    assert "10 h 1 min" in text and "2025-03-05T23:59:00Z" in text
    assert "not accepted: too late" in text and "34 d 17 h" in text
    cells = [value for value in page.text if value.strip()]
    assert "-1" in cells and "2.5" in cells and "5.5" in cells
    run, files = feedback(out, tmp_path / "md", "--format", "md", "--lang", "ko")
    assert "최종 점수: 14\\.5 / 221점" in files["alice.md"] and "TA Lee" in files["alice.md"]
    assert "regrade: &lt;b&gt;kernel&lt;/b&gt; ok" in files["alice.md"]


def test_without_changes_the_graded_scores_stand(pages):
    assert "Final grade" not in pages["alice.html"] and "Adjustments" not in pages["alice.html"]
    assert re.search(r"Total: 13 / \d+ points", pages["alice.html"])


def test_a_changed_record_gets_no_file_and_is_named(graded, tmp_path):
    out = tmp_path / "changed"
    shutil.copytree(graded, out)
    data = json.loads((out / "mallory.json").read_text(encoding="utf-8"))
    data["exercises"][0]["title"] = "changed by hand"
    (out / "mallory.json").write_text(json.dumps(data), encoding="utf-8")
    run, files = feedback(out, tmp_path / "html")
    assert run.exit_code == 1 and "mallory.json" in run.stderr and "not trusted" in run.stderr
    assert "mallory.html" not in files and "alice.html" in files


def test_nothing_is_graded_again(graded, tmp_path, monkeypatch):
    import grader.instructor.tasks as tasks

    def refuse(*args, **kwargs):
        raise AssertionError("grade feedback graded a learner")

    monkeypatch.setattr(tasks, "grade_task", refuse)
    monkeypatch.setattr(tasks, "run_grader", refuse)
    run, files = feedback(graded, tmp_path / "html")
    assert run.exit_code == 0 and len(files) == 4


def test_a_rerun_replaces_the_folder_and_a_foreign_folder_is_refused(graded, pages, tmp_path):
    target = tmp_path / "html"
    target.mkdir()
    (target / "zoe.html").write_text("an old learner's file")
    run, files = feedback(graded, target)
    assert run.exit_code == 0 and "zoe.html" not in files and len(files) == 4
    assert files["alice.html"] == pages["alice.html"]
    before = sorted(path.name for path in graded.iterdir())
    run = run_grade("feedback", graded, "--out", graded)  # the records' own folder
    assert run.exit_code == 2 and "holds files other than feedback files" in run.stderr
    assert sorted(path.name for path in graded.iterdir()) == before
    assert not [path.name for path in tmp_path.iterdir() if path.name.startswith(".")]
