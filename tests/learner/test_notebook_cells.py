"""grader/learner/notebook.py's `%grade --cells`: the notebook's own cells graded, never run here."""

from __future__ import annotations

import json

import nbformat
import pytest

from grader.errors import InputError
from grader.learner.notebook import _without_own_lines, cells_notebook, grade_magic, parse_line
from grader.notebooks.read import read_notebook
from tests.conftest import SOLUTIONS

EX01_SOLUTION = (SOLUTIONS / "ex01_convolution.py").read_text(encoding="utf-8")


def test_the_cells_flag_is_parsed_and_excludes_submission():
    assert parse_line("ex01 --cells --no-pictures")[1]["cells"] is True
    assert parse_line("ex01")[1]["cells"] is False
    answer = grade_magic("ex01 --cells --submission work.ipynb")
    assert answer.report is None and "either --cells or --submission" in answer.error


def test_the_kernels_inputs_become_a_valid_notebook_without_the_grading_lines():
    inputs = ["%load_ext grader", EX01_SOLUTION, "%grade ex01 --cells\nx = 1"]
    notebook = cells_notebook(inputs)
    for cell in notebook["cells"]:
        cell["source"] = _without_own_lines(cell["source"])
    nbformat.validate(nbformat.from_dict(notebook))
    code = read_notebook(json.dumps(notebook).encode(), "notebook.ipynb")
    assert [cell.text for cell in code.cells][::2] == ["", "x = 1"]  # no note about %grade itself
    assert not any(cell.notes for cell in code.cells)


def test_cells_outside_a_kernel_is_one_line():
    answer = grade_magic("ex01 --cells")
    assert answer.report is None and "inside Jupyter or Colab" in answer.error
    with pytest.raises(InputError):
        parse_line("--cells")


@pytest.mark.slow
def test_a_kernel_grades_the_functions_its_cells_defined(tmp_path):
    from nbclient import NotebookClient

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("%load_ext grader"),
        nbformat.v4.new_code_cell("%matplotlib inline\n" + EX01_SOLUTION),
        nbformat.v4.new_code_cell("print(convolve2d(np.ones((3, 3)), np.ones((2, 2))))"),
        nbformat.v4.new_code_cell("%grade ex01 --cells --no-pictures"),
    ]
    NotebookClient(
        notebook,
        timeout=240,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    shown = "".join(
        output.get("data", {}).get("text/html", "") for output in notebook.cells[3].outputs
    )
    assert "ex01 10 / 10" in shown, shown[:2000]
    assert "left out" in shown  # the %matplotlib line, named
