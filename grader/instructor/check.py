"""`grade check`: the instructor's self-check that the course, and what it publishes, grade right.

The reference solutions must score full marks and the untouched stubs zero, for every exercise
and quiz, under the same isolation a learner's run gets. Then the published artefacts are tried
the way their users meet them: the release scan finds no function or data in the student
release that earns a point (grader/instructor/scan.py), the release grades the solutions'
exercises in full (public tests only) and the stubs cleanly at zero with its own grader, and
the Gradescope bundle, laid out as Gradescope lays it out, gives the solutions full marks and
the stubs zero.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from grader.course.catalogue import Catalogue
from grader.errors import InputError
from grader.grading.runner import IsolationSource, grade
from grader.instructor.gradescope import flat_upload
from grader.instructor.publish import publish
from grader.instructor.release import LAUNCHER
from grader.processes.children import ChildResult, run_program

ARTEFACT_TIMEOUT = 15 * 60  # one graded run of an artefact, ex07's training included
Echo = Callable[[str], None]


def check_lacks(catalogue: Catalogue, ids: list[str] | None, *, echo: Echo) -> list[str]:
    """One line for each thing an item lacks (grader/instructor/lacks.py); those that fail."""
    from grader.instructor.lacks import course_lacks

    lacks = course_lacks(catalogue, ids)
    for lack in lacks:
        echo(lack.line())
    return [f"{lack.item} ({lack.what})" for lack in lacks if lack.fails]


def check_course(
    catalogue: Catalogue, isolation: IsolationSource, *, echo: Echo, ids: list[str] | None = None
) -> list[str]:
    """Grade solutions/ (want full marks) and exercises/ (want zero), every item or those of
    `ids`; the items that disagree."""
    problems = []
    for folder, want_full in _course_folders(catalogue):
        report = grade(catalogue, ids or catalogue.ids, submission=folder, isolation=isolation)
        for item in report.exercises:
            good = item.score >= item.max_score if want_full else item.score == 0
            expectation = "full marks" if want_full else "zero"
            echo(
                f"{'ok  ' if good else 'BAD '} {folder.name:<9} {item.id}  "
                f"{item.score:g} / {item.max_score:g} (want {expectation})"
            )
            if not good:
                problems.append(f"{folder.name}/{item.id}")
    return problems


def check_artefacts(
    catalogue: Catalogue, *, echo: Echo, allow_weak: bool = False, ids: list[str] | None = None
) -> list[str]:
    """Publish into a temporary folder and grade with what was published (the release: every
    item, or those of `ids`); what went wrong."""
    weak = ["--allow-weak-sandbox"] if allow_weak else []
    exercises = [
        item.id for item in catalogue.exercises
    ]  # what a release grades (it has no quiz keys)
    chosen = ["--all"] if ids is None else [item for item in ids if item in exercises]
    with tempfile.TemporaryDirectory(prefix="grade-check-") as scratch:
        try:
            published = publish(catalogue, Path(scratch) / "published")
        except InputError as refused:  # the exercise folder holds more than the course's stubs
            echo(f"BAD  publish: {refused}")
            return ["publish"]
        problems = _scanned(published.student, catalogue, echo=echo, allow_weak=allow_weak)
        for folder, want_full in _course_folders(catalogue) if chosen else []:
            run = run_program(
                [
                    sys.executable,
                    "-E",
                    "-s",
                    "-c",
                    LAUNCHER,
                    *chosen,
                    "--submission",
                    str(folder),
                    "--format",
                    "json",
                    *weak,
                ],
                cwd=published.student,
                timeout=ARTEFACT_TIMEOUT,
            )
            problems += _judge(
                echo,
                "release",
                folder.name,
                want_full,
                run.exit_code,
                run.stdout,
                run.stderr,
                exercises_only=True,
            )
        bundle = GradescopeLayout(Path(scratch) / "autograder", published.autograder_zip)
        for folder, want_full in _course_folders(catalogue):
            code, results, stderr = bundle.grade(functools.partial(flat_upload, folder))
            problems += _judge(echo, "gradescope", folder.name, want_full, code, results, stderr)
    return problems


def _scanned(release: Path, catalogue: Catalogue, *, echo: Echo, allow_weak: bool) -> list[str]:
    """The release scan's line; the problem, if it found anything."""
    from grader.instructor.scan import scan_release
    from grader.sandbox.probe import IsolationProbe

    with IsolationProbe(allow_weak=allow_weak) as isolation:
        result = scan_release(release, catalogue, isolation)
    echo(f"{'ok  ' if result.clean else 'BAD '} {result.summary()}")
    return [] if result.clean else ["release/scan"]


