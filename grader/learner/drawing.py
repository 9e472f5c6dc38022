"""PNG files from checked arrays, with matplotlib's Agg canvas (no display, no pyplot state).

Nothing here calls learner code or sees a learner object: pictures.py hands over float arrays
it has checked, and texts that went through `clean`.
"""

from __future__ import annotations

import io
import os
import secrets
import textwrap
from functools import lru_cache
from pathlib import Path

import numpy as np

from grader.i18n import _

PANEL_INCHES = 2.8
TITLE_COLUMNS = 30
NOTE_COLUMNS = 34
NOTE_LINES = 8
DPI = 100
HANGUL_SAMPLE = "합"
HANGUL_FONT_HINTS = (
    "CJK",
    "Nanum",
    "Gothic",
    "Malgun",
    "Batang",
    "Gulim",
    "Dotum",
    "Hangul",
    "Unfonts",
)


@lru_cache(maxsize=1)
def hangul_font() -> str | None:
    """The name of an installed font that has Hangul, or None (then pictures are labelled in
    English: a font without it would draw boxes)."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    for entry in font_manager.fontManager.ttflist:
        if any(word in entry.name for word in HANGUL_FONT_HINTS):
            try:  # the name is a hint; the font's own character map decides
                if ord(HANGUL_SAMPLE) in FT2Font(entry.fname).get_charmap():
                    return entry.name
            except (OSError, RuntimeError):
                continue
    # matplotlib lists the fonts it found when it built its cache: one installed since (apt-get
    # install fonts-nanum) is on disk but not in that list until it is added.
    hints = tuple(word.lower() for word in HANGUL_FONT_HINTS)
    for path in sorted(font_manager.findSystemFonts()):
        if any(word in Path(path).name.lower() for word in hints):
            try:
                if ord(HANGUL_SAMPLE) in FT2Font(path).get_charmap():
                    font_manager.fontManager.addfont(path)
                    return font_manager.FontProperties(fname=path).get_name()
            except (OSError, RuntimeError):
                continue
    return None


def draw(picture, path: Path) -> Path:
    """Write `picture` (rows of panels) as a PNG at `path`. Texts are drawn as they are: a
    learner's message or layer name with `$...$` is not parsed as mathtext (a syntax error
    there would stop the grader, a deep formula would take its time)."""
    import matplotlib

    with matplotlib.rc_context({"text.parse_math": False, "text.usetex": False}):
        return _draw(picture, path)


def _draw(picture, path: Path) -> Path:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    columns = max(len(row) for row in picture.rows)
    figure = Figure(
        figsize=(PANEL_INCHES * columns, PANEL_INCHES * len(picture.rows) + 0.6),
        layout="constrained",
    )
    FigureCanvasAgg(figure)
    font = hangul_font()
    axes = figure.subplots(len(picture.rows), columns, squeeze=False)
    for row_axes, row in zip(axes, picture.rows):
        for position, ax in enumerate(row_axes):
            if position >= len(row):
                ax.axis("off")
            else:
                _panel(figure, ax, row[position], font)
    figure.suptitle(
        _wrapped(f"{picture.exercise_id}: {_(picture.verdict)}", 90),
        fontsize=10,
        fontfamily=font or "sans-serif",
    )
    data = io.BytesIO()
    figure.savefig(data, dpi=DPI, format="png")
    write_file(path, data.getvalue())
    return path


class NotWritten(Exception):
    """A picture, or its folder, could not be written: (file, reason)."""


def write_file(path: Path, data: bytes) -> None:
    """Write `data` as a new file that then takes `path`'s place: whatever was there (a symbolic
    link, a FIFO, a file) is replaced, never followed or opened. NotWritten if it cannot be."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        handle = os.open(
            temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644
        )
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise NotWritten(path, error.strerror or str(error)) from None


def _panel(figure, ax, panel, font: str | None) -> None:
    family = font or "sans-serif"
    ax.set_title(_wrapped(panel.title, TITLE_COLUMNS), fontsize=8, fontfamily=family)
    ax.set_xticks([])
    ax.set_yticks([])
    if panel.curve is not None:
        from matplotlib.ticker import AutoLocator, MaxNLocator

        ax.plot(range(1, len(panel.curve) + 1), panel.curve, marker="o", markersize=3)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_locator(AutoLocator())
        ax.set_xlabel("epoch", fontsize=7)
        ax.tick_params(labelsize=7)
        return
    if panel.layers is not None:
        _layers(ax, panel.layers, family)
        return
    if panel.image is None:
        note = "\n".join(_wrapped(panel.note, NOTE_COLUMNS).splitlines()[:NOTE_LINES])
        ax.text(
            0.5,
            0.5,
            note,
            ha="center",
            va="center",
            fontsize=7,
            transform=ax.transAxes,
            fontfamily=family,
        )
        return
    if panel.diverging:
        limit = float(np.nanmax(np.abs(panel.image))) if np.isfinite(panel.image).any() else 1.0
        shown = ax.imshow(panel.image, cmap="coolwarm", vmin=-(limit or 1.0), vmax=limit or 1.0)
        figure.colorbar(shown, ax=ax, shrink=0.7)
    else:
        ax.imshow(panel.image, cmap="gray", interpolation="nearest")
    if panel.note:
        ax.set_xlabel(_wrapped(panel.note, NOTE_COLUMNS), fontsize=7, fontfamily=family)
    if panel.grid is not None:
        _grid(ax, panel.grid, panel.image.shape)


def _layers(ax, layers: list[tuple[str, str]], family: str) -> None:
    """A column of boxes, the input on top: each layer with its output shape, arrows between."""
    ax.set_axis_off()
    step = 1.0 / max(len(layers), 1)
    for position, (layer, shape) in enumerate(layers):
        y = 1.0 - (position + 0.5) * step
        ax.text(
            0.5,
            y,
            f"{textwrap.shorten(layer, 40)}\n-> {shape}",
            ha="center",
            va="center",
            fontsize=6,
            fontfamily=family,
            transform=ax.transAxes,
            bbox={"boxstyle": "round", "facecolor": "#eef3fb", "edgecolor": "#5b7bb5"},
        )
        if position:
            ax.annotate(
                "",
                xy=(0.5, y + step * 0.32),
                xytext=(0.5, y + step * 0.68),
                xycoords="axes fraction",
                arrowprops={"arrowstyle": "->", "color": "#5b7bb5"},
            )


def _grid(ax, grid, padded_shape: tuple[int, int]) -> None:
    """The original image's outline, a dot where each window starts, the first window outlined."""
    from matplotlib.patches import Rectangle

    (top, left), (height, width) = grid.before, grid.size
    ax.add_patch(
        Rectangle(
            (left - 0.5, top - 0.5), width, height, fill=False, edgecolor="gold", linewidth=1.2
        )
    )
    rows = range(0, padded_shape[0] - grid.kernel + 1, grid.stride)
    columns = range(0, padded_shape[1] - grid.kernel + 1, grid.stride)
    points = [(column, row) for row in rows for column in columns]
    if points:
        xs, ys = zip(*points)
        ax.scatter(xs, ys, s=6, color="red")
        ax.add_patch(
            Rectangle(
                (-0.5, -0.5),
                grid.kernel,
                grid.kernel,
                fill=False,
                edgecolor="red",
                linewidth=1.0,
                linestyle="--",
            )
        )


def _wrapped(text: str, columns: int) -> str:
    return "\n".join(textwrap.fill(line, columns) for line in str(text).splitlines() or [""])
