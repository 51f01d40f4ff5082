"""Report formats for `mlfence check`: table, json, sarif, junit, github.

The JSON shape is a public contract (docs/cli.md): {"findings": [...], "summary": {...}}.
"""

from __future__ import annotations

import io
import json
import shutil
from collections import Counter
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree as ET

from rich.console import Console
from rich.table import Table
from rich.text import Text

from mlfence import __version__
from mlfence.catalog import Rule
from mlfence.documents import InputProblem
from mlfence.scan import Finding

SARIF_LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}


def summary(findings: list[Finding], documents: int, kinds: dict[str, int], problems: list[InputProblem],
            skipped_files: int) -> dict[str, Any]:
    statuses = Counter(f.status for f in findings)
    return {
        "documents": documents,
        "kubernetes_objects": kinds.get("kubernetes_object", 0) + kinds.get("admission_review", 0),
        "terraform_plans": kinds.get("terraform_plan", 0),
        "skipped_documents": kinds.get("unrecognised", 0),
        "skipped_files": skipped_files,
        "input_errors": sum(1 for p in problems if p.fatal),
        "findings": len(findings),
        "fail": statuses.get("fail", 0),
        "warn": statuses.get("warn", 0),
        "unknown": statuses.get("unknown", 0),
        "exempted": statuses.get("exempted", 0),
        "by_severity": dict(sorted(Counter(f.severity for f in findings).items())),
    }


def as_json(findings: list[Finding], stats: dict[str, Any], problems: list[InputProblem], **_: Any) -> str:
    return json.dumps({
        "findings": [f.as_dict() for f in findings],
        "summary": stats,
        "errors": [{"file": p.path, "line": p.line, "message": p.message, "fatal": p.fatal} for p in problems],
    }, indent=2, sort_keys=True) + "\n"


def as_table(findings: list[Finding], stats: dict[str, Any], problems: list[InputProblem], **_: Any) -> str:
    width = max(100, shutil.get_terminal_size((140, 40)).columns)
    console = Console(file=io.StringIO(), record=True, width=width, force_terminal=False, color_system=None)
    for severity in ("critical", "high", "medium", "low"):
        rows = [f for f in findings if f.severity == severity]
        if not rows:
            continue
        table = Table(title=f"{severity.upper()} ({len(rows)})", title_justify="left", show_lines=False,
                      expand=True)
        table.add_column("rule", no_wrap=True)
        table.add_column("status", no_wrap=True)
        table.add_column("finding (resource, where)", overflow="fold", ratio=1)
        for f in rows:
            where = f"{f.file}:{f.line}" if f.line else f.file
            # Text, not a markup string: messages carry "[exempted until ...]" and other brackets.
            table.add_row(f.rule_id, f.status, Text(f"{f.message.split(': ', 1)[-1]}\n  {where}"))
        console.print(table)
    for problem in problems:
        where = f"{problem.path}:{problem.line}" if problem.line else problem.path
        console.print(f"{'error' if problem.fatal else 'note'}: {where}: {problem.message}", markup=False)
    console.print(
        f"{stats['findings']} findings ({stats['fail']} fail, {stats['warn']} warn, {stats['unknown']} unknown, "
        f"{stats['exempted']} exempted) in {stats['documents']} documents "
        f"({stats['kubernetes_objects']} Kubernetes objects, {stats['terraform_plans']} plans, "
        f"{stats['skipped_documents']} skipped); {stats['input_errors']} input errors",
        markup=False,
    )
    return console.export_text()


def as_github(findings: list[Finding], stats: dict[str, Any], problems: list[InputProblem], **_: Any) -> str:
    """GitHub Actions workflow commands: annotations on the files."""
    def escape(text: str) -> str:
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    lines = []
    for f in findings:
        level = "error" if f.status == "fail" else "notice" if f.status == "exempted" else "warning"
        lines.append(f"::{level} file={f.file},line={max(f.line, 1)},title={f.rule_id}::{escape(f.message)}")
    for p in problems:
        lines.append(f"::{'error' if p.fatal else 'notice'} file={p.path},line={max(p.line, 1)}::{escape(p.message)}")
    lines.append(f"mlfence: {stats['fail']} fail, {stats['warn']} warn, {stats['unknown']} unknown, "
                 f"{stats['exempted']} exempted")
    return "\n".join(lines) + "\n"


