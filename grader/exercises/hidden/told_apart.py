"""Mistakes that give one answer on a failed case, told apart by a few more calls.

Some cases cannot tell two slips apart: rounding the 'same' size down and padding (F - 1) // 2
on each side both give 7 rows for H = 22, F = 4, S = 3. Rather than name both, a suite asks the
learner's function a small question or two whose answers differ between the slips (made only
once a case has failed, and only when several slips of one kind gave its answer), and names the
one slip those answers show. When they show none, every slip that gave the answer is named, as
`checks.same_answer` words it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any

from grader.checks import Misconception, named_by


def tell_apart(
    misconceptions: Iterable[Misconception],
    got: Any,
    expected: Any,
    slips: Collection[str],
    shown: Callable[[], str | None],
) -> list[Misconception]:
    """`misconceptions` without the `slips` (their sentences, as the suite marks them N_())
    that further calls rule out: when `got` is not `expected` and two or more of `slips` give
    it, `shown()` makes the calls and returns the one slip their answers show (or None); the
    other slips are dropped."""
    misconceptions = list(misconceptions)
    if named_by(got, [Misconception("right", expected)]):  # nothing to tell apart
        return misconceptions
    if len(set(named_by(got, misconceptions)) & set(slips)) < 2:
        return misconceptions
    slip = shown()
    if slip not in slips:
        return misconceptions
    return [m for m in misconceptions if m.feedback == slip or m.feedback not in slips]
