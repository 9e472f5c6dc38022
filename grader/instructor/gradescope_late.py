"""Late work on Gradescope: `results.json` scored from `submission_metadata.json`'s dates.

Gradescope's autograder specification puts `/autograder/submission_metadata.json` beside the
submission: `created_at` (the submission time), `assignment.due_date` and `late_due_date`, and
per user `users[].assignment.due_date`, that user's own due date when an extension was given.
`run_autograder` runs `python3 -m grader.instructor.gradescope_late RESULTS METADATA` after a
graded run: the course's late policy (course.yaml's `schedule.late`) is applied with
Gradescope's due date (else the course's own), the user's later due date as the extension;
`score` becomes the final total (grader/instructor/final.py), `output` says what lateness cost
and `extra_data` keeps the "late" and "final" blocks for the instructor. A metadata file that is
missing or unreadable changes nothing: the graded score stands, and the reason is printed in
the autograder output, which only instructors see.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from grader.course.catalogue import Catalogue, load_catalogue
from grader.i18n import _
from grader.instructor.final import final_block
from grader.instructor.late import Extension, late_block


def _time(value: object) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    moment = dt.datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else None


def _items(results: dict, catalogue: Catalogue) -> list[dict]:
    """Each item's score and points, summed from the tests named "<item id> <test>"."""
    items: dict[str, dict] = {}
    for test in results.get("tests") or []:
        item_id = str(test.get("name", "")).split(" ", 1)[0]
        if item_id in catalogue.ids:
            entry = items.setdefault(item_id, {"id": item_id, "score": 0.0, "max_score": 0.0})
            entry["score"] += float(test.get("score") or 0)
            entry["max_score"] += float(test.get("max_score") or 0)
    return list(items.values())


def apply(results: dict, metadata: dict, catalogue: Catalogue) -> dict:
    """`results` with the late policy applied (unchanged when the metadata gives no time)."""
    submitted = _time(metadata.get("created_at"))
    assignment = metadata.get("assignment") or {}
    due = _time(assignment.get("due_date"))
    users = [user for user in metadata.get("users") or [] if isinstance(user, dict)]
    own = [_time((user.get("assignment") or {}).get("due_date")) for user in users]
    extended = max((date for date in own if date is not None), default=None)
    if submitted is None:
        return results
    report = {"exercises": _items(results, catalogue)}
    item_max = {item["id"]: item["max_score"] for item in report["exercises"]}
    schedule = catalogue.schedule
    extensions = {}
    if extended is not None and (due is None or extended > due):
        extensions = {item_id: Extension(due=extended) for item_id in item_max}
    late = late_block(
        submitted,
        "gradescope",
        item_max,
        schedule.late,
        (lambda _item: due) if due is not None else schedule.due_for,
        extensions,
    )
    final = final_block(report, [], late)
    penalty = round(sum(entry["late_penalty"] for entry in final["items"].values()), 6)
    lines = [results.get("output") or ""]
    if penalty:
        late_seconds = max(entry["late_seconds"] for entry in late["items"].values())
        lines.append(
            _(
                "Submitted {days:.2f} days after the due date: the late policy takes {points:g} points."
            ).format(days=late_seconds / 86_400, points=penalty)
        )
    extra = {**(results.get("extra_data") or {}), "late": late, "final": final}
    return {
        **results,
        "score": final["total"],
        "output": "\n\n".join(filter(None, lines)),
        "extra_data": extra,
    }


def main(arguments: list[str]) -> int:
    """RESULTS METADATA [CATALOGUE]: rewrite RESULTS in place; 0 whatever happens (the graded
    results stand when the dates cannot be read)."""
    results_path, metadata_path = Path(arguments[0]), Path(arguments[1])
    try:
        metadata = json.loads(metadata_path.read_text(encoding="utf-8"))
        results = json.loads(results_path.read_text(encoding="utf-8"))
        catalogue = load_catalogue(Path(arguments[2])) if len(arguments) > 2 else load_catalogue()
        changed = apply(results, metadata if isinstance(metadata, dict) else {}, catalogue)
    except (OSError, ValueError, TypeError, KeyError) as error:
        print(f"late policy not applied: {error}")
        return 0
    temporary = results_path.with_name(results_path.name + ".late")
    temporary.write_text(json.dumps(changed, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    temporary.replace(results_path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
