"""Red team: `grade watch` when the watched file is swapped for something else.

Between saves the exercise file becomes a symbolic link to the solution, a link to a file no
learner may read, a FIFO that no writer ever opens (reading it would block the watch forever),
and a folder; each is graded as 0 points with a one-line reason, the watch keeps going, and the
real file saved afterwards is graded in full. Ctrl-C then ends it with 0.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from grader.learner.watch import watch
from grader.sandbox.probe import IsolationProbe
from tests.conftest import SOLUTIONS

FILE = "ex01_convolution.py"


def _swaps(target: Path, seen: list[list[str]], lines: list[str]):
    def replace(make) -> None:
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        elif target.exists() or target.is_symlink():
            target.unlink()
        make()

    for make in (
        lambda: target.symlink_to(SOLUTIONS / FILE),
        lambda: target.symlink_to("/etc/shadow"),
        lambda: os.mkfifo(target),
        lambda: target.mkdir(),
        lambda: shutil.copy(SOLUTIONS / FILE, target),
    ):
        seen.append(list(lines))
        lines.clear()
        replace(make)
        yield {("modified", str(target))}
    seen.append(list(lines))
    raise KeyboardInterrupt


def test_watch_grades_links_fifos_and_folders_as_zero_and_keeps_going(tmp_path, catalogue):
    folder = tmp_path / "exercises"
    folder.mkdir()
    (folder / FILE).write_text(
        "def filter_response(patch, kernel):\n    raise NotImplementedError\n"
    )
    lines: list[str] = []
    seen: list[list[str]] = []
    started = time.monotonic()
    with IsolationProbe() as isolation:
        code = watch(
            catalogue,
            "ex01",
            submission=folder,
            isolation=isolation,
            echo=lines.append,
            clear=lambda: None,
            changes=_swaps(folder / FILE, seen, lines),
        )
    assert code == 0
    assert time.monotonic() - started < 120
    first, to_solution, to_shadow, to_fifo, to_folder, real = ("\n".join(batch) for batch in seen)
    assert "ex01  0 / 10" in first
    for shown, reason in (
        (to_solution, "symbolic link"),
        (to_shadow, "symbolic link"),
        (to_fifo, "not a regular file"),
        (to_folder, ""),
    ):
        assert "ex01  0 / 10" in shown, shown
        assert reason in shown
        assert "root:" not in shown and "def convolve2d" not in shown
    assert "ex01  10 / 10" in real and "full marks" in real
