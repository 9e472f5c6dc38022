"""What a class did, item by item: the numbers behind `grade report`'s text, PNG and HTML page.

Scores come from the gradebook's rows (grader/instructor/gradebook.py), so the report shows the
totals grades.csv shows; what only the records hold (which items a learner did not attempt,
which tests failed, what a quiz question was answered) comes from the records. Each item's
distribution keeps apart a roster learner with no upload ("not submitted"), an item the
learner left untouched ("not attempted") and one attempted for no points ("0%"). Every count is
of learners, so one learner failing ten cases for one mistake counts once. A quiz question's
answer is read back from its feedback's verdict ("you answered b) ...; the answer is c) ..."),
in either language the batch graded in. Texts from records are learner input: callers show them
escaped.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from grader.course.catalogue import Catalogue
from grader.i18n import LANGUAGES, N_, _, language
from grader.instructor import gradebook as book
from grader.instructor.records import Record
from grader.quiz.text import MESSAGES

NOT_SUBMITTED = N_("not submitted")  # on the roster, no upload
NOT_ATTEMPTED = N_("not attempted")  # an upload, this item untouched
BINS = (  # label, lowest percent, below this percent; 0% and 100% are exact
    ("0%", 0, 0),
    ("1-24%", 0, 25),
    ("25-49%", 25, 50),
    ("50-74%", 50, 75),
    ("75-99%", 75, 100),
    ("100%", 100, 100),
)
LABELS = (NOT_SUBMITTED, NOT_ATTEMPTED, *(label for label, _low, _high in BINS))
TOTAL_BIN_WIDTH = 10  # percent: the total's histogram has bins 0-9%, ..., 90-99%, 100%
TESTS_PER_EXERCISE = 5
MISCONCEPTIONS_SHOWN = 8
DETAIL = re.compile(r"\s*\(\d+ of \d+ values? differ.*$|\s*\(at index .*$")
GENERIC = ("wrong values", "expected shape", "expected ", "returned ")


@dataclass
class QuestionStats:
    """One quiz question over the learners who attempted its quiz."""

    name: str  # its test name, `Q3 task_detection`
    attempted: int = 0
    correct: int = 0
    unanswered: int = 0
    unreadable: int = 0  # an answer the grader could not read (status "error")
    wrong: Counter = field(default_factory=Counter)  # the answer given -> learners

    @property
    def share_correct(self) -> float | None:
        return self.correct / self.attempted if self.attempted else None

    @property
    def most_common_wrong(self) -> tuple[str, int] | None:
        ranked = sorted(self.wrong.items(), key=lambda pair: (-pair[1], pair[0]))
        return ranked[0] if ranked else None


@dataclass
class ClassStats:
    """Everything `grade report` shows, counted once."""

    rows: list[book.Row]
    graded: int
    percents: list[float]  # each graded learner's total, as a share of the points
    not_graded: list[tuple[str, str]]  # learner, why
    not_submitted: list[str]  # on the roster, no upload
    bins: dict[str, Counter]  # item id -> Counter of LABELS
    attempted: dict[str, int]  # item id -> learners who attempted it
    failed: dict[str, list[tuple[str, int]]]  # exercise id -> (test, learners), most first
    misconceptions: list[tuple[str, int]]
    questions: dict[str, list[QuestionStats]]  # quiz id -> its questions in order

    def summary(self) -> dict[str, float]:
        if not self.percents:
            return {}
        return {
            "mean": statistics.mean(self.percents),
            "median": statistics.median(self.percents),
            "lowest": min(self.percents),
            "highest": max(self.percents),
        }


def analyse(
    catalogue: Catalogue, found: dict[str, Record], roster: dict[str, book.Person] | None
) -> ClassStats:
    """The class's numbers from its trusted records, joined with the roster as grades.csv is."""
    gradebook = book.build(catalogue, found, roster)
    graded_rows = [
        row for row in gradebook.rows if row.learner in found and found[row.learner].graded
    ]
    items = {row.learner: _items(found[row.learner]) for row in graded_rows}
    bins: dict[str, Counter] = {item_id: Counter() for item_id in catalogue.ids}
    attempted: Counter = Counter()
    for row in graded_rows:
        for item_id in catalogue.ids:
            label = _label(row, items[row.learner].get(item_id), item_id)
            if label is not None:
                bins[item_id][label] += 1
                attempted[item_id] += label != NOT_ATTEMPTED
    for item_id in catalogue.ids:
        bins[item_id][NOT_SUBMITTED] = len(gradebook.not_submitted)
    tests, named = _failures(items)
    exercise_ids = [exercise.id for exercise in catalogue.exercises]
    return ClassStats(
        rows=gradebook.rows,
        graded=len(graded_rows),
        percents=[row.percent for row in graded_rows if row.percent is not None],
        not_graded=[(name, record.status) for name, record in found.items() if not record.graded],
        not_submitted=list(gradebook.not_submitted),
        bins=bins,
        attempted={item_id: attempted[item_id] for item_id in catalogue.ids},
        failed={
            item_id: _top(tests.get(item_id, Counter()), TESTS_PER_EXERCISE)
            for item_id in exercise_ids
        },
        misconceptions=_top(named, MISCONCEPTIONS_SHOWN),
        questions={quiz.id: _questions(quiz.id, items) for quiz in catalogue.quizzes},
    )


