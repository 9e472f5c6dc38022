"""grader/notebooks/extract.py: an exercise's file is its functions and what they use, nothing else."""

from __future__ import annotations

import ast

from grader.notebooks.extract import defines, exercise_code
from grader.notebooks.read import from_cell_sources

EX01 = ("filter_response", "convolve2d")


def code_of(*cells: str):
    return from_cell_sources(list(enumerate(cells, start=1)), "work.ipynb")


def test_only_the_definitions_the_functions_use_are_kept_in_notebook_order():
    code = code_of(
        "import numpy as np\nimport matplotlib.pyplot as plt\nEPS = 1e-9",
        "image = plt.imread('photo.png')\nprint(image.shape)",
        "def helper(a):\n    image = a * 2  # a local, not the global image\n    return image + EPS",
        "@functools.cache\ndef convolve2d(image, kernel):\n    return helper(np.asarray(image))",
        "import functools",
        "convolve2d(image, np.ones((3, 3)))\nfor i in range(3):\n    print(i)",
    )
    source = exercise_code(code, "ex01", EX01).source.decode()
    ast.parse(source)  # the file the jail imports is Python
    kept = [line for line in source.splitlines() if line and not line.startswith("#")]
    assert kept == [
        "import numpy as np",
        "EPS = 1e-9",
        "def helper(a):",
        "    image = a * 2  # a local, not the global image",
        "    return image + EPS",
        "@functools.cache",
        "def convolve2d(image, kernel):",
        "    return helper(np.asarray(image))",
        "import functools",
    ]  # no matplotlib, no plt.imread, no calls, no loops


def test_a_function_defined_twice_keeps_both_in_order_and_says_which_is_graded():
    code = code_of(
        "def convolve2d(image, kernel):\n    return 1",
        "x = 2",
        "def convolve2d(image, kernel):\n    return 2",
    )
    found = exercise_code(code, "ex01", EX01)
    namespace: dict = {}
    exec(compile(found.source, "test", "exec"), namespace)  # the test's own code, never a learner's
    assert namespace["convolve2d"](None, None) == 2  # the later one wins, as in the kernel
    assert any("convolve2d is defined 2 times (cells 1, 3)" in note for note in found.notes)


def test_markers_give_each_exercise_its_own_cells_plus_the_shared_ones():
    code = code_of(
        "import numpy as np\ndef pad(x):\n    return np.pad(x, 1)",
        "# grade: ex01\ndef convolve2d(image, kernel):\n    return pad(image)",
        "# grade: ex03\ndef pad(x):\n    return x\ndef zero_pad(x, p):\n    return pad(x)",
    )
    ex01 = exercise_code(code, "ex01", EX01).source.decode()
    assert "return np.pad(x, 1)" in ex01 and "def zero_pad" not in ex01 and "return x\n" not in ex01
    ex03 = exercise_code(code, "ex03", ("zero_pad", "same_padding")).source.decode()
    assert "def convolve2d" not in ex03 and ex03.count("def pad") == 2


def test_an_unmarked_exercise_is_looked_for_everywhere():
    code = code_of(
        "# grade: ex01\ndef convolve2d(i, k):\n    return i", "def zero_pad(x, p):\n    return x"
    )
    assert defines(code, "ex03", ("zero_pad",)) and not defines(code, "ex05", ("max_pool2d",))
    assert "def zero_pad" in exercise_code(code, "ex03", ("zero_pad",)).source.decode()


def test_a_cell_that_is_not_python_is_left_out_with_a_note():
    code = code_of(
        "def convolve2d(image, kernel:\n    return image",
        "def filter_response(p, k):\n    return 0",
    )
    found = exercise_code(code, "ex01", EX01)
    assert "def filter_response" in found.source.decode()
    assert found.notes == (
        "cell 1 is not valid Python (line 1: '(' was never closed); it was left out",
    )


def test_constants_and_future_imports_come_along():
    code = code_of(
        "import numpy as np",
        "SOBEL_X = np.array([[-1, 0, 1]] * 3)\nSOBEL_X[1] *= 2",
        "from __future__ import annotations",
    )
    source = exercise_code(code, "ex02", ("SOBEL_X", "SOBEL_Y", "sobel_edges")).source.decode()
    body = [line for line in source.splitlines() if line and not line.startswith("#")]
    assert body[0] == "from __future__ import annotations"
    assert body[1:] == [
        "import numpy as np",
        "SOBEL_X = np.array([[-1, 0, 1]] * 3)",
        "SOBEL_X[1] *= 2",
    ]
