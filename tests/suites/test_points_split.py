"""Where each exercise's points come from: most from cases drawn from the run's seed, so that
a table of answers (every public case, every fixed hidden case) earns at most a fifth.

`points_split` runs the suites in this process with the solutions standing in for a learner,
under two seeds: a hidden test whose answered calls are the same under both checks fixed
cases only, and a table could pass it; one with a call that changes checks generated cases.
tests/attacks/test_replay.py grades real replay files end to end.
"""

from __future__ import annotations

import pytest

from grader.course.catalogue import load_catalogue
from tests.conftest import SOLUTIONS
from tests.suites.recording import points_split

REPLAYABLE = [exercise.id for exercise in load_catalogue().exercises if not exercise.tensorflow]
TABLE_SHARE = 0.2  # the most a table of answers may earn of an exercise
GENERATED_SHARE = 0.75  # the least that rests on generated cases


@pytest.mark.parametrize("exercise_id", REPLAYABLE)
def test_most_points_rest_on_generated_cases(exercise_id):
    split = points_split(exercise_id, SOLUTIONS, (11, 4242))
    total = sum(split.values())
    assert total == load_catalogue().item(exercise_id).points
    assert split["public"] + split["fixed"] <= TABLE_SHARE * total, split
    assert split["generated"] >= GENERATED_SHARE * total, split


def test_the_split_sees_fixed_cases():
    """Under one seed twice every hidden test checks the same cases: all of them count as fixed."""
    split = points_split("ex09", SOLUTIONS, (11, 11))
    assert split["generated"] == 0 and split["fixed"] == sum(split.values()) - split["public"] > 0
