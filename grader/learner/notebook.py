"""Jupyter and Colab: `%load_ext grader`, then `%grade ex01` grades the exercise file next to
the notebook in the same sandbox as `grade ex01`, and shows the report and pictures as HTML.

`grader/__init__.py` hands IPython `load_ipython_extension`, which imports this module only
then (`import grader` stays light). The magic's line reads like the command line:
`%grade ex01 ex02 [--lang ko] [--no-pictures] [--submission DIR] [--allow-weak-sandbox]`.

`%grade ex01 --cells` grades the functions defined in the notebook's own code cells instead of
the exercise file: on Colab the notebook as it is now (asked from the Colab front end), elsewhere
the cells this kernel ran, in the order it ran them. Either way they are written to a notebook
file in a temporary folder and graded as a handed-in notebook (grader/notebooks/): read as text,
never run here, the exercise's functions and what they use run in the sandbox.
"""

from __future__ import annotations

import base64
import html
import shlex
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from grader.cli.commands import learner_folder
from grader.errors import GraderFailure, InputError
from grader.i18n import _, choose_language
from grader.progress import Progress
from grader.reports.text import STATUS_COLOURS, to_text
from grader.results import Report

DEFAULT_SUBMISSION = Path("exercises")
FLAGS = ("--no-pictures", "--allow-weak-sandbox", "--cells")
OWN_LINES = ("%grade", "%load_ext grader", "%reload_ext grader")  # the grading itself, not code
COLAB_TIMEOUT_SECONDS = 10
OPTIONS = ("--lang", "--submission", "--seed")
HTML_COLOURS = {"green": "#1a7f37", "yellow": "#9a6700", "red": "#cf222e", "blue": "#0969da"}


@dataclass
class NotebookReport:
    """What `%grade` returns: IPython shows it as HTML; `report` is the `Report` itself."""

    report: Report | None
    pictures: list[tuple[str, bytes]] = field(default_factory=list)  # (file name, PNG bytes)
    error: str = ""

    def _repr_html_(self) -> str:
        if self.report is None:
            return f'<div style="color:{HTML_COLOURS["red"]}"><b>grade:</b> {html.escape(self.error)}</div>'
        return report_html(self.report, self.pictures)

    def __repr__(self) -> str:  # a plain console (no HTML): the text report
        return self.error if self.report is None else to_text(self.report)


def load_ipython_extension(ipython) -> None:
    ipython.register_magic_function(grade_magic, magic_kind="line", magic_name="grade")


def grade_magic(line: str) -> NotebookReport:
    """`%grade ex01 [options]`: grade, remember progress, return the report to show."""
    try:
        ids, options = parse_line(line)
        if options.pop("cells"):
            if options["submission"] is not None:
                raise InputError(_("give either --cells or --submission, not both"))
            with tempfile.TemporaryDirectory(prefix="grade-cells-") as folder:
                options["submission"] = write_cells_notebook(Path(folder))
                return notebook_grade(ids, remember=False, **options)
        return notebook_grade(ids, **options)
    except (InputError, GraderFailure) as error:
        return NotebookReport(None, error=str(error))


def write_cells_notebook(folder: Path) -> Path:
    """This notebook's code cells as a notebook file in `folder` (see the module's docstring)."""
    import json

    notebook = _colab_notebook()
    if notebook is None:
        notebook = cells_notebook(_kernel_inputs())
    for cell in notebook.get("cells", []) if isinstance(notebook.get("cells"), list) else []:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            cell["source"] = _without_own_lines(cell.get("source", ""))
    path = folder / "notebook.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path


def cells_notebook(sources: list[str]) -> dict:
    """A notebook (nbformat 4) of code cells holding `sources`."""
    cells: list[dict] = []
    for number, source in enumerate(sources, start=1):
        cells.append(
            {
                "cell_type": "code",
                "execution_count": None,
                "id": f"input-{number}",
                "metadata": {},
                "outputs": [],
                "source": source,
            }
        )
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def _without_own_lines(source: object) -> object:
    """A cell's source without the `%grade` and `%load_ext grader` lines (the grading itself)."""
    if isinstance(source, list):
        source = "".join(part for part in source if isinstance(part, str))
    if not isinstance(source, str):
        return source  # not text: the notebook's validation says so
    lines = source.splitlines()
    return "\n".join(line for line in lines if not line.strip().startswith(OWN_LINES))


def _colab_notebook() -> dict | None:
    """The notebook as the Colab front end has it now, or None outside Colab."""
    import importlib
    import sys

    if "google.colab" not in sys.modules:  # a Colab kernel imports it at start-up
        return None
    try:
        _message = importlib.import_module("google.colab._message")
        answer = _message.blocking_request("get_ipynb", timeout_sec=COLAB_TIMEOUT_SECONDS)
    except Exception:  # no front end answered: fall back on the kernel's own inputs
        return None
    notebook = answer.get("ipynb") if isinstance(answer, dict) else None
    return notebook if isinstance(notebook, dict) else None


