"""Glue for CI systems that read reports in their own shapes, from `mlfence check --format json`:

- GitLab's Code Quality report (`artifacts: reports: codequality:`), used by
  ci/gitlab/mlfence.gitlab-ci.yml;
- a GitHub job summary in Markdown, used by action.yml.

    python -m mlfence.integrations codequality REPORT.json OUT.json
    python -m mlfence.integrations summary REPORT.json >> "$GITHUB_STEP_SUMMARY"
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from mlfence.files import write_text_atomic

# GitLab Code Quality severities: info, minor, major, critical, blocker.
CODEQUALITY_SEVERITY = {"critical": "blocker", "high": "critical", "medium": "major", "low": "minor"}
SHOWN = 50


def _fingerprint(finding: dict[str, Any]) -> str:
    """Stable across runs and line moves: rule, resource, file and message, never the line."""
    key = "\x00".join(str(finding.get(k, "")) for k in ("rule_id", "resource", "file", "message"))
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def codequality(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Failing, warning and unknown findings as GitLab Code Quality issues (exempted ones are not
    issues: they were accepted, and the JSON report still lists them)."""
    issues = []
    for finding in report.get("findings") or []:
        if finding.get("status") == "exempted":
            continue
        issues.append(
            {
                "type": "issue",
                "check_name": finding["rule_id"],
                "description": finding["message"],
                "categories": ["Security"],
                "severity": CODEQUALITY_SEVERITY.get(finding.get("severity", ""), "info")
                if finding.get("status") == "fail"
                else "info",
                "fingerprint": _fingerprint(finding),
                "location": {
                    "path": finding.get("file") or "-",
                    "lines": {"begin": max(1, int(finding.get("line") or 1))},
                },
            }
        )
    return issues


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def summary(report: dict[str, Any]) -> str:
    """A Markdown job summary: the counts, then the failing findings first."""
    stats = report.get("summary") or {}
    lines = [
        "## mlfence",
        "",
        f"{stats.get('findings', 0)} findings: {stats.get('fail', 0)} failing, {stats.get('warn', 0)} warnings, "
        f"{stats.get('unknown', 0)} unknown, {stats.get('exempted', 0)} exempted; "
        f"{stats.get('input_errors', 0)} input errors.",
        "",
    ]
    order = {"fail": 0, "unknown": 1, "warn": 2, "exempted": 3}
    findings = sorted(report.get("findings") or [], key=lambda f: (order.get(f.get("status"), 9), f.get("rule_id")))
    if findings:
        lines += ["| rule | severity | status | resource | where |", "|---|---|---|---|---|"]
        for f in findings[:SHOWN]:
            lines.append(
                f"| {f['rule_id']} | {f.get('severity', '')} | {f.get('status', '')} | "
                f"{_cell(f.get('resource', ''))} | {_cell(f.get('file', ''))}:{f.get('line', '')} |"
            )
        if len(findings) > SHOWN:
            lines += ["", f"... and {len(findings) - SHOWN} more (see the SARIF upload or the JSON report)."]
    for error in report.get("errors") or []:
        lines.append(
            f"- input error: {_cell(error.get('file', ''))}:{error.get('line', '')}: {_cell(error.get('message', ''))}"
        )
    text = "\n".join(lines) + "\n"
    if isinstance(report.get("reach_diff"), dict):  # `mlfence check --diff-base REV`
        from mlfence import reach_diff

        text += "\n" + reach_diff.render_markdown(reach_diff.from_json(report["reach_diff"]))
    return text


def main(argv: list[str]) -> int:
    usage = "usage: python -m mlfence.integrations codequality REPORT OUT | summary REPORT"
    if len(argv) < 2 or argv[0] not in ("codequality", "summary"):
        print(usage, file=sys.stderr)
        return 2
    try:
        report = json.loads(Path(argv[1]).read_text())
    except (OSError, ValueError) as exc:
        print(f"mlfence: {argv[1]}: not a JSON report ({exc})", file=sys.stderr)
        return 2
    if argv[0] == "codequality":
        if len(argv) != 3:
            print(usage, file=sys.stderr)
            return 2
        write_text_atomic(Path(argv[2]), json.dumps(codequality(report), indent=2) + "\n")
    else:
        sys.stdout.write(summary(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
