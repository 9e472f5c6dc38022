"""docs/authoring.md's exercise recipe, end to end, in a copy of the course: `grade new
exercise`, one solution file and one folder edited, `grade check` passes, `grade publish`, and
the published release grades its stub at zero and the solution in full."""

from __future__ import annotations

import json
import sys

import pytest

from grader.instructor.release import LAUNCHER
from tests.instructor.course_copy import copy_course, run_in_copy

SOLUTION = '''\
"""Exercise 10: Box blur.

A box blur replaces each pixel by the mean of the 3x3 window below and to the right of it. For
an image of shape (H, W) the valid output has shape (H - 2, W - 2), and out[i, j] is the mean of
image[i:i + 3, j:j + 3]. Example: the 3x3 image of 1..9 blurs to [[5.0]].

Check your work with `grade ex10`; `grade hint ex10` gives a hint.
"""

import numpy as np


def box_blur(image):
    """The mean of every 3x3 window of a grey image.

    Parameters
    ----------
    image : ndarray of shape (H, W)

    Returns
    -------
    ndarray of shape (H - 2, W - 2)

    Reference: about 6 lines, two loops over output positions.
    """
    # BEGIN SOLUTION
    image = np.asarray(image, dtype=np.float64)
    out_h, out_w = image.shape[0] - 2, image.shape[1] - 2
    out = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            out[i, j] = image[i:i + 3, j:j + 3].mean()
    return out
    # END SOLUTION
    # STUB: # TODO(ex10): average each 3x3 window. How many windows fit along a row?
    # STUB: raise NotImplementedError("ex10: box_blur is not implemented yet")
'''

PUBLIC_TESTS = '''\
"""Public tests for ex10: the worked example."""

import numpy as np
import pytest

from grader.checks import check_array
from grader.i18n import N_, _

pytestmark = pytest.mark.exercise("ex10")


@pytest.mark.points(1)
@pytest.mark.feedback(N_("The one 3x3 window of 1..9 has the mean 45 / 9 = 5."))
def test_worked_example(learner):
    """box_blur: the 3x3 image of 1..9 blurs to [[5.0]]"""
    image = np.arange(1.0, 10.0).reshape(3, 3)
    got = learner.box_blur(image)
    call = _("box_blur(3x3 image of 1..9)")
    check_array(got, np.array([[5.0]]), call=call, floating=True, reveal=True)
'''

HIDDEN_TESTS = '''\
"""Hidden tests for ex10: random images from the run's seed, against the hidden reference."""

import pytest

from grader.checks import check_array, describe_call
from grader.exercises.ex10.hidden.reference import box_blur

pytestmark = pytest.mark.exercise("ex10")


@pytest.mark.points(4)
def test_random_images(learner, rng):
    """box_blur: random images of random sizes"""
    for _case in range(4):
        image = rng.normal(size=tuple(int(side) for side in rng.integers(3, 9, size=2)))
        got = learner.box_blur(image)
        check_array(got, box_blur(image), call=describe_call("box_blur", image), floating=True)
'''

REFERENCE = '''\
"""The ex10 reference: nine shifted slices added up, not a loop over windows."""

import numpy as np


def box_blur(image):
    image = np.asarray(image, dtype=np.float64)
    out_h, out_w = image.shape[0] - 2, image.shape[1] - 2
    return sum(image[a:a + out_h, b:b + out_w] for a in range(3) for b in range(3)) / 9
'''

KOREAN = """\
source: {source}
module: |
  연습 10: 상자 블러.

  상자 블러는 각 픽셀을 그 오른쪽 아래 3x3 창의 평균으로 바꿉니다. (H, W) 이미지의 출력은
  (H - 2, W - 2)이고, out[i, j]는 image[i:i + 3, j:j + 3]의 평균입니다. 예: 1..9로 된 3x3
  이미지는 [[5.0]]이 됩니다.

  `grade ex10 --lang ko`로 결과를 확인하고, `grade hint ex10 --lang ko`로 힌트를 받으세요.
docs:
  box_blur: |
    흑백 이미지의 모든 3x3 창의 평균.

    Parameters
    ----------
    image : (H, W) 모양의 ndarray

    Returns
    -------
    (H - 2, W - 2) 모양의 ndarray

    참고 답안: 약 6줄, 출력 위치에 대한 두 개의 반복문.
todos:
  - "각 3x3 창의 평균을 구하세요. 한 행에 창이 몇 개 들어갈까요?"
comments: {{}}
"""

