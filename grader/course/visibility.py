"""When learners see a test's result on Gradescope: per item of the catalogue, public and hidden.

Gradescope shows each test of results.json according to its `visibility` ("visible",
"after_due_date", "after_published" or "hidden"), and hides a learner's total while any test
that counts is not yet visible. Exercises show their public tests at once and their hidden
tests after the due date; a quiz's every question carries its answer and explanation, so a
quiz shows nothing before the due date. `gradescope:` in course.yaml (under `defaults`, an
exercise or a quiz) changes that.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

GRADESCOPE_VISIBILITIES = ("visible", "after_due_date", "after_published", "hidden")
SHOWN_AT_ONCE = "visible"


@dataclass(frozen=True)
class Visibility:
    """Gradescope visibility of an item's public tests and of its hidden tests."""

    public: str = SHOWN_AT_ONCE
    hidden: str = "after_due_date"

    def of(self, test_visibility: str) -> str:
        """The Gradescope visibility of a test whose own visibility is "public" or "hidden"."""
        return self.public if test_visibility == "public" else self.hidden


EXERCISE_VISIBILITY = Visibility()
QUIZ_VISIBILITY = Visibility(public="after_due_date", hidden="after_due_date")


def parse_visibility(
    data: Any, base: Visibility, where: str, expect: Callable[[Any, str, str], None]
) -> Visibility:
    """`gradescope: {public: ..., hidden: ...}` over `base`; `expect` raises the caller's error."""
    expect(
        isinstance(data, dict),
        where,
        "'gradescope' must be a mapping with 'public' and/or 'hidden'",
    )
    unknown = sorted(str(key) for key in data if key not in ("public", "hidden"))
    expect(
        not unknown, where, f"'gradescope' takes 'public' and 'hidden', not {', '.join(unknown)}"
    )
    for key, value in data.items():
        expect(
            value in GRADESCOPE_VISIBILITIES,
            where,
            f"'gradescope.{key}' must be one of {', '.join(GRADESCOPE_VISIBILITIES)}, not {value!r}",
        )
    return replace(base, **data)