def _kernel_inputs() -> list[str]:
    """The cells this kernel ran, as typed (magics and all), oldest first."""
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        raise InputError(_("--cells works inside Jupyter or Colab, where the notebook's cells are"))
    return [source for source in shell.history_manager.input_hist_raw[1:] if source.strip()]


def parse_line(line: str) -> tuple[list[str], dict]:
    """The ids and options of a `%grade` line; InputError for anything else."""
    try:
        words = shlex.split(line)
    except ValueError as error:
        raise InputError(str(error)) from None
    ids: list[str] = []
    options: dict = {
        "pictures": True,
        "allow_weak": False,
        "cells": False,
        "lang": None,
        "submission": None,
        "seed": None,
    }
    while words:
        word = words.pop(0)
        if word == "--no-pictures":
            options["pictures"] = False
        elif word == "--allow-weak-sandbox":
            options["allow_weak"] = True
        elif word == "--cells":
            options["cells"] = True
        elif word in OPTIONS and words:
            value = words.pop(0)
            options[word[2:]] = Path(value) if word == "--submission" else value
        elif word.startswith("-"):
            raise InputError(
                _("%grade does not know {option}; it takes ids and {options}").format(
                    option=word, options=", ".join((*OPTIONS, *FLAGS))
                )
            )
        else:
            ids.append(word)
    if not ids:
        raise InputError(_("name what to grade, e.g. `%grade ex01`"))
    if options["seed"] is not None:
        if not str(options["seed"]).isdigit():
            raise InputError(_("--seed takes a whole number"))
        options["seed"] = int(options["seed"])
    return ids, options


def notebook_grade(
    ids: list[str],
    *,
    pictures: bool = True,
    allow_weak: bool = False,
    lang: str | None = None,
    submission: Path | None = None,
    seed: int | None = None,
    remember: bool = True,
) -> NotebookReport:
    from grader.course.catalogue import load_catalogue
    from grader.grading.runner import grade
    from grader.learner.pictures import learner_pictures
    from grader.sandbox.probe import IsolationProbe

    lang = choose_language(lang)
    catalogue = load_catalogue()
    selected = [catalogue.item(item_id).id for item_id in ids]
    folder = learner_folder(submission, DEFAULT_SUBMISSION)
    drawn: list[tuple[str, bytes]] = []
    with IsolationProbe(allow_weak=allow_weak, self_check=True) as isolation:
        report = grade(
            catalogue, selected, submission=folder, isolation=isolation, seed=seed, lang=lang
        )
        if pictures:
            with tempfile.TemporaryDirectory(prefix="grade-pictures-") as out:
                for picture in learner_pictures(
                    catalogue,
                    selected,
                    submission=folder,
                    isolation=isolation,
                    out_dir=Path(out),
                    run_seed=report.seed,
                ):
                    if picture.path is not None:  # learner_pictures() drew it there
                        drawn.append((picture.path.name, picture.path.read_bytes()))
    if remember:
        progress = Progress.load(folder)
        progress.record(report)
        progress.save(folder)
    return NotebookReport(report, drawn)


def report_html(report: Report, pictures: list[tuple[str, bytes]]) -> str:
    """The report as HTML: a heading per exercise, a row per test with its feedback, pictures."""
    parts = [
        f"<div><h3>{html.escape(_('Total'))} {round(report.score, 2):g} / {round(report.max_score, 2):g}</h3>"
    ]
    for exercise in report.exercises:
        colour = HTML_COLOURS.get(STATUS_COLOURS.get(exercise.status, ""), "inherit")
        parts.append(
            f'<h4 style="color:{colour}">{html.escape(exercise.id)} '
            f"{round(exercise.score, 2):g} / {round(exercise.max_score, 2):g} &middot; {html.escape(exercise.title)}</h4>"
        )
        if exercise.kind == "exercise" and exercise.note:  # how a notebook became its file
            parts.append(
                f'<pre style="white-space:pre-wrap;margin:0">{html.escape(exercise.note)}</pre>'
            )
        parts.append("<table><tbody>")
        for test in exercise.tests:
            mark = "&#10004;" if test.status == "passed" else "&#10008;"
            feedback = (
                f'<pre style="white-space:pre-wrap;margin:0">{html.escape(test.feedback)}</pre>'
                if test.feedback
                else ""
            )
            parts.append(
                f"<tr><td>{mark}</td><td>{round(test.score, 2):g} / {round(test.max_score, 2):g}</td>"
                f'<td style="text-align:left">{html.escape(test.name)}{feedback}</td></tr>'
            )
        parts.append("</tbody></table>")
    for name, data in pictures:
        encoded = base64.b64encode(data).decode("ascii")
        parts.append(
            f'<p><b>{html.escape(name)}</b><br><img alt="{html.escape(name)}" '
            f'src="data:image/png;base64,{encoded}" style="max-width:100%"></p>'
        )
    parts.append(
        f"<p><small>{html.escape(_('seed {seed}').format(seed=report.seed))}, "
        f"{html.escape(report.protection)}</small></p></div>"
    )
    return "".join(parts)
