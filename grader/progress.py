"""A learner's progress, kept beside their work: best scores for `grade list`, hints seen.

The state lives in `<submission>/.grade/progress.json`. It is a convenience, never a source
of marks: a folder that cannot be written just means no progress is remembered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from grader.results import Report

STATE_FILE = Path(".grade") / "progress.json"


@dataclass
class Progress:
    """Best score and last status per item, and how many hints each item has shown."""

    best: dict[str, float] = field(default_factory=dict)
    status: dict[str, str] = field(default_factory=dict)
    hints_shown: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, submission: Path) -> Progress:
        try:
            data = json.loads((submission / STATE_FILE).read_text(encoding="utf-8"))
            return cls(best={str(k): float(v) for k, v in data.get("best", {}).items()},
                       status={str(k): str(v) for k, v in data.get("status", {}).items()},
                       hints_shown={str(k): int(v) for k, v in data.get("hints_shown", {}).items()})
        except (OSError, ValueError, TypeError, AttributeError):
            return cls()

    def save(self, submission: Path) -> None:
        path = submission / STATE_FILE
        try:
            path.parent.mkdir(exist_ok=True)
            path.write_text(json.dumps({"best": self.best, "status": self.status,
                                        "hints_shown": self.hints_shown}, indent=1), encoding="utf-8")
        except OSError:
            pass

    def record(self, report: Report) -> None:
        """Remember each item's best score and latest status."""
        for item in report.exercises:
            self.best[item.id] = max(self.best.get(item.id, 0.0), item.score)
            self.status[item.id] = item.status

    def next_hint(self, item_id: str, hints: tuple[str, ...]) -> tuple[int, str] | None:
        """The next hint (1-based number, text) for `item_id`, or None when all were shown."""
        shown = self.hints_shown.get(item_id, 0)
        if shown >= len(hints):
            return None
        self.hints_shown[item_id] = shown + 1
        return shown + 1, hints[shown]
