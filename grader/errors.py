"""Errors the CLI turns into one-line messages and documented exit codes.

Exit codes (SPEC section 4): 0 full marks, 1 points missing, 2 usage or input error,
3 the grader itself failed. A learner's broken code is never an exception here: it is a
0-point test with feedback.
"""

from __future__ import annotations

import click

EXIT_FULL_MARKS = 0
EXIT_POINTS_MISSING = 1
EXIT_INPUT_ERROR = 2
EXIT_GRADER_FAILED = 3


class InputError(click.ClickException):
    """Bad input from the person running `grade`: unknown id, missing folder, bad YAML."""

    exit_code = EXIT_INPUT_ERROR


class GraderFailure(click.ClickException):
    """The grader could not finish: a bug or a broken installation, never the learner's code."""

    exit_code = EXIT_GRADER_FAILED
