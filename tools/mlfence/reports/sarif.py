"""SARIF 2.1.0 shaped for GitHub code scanning: it ranks alerts by each rule's
`properties.security-severity` (only for rules tagged `security`), shows `help.markdown`, and
tracks an alert across commits by `partialFingerprints`."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from mlfence import __version__, docs
from mlfence.catalog import Rule
from mlfence.reports.model import UNRECOGNISED, Report
from mlfence.scan import Finding

PROJECT_URL = "https://github.com/mlfence/mlfence"
SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
# GitHub maps security-severity to its levels: > 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium,
# 0.1-3.9 low (docs: "SARIF support for code scanning"). One value inside each band.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "2.0"}
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "mlfence/v1"


def help_uri(rule_id: str) -> str:
    return f"{PROJECT_URL}/blob/main/docs/rules/{rule_id}.md"


def artifact(path: str) -> dict[str, Any]:
    """An artifactLocation whose `uri` is a valid URI reference: relative paths are resolved
    against %SRCROOT% (the working directory), absolute ones become file: URIs, and characters
    such as spaces or the brackets of `<stdin>` are percent-encoded."""
    if path.startswith("<"):
        return {"uri": quote(path, safe="")}
    candidate = Path(path)
    if candidate.is_absolute():
        return {"uri": candidate.as_uri()}
    relative = PurePosixPath(os.path.normpath(candidate.as_posix())).as_posix()
    return {"uri": quote(relative, safe="/"), "uriBaseId": SRCROOT}


def _tags(rule: Rule) -> list[str]:
    return sorted({"security", "network-isolation", rule.target, rule.area})


def _rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.rule_id,
        "name": rule.long_id or rule.slug,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.description},
        "helpUri": help_uri(rule.rule_id),
        "help": {"text": rule.remediation, "markdown": docs.page(rule)},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "security-severity": SECURITY_SEVERITY[rule.severity],
            "tags": _tags(rule),
            "severity": rule.severity,
            "target": rule.target,
        },
    }


def _level(f: Finding) -> str:
    if f.status == "exempted":
        return "note"
    return LEVELS.get(f.severity, "warning") if f.status == "fail" else "warning"


def _region(f: Finding) -> dict[str, int]:
    region = {"startLine": max(f.line, 1)}
    if f.end_line > f.line and not f.attribute:  # the whole resource block
        region["endLine"] = f.end_line
    return region


def _result(f: Finding, index: dict[str, int], fingerprint: str, with_baseline: bool) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": f.rule_id,
        "level": _level(f),
        "message": {"text": f.message},
        "locations": [
            {
                "physicalLocation": {"artifactLocation": artifact(f.file), "region": _region(f)},
                "logicalLocations": [{"fullyQualifiedName": f.resource, "kind": "resource"}] if f.resource else [],
            }
        ],
        "properties": {"status": f.status, "severity": f.severity, "resource": f.resource},
    }
    if fingerprint:
        result["partialFingerprints"] = {FINGERPRINT_KEY: fingerprint}
    if f.input_file:
        result["relatedLocations"] = [
            {
                "id": 1,
                "message": {"text": "the plan this finding was read from"},
                "physicalLocation": {
                    "artifactLocation": artifact(f.input_file),
                    "region": {"startLine": max(f.input_line, 1)},
                },
            }
        ]
    if f.attribute:
        result["properties"]["attribute"] = f.attribute
    if f.kustomization:
        result["properties"]["kustomization"] = f.kustomization
    if f.rule_id in index:
        result["ruleIndex"] = index[f.rule_id]
    if with_baseline:
        result["baselineState"] = "new"  # findings already in the baseline are not reported
    if f.status == "exempted":
        result["suppressions"] = [{"kind": "external", "justification": (f.exemption or {}).get("reason", "")}]
    return result


def _fingerprints(findings: list[Finding]) -> list[str]:
    """One fingerprint per result: GitHub merges results that share one, so the second finding
    of a rule on the same resource gets `:2` (ordered by message, so the suffix is stable)."""
    order = sorted(range(len(findings)), key=lambda i: (findings[i].fingerprint, findings[i].message))
    seen: Counter[str] = Counter()
    out = [""] * len(findings)
    for i in order:
        fp = findings[i].fingerprint
        if fp:
            seen[fp] += 1
            out[i] = fp if seen[fp] == 1 else f"{fp}:{seen[fp]}"
    return out


def _notification(level: str, text: str, path: str, line: int = 0) -> dict[str, Any]:
    location: dict[str, Any] = {"artifactLocation": artifact(path)}
    if line:
        location["region"] = {"startLine": line}
    return {"level": level, "message": {"text": text}, "locations": [{"physicalLocation": location}]}


def as_sarif(report: Report) -> str:
    index = {r.rule_id: i for i, r in enumerate(report.rules)}
    with_baseline = report.fixed is not None
    fingerprints = _fingerprints(report.findings)
    notifications = [_notification("error" if p.fatal else "note", p.message, p.path, p.line) for p in report.problems]
    notifications += [
        _notification("note", f"skipped {s.name}: {UNRECOGNISED}", s.path, s.line) for s in report.skipped
    ]
    sarif = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "mlfence",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": PROJECT_URL,
                        "rules": [_rule(r) for r in report.rules],
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"uri": Path.cwd().as_uri() + "/"}},
                "results": [
                    _result(f, index, fp, with_baseline) for f, fp in zip(report.findings, fingerprints, strict=True)
                ],
                "invocations": [
                    {
                        "executionSuccessful": not any(p.fatal for p in report.problems),
                        "toolExecutionNotifications": notifications,
                    }
                ],
            }
        ],
    }
    return json.dumps(sarif, indent=2, sort_keys=True) + "\n"
