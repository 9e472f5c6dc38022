"""`grade feedback GRADES --out DIR`: one feedback file per learner, from a batch's records.

Nothing is graded again and no learner code runs: each file renders the learner's record in
GRADES (read through grader/instructor/records.py, checked against the course and this
machine's signature, as the gradebook reads it) with the report renderers of grader/reports/
(`html`: one self-contained page; `md`: the Markdown summary with each feedback whole). A file
shows what the record already shows the learner: each item's score, each failed test's
feedback (a hidden test's never holds its expected value: grader/check_feedback.py), and the
final grade, adjustments and late penalties when the record has them; never the grading's
secret seed (blanked out of feedback too, as on Gradescope), who graded or the versions. The
records hold no pictures (drawing them would run learner code), so the file says how the
learner draws their own. A learner who was not graded (OUT/problems/) gets a file that says why.
Files are named after the record files (`alice.html`, `kim~3f2a....html`) and written into a
temporary folder beside DIR that replaces DIR whole.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

from grader.course.catalogue import Catalogue
from grader.errors import EXIT_FULL_MARKS, EXIT_POINTS_MISSING, InputError, interrupts_deferred
from grader.i18n import _, current_language, language
from grader.instructor import gradebook, records, signature
from grader.instructor.gradechanges import EXTRA_KEYS, Section, sections
from grader.instructor.recordcheck import RecordCheck
from grader.reports import html as html_report
from grader.reports import markdown
from grader.reports.gradescope import without_seed
from grader.reports.registry import render
from grader.results import Report, report_from_dict
from grader.sanitise import clean, visible

FORMATS = {"html": "html", "md": "md"}  # --format -> file suffix
SHOWN_NAME = 120
SHOWN_STATUS = 600
Echo = Callable[..., None]


def record_check(catalogue: Catalogue) -> Callable[[dict], str]:
    """The gradebook's check: the course's content rules and this machine's signature. The
    adjustments, late work and final grade a record may hold are shown defensively
    (grader/instructor/gradechanges.py), so the report's own checks look at the rest."""
    content = RecordCheck(catalogue)
    return lambda data: (
        content({key: value for key, value in data.items() if key not in EXTRA_KEYS})
        or signature.problem(data)
    )


def feedback_command(
    catalogue: Catalogue,
    grades: Path,
    out_dir: Path,
    *,
    echo: Echo,
    output_format: str = "html",
    lang: str | None = None,
) -> int:
    """Write the feedback files of the batch in `grades` into `out_dir`; say what was written.
    Exit code 0, or 1 when some record could not be trusted (its learner has no file)."""
    scan = records.scan_records(grades, record_check(catalogue))
    if not scan.records:
        raise InputError(
            _("{folder} holds no batch records; run `grade batch DIR --out {folder}` first").format(
                folder=grades
            )
        )
    files = {
        f"{record.path.stem if record.path else records.record_stem(name)}.{FORMATS[output_format]}": (
            learner_file(catalogue, record, _people(grades), output_format, lang)
        )
        for name, record in scan.records.items()
    }
    write_folder(out_dir, files, forbidden=grades)
    problems = sum(not record.graded for record in scan.records.values())
    echo(
        _("{count} feedback files in {folder} ({problems} of them for learners not graded)").format(
            count=len(files), folder=out_dir, problems=problems
        )
    )
    if scan.invalid:
        listed = ", ".join(visible(f"{name} ({why})", 300) for name, why in scan.invalid.items())
        echo(
            _("records not trusted, no feedback written for them ({count}): {names}").format(
                count=len(scan.invalid), names=listed
            ),
            err=True,
        )
        return EXIT_POINTS_MISSING
    return EXIT_FULL_MARKS


def _people(grades: Path) -> dict[str, gradebook.Person]:
    """The roster the batch kept (OUT/roster.csv), for the learners' names; none when absent."""
    kept = grades / gradebook.ROSTER_FILE
    if not kept.is_file() or kept.is_symlink():
        return {}
    return gradebook.read_roster(kept)


