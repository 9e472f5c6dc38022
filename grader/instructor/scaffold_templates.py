"""The files `grade new` writes, as templates (`string.Template`: `$name` is filled in).

A new exercise starts with a real but tiny placeholder task (the sum of an array's values),
so that `grade check` accepts it at once: the solution earns full marks, the stub nothing,
the hidden test draws its cases from the run's seed and compares with a reference of its own.
The instructor replaces the task, keeping the shape: docs/authoring.md, "Recipe: an exercise".
`PLACEHOLDER_TASK` marks the placeholder in the solution, and `UNTRANSLATED` every Korean text
still to write; `grade check` warns about both (grader/instructor/lacks.py).
"""

from __future__ import annotations

from string import Template

UNTRANSLATED = "[번역 필요]"  # "translation needed": leads each Korean placeholder
PLACEHOLDER_TASK = "Placeholder task (grade new):"

SOLUTION = Template('''\
"""Exercise $number: $title.

$placeholder replace this paragraph with the task: what the learner builds, the
letters used (H, W, ...), the formulas and a worked example. For now: add up every value of an
array x of shape (H, W); [[1, 2], [3, 4]] gives 10.

Check your work with `grade $id`; `grade hint $id` gives a hint.
"""

import numpy as np


def $function(x):
    """The sum of every value of x.

    Parameters
    ----------
    x : ndarray of shape (H, W)

    Returns
    -------
    float

    Reference: about 2 lines.
    """
    # BEGIN SOLUTION
    x = np.asarray(x, dtype=np.float64)
    return float(np.sum(x))
    # END SOLUTION
    # STUB: # TODO($id): add up the values of x. Which NumPy function sums a whole array?
    # STUB: raise NotImplementedError("$id: $function is not implemented yet")
''')

EXERCISE_YAML = Template("""\
# $id: what the catalogue knows of this exercise (its id is this folder's name). Limits
# here would override course.yaml's defaults.limits. Recipe: docs/authoring.md.
title: $title_yaml
title_ko: $title_ko_yaml
file: $file
functions: [$function]
points: 5  # test_public.py's points and hidden/test_hidden.py's add up to this
hints:
  - "Which NumPy function adds up every value of an array?"
  - "Does np.sum(x) give a NumPy number? What does float() make of it?"
hints_ko:
  - "$untranslated Which NumPy function adds up every value of an array?"
  - "$untranslated Does np.sum(x) give a NumPy number? What does float() make of it?"
""")

PACKAGE_INIT = Template('''\
"""$id: its catalogue entry (exercise.yaml), Korean instructions and public suite."""
''')

HIDDEN_INIT = Template('''\
"""$id's kept-back part: its hidden suite and whatever holds an answer (never released)."""
''')

PUBLIC_TESTS = Template('''\
"""Public tests for $id: the course's worked examples, expected values in plain sight."""

import numpy as np
import pytest

from grader.checks import check_number
from grader.i18n import N_, _

pytestmark = pytest.mark.exercise("$id")

EXAMPLE = np.array([[1.0, 2.0], [3.0, 4.0]])


@pytest.mark.points(1)
@pytest.mark.feedback(N_("1 + 2 + 3 + 4 = 10: every value counts once."))
def test_worked_example(learner):
    """$function: the worked example [[1, 2], [3, 4]] gives 10"""
    got = learner.$function(EXAMPLE)
    check_number(got, 10.0, call=_("$function([[1, 2], [3, 4]])"))
''')

HIDDEN_TESTS = Template('''\
"""Hidden tests for $id: cases drawn from the run's seed, compared with the hidden reference.

Every case comes from the `rng` fixture, so a report's seed replays them and a table of
answers from earlier gradings earns nothing.
"""

import pytest

from grader.checks import check_number, describe_call
from grader.exercises.$id.hidden.reference import $function as reference

pytestmark = pytest.mark.exercise("$id")

CASES = 5
LARGEST_SIDE = 6


@pytest.mark.points(4)
def test_random_arrays(learner, rng):
    """$function: random arrays of random shapes"""
    for _case in range(CASES):
        shape = tuple(int(side) for side in rng.integers(1, LARGEST_SIDE + 1, size=2))
        x = rng.normal(size=shape)
        got = learner.$function(x)
        check_number(got, reference(x), call=describe_call("$function", x))
''')

REFERENCE = Template('''\
"""Reference answers for the $id hidden suite, written independently of solutions/."""

from __future__ import annotations

import math

import numpy as np


def $function(x: np.ndarray) -> float:
    """The sum of every value of x, added up exactly (math.fsum) row after row."""
    return math.fsum(float(value) for row in np.asarray(x, dtype=np.float64) for value in row)
''')

INSTRUCTIONS_HEADER = Template("""\
# $id in Korean: the stub's module docstring, docstrings and TODO lines (grade show,
# grade publish --lang ko). `source` is the fingerprint of the English translated here:
# python -m grader.course.instructions $id. Write the Korean of each text marked $untranslated.
""")

QUIZ_BANK = Template("""\
# Quiz bank $id: $title.
# Questions and choices only: the keys and explanations are solutions/answers/$id.yaml.
# Format: quizzes/README.md.
quiz: $id
questions:
  - id: placeholder_question
    kind: single
    text:
      en: >-
        $placeholder replace this question. What does a 3x3 filter slide over?
      ko: >-
        $untranslated replace this question. What does a 3x3 filter slide over?
    choices:
      a:
        en: the input image or feature map
        ko: "$untranslated the input image or feature map"
      b:
        en: the list of class labels
        ko: "$untranslated the list of class labels"
""")

QUIZ_KEYS = Template("""\
# Answer keys for $id ($title). Instructor data: never ship this file in a student release.
# Same format as a learner's answers/$id.yaml (see quizzes/README.md), so
# `grade $id --submission solutions` gives full marks.
quiz: $id
answers:
  placeholder_question: a
explanations:                     # keys only: shown with each question after grading
  placeholder_question:
    en: >-
      A filter slides over the input (an image or a feature map), one position at a time.
    ko: >-
      $untranslated A filter slides over the input (an image or a feature map), one position
      at a time.
""")

QUIZ_ENTRY = Template("""\
$indent- id: $id
$indent  title: $title_yaml
$indent  title_ko: $title_ko_yaml
$indent  file: $file
$indent  hints:
$indent    - "Does a filter look at the labels, or at the pixels?"
$indent  hints_ko:
$indent    - "$untranslated Does a filter look at the labels, or at the pixels?"
""")
