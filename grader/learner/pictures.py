"""Pictures of a learner's results: their functions run on a photograph, in the sandbox.

For ex01-ex05 the calls to make on a real photograph, and the expected answer of each, are data
computed on the course's side (picture_data.py: the release's data file, or the hidden
references in the course repository); no code here computes an answer. The learner's functions
run only in their exercise's worker (`WorkerClient`, as in grading); what comes back is checked
here (type, numeric dtype, shape, size, finiteness) before drawing.py draws it next to the
expected result, with the difference when they disagree.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from grader.course.catalogue import Catalogue, Exercise
from grader.errors import InputError
from grader.failures import GradingFailure
from grader.grading.runner import IsolationSource, read_learner_file
from grader.i18n import N_, _, language
from grader.learner.picture_data import Call, PictureSet, picture_set
from grader.sandbox.client import WorkerClient
from grader.sandbox.launch import make_scratch, prepare
from grader.sanitise import clean
from grader.submission import Submission

MAX_RETURNED_CELLS = 1 << 20  # a returned array larger than this is not drawn
LARGEST_DRAWN = (
    1e300  # magnitudes past this are drawn as this: matplotlib's ranges overflow near 1e308
)
TOLERANCE = 1e-5  # the course's relative tolerance (docs/design.md#array-conventions)
MODEL_EXERCISE = "ex07"  # its picture: the training curve and the layer diagram (model_picture.py)
MODEL_VERDICT = N_("the grader's own training run of your model")
ARGUMENT_NAMES = {
    "photo": N_("photo"),
    "emboss": N_("emboss kernel"),
    "emboss_layer": N_("emboss kernel"),
    "edge_map": N_("edge map"),
}  # the data's arrays, as a call's label names them
PARTS = ("gx", "gy", "magnitude")  # a tuple answer's parts (sobel_edges)


@dataclass
class Grid:
    """A sampling grid over a padded input: where each window of `kernel` cells starts."""

    before: tuple[int, int]
    size: tuple[int, int]
    kernel: int
    stride: int


@dataclass
class Panel:
    title: str
    image: np.ndarray | None = None
    note: str = ""  # why there is no image (the learner's failure), or a remark
    grid: Grid | None = None
    diverging: bool = False
    curve: list[float] | None = None  # a line plot (ex07's loss per epoch)
    layers: list[tuple[str, str]] | None = None  # a layer diagram: (layer, output shape) rows


@dataclass
class Picture:
    """One PNG: its panels, and the one-line verdict the report gives next to its file name."""

    exercise_id: str
    name: str
    rows: list[list[Panel]] = field(default_factory=list)
    verdict: str = ""
    path: Path | None = None


@dataclass
class Comparison:
    """One learner call and its expected answer: `pick` takes the compared part of the result."""

    label: str
    call: str
    args: tuple
    kwargs: dict
    expected: np.ndarray
    pick: Callable[[Any], Any] = lambda value: value


def checked(value: Any, expected: np.ndarray) -> tuple[np.ndarray | None, str]:
    """A returned value as a float array fit to draw, or None and why not (for the learner)."""
    if isinstance(value, (list, tuple)) and len(value) <= MAX_RETURNED_CELLS:
        try:
            value = np.asarray(value)
        except ValueError:
            return None, _("your function returned a list that is not an array")
    if not isinstance(value, np.ndarray):
        return None, _("your function returned {kind}, not an array").format(
            kind=clean(type(value).__name__, 40, single_line=True)
        )
    if value.dtype.kind not in "biuf":
        return None, _("your array holds {dtype}, not numbers").format(dtype=clean(value.dtype, 40))
    if value.size > MAX_RETURNED_CELLS or value.shape != expected.shape:
        return None, _("your result has shape {shape}; expected {expected}").format(
            shape=clean(value.shape, 60), expected=expected.shape
        )
    values = value.astype(np.float64)
    finite = np.isfinite(values)
    values = np.where(finite, np.clip(values, -LARGEST_DRAWN, LARGEST_DRAWN), np.nan)
    if not finite.all():
        return values, _("your result holds inf or nan")
    return values, ""


def plans(data: PictureSet) -> dict[str, list[Comparison]]:
    """The comparisons each exercise's picture makes, with the expected answers of the data."""
    planned: dict[str, list[Comparison]] = {}
    for call in data.calls:
        if call.grid:
            continue
        label = call_label(call)
        if isinstance(call.answer, tuple):  # one picture per part: sobel_edges -> gx, gy, magnitude
            comparisons = [
                Comparison(
                    f"{label} -> {PARTS[index]}",
                    call.function,
                    call.args,
                    call.kwargs,
                    _shown(part),
                    _part(index),
                )
                for index, part in enumerate(call.answer)
            ]
        else:
            comparisons = [
                Comparison(
                    label, call.function, call.args, call.kwargs, _shown(call.answer), _first_map
                )
            ]
        planned.setdefault(call.exercise, []).extend(comparisons)
    return planned


