"""Report formats for `mlfence check`: table, json, sarif, junit, github, policyreport.

The JSON shape is a public contract (docs/cli.md): {"findings", "summary", "errors", "skipped"}.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from mlfence.reports.model import Report


# Each format's module is imported when that format is rendered: the table and github ones pull
# in rich (~0.04 s CPU at start-up), which a JSON report, pre-commit's, never uses.
def as_table(report: Report) -> str:
    from mlfence.reports import text

    return text.as_table(report)


def as_github(report: Report) -> str:
    from mlfence.reports import text

    return text.as_github(report)


def as_sarif(report: Report) -> str:
    from mlfence.reports import sarif

    return sarif.as_sarif(report)


def as_junit(report: Report) -> str:
    from mlfence.reports import junit

    return junit.as_junit(report)


def as_policyreport(report: Report) -> str:
    from mlfence.reports import policyreport

    return policyreport.as_policyreport(report)


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
