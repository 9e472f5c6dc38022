"""The padding and stride pictures (ex03, ex04): a padded input with its sampling grid.

ex03 draws the grid the learner's own `same_padding` gives next to the expected one; ex04
draws where each window of a strided "same" convolution starts on the padded input. The
expected paddings are data (picture_data.py), never computed here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from grader.i18n import _
from grader.learner.picture_data import Call
from grader.sanitise import clean


def padding_panels(
    call: Callable[[str, tuple, dict], tuple[Any, str]],
    grids: list[Call],
    small: np.ndarray,
    *,
    compare: bool,
) -> list:
    """The row of sampling-grid panels: `grids` are the two `same_padding(size, kernel, stride)`
    calls (height, width) of the picture with their answers; with `compare`, the learner's own
    `same_padding` is called too and its grid drawn first."""
    from grader.learner.pictures import Grid, Panel

    height, width = small.shape
    _size, kernel, stride = grids[0].args
    expected = [tuple(grid.answer) for grid in grids]
    grid = Grid((expected[0][0], expected[1][0]), (height, width), kernel, stride)
    if not compare:
        return [
            Panel(
                _("padded input ('same', stride {stride}): each dot starts a window").format(
                    stride=stride
                ),
                _padded(small, expected),
                grid=grid,
            )
        ]
    label = " / ".join(f"same_padding({', '.join(map(str, grid.args))})" for grid in grids)
    shown = " / ".join(str(pair) for pair in expected)
    panels = [
        Panel(
            _("expected: {call} = {value}").format(call=label, value=shown),
            _padded(small, expected),
            grid=grid,
        )
    ]
    mine = []
    for size in (height, width):
        value, failure = call("same_padding", (size, kernel, stride), {})
        pair, problem = _pair(value, kernel) if not failure else (None, failure)
        if pair is None:
            return [Panel(_("yours: {call}").format(call=label), note=problem), *panels]
        mine.append(pair)
    shown = " / ".join(str(pair) for pair in mine)
    return [
        Panel(
            _("yours: {call} = {value}").format(call=label, value=shown),
            _padded(small, mine),
            grid=Grid((mine[0][0], mine[1][0]), (height, width), kernel, stride),
        ),
        *panels,
    ]


def _pair(value: Any, kernel: int) -> tuple[tuple[int, int] | None, str]:
    """A (before, after) padding the learner returned, checked: two ints from 0 to `kernel`."""
    if (
        isinstance(value, (tuple, list))
        and len(value) == 2
        and all(
            isinstance(part, int) and not isinstance(part, bool) and 0 <= part <= kernel
            for part in value
        )
    ):
        return (int(value[0]), int(value[1])), ""
    return None, _(
        "same_padding returned {value}, not a (before, after) pair of small ints"
    ).format(value=clean(value, 60, single_line=True))


def _padded(image: np.ndarray, padding) -> np.ndarray:
    return np.pad(image.astype(np.float64), padding, constant_values=0.0)