def call_label(call: Call) -> str:
    """`convolve2d(photo, emboss kernel)`: the call as a picture's title shows it."""
    names = [_(ARGUMENT_NAMES[name]) if name in ARGUMENT_NAMES else name for name in call.arg_names]
    names += [f"{key}={value!r}" for key, value in call.kwargs.items()]
    return f"{call.function}({', '.join(names)})"


def _shown(answer: np.ndarray) -> np.ndarray:
    """The part of an answer a picture draws: the one map of a (1, H, W, 1) batch, as floats."""
    answer = np.asarray(answer, dtype=np.float64)
    return answer[0, :, :, 0] if answer.ndim == 4 else answer


def _part(index: int) -> Callable[[Any], Any]:
    return lambda value: (
        value[index] if isinstance(value, (tuple, list)) and len(value) == 3 else value
    )


def _first_map(value: Any) -> Any:
    """(1, H, W, 1) -> (H, W); anything else is left for `checked` to refuse."""
    if (
        isinstance(value, np.ndarray)
        and value.ndim == 4
        and value.shape[0] == 1
        and value.shape[3] == 1
    ):
        return value[0, :, :, 0]
    return value


def learner_pictures(
    catalogue: Catalogue,
    item_ids: list[str],
    *,
    submission: Path,
    isolation: IsolationSource,
    out_dir: Path,
    run_seed: int = 0,
) -> list[Picture]:
    """Draw a picture for every exercise among `item_ids` that has one; PNG files in `out_dir`."""
    from grader.learner import drawing

    exercises = [item for item in catalogue.select(item_ids) if isinstance(item, Exercise)]
    # Labels in the learner's language where a font can draw it; English otherwise.
    try:
        with language(None if drawing.hangul_font() else "en"):
            return _draw_all(
                exercises,
                submission=submission,
                isolation=isolation,
                out_dir=out_dir,
                run_seed=run_seed,
            )
    except drawing.NotWritten as failure:  # said in the learner's language, whatever the labels'
        raise InputError(
            _("cannot write the picture {file}: {reason}").format(
                file=failure.args[0], reason=failure.args[1]
            )
        ) from None


def picture_lines(pictures: list[Picture]) -> list[str]:
    """The report's lines naming each file, with its verdict."""
    if not pictures:
        return [_("Pictures: none of these exercises has one (ex01-ex05 and ex07 do).")]
    return [_("Pictures:")] + [f"  {picture.path}  {_(picture.verdict)}" for picture in pictures]