class GradescopeLayout:
    """A copy of Gradescope's /autograder in `root`: the bundle unzipped into source/, its
    run_autograder beside it, an upload in submission/, results in results/.

    `environment` is what the scripts run with; by default `python3` in them is this grader's
    interpreter, so the course needs no installing (`setup` runs the bundle's setup.sh).
    """

    def __init__(self, root: Path, autograder_zip: Path, environment: dict[str, str] | None = None):
        self.root = root
        with zipfile.ZipFile(autograder_zip) as archive:
            archive.extractall(root / "source")
        (root / "run_autograder").write_bytes((root / "source" / "run_autograder").read_bytes())
        (root / "run_autograder").chmod(0o755)
        if environment is None:
            shims = root / "bin"
            shims.mkdir()
            (shims / "python3").write_text(
                f'#!/bin/sh\nexec "{sys.executable}" "$@"\n', encoding="utf-8"
            )
            (shims / "python3").chmod(0o755)
            environment = dict(os.environ, PATH=f"{shims}{os.pathsep}{os.environ.get('PATH', '')}")
        self.environment = environment

    def setup(self) -> ChildResult:
        """Run the bundle's setup.sh in source/, as Gradescope does when it builds the image."""
        return run_program(
            ["bash", "setup.sh"],
            cwd=self.root / "source",
            timeout=ARTEFACT_TIMEOUT,
            environment=self.environment,
        )

    def grade(self, fill: Callable[[Path], None]) -> tuple[int | None, str, str]:
        """Let `fill` put an upload into submission/ and run the autograder: (its exit code,
        results.json's text, its standard error)."""
        for name in ("submission", "results"):
            target = self.root / name
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir()
        fill(self.root / "submission")
        run = run_program(
            ["bash", str(self.root / "run_autograder")],
            cwd=self.root,
            timeout=ARTEFACT_TIMEOUT,
            environment=self.environment,
        )
        results = self.root / "results" / "results.json"
        return (
            run.exit_code,
            results.read_text(encoding="utf-8") if results.is_file() else "",
            run.stderr,
        )


def _judge(
    echo: Echo,
    artefact: str,
    folder: str,
    want_full: bool,
    exit_code: int | None,
    output: str,
    stderr: str,
    *,
    exercises_only: bool = False,
) -> list[str]:
    """One line for one graded run of an artefact; the problem, if any."""
    name = f"{artefact}/{folder}"
    try:
        report = json.loads(output)
        items = report.get("exercises") or []
        if exercises_only:
            score = sum(item["score"] for item in items if item["kind"] == "exercise")
            top = sum(item["max_score"] for item in items if item["kind"] == "exercise")
        else:
            score, top = report["score"], sum(test["max_score"] for test in report["tests"])
    except (ValueError, KeyError, TypeError):
        echo(f"BAD  {name:<20} no readable report (exit code {exit_code}): {stderr.strip()[-300:]}")
        return [name]
    good = top > 0 and (score >= top if want_full else score == 0) and "Traceback" not in stderr
    if exercises_only:  # the release's own exit code: 0 for full marks, 1 for points missing
        good = good and exit_code == (0 if want_full else 1)
    echo(
        f"{'ok  ' if good else 'BAD '} {name:<20} {score:g} / {top:g} "
        f"(want {'full marks' if want_full else 'zero'})"
    )
    return [] if good else [name]


def _course_folders(catalogue: Catalogue) -> list[tuple[Path, bool]]:
    """(solutions/, want full marks) and (exercises/, want zero)."""
    folders = [(catalogue.root / "solutions", True), (catalogue.root / "exercises", False)]
    for folder, _wants_full_marks in folders:
        if not folder.is_dir():
            raise InputError(
                f"{folder} does not exist; `grade check` runs in the course repository"
            )
    return folders