def _items(record: Record) -> dict[str, dict]:
    return {
        str(item.get("id")): item
        for item in record.graded_report.get("exercises", [])
        if isinstance(item, dict)
    }


def _label(row: book.Row, item: dict | None, item_id: str) -> str | None:
    """The bin of one learner's item: from the row's (final) score, "not attempted" from the
    record when the row gives it no points either."""
    score, most = row.scores.get(item_id), row.item_max.get(item_id)
    if score is None or item is None:
        return None  # an incomplete record: no result to count
    if item.get("status") == "not_attempted" and score <= 0:
        return NOT_ATTEMPTED
    return bin_label(100 * score / most) if most else None


def bin_label(percent: float) -> str:
    """The histogram bin of an item score given as a percentage of its points."""
    if percent <= 0:
        return BINS[0][0]
    if percent >= 100:
        return BINS[-1][0]
    return next(label for label, low, high in BINS[1:-1] if low <= percent < high)


def total_bins(percents: list[float]) -> list[tuple[str, int]]:
    """The totals' histogram: (label, learners) for 0-9%, 10-19%, ..., 90-99% and 100%."""
    counts = Counter(
        min(int(percent // TOTAL_BIN_WIDTH), 100 // TOTAL_BIN_WIDTH) for percent in percents
    )
    labels = [f"{low}-{low + TOTAL_BIN_WIDTH - 1}%" for low in range(0, 100, TOTAL_BIN_WIDTH)]
    return [(label, counts[index]) for index, label in enumerate([*labels, "100%"])]


def _failures(items: dict[str, dict[str, dict]]) -> tuple[dict[str, Counter], Counter]:
    """(exercise id -> tests failed, misconceptions named), each counted once per learner, on
    exercises the learner attempted."""
    tests: dict[str, Counter] = {}
    named: Counter = Counter()
    for learner_items in items.values():
        seen_named = set()
        for item_id, item in learner_items.items():
            if item.get("status") == "not_attempted" or item.get("kind", "exercise") != "exercise":
                continue
            failed = {
                str(test.get("name"))
                for test in item.get("tests", [])
                if isinstance(test, dict) and test.get("status") != "passed"
            }
            tests.setdefault(item_id, Counter()).update(failed)
            for test in item.get("tests", []):
                sentence = (
                    misconception(str(test.get("feedback", ""))) if isinstance(test, dict) else ""
                )
                if sentence and test.get("status") != "passed":
                    seen_named.add(f"{item_id} {sentence}")
        named.update(seen_named)
    return tests, named


def misconception(feedback: str) -> str:
    """The mistake a feedback line names, without the call and the numbers; "" if it names none."""
    line = (feedback.splitlines() or [""])[0]
    depth = 0
    for index, char in enumerate(line):
        depth += (char in "([") - (char in ")]")
        if depth == 0 and line.startswith(": ", index):
            if "(" in line[:index]:  # a call such as "conv2d((2, 7, 7, 3) float64, ...)" came first
                line = line[index + 2 :]
            break
    if line.startswith("expected shape") and ". " in line:
        line = line.split(". ", 1)[1]
    sentence = DETAIL.sub("", line).strip()
    return "" if not sentence or sentence.startswith(GENERIC) else sentence


def _questions(quiz_id: str, items: dict[str, dict[str, dict]]) -> list[QuestionStats]:
    questions: dict[str, QuestionStats] = {}
    for learner_items in items.values():
        quiz = learner_items.get(quiz_id)
        if quiz is None or quiz.get("status") == "not_attempted":
            continue
        for test in quiz.get("tests", []):
            if not isinstance(test, dict):
                continue
            name = str(test.get("name"))
            stats = questions.setdefault(name, QuestionStats(name))
            stats.attempted += 1
            if test.get("status") == "passed":
                stats.correct += 1
            elif test.get("status") == "error":
                stats.unreadable += 1
            elif (given := given_answer(str(test.get("feedback", "")))) is not None:
                stats.wrong[given] += 1
            else:
                stats.unanswered += 1
    return sorted(questions.values(), key=lambda stats: _question_order(stats.name))


def _question_order(name: str) -> tuple[int, str]:
    number = re.match(r"Q(\d+) ", name)
    return (int(number.group(1)) if number else 1 << 30, name)


def given_answer(feedback: str) -> str | None:
    """The answer a wrong or partly right verdict quotes (`b) Object detection`, `a, c`), in
    English or Korean; None for any other feedback."""
    for pattern in _verdicts():
        found = pattern.match(feedback)
        if found:
            return found.group("given")
    return None


@lru_cache(maxsize=1)
def _verdicts() -> tuple[re.Pattern, ...]:
    """The quiz grader's own verdict sentences as patterns, in every language it writes."""
    patterns = []
    for lang in LANGUAGES:
        with language(lang):
            for name in ("wrong", "partial"):
                parts = re.split(r"(\{\w+\})", _(MESSAGES[name]))
                regex = "".join(
                    "(?P<given>.*?)"
                    if part == "{given}"
                    else ".*?"
                    if part.startswith("{")
                    else re.escape(part)
                    for part in parts
                )
                patterns.append(re.compile(regex + r"(?:\n|$)", re.DOTALL))
    return tuple(patterns)


def _top(counts: Counter, limit: int) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:limit]
