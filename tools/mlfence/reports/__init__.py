"""Report formats for `mlfence check`: table, json, sarif, junit, github, policyreport.

The JSON shape is a public contract (docs/cli.md): {"findings", "summary", "errors", "skipped"}.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from mlfence.reports.junit import as_junit
from mlfence.reports.model import Report
from mlfence.reports.policyreport import as_policyreport
from mlfence.reports.sarif import as_sarif
from mlfence.reports.text import as_github, as_table


def as_json(report: Report) -> str:
    document = {
        "findings": [f.as_dict() for f in report.findings],
        "summary": report.summary,
        "errors": [{"file": p.path, "line": p.line, "message": p.message, "fatal": p.fatal} for p in report.problems],
        "skipped": report.skipped_inputs(),
    }
    if report.fixed is not None:
        document["fixed"] = report.fixed
    if report.reach_diff is not None:
        document["reach_diff"] = report.reach_diff
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


FORMATS: dict[str, Callable[[Report], str]] = {
    "table": as_table,
    "json": as_json,
    "sarif": as_sarif,
    "junit": as_junit,
    "github": as_github,
    "policyreport": as_policyreport,
}


def render(report: Report, output_format: str) -> str:
    return FORMATS[output_format](report)


__all__ = ["FORMATS", "Report", "render"]
