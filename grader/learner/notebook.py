"""Jupyter and Colab: `%load_ext grader`, then `%grade ex01` grades the exercise file next to
the notebook in the same sandbox as `grade ex01`, and shows the report and pictures as HTML.

`grader/__init__.py` hands IPython `load_ipython_extension`, which imports this module only
then (`import grader` stays light). The magic's line reads like the command line:
`%grade ex01 ex02 [--lang ko] [--no-pictures] [--submission DIR] [--allow-weak-sandbox]`.
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
FLAGS = ("--no-pictures", "--allow-weak-sandbox")
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
        return notebook_grade(ids, **options)
    except (InputError, GraderFailure) as error:
        return NotebookReport(None, error=str(error))


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
    with IsolationProbe(allow_weak=allow_weak) as isolation:
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
            "<table><tbody>"
        )
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
