"""Notebooks handed in: only code cells' definitions are ever run, and only in the jail.

Code hidden in outputs, metadata, markdown or raw cells is never read; IPython magics and shell
lines are dropped, never run; a function defined twice is graded as the kernel would use it;
a huge notebook or JSON of another kind costs the exercises it would have given, nothing more.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import SOLUTIONS, run_grade
from tests.notebooks.builders import code_cell, notebook, write_notebook

EX01_SOLUTION = (SOLUTIONS / "ex01_convolution.py").read_text(encoding="utf-8")
STUB_CONVOLVE = "def convolve2d(image, kernel):\n    raise NotImplementedError('ex01')"
FILTER_RESPONSE = "import numpy as np\ndef filter_response(patch, kernel):\n    return float(np.sum(np.multiply(patch, kernel)))"


def graded(path, *ids: str) -> dict:
    run = run_grade(*ids, "--submission", path, "--format", "json")
    assert run.exit_code in (0, 1), run.stderr
    return {item["id"]: item for item in run.json()["exercises"]}


def test_code_in_outputs_metadata_and_other_cells_is_never_run_nor_graded(tmp_path):
    sentinel = tmp_path / "ran"
    payload = f"{EX01_SOLUTION}\nopen({str(sentinel)!r}, 'w').write('ran')\n"
    output = {"output_type": "stream", "name": "stdout", "text": payload}
    cells = [
        code_cell(FILTER_RESPONSE, outputs=[output], metadata={"source": payload}),
        {"cell_type": "markdown", "metadata": {}, "source": f"```python\n{payload}```"},
        {"cell_type": "raw", "metadata": {}, "source": payload},
        code_cell(STUB_CONVOLVE, metadata={"tags": ["solution"], "code": payload}),
    ]
    path = write_notebook(tmp_path / "work.ipynb", *cells, metadata={"solution": payload})
    ex01 = graded(path, "ex01")["ex01"]
    passed = {test["name"].split(":")[0] for test in ex01["tests"] if test["status"] == "passed"}
    assert passed == {"filter_response"}  # convolve2d's hidden solutions earned nothing
    assert 0 < ex01["score"] < ex01["max_score"]
    assert not sentinel.exists()


def test_magics_that_would_run_shell_commands_are_dropped_and_named(tmp_path):
    sentinels = [tmp_path / f"shell{number}" for number in range(5)]
    cells = [
        EX01_SOLUTION,
        f"!touch {sentinels[0]}\n%system touch {sentinels[1]}\nfiles = !touch {sentinels[2]}",
        f"%%bash\ntouch {sentinels[3]}",
        f"get_ipython().system('touch {sentinels[4]}')",  # Python, but not a definition
    ]
    ex01 = graded(write_notebook(tmp_path / "work.ipynb", *cells), "ex01")["ex01"]
    assert ex01["score"] == ex01["max_score"]
    assert not any(path.exists() for path in sentinels)
    note = ex01["note"]
    for where in ("cell 2, line 1", "cell 2, line 2", "cell 2, line 3", "cell 3: the cell magic"):
        assert where in note


def test_a_function_defined_twice_is_graded_as_its_later_definition(tmp_path):
    wrong = "def convolve2d(image, kernel):\n    return np.zeros((1, 1))"
    path = write_notebook(tmp_path / "work.ipynb", EX01_SOLUTION, wrong)
    ex01 = graded(path, "ex01")["ex01"]
    assert ex01["score"] < ex01["max_score"]
    assert (
        "convolve2d is defined 2 times (cells 1, 2); the last one, in cell 2, is graded"
        in ex01["note"]
    )


@pytest.mark.slow
def test_a_huge_notebook_or_other_json_costs_only_the_exercises_it_would_give(tmp_path):
    folder = tmp_path / "upload"
    folder.mkdir()
    (folder / "ex01_convolution.py").write_text(EX01_SOLUTION, encoding="utf-8")
    big = notebook("def zero_pad(x, pad):\n    return x")
    big["metadata"] = {"padding": "x" * (17 << 20)}
    (folder / "big.ipynb").write_text(json.dumps(big), encoding="utf-8")
    (folder / "map.ipynb").write_text(json.dumps({"type": "FeatureCollection"}), encoding="utf-8")
    items = graded(folder, "ex01", "ex03")
    assert items["ex01"]["score"] == items["ex01"]["max_score"]  # its .py file, graded as ever
    assert items["ex03"]["score"] == 0 and items["ex03"]["status"] != "not_attempted"
    feedback = items["ex03"]["tests"][0]["feedback"]
    assert (
        "big.ipynb is larger than" in feedback or "map.ipynb is not a Jupyter notebook" in feedback
    )


def test_a_broken_notebook_given_as_the_submission_is_one_line_and_exit_code_2(tmp_path):
    path = tmp_path / "work.ipynb"
    path.write_text('{"name": "package", "version": "1.0.0"}', encoding="utf-8")
    run = run_grade("ex01", "--submission", path)
    assert run.exit_code == 2
    assert run.stderr.strip().splitlines() == [
        "Error: work.ipynb is not a Jupyter notebook the grader can read (it is JSON, but not a "
        "valid notebook); save it again from Jupyter or Colab (File > Download > .ipynb)"
    ]
