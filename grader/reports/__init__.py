"""Renderers: one `Report` in each format the CLI's --format offers; none recomputes a score.
text.py is the learner's terminal report, markdown.py a CI job summary, gradescope.py
Gradescope's results.json.
"""

from grader.reports.text import FORMATS, render

__all__ = ["FORMATS", "render"]
