"""The report as JSON, the `grade --format json` contract (grader/schemas/report.schema.json)."""

from __future__ import annotations

import json

from grader.reports.registry import Options, register
from grader.results import Report


@register("json")
def render_json(report: Report, options: Options) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