def as_sarif(findings: list[Finding], stats: dict[str, Any], problems: list[InputProblem],
             rules: tuple[Rule, ...] = (), **_: Any) -> str:
    rule_index = {r.rule_id: i for i, r in enumerate(rules)}
    results = []
    for f in findings:
        result: dict[str, Any] = {
            "ruleId": f.rule_id,
            "level": "note" if f.status == "exempted" else SARIF_LEVELS.get(f.severity, "warning")
            if f.status == "fail" else "warning",
            "message": {"text": f.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": f.file},
                "region": {"startLine": max(f.line, 1)},
            }, "logicalLocations": [{"fullyQualifiedName": f.resource}]}],
            "properties": {"status": f.status, "severity": f.severity, "resource": f.resource},
        }
        if f.rule_id in rule_index:
            result["ruleIndex"] = rule_index[f.rule_id]
        if f.status == "exempted":
            result["suppressions"] = [{"kind": "external", "justification": (f.exemption or {}).get("reason", "")}]
        results.append(result)
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "mlfence",
                "version": __version__,
                "informationUri": "https://github.com/mlfence/mlfence",
                "rules": [{
                    "id": r.rule_id,
                    "name": r.long_id or r.slug,
                    "shortDescription": {"text": r.title},
                    "fullDescription": {"text": r.description},
                    "help": {"text": r.remediation},
                    "defaultConfiguration": {"level": SARIF_LEVELS[r.severity]},
                    "properties": {"severity": r.severity, "target": r.target},
                } for r in rules],
            }},
            "results": results,
            "invocations": [{"executionSuccessful": not any(p.fatal for p in problems),
                             "toolExecutionNotifications": [{
                                 "level": "error" if p.fatal else "note", "message": {"text": p.message},
                                 "locations": [{"physicalLocation": {"artifactLocation": {"uri": p.path}}}],
                             } for p in problems]}],
        }],
    }
    return json.dumps(sarif, indent=2, sort_keys=True) + "\n"


def as_junit(findings: list[Finding], stats: dict[str, Any], problems: list[InputProblem],
             rules: tuple[Rule, ...] = (), **_: Any) -> str:
    """One test case per rule x resource that has a finding, and one passing case per rule without."""
    suite = ET.Element("testsuite", name="mlfence", tests="0", failures="0", errors="0", skipped="0")
    cases = 0
    failures = 0
    with_findings: set[str] = set()
    for f in findings:
        with_findings.add(f.rule_id)
        case = ET.SubElement(suite, "testcase", classname=f.rule_id, name=f.resource or f.file,
                             file=f.file, line=str(f.line))
        cases += 1
        if f.status == "fail":
            failures += 1
            failure = ET.SubElement(case, "failure", message=f.message, type=f.severity)
            failure.text = f"{f.message}\nremediation: {f.remediation}"
        else:
            skipped = ET.SubElement(case, "skipped", message=f"{f.status}: {f.message}")
            skipped.text = f.message
    for rule in rules:
        if rule.rule_id not in with_findings:
            ET.SubElement(suite, "testcase", classname=rule.rule_id, name="all resources")
            cases += 1
    for p in problems:
        case = ET.SubElement(suite, "testcase", classname="input", name=p.path)
        cases += 1
        if p.fatal:
            ET.SubElement(case, "error", message=p.message)
    suite.set("tests", str(cases))
    suite.set("failures", str(failures))
    suite.set("errors", str(sum(1 for p in problems if p.fatal)))
    suite.set("skipped", str(sum(1 for f in findings if f.status != "fail")))
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


FORMATS: dict[str, Callable[..., str]] = {
    "table": as_table, "json": as_json, "sarif": as_sarif, "junit": as_junit, "github": as_github,
}