def learner_file(
    catalogue: Catalogue,
    record: records.Record,
    people: dict[str, gradebook.Person],
    output_format: str,
    lang: str | None,
) -> str:
    """One learner's feedback file, in `output_format` ("html" or "md") and language `lang`."""
    person = people.get(record.learner)
    name = clean(record.learner, SHOWN_NAME, single_line=True)
    if person is not None and person.name:
        name = f"{clean(person.name, SHOWN_NAME, single_line=True)} ({name})"
    with language(lang):
        heading = _("Feedback for {name}").format(name=name)
        if not record.graded:
            return _problem_file(heading, record.status, output_format)
        data = record.graded_report
        report = _handed_back(report_from_dict(data))
        titles = {
            item.id: f"{item.id} {item.title_for(current_language())}" for item in catalogue.items
        }
        graded_at = str(record.meta.get("graded_at", ""))
        notes = [
            _("Graded on {time} (UTC).").format(time=graded_at.replace("T", " ").rstrip("Z")),
            _(
                "The grader keeps no pictures of your results; to see them, run "
                "`grade --all --pictures pictures/` in your copy of the course."
            ),
        ]
        parts = [Section("", notes=notes), *sections(record_extras(record), titles)]
        if output_format == "html":
            before = [_section_html(section) for section in parts]
            return html_report.to_html(
                report, lang=lang, handed_back=True, heading=heading, before=before
            )
        lines = [f"# {markdown.escape(heading)}", ""]
        for section in parts:
            lines += _section_markdown(section)
        return "\n".join(lines) + "\n" + render(report, "markdown", lang=lang, handed_back=True)


def record_extras(record: records.Record) -> dict:
    """The adjustments, late work and final grade a graded record holds (read from its report)."""
    report = record.report or {}
    return {key: report[key] for key in EXTRA_KEYS if key in report}


def _handed_back(report: Report) -> Report:
    """`report` with the grading's secret seed blanked out of every name and feedback."""
    for item in report.exercises:
        for test in item.tests:
            test.name = without_seed(test.name, report.seed)
            test.feedback = without_seed(test.feedback, report.seed)
    return report


def _problem_file(heading: str, status: str, output_format: str) -> str:
    reason = clean(status, SHOWN_STATUS, single_line=True)
    sentences = [
        _("Your submission was not graded: {reason}").format(reason=reason),
        _(
            "This is not a verdict on your code. Ask your instructor what to do; once it is "
            "fixed, your submission is graded again."
        ),
    ]
    if output_format == "html":
        body = [f"<h1>{html_report.escape(heading)}</h1>"]
        body += [f"<p>{html_report.escape(sentence)}</p>" for sentence in sentences]
        return html_report.page(heading, body)
    return "\n\n".join([f"# {markdown.escape(heading)}", *map(markdown.escape, sentences)]) + "\n"


def _section_html(section: Section) -> str:
    parts = [f"<h2>{html_report.escape(section.title)}</h2>"] if section.title else []
    parts += [f"<p>{html_report.escape(note)}</p>" for note in section.notes]
    if section.rows:
        parts.append(html_report.table(section.headers, section.rows))
    return "".join(parts)


def _section_markdown(section: Section) -> list[str]:
    lines = [f"## {markdown.escape(section.title)}", ""] if section.title else []
    lines += [line for note in section.notes for line in (markdown.escape(note), "")]
    if section.rows:
        lines += [*markdown.table(section.headers, section.rows), ""]
    return lines


def write_folder(out_dir: Path, files: dict[str, str], *, forbidden: Path) -> None:
    """Write `files` (name -> text) into a temporary folder beside `out_dir`, then put it in
    `out_dir`'s place. An `out_dir` that is a link, a file, or a folder holding anything but
    earlier feedback files (the records themselves, say) is refused, never replaced."""
    _check_target(out_dir, forbidden)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = out_dir.parent / f".{out_dir.name}.partial-{os.getpid()}"
    retired = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
    for leftover in (staging, retired):  # a run killed outright left them
        shutil.rmtree(leftover, ignore_errors=True)
    try:
        staging.mkdir()
        for name, text in files.items():
            records.write_atomic(staging / name, text)
        with interrupts_deferred():  # never a moment with neither folder whole
            if out_dir.exists():
                os.replace(out_dir, retired)
            os.replace(staging, out_dir)
        shutil.rmtree(retired, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _check_target(out_dir: Path, forbidden: Path) -> None:
    if out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir()):
        raise InputError(
            _("{folder} is not a plain folder; choose a new folder for the feedback files").format(
                folder=out_dir
            )
        )
    if not out_dir.exists():
        return
    if out_dir.resolve() == forbidden.resolve() or any(
        entry.is_dir() or entry.suffix not in (".html", ".md") for entry in out_dir.iterdir()
    ):
        raise InputError(
            _(
                "{folder} holds files other than feedback files; choose a new or empty folder "
                "(it is replaced whole)"
            ).format(folder=out_dir)
        )
