"""Precision and recall of `grade similar` on a class with planted copies and honest solutions.

The class (tests/instructor/similarity_class.py): four families of independently written
solutions (the course's solutions, honest loops, a vectorised set and a set with helpers of its
own: eight exercises for the first two, ex01, ex03 and ex05 for the others), each written into
the course's stubs, and five planted copies of every family: local variables renamed, functions
reordered, comments removed and others added, whitespace changed, and all four at once; plus a
learner who handed in the untouched stubs. Two learners of one family are a copy (a true pair),
of two families independent. For each threshold on the similarity (the larger of the two files'
shares of copied tokens) and on the shared tokens, it prints precision (flagged pairs that are
copies) and recall (copies flagged), then the figures at grade similar's defaults and the
margin between the closest independent pair and the least alike copy, exercise by exercise.

    python benchmarks/similarity.py

Exit code 1 if the defaults flag an independent pair or miss a copy.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.course.catalogue import load_catalogue  # noqa: E402
from grader.instructor.similar import MIN_SHARED, THRESHOLD, compare_class, is_flagged  # noqa: E402
from tests.instructor.similarity_class import DISGUISES, FAMILIES, build_class, is_copy  # noqa: E402

THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
MIN_SHARED_TOKENS = (0, 60, 120)


def scores(pairs, family_of, threshold, min_shared, positives):
    flagged = [pair for pair in pairs if is_flagged(pair, threshold, min_shared)]
    true = sum(is_copy(family_of, pair.learner_a, pair.learner_b) for pair in flagged)
    precision = true / len(flagged) if flagged else 1.0
    return precision, true / positives, len(flagged) - true, positives - true


def main() -> int:
    catalogue = load_catalogue()
    with tempfile.TemporaryDirectory() as scratch:
        family_of = build_class(Path(scratch) / "class", list(FAMILIES), list(DISGUISES))
        comparison = compare_class(Path(scratch) / "class", catalogue)
    positives = sum(
        is_copy(family_of, a, b)
        for item in comparison.sources.values()
        for a in item
        for b in item
        if a < b
    )
    compared = sum(len(item) * (len(item) - 1) // 2 for item in comparison.sources.values())
    print(f"{len(family_of) + 1} learners, {compared} pairs compared, {positives} of them copies")
    print(
        f"{'threshold':>9} {'min shared':>10} {'precision':>9} {'recall':>7} {'false +':>7} {'missed':>6}"
    )
    for threshold in THRESHOLDS:
        for min_shared in MIN_SHARED_TOKENS:
            precision, recall, false_positive, missed = scores(
                comparison.pairs, family_of, threshold, min_shared, positives
            )
            print(
                f"{threshold:>9.2f} {min_shared:>10} {precision:>9.3f} {recall:>7.3f} {false_positive:>7} {missed:>6}"
            )
    print("\nper exercise: closest independent pair, least alike copy (similarity, shared tokens)")
    for item in comparison.sources:
        pairs = [pair for pair in comparison.pairs if pair.item == item]
        honest = [pair for pair in pairs if not is_copy(family_of, pair.learner_a, pair.learner_b)]
        copies = [pair for pair in pairs if is_copy(family_of, pair.learner_a, pair.learner_b)]
        if not copies:
            continue
        closest = max(honest, key=lambda pair: pair.similarity, default=None)
        least = min(copies, key=lambda pair: pair.similarity)
        shown = f"{closest.similarity:.2f} ({closest.shared_tokens})" if closest else "none"
        print(f"  {item}: independent {shown}, copy {least.similarity:.2f} ({least.shared_tokens})")
    precision, recall, false_positive, missed = scores(
        comparison.pairs, family_of, THRESHOLD, MIN_SHARED, positives
    )
    print(
        f"\ndefaults (similarity >= {THRESHOLD}, shared >= {MIN_SHARED} tokens): "
        f"precision {precision:.3f}, recall {recall:.3f} ({false_positive} independent pairs "
        f"flagged, {missed} copies missed)"
    )
    return 0 if false_positive == 0 and missed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
