"""`grade report OUT`: what a class got right and wrong, so an instructor sees what to reteach.

From the records of a batch out folder: how many learners were graded, each item's score
distribution as a text histogram (and, where matplotlib is installed, as a PNG), the tests
most often failed (on items a learner attempted) and the misconceptions the feedback most
often named (the sentence a suite's known-mistake check puts after the call, such as "your
output matches a flipped kernel"). Counts are of learners, not of test cases, so one learner
failing ten cases for one mistake counts once.
"""

from __future__ import annotations

import io
import re
import statistics
from collections import Counter
from pathlib import Path

from grader.course.catalogue import Catalogue
from grader.instructor.records import Record, write_atomic
from grader.sanitise import visible

BINS = (
    ("0%", 0, 0),
    ("1-24%", 0, 25),
    ("25-49%", 25, 50),
    ("50-74%", 50, 75),
    ("75-99%", 75, 100),
    ("100%", 100, 100),
)
BAR_WIDTH = 30
TOP = 8  # tests and misconceptions listed
SHOWN = 300  # characters of a test name or misconception: records are input, shown escaped
DETAIL = re.compile(r"\s*\(\d+ of \d+ values? differ.*$|\s*\(at index .*$")
GENERIC = ("wrong values", "expected shape", "expected ", "returned ")


def bin_label(percent: float) -> str:
    """The histogram bin of an item score given as a percentage of its points."""
    if percent <= 0:
        return BINS[0][0]
    if percent >= 100:
        return BINS[-1][0]
    return next(
        label
        for label, low, high in BINS[1:-1]
        if low <= percent < high or (low == 0 and percent < high)
    )


def distributions(catalogue: Catalogue, found: dict[str, Record]) -> dict[str, Counter]:
    """Item id -> Counter of bin labels over the graded learners."""
    counts: dict[str, Counter] = {item_id: Counter() for item_id in catalogue.ids}
    for record in found.values():
        for item in (record.report or {}).get("exercises", []):
            if item.get("id") in counts and item.get("max_score"):
                counts[item["id"]][bin_label(100 * item["score"] / item["max_score"])] += 1
    return counts


def failures(found: dict[str, Record]) -> tuple[Counter, Counter]:
    """(tests failed, misconceptions named), each counted once per learner."""
    tests: Counter = Counter()
    named: Counter = Counter()
    for record in found.values():
        seen_tests, seen_named = set(), set()
        for item in (record.report or {}).get("exercises", []):
            if item.get("status") == "not_attempted":
                continue
            for test in item.get("tests", []):
                if test.get("status") == "passed":
                    continue
                seen_tests.add(f"{item.get('id')} {test.get('name')}")
                sentence = misconception(str(test.get("feedback", "")))
                if sentence and item.get("kind", "exercise") == "exercise":
                    seen_named.add(f"{item.get('id')} {sentence}")
        tests.update(seen_tests)
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


def summarise(catalogue: Catalogue, found: dict[str, Record]) -> str:
    """The class summary as text; whatever comes from a record (names, feedback) is shown escaped."""
    graded = [record for record in found.values() if record.graded]
    problems = [record for record in found.values() if not record.graded]
    lines = [f"Class summary: {len(graded)} learners graded, {len(problems)} not graded"]
    percents = [
        100 * r.graded_report["score"] / r.graded_report["max_score"]
        for r in graded
        if r.graded_report.get("max_score")
    ]
    if percents:
        lines.append(
            f"Total: mean {statistics.mean(percents):.1f}%, median {statistics.median(percents):.1f}%, "
            f"lowest {min(percents):.1f}%, highest {max(percents):.1f}%"
        )
    lines += ["", "Score distribution per item (share of the item's points, learners per bin):"]
    counts = distributions(catalogue, found)
    for item in (*catalogue.exercises, *catalogue.quizzes):
        lines.append(f"{item.id} {item.title}")
        most = max(counts[item.id].values(), default=0) or 1
        for label, _low, _high in BINS:
            count = counts[item.id][label]
            lines.append(
                f"  {label:>7} {'#' * round(BAR_WIDTH * count / most):<{BAR_WIDTH}} {count}"
            )
    tests, named = failures(found)
    lines += ["", "Tests most often failed (items a learner attempted):"]
    lines += [
        f"  {count:>4} of {len(graded)}  {visible(name, SHOWN)}" for name, count in _top(tests)
    ] or ["  none"]
    lines += ["", "Misconceptions most often named in feedback:"]
    lines += [
        f"  {count:>4} of {len(graded)}  {visible(text, SHOWN)}" for text, count in _top(named)
    ] or ["  none"]
    for record in problems:
        lines.append(f"not graded: {visible(record.learner, 60)}: {visible(record.status, 300)}")
    return "\n".join(lines) + "\n"


def _top(counts: Counter) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:TOP]


def write_png(
    catalogue: Catalogue, found: dict[str, Record], path: Path, *, replace: bool = False
) -> bool:
    """Bar charts of each item's distribution into `path` (`replace`: a new file in its place, never
    written through a link there); False when matplotlib is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import pyplot
    except ImportError:
        return False
    counts = distributions(catalogue, found)
    columns = 4
    rows = -(-len(catalogue.ids) // columns)
    figure, axes = pyplot.subplots(
        rows, columns, figsize=(3.2 * columns, 2.4 * rows), squeeze=False
    )
    labels = [label for label, _low, _high in BINS]
    for axis, item_id in zip(axes.flat, [*catalogue.ids, *[None] * (rows * columns)]):
        if item_id is None:
            axis.set_visible(False)
            continue
        axis.bar(labels, [counts[item_id][label] for label in labels], color="#4878a8")
        axis.set_title(item_id)
        axis.tick_params(axis="x", labelrotation=45, labelsize=7)
    figure.tight_layout()
    picture = io.BytesIO()
    figure.savefig(picture, format="png", dpi=100)
    pyplot.close(figure)
    if replace:
        write_atomic(path, picture.getvalue())
    else:  # a path the instructor named (perhaps /dev/stdout): written as named
        path.write_bytes(picture.getvalue())
    return True