HINTS = """\
title_ko: 상자 블러
hints:
  - "How many 3x3 windows fit along a row of W pixels?"
hints_ko:
  - "W 픽셀 행에 3x3 창이 몇 개 들어갈까요?"
"""


def _release_grade(student, submission):
    """The published release's own grader on ex10: (exit code, ex10's score and maximum)."""
    from grader.processes.children import run_program

    run = run_program(
        [
            sys.executable,
            "-E",
            "-s",
            "-c",
            LAUNCHER,
            "ex10",
            "--submission",
            str(submission),
            "--format",
            "json",
        ],
        cwd=student,
        timeout=600,
    )
    item = next(item for item in json.loads(run.stdout)["exercises"] if item["id"] == "ex10")
    return run.exit_code, item["score"], item["max_score"]


def _edit_the_folder(folder, fingerprint):
    (folder / "test_public.py").write_text(PUBLIC_TESTS, encoding="utf-8")
    (folder / "hidden" / "test_hidden.py").write_text(HIDDEN_TESTS, encoding="utf-8")
    (folder / "hidden" / "reference.py").write_text(REFERENCE, encoding="utf-8")
    (folder / "instructions.ko.yaml").write_text(
        KOREAN.format(source=fingerprint), encoding="utf-8"
    )
    entry = (folder / "exercise.yaml").read_text(encoding="utf-8")
    kept = [
        line
        for line in entry.splitlines(keepends=True)
        if line.startswith(("#", "title:", "file:", "functions:", "points:"))
    ]
    (folder / "exercise.yaml").write_text("".join(kept) + HINTS, encoding="utf-8")


@pytest.mark.slow
def test_the_exercise_recipe_end_to_end(tmp_path):
    root = copy_course(tmp_path / "course")
    made = run_in_copy(root, "new", "exercise", "ex10", "Box blur")
    assert made.returncode == 0, made.stdout + made.stderr
    assert "wrote grader/exercises/ex10/hidden/test_hidden.py" in made.stdout

    (root / "solutions" / "ex10_box_blur.py").write_text(SOLUTION, encoding="utf-8")  # the one file
    stubs = run_in_copy(root, module="grader.instructor.source")
    assert stubs.returncode == 0 and "wrote exercises/ex10_box_blur.py" in stubs.stderr, (
        stubs.stderr
    )
    printed = run_in_copy(root, "ex10", module="grader.course.instructions")
    item_id, fingerprint = printed.stdout.split()
    assert item_id == "ex10", printed.stderr
    _edit_the_folder(root / "grader" / "exercises" / "ex10", fingerprint)  # the one folder

    check = run_in_copy(root, "check", "ex10", "--no-artefacts")
    assert check.returncode == 0, check.stdout + check.stderr
    lines = check.stdout.splitlines()
    assert any(line.startswith("ok   solutions ex10  5 / 5") for line in lines), lines
    assert any(line.startswith("ok   exercises ex10  0 / 5") for line in lines), lines
    warned = [line for line in lines if line.startswith(("warn", "BAD"))]
    assert len(warned) == 1 and "release scan has no example call of box_blur" in warned[0], warned

    shown = run_in_copy(root, "show", "ex10", "--lang", "ko")
    assert shown.returncode == 0 and "연습 10: 상자 블러." in shown.stdout, (
        shown.stdout + shown.stderr
    )

    out = tmp_path / "published"
    published = run_in_copy(root, "publish", out)
    assert published.returncode == 0, published.stdout + published.stderr
    student = out / "student"
    assert (student / "grader" / "exercises" / "ex10" / "test_public.py").is_file()
    assert not (student / "grader" / "exercises" / "ex10" / "hidden").exists()  # kept back
    assert "BEGIN SOLUTION" not in (student / "exercises" / "ex10_box_blur.py").read_text(
        encoding="utf-8"
    )
    assert _release_grade(student, student / "exercises") == (1, 0, 1)
    assert _release_grade(student, root / "solutions") == (0, 1, 1)
