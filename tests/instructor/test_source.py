"""The solutions are the single source of the stubs: markers, their errors, and drift.

grader/instructor/source.py turns a marked solution into its stub; exercises/ is committed
as it gives them, and these tests fail when the two drift apart.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from grader.course.catalogue import COURSE_ROOT, load_catalogue
from grader.instructor.source import MarkerError, drifted, main, stub_from_solution
from tests.conftest import SOLUTIONS, STUBS

EXERCISES = load_catalogue().exercises
AUTHORING = COURSE_ROOT / "docs" / "authoring.md"


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda exercise: exercise.id)
def test_each_stub_is_what_its_solution_gives(exercise):
    solution = (SOLUTIONS / exercise.file).read_text(encoding="utf-8")
    stub = stub_from_solution(solution, exercise_id=exercise.id, where=f"solutions/{exercise.file}")
    assert stub.encode("utf-8") == (STUBS / exercise.file).read_bytes(), (
        f"exercises/{exercise.file} drifted from solutions/{exercise.file}: "
        "run python -m grader.instructor.source"
    )


def test_every_solution_marks_each_graded_function():
    """A solution without markers would give itself as its stub: every function a suite grades
    has a solution block, and so has every constant the stub leaves out."""
    for exercise in EXERCISES:
        text = (SOLUTIONS / exercise.file).read_text(encoding="utf-8")
        for name in exercise.functions:
            body = text.split(f"\ndef {name}(", 1)[1].split("\ndef ", 1)[0]
            assert "    # BEGIN SOLUTION\n" in body, (
                f"{exercise.file}: {name} has no solution block"
            )
        for name in exercise.constants:
            assert re.search(rf"# BEGIN SOLUTION\n{name} = ", text), (
                f"{exercise.file}: {name} unmarked"
            )


def _course_copy(tmp_path: Path) -> Path:
    for part in ("solutions", "exercises"):
        shutil.copytree(
            COURSE_ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("answers", "*.ipynb")
        )
    return tmp_path


def test_the_command_names_a_drifted_stub_and_rewrites_it(tmp_path, capsys):
    root = _course_copy(tmp_path)
    stub = root / "exercises" / "ex04_stride.py"
    stub.write_text(
        stub.read_text(encoding="utf-8").replace("# TODO(ex04): check", "# TODO(ex04): Check"),
        encoding="utf-8",
    )
    (root / "exercises" / "ex09_receptive_field.py").unlink()
    assert main(["--check"], root=root) == 1
    assert drifted(load_catalogue(root=root)) == [
        "exercises/ex04_stride.py",
        "exercises/ex09_receptive_field.py",
    ]
    assert (
        "exercises/ex04_stride.py differs from what its solution gives" in capsys.readouterr().err
    )
    assert main([], root=root) == 0
    assert capsys.readouterr().err.split() == [
        "wrote",
        "exercises/ex04_stride.py",
        "wrote",
        "exercises/ex09_receptive_field.py",
    ]
    assert stub.read_bytes() == (STUBS / "ex04_stride.py").read_bytes()
    assert main(["--check"], root=root) == 0


def test_an_instructors_attempt_is_never_overwritten_without_force(tmp_path, capsys):
    root = _course_copy(tmp_path)
    attempt = root / "exercises" / "ex01_convolution.py"
    shutil.copyfile(SOLUTIONS / "ex01_convolution.py", attempt)
    elsewhere = tmp_path / "my_ex02.py"
    shutil.copyfile(STUBS / "ex02_sobel.py", elsewhere)
    (root / "exercises" / "ex02_sobel.py").unlink()
    (root / "exercises" / "ex02_sobel.py").symlink_to(elsewhere)
    constant = root / "exercises" / "ex02_sobel.py"
    stale = root / "exercises" / "ex06_output_size.py"
    stale.write_text(
        stale.read_text(encoding="utf-8").replace("(_check_int helps)", "(see _check_int)"),
        encoding="utf-8",
    )
    assert main([], root=root) == 2
    error = capsys.readouterr().err
    assert "exercises/ex01_convolution.py" in error and "exercises/ex02_sobel.py" in error
    assert "ex06" not in error and "--force" in error and len(error.splitlines()) == 1
    assert attempt.read_bytes() == (SOLUTIONS / "ex01_convolution.py").read_bytes()
    assert (
        stale.read_bytes() != (STUBS / "ex06_output_size.py").read_bytes()
    )  # nothing written at all
    assert main(["--force"], root=root) == 0
    assert main(["--check"], root=root) == 0 and not constant.is_symlink()
    assert (
        elsewhere.read_bytes() == (STUBS / "ex02_sobel.py").read_bytes()
    )  # the link's file untouched


def test_a_set_constant_is_an_attempt(tmp_path, capsys):
    root = _course_copy(tmp_path)
    stub = root / "exercises" / "ex02_sobel.py"
    stub.write_text(
        stub.read_text(encoding="utf-8").replace("SOBEL_Y = None", "SOBEL_Y = [[1]]"),
        encoding="utf-8",
    )
    assert main([], root=root) == 2 and "exercises/ex02_sobel.py" in capsys.readouterr().err


def test_a_broken_marker_is_one_line_and_writes_nothing(tmp_path, capsys):
    root = _course_copy(tmp_path)
    (root / "exercises" / "ex01_convolution.py").write_text("edited\n", encoding="utf-8")
    solution = root / "solutions" / "ex03_padding.py"
    solution.write_text(
        solution.read_text(encoding="utf-8").replace("    # END SOLUTION\n", "", 1),
        encoding="utf-8",
    )
    assert main([], root=root) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: solutions/ex03_padding.py:") and len(error.splitlines()) == 1
    assert (root / "exercises" / "ex01_convolution.py").read_text(encoding="utf-8") == "edited\n"
    assert main(["--fix"], root=root) == 2 and "usage:" in capsys.readouterr().err


MARKED = '''\
import numpy as np

# BEGIN SOLUTION
LIMIT = 3
# END SOLUTION
# STUB: # TODO(ex42): how many?
# STUB: LIMIT = None


def twice(x):
    """Double x."""
    # BEGIN SOLUTION
    y = x + x
    return y
    # END SOLUTION
    # STUB: # TODO(ex42): add x to itself.
    # STUB:
    # STUB: raise NotImplementedError("ex42: twice is not implemented yet")


def half(x,
         y=1):
    # BEGIN SOLUTION
    return x / 2
    # END SOLUTION
'''

STUB = '''\
import numpy as np

# TODO(ex42): how many?
LIMIT = None


def twice(x):
    """Double x."""
    # TODO(ex42): add x to itself.

    raise NotImplementedError("ex42: twice is not implemented yet")


def half(x,
         y=1):
    raise NotImplementedError("ex42: half is not implemented yet")
'''


def test_markers_give_the_stub_lines_and_the_default_raise():
    assert stub_from_solution(MARKED, exercise_id="ex42") == STUB


def test_line_endings_and_text_outside_blocks_are_kept_byte_for_byte():
    crlf = MARKED.replace("\n", "\r\n")
    assert stub_from_solution(crlf, exercise_id="ex42") == STUB.replace("\n", "\r\n")
    unmarked = "x = 1  \n\n\n# a comment\t\ny = 2"
    assert stub_from_solution(unmarked, exercise_id="ex42") == unmarked


def _error(text: str) -> str:
    with pytest.raises(MarkerError) as raised:
        stub_from_solution(text, exercise_id="ex42", where="solutions/ex42_x.py")
    message = raised.value.message
    assert "\n" not in message
    return message


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "def f():\n    # END SOLUTION\n",
            "solutions/ex42_x.py:2: # END SOLUTION without a # BEGIN SOLUTION",
        ),
        (
            "def f():\n    # BEGIN SOLUTION\n    return 1\n",
            "solutions/ex42_x.py:2: # BEGIN SOLUTION has no # END",
        ),
        (
            "def f():\n    # BEGIN SOLUTION\n    # BEGIN SOLUTION\n",
            ":3: # BEGIN SOLUTION inside the block begun on line 2",
        ),
        (
            "def f():\n    # BEGIN SOLUTION\n    return 1\n# END SOLUTION\n",
            ":4: # END SOLUTION is indented differently",
        ),
        (
            "def f():\n    # STUB: pass\n",
            ":2: a # STUB: line belongs right after an # END SOLUTION line",
        ),
        (
            "def f():\n    # BEGIN SOLUTION\n    # STUB: pass\n    # END SOLUTION\n",
            ":3: a # STUB: line belongs",
        ),
        (
            "def f():\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION\n  # STUB: pass\n",
            ":5: a # STUB: line",
        ),
        (
            "# BEGIN SOLUTION\nX = 1\n# END SOLUTION\n",
            ":1: this block is outside any function; follow",
        ),
        ("def f():\n    ### BEGIN SOLUTION\n", ":2: unknown marker '### BEGIN SOLUTION'"),
        ("def f():\n    # BEGIN PROMPT\n", ":2: unknown marker '# BEGIN PROMPT'"),
        ("def f():\n    return 1  # SOLUTION\n", ":2: unknown marker 'return 1  # SOLUTION'"),
        ("def f():\n    # STUB raise\n", ":2: unknown marker '# STUB raise'"),
        ("def f():\n    # BEGIN SOLUTION NO PROMPT\n", ":2: unknown marker"),
    ],
)
def test_a_broken_or_unknown_marker_names_the_file_and_line(text, message):
    assert message in _error(text)


def test_the_authoring_guides_example_gives_the_stub_it_shows():
    """docs/authoring.md shows a marked solution and its stub: the two must agree."""
    blocks = re.findall(
        r"```python\n(.*?)```", AUTHORING.read_text(encoding="utf-8"), flags=re.DOTALL
    )
    marked = next(block for block in blocks if "# BEGIN SOLUTION" in block)
    shown = blocks[blocks.index(marked) + 1]
    assert stub_from_solution(marked, exercise_id="ex10") == shown