def _draw_all(
    exercises: list[Exercise],
    *,
    submission: Path,
    isolation: IsolationSource,
    out_dir: Path,
    run_seed: int,
) -> list[Picture]:
    from grader.learner import drawing
    from grader.learner.padding import padding_panels

    data = picture_set()
    planned = plans(data)
    learner = Submission.open(submission)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:  # a file, or a link to nowhere, where the folder should be
        raise drawing.NotWritten(out_dir, error.strerror or str(error)) from None
    pictures = []
    for exercise in (item for item in exercises if item.id in planned or item.id == MODEL_EXERCISE):
        picture = Picture(
            exercise.id, f"{exercise.id}_{Path(exercise.file).stem.split('_', 1)[-1]}"
        )
        with _worker(exercise, learner, isolation) as worker:
            if exercise.id == MODEL_EXERCISE:
                from grader.learner.model_picture import model_rows

                picture.rows = model_rows(worker.client, exercise, run_seed)
            for comparison in planned.get(exercise.id, []):
                picture.rows.append(_compare(worker.call, comparison))
            if exercise.id in planned:
                picture.rows[0].insert(
                    0, Panel(_("input"), _shown(data.of(exercise.id)[0].args[0]))
                )
            grids = data.of(exercise.id, grid=True)
            if grids:
                small = picture.rows[0][0].image
                assert small is not None  # the input panel, inserted above
                picture.rows.append(
                    padding_panels(
                        worker.call,
                        grids,
                        small,
                        compare="same_padding" in exercise.functions,
                    )
                )
        picture.verdict = MODEL_VERDICT if exercise.id == MODEL_EXERCISE else _verdict(picture)
        picture.path = out_dir / f"{picture.name}.png"
        drawing.draw(picture, picture.path)
        pictures.append(picture)
    return pictures


class _worker:
    """A fresh worker of `exercise` for one picture: `call(name, args, kwargs)` gives (value, '')
    or (None, the failure's feedback); `client` is None when the file cannot be run."""

    def __init__(self, exercise: Exercise, learner: Submission, isolation: IsolationSource):
        self.exercise, self.learner, self.isolation = exercise, learner, isolation
        self.scratch: Path | None = None
        self.client: WorkerClient | None = None
        self.blocked = ""

    def __enter__(self) -> _worker:
        content = read_learner_file(self.learner, self.exercise)
        if isinstance(content, GradingFailure):
            self.blocked = content.feedback
        else:
            self.scratch = make_scratch("pictures-")
            self.client = WorkerClient(
                prepare(self.exercise, content, self.scratch), self.exercise, self.isolation.get()
            )
        return self

    def call(self, name: str, args: tuple, kwargs: dict) -> tuple[Any, str]:
        if self.client is None:
            return None, self.blocked
        try:
            return self.client.call(name, args, kwargs, description=name), ""
        except GradingFailure as failure:
            return None, failure.feedback

    def __exit__(self, *exc_info: object) -> None:
        if self.client is not None:
            self.client.close()
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)


def _compare(call, comparison: Comparison) -> list[Panel]:
    value, failure = call(comparison.call, comparison.args, comparison.kwargs)
    if failure:
        return [
            Panel(_("yours: {call}").format(call=comparison.label), note=failure),
            Panel(_("expected"), comparison.expected),
        ]
    yours, problem = checked(comparison.pick(value), comparison.expected)
    panels = [
        Panel(_("yours: {call}").format(call=comparison.label), yours, note=problem),
        Panel(_("expected"), comparison.expected),
    ]
    if yours is not None and not _agrees(yours, comparison.expected):
        panels.append(
            Panel(_("difference (yours - expected)"), yours - comparison.expected, diverging=True)
        )
    return panels


def _agrees(yours: np.ndarray, expected: np.ndarray) -> bool:
    return bool(
        np.allclose(
            yours, expected, rtol=TOLERANCE, atol=TOLERANCE * max(np.abs(expected).max(), 1)
        )
    )


def _verdict(picture: Picture) -> str:
    """The verdict's English text (translated where it is shown, in the picture and the report)."""
    panels = [panel for row in picture.rows for panel in row]
    if any(panel.diverging for panel in panels):
        return N_("your result differs from the expected one: see the difference image")
    if any(panel.note for panel in panels):
        return N_("some of your results could not be drawn (see the picture)")
    return N_("your results match the expected ones")
