"""`grade report --html` as a browser shows it: Debian's Chromium, headless, takes one screenshot of
the page (in Korean), and the test looks at it: the page rendered, each chart drawn where the page
puts it, and the Korean title drawn as Hangul, not as the boxes of a font that lacks it.

How the Hangul is judged: the title "반 보고서" is cut into its glyphs (runs of inked columns)
and their shapes compared. Drawn with a font that has Hangul, its syllables differ; drawn
without one, every glyph is the same missing-glyph box (`test_boxes_are_told_from_glyphs`
checks the judge itself on both, drawn by matplotlib). `.ci/run` installs Chromium and
fonts-nanum, so CI always runs this; elsewhere it is skipped when Chromium is not installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import numpy as np
import pytest

from grader.instructor.classplots import CORRECT_COLOUR, SCORE_COLOUR, TOTAL_COLOUR
from tests.conftest import SOLUTIONS, run_grade
from tests.instructor.classes import learner
from tests.instructor.reported_class import KEY, answers, quiz_answers

BROWSERS = ("chromium", "chromium-browser")
WINDOW = (1200, 9000)  # tall enough for the whole page of a small class
BROWSER_TIMEOUT = 120  # seconds: one page on a busy machine
COLOUR_TOLERANCE = 12  # per channel: antialiased edges aside, a bar is one flat colour
INK = 128  # a pixel darker than this (0-255) is text
TITLE = "반 보고서"


def browser() -> str:
    found = next((shutil.which(name) for name in BROWSERS if shutil.which(name)), None)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: .ci/run installs it (apt-get install chromium)")
        pytest.skip(
            "Chromium is not installed (apt-get install chromium): the page is not rendered"
        )
    return found


@pytest.fixture(scope="module")
def screenshot(tmp_path_factory) -> np.ndarray:
    """The Korean page of a small class, as Chromium draws it (RGB, one row per pixel row)."""
    from PIL import Image

    chromium = browser()
    root = tmp_path_factory.mktemp("browser")
    folder = root / "class"
    quiz_answers(learner(folder / "alice", ex01=SOLUTIONS, ex04=SOLUTIONS), KEY)
    quiz_answers(folder / "minsu", answers(task_detection="a"))
    roster = root / "roster.csv"
    roster.write_text("folder,name\nalice,Alice\nminsu,김민수\nerin,Erin\n", encoding="utf-8")
    out = root / "out"
    run_grade("batch", folder, "--out", out, "--roster", roster, "--seed", "4")
    page = root / "report.html"
    run = run_grade("report", out, "--html", page, "--png", root / "c.png", "--lang", "ko")
    assert run.exit_code == 0, run.stderr
    picture = root / "page.png"
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            f"--user-data-dir={root / 'profile'}",
            f"--window-size={WINDOW[0]},{WINDOW[1]}",
            f"--screenshot={picture}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=BROWSER_TIMEOUT,
    )
    return np.asarray(Image.open(picture).convert("RGB")).astype(int)


def rows_of(image: np.ndarray, colour: str) -> np.ndarray:
    """The pixel rows where `colour` (#rrggbb) is drawn."""
    wanted = np.array([int(colour[index : index + 2], 16) for index in (1, 3, 5)])
    matches = np.all(np.abs(image - wanted) <= COLOUR_TOLERANCE, axis=2)
    return np.nonzero(matches)[0]


def glyph_shapes(ink: np.ndarray) -> list[tuple[int, int, int]]:
    """(width, height, inked pixels) of each run of inked columns in a line of text."""
    columns = ink.any(axis=0)
    shapes, start = [], None
    for index, inked in enumerate([*columns, False]):
        if inked and start is None:
            start = index
        elif not inked and start is not None:
            glyph = ink[:, start:index]
            rows = np.nonzero(glyph.any(axis=1))[0]
            shapes.append((index - start, int(rows[-1] - rows[0] + 1), int(glyph.sum())))
            start = None
    return shapes


def distinct_shapes(shapes: list[tuple[int, int, int]]) -> int:
    """How many different glyphs: two are the same when their size is within a pixel and their ink
    within a tenth (one box drawn at another sub-pixel offset)."""
    kinds: list[tuple[int, int, int]] = []
    for width, height, ink in shapes:
        if not any(
            abs(width - w) <= 1 and abs(height - h) <= 1 and abs(ink - i) <= 0.1 * max(ink, i)
            for w, h, i in kinds
        ):
            kinds.append((width, height, ink))
    return len(kinds)


def first_line(image: np.ndarray) -> np.ndarray:
    """The ink of the page's first line of text (its title), as booleans."""
    ink = image.mean(axis=2) < INK
    rows = np.nonzero(ink.any(axis=1))[0]
    assert rows.size, "the page is blank"
    end = rows[0]
    while end < ink.shape[0] and ink[end].any():
        end += 1
    return ink[rows[0] : end]


@pytest.mark.slow  # grades a class of two and starts a browser
def test_the_page_renders(screenshot):
    assert screenshot.shape[1] == WINDOW[0]
    not_white = np.any(screenshot < 245, axis=2).mean()
    assert not_white > 0.02, f"only {not_white:.1%} of the page is drawn on"


@pytest.mark.slow  # grades a class of two and starts a browser
def test_every_chart_is_drawn_where_the_page_puts_it(screenshot):
    total, items, quiz = (
        rows_of(screenshot, colour) for colour in (TOTAL_COLOUR, SCORE_COLOUR, CORRECT_COLOUR)
    )
    assert total.size > 500 and items.size > 500 and quiz.size > 500, (
        total.size,
        items.size,
        quiz.size,
    )
    # the total's chart, then one per item, then the quiz questions' (and nothing drawn twice)
    assert total.max() < items.min() and items.max() < quiz.min()


@pytest.mark.slow  # grades a class of two and starts a browser
def test_the_korean_title_is_drawn_as_hangul(screenshot):
    shapes = glyph_shapes(first_line(screenshot))
    assert len(shapes) >= len(TITLE.replace(" ", "")), shapes
    assert distinct_shapes(shapes) >= 3, f"the title's glyphs all look alike (boxes?): {shapes}"


def test_boxes_are_told_from_glyphs(tmp_path):
    """The judge above, on the title drawn by matplotlib with a font that has Hangul and with
    one that has not (DejaVu Sans, which draws a box for each syllable)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from grader.learner.drawing import hangul_font

    def drawn(font: str) -> np.ndarray:
        figure = Figure(figsize=(4, 1), dpi=100)
        canvas = FigureCanvasAgg(figure)
        figure.text(0.05, 0.4, TITLE, fontsize=24, family=font)
        canvas.draw()
        return np.asarray(canvas.buffer_rgba())[:, :, :3].astype(int)

    with pytest.warns(UserWarning, match="missing from"):
        boxes = glyph_shapes(first_line(drawn("DejaVu Sans")))
    assert len(boxes) == 4 and distinct_shapes(boxes) == 1
    font = hangul_font()
    if font is not None:
        assert distinct_shapes(glyph_shapes(first_line(drawn(font)))) >= 3
