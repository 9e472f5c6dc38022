"""`grade report OUT --adjustments FILE --extensions FILE`: apply changed files without a regrade.

The files are read and checked first (nothing is written on a bad line); then, holding the out
folder's lock like `batch` and `merge`, every graded record whose adjustments, late work or
final grade change is rewritten (the one it replaces goes to history/), and grades.csv and the
LMS exports are rebuilt from the records, so they agree with them.
"""

from __future__ import annotations

from pathlib import Path

from grader.course.catalogue import Catalogue
from grader.i18n import _
from grader.instructor import finishing as finish
from grader.instructor import records
from grader.instructor.outlock import out_folder_lock


def apply_files(
    catalogue: Catalogue, out_dir: Path, files: dict[str, Path | None], echo
) -> list[str]:
    """Apply the files given (none: nothing to do); returns the learners whose records changed."""
    if not any(files.values()):
        return []
    from grader.instructor.classroom import GRADES_FILE, read_roster, rebuild

    finishing = finish.from_options(catalogue, dict(files))
    try:
        intake = set(records.read_intake(out_dir)["learners"])
    except ValueError:
        intake = set()
    finishing.check_learners(intake | set(records.load_records(out_dir)), lambda name: True)
    with out_folder_lock(out_dir):
        changed = finish.refinish(out_dir, finishing)
        grades = out_dir / GRADES_FILE
        excel = grades.is_file() and grades.read_bytes()[:3] == "\ufeff".encode()
        rebuild(catalogue, out_dir, read_roster(out_dir, None), echo=echo, excel=excel)
    echo(
        _("records updated: {count} (each earlier one is in history/); grades.csv rebuilt").format(
            count=len(changed)
        ),
        err=True,
    )
    return changed
