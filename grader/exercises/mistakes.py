"""Named mistakes that a public suite and a hidden one both name, written once.

A public suite may not import hidden code (it ships in the student release), so a sentence both
need lives here, beside the exercises. A sentence here quotes public examples only.
"""

from __future__ import annotations

from grader.i18n import N_

ALL_PADDING_AFTER = N_(
    "all your padding went after the input (bottom/right), as when the windows "
    "start at row 0 and the last one overhangs; TensorFlow splits each total, "
    "the smaller half on the top/left (for example, same_padding(5, 4) is "
    "(1, 2))"
)
