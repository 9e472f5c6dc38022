"""What a learner's function prints reaches that test's feedback, and an exception shows every
frame of the learner's own file, innermost last (as pytest shows a traceback)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import SOLUTIONS

PRINTING = (
    (SOLUTIONS / "ex01_convolution.py")
    .read_text(encoding="utf-8")
    .replace(
        "def filter_response(patch, kernel):",
        "def filter_response(patch, kernel):\n    print('debug: patch shape', patch.shape, '\\x1b[31m')",
        1,
    )
)

RAISING_DEEP = """import numpy as np


def _row_sum(row, kernel_row):
    return row.sum() + kernel_row[99]


def filter_response(patch, kernel):
    print("about to fail")
    return sum(_row_sum(row, kernel_row) for row, kernel_row in zip(patch, kernel))


def convolve2d(image, kernel):
    raise NotImplementedError
"""


def _tests(run, exercise="ex01"):
    return run.item(exercise)["tests"]


def test_print_in_a_passing_function_is_shown_with_its_test(grade, make_submission):
    folder = make_submission(ex01=PRINTING)
    run = grade("ex01", "--submission", folder, "--format", "json", "--lang", "en")
    tests = _tests(run)
    shown = [test for test in tests if "debug: patch shape" in test["feedback"]]
    assert shown, [test["feedback"] for test in tests]
    assert all(test["status"] == "passed" for test in shown)
    feedback = shown[0]["feedback"]
    assert "printed:" in feedback and "  | debug: patch shape" in feedback
    assert "\x1b" not in feedback  # a terminal escape is sanitised away
    assert run.item("ex01")["score"] == run.item("ex01")["max_score"]


def test_a_raise_shows_every_frame_of_the_learner_file_and_what_it_printed(grade, make_submission):
    folder = make_submission(ex01=RAISING_DEEP)
    run = grade("ex01", "--submission", folder, "--format", "json", "--lang", "en")
    failed = [test for test in _tests(run) if "IndexError" in test["feedback"]]
    assert failed
    feedback = failed[0]["feedback"]
    outer = feedback.index("in filter_response")
    inner = feedback.index("in _row_sum")
    assert outer < inner, feedback  # innermost last
    assert "kernel_row[99]" in feedback
    assert "  | about to fail" in feedback


def test_printed_output_is_capped(grade, make_submission, tmp_path: Path):
    flooding = PRINTING.replace(
        "print('debug: patch shape', patch.shape, '\\x1b[31m')", "print('x' * 100_000)"
    )
    folder = make_submission(ex01=flooding)
    run = grade("ex01", "--submission", folder, "--format", "json", "--lang", "en")
    longest = max(len(test["feedback"]) for test in _tests(run))
    assert 1000 < longest < 6000
    assert run.item("ex01")["score"] == run.item("ex01")["max_score"]


RAISING_AT_IMPORT = """import numpy as np


def _table():
    return {"sobel": [1, 2, 3]}["prewitt"]


TABLE = _table()


def filter_response(patch, kernel):
    return 0.0


def convolve2d(image, kernel):
    return image
"""


def test_an_import_error_shows_every_frame_of_the_learner_file(grade, make_submission):
    folder = make_submission(ex01=RAISING_AT_IMPORT)
    run = grade("ex01", "--submission", folder, "--format", "json", "--lang", "en")
    feedback = run.item("ex01")["tests"][0]["feedback"]
    assert "KeyError" in feedback
    assert feedback.index("TABLE = _table()") < feedback.index("in _table")
    assert run.item("ex01")["score"] == 0


# Honest code that NumPy warns about, a traceback printed while handling an error, an object
# printed, and an error message that names the learner's file: each names the file by its path
# in the worker's folder, or an address, new in every run.
NAMES_ITS_PATH = """import traceback
import warnings

import numpy as np


def filter_response(patch, kernel):
    np.float64(1.0) / np.float64(0.0)  # divide by zero: NumPy prints a RuntimeWarning
    try:
        kernel[99]
    except IndexError:
        traceback.print_exc()
    warnings.warn("a warning of my own")
    print("debugging", object())  # an address, new in every run
    return float(np.sum(patch * kernel))


def convolve2d(image, kernel):
    raise FileNotFoundError(2, "no such file", __file__)
"""


def test_feedback_is_the_same_in_every_run_though_the_worker_folder_is_not(grade, make_submission):
    """Printed warnings, tracebacks and error messages name the learner's file by its path in
    the worker's folder (a new temporary name each run): feedback shows the file's own name,
    so one submission graded twice with one seed gets the same feedback, byte for byte."""
    folder = make_submission(ex01=NAMES_ITS_PATH)
    runs = [
        grade("ex01", "--submission", folder, "--format", "json", "--lang", "en", "--seed", "5")
        for _repeat in range(2)
    ]
    feedbacks = [[test["feedback"] for test in _tests(run)] for run in runs]
    shown = "\n".join(feedbacks[0])
    assert "ex01_convolution.py:8: RuntimeWarning" in shown and "a warning of my own" in shown
    assert 'File "ex01_convolution.py", line 10' in shown  # the printed traceback
    assert "no such file: 'ex01_convolution.py'" in shown  # the error message
    assert "/tmp/" not in shown and "grade-" not in shown
    assert "<object object at 0x…>" in shown
    assert feedbacks[0] == feedbacks[1]
