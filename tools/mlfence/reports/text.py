"""The console table, grouped by severity, and the GitHub Actions annotations."""

from __future__ import annotations

import io
import shutil

from rich.console import Console
from rich.table import Table
from rich.text import Text

from mlfence import levels
from mlfence.reports.model import Report, where
from mlfence.scan import Finding


def _location(f: Finding) -> str:
    text = where(f.file, f.line)
    if f.attribute:
        text += f" ({f.attribute})"
    if f.input_file:
        text += f"  [plan: {where(f.input_file, f.input_line)}]"
    if f.kustomization:
        text += f"  [kustomize build {f.kustomization}]"
    return text


def _summary_lines(report: Report) -> list[str]:
    s = report.summary
    lines = [
        f"{s['findings']} findings ({s['fail']} fail, {s['warn']} warn, {s['unknown']} unknown, "
        f"{s['exempted']} exempted) in {s['documents']} documents "
        f"({s['kubernetes_objects']} Kubernetes objects, {s['terraform_plans']} plans, "
        f"{s['skipped_documents']} skipped); {s['input_errors']} input errors"
    ]
    if s.get("unchanged_not_judged"):
        lines.append(
            f"{s['unchanged_not_judged']} unchanged Terraform resources not judged (nothing the plan "
            "changes depends on them); --all-resources judges them too"
        )
    hidden = s.get("hidden") or {}
    if any(hidden.values()):
        parts = [
            f"{hidden['severity']} below {s['severity_threshold']}" if hidden.get("severity") else "",
            f"{hidden['rules']} by --rule/--skip-rule" if hidden.get("rules") else "",
            f"{hidden['baseline']} already in the baseline" if hidden.get("baseline") else "",
        ]
        lines.append(f"{sum(hidden.values())} findings hidden by filters: " + ", ".join(p for p in parts if p))
    if "baseline" in s:
        lines.append(f"baseline: {s['baseline']['new']} new, {s['baseline']['fixed']} fixed")
    for entry in s.get("unused_exemptions") or ():
        lines.append(
            f"unused exemption: {entry['rule']} {entry['resource']} ({entry.get('source', '')}) matched no finding"
        )
    for entry in s.get("unused_suppressions") or ():
        lines.append(
            f"unused suppression: {entry['kind']} on {entry['resource']} "
            f"({where(entry['file'], entry['line'])}) names {', '.join(entry['rules'])}, "
            "which reported nothing there"
        )
    gate = s.get("gate")
    if gate and gate["failing"]:
        lines.append(f"{gate['failing']} findings fail the run ({gate['rule']})")
    return lines


def as_table(report: Report) -> str:
    width = max(100, shutil.get_terminal_size((140, 40)).columns)
    console = Console(file=io.StringIO(), record=True, width=width, force_terminal=False, color_system=None)
    for severity in levels.SEVERITIES:
        rows = [f for f in report.findings if f.severity == severity]
        if not rows:
            continue
        table = Table(title=f"{severity.upper()} ({len(rows)})", title_justify="left", show_lines=False, expand=True)
        table.add_column("rule", no_wrap=True)
        table.add_column("status", no_wrap=True)
        table.add_column("finding (resource, where)", overflow="fold", ratio=1)
        for f in rows:
            # Text, not a markup string: messages carry "[exempted until ...]" and other brackets.
            table.add_row(f.rule_id, f.status, Text(f"{f.text}\n  {_location(f)}"))
        console.print(table)
    for entry in report.fixed or ():
        console.print(
            f"fixed since the baseline: {entry['rule_id']} {entry['resource']} ({entry['location']})",
            markup=False,
            highlight=False,
        )
    for problem in report.problems:
        if problem.fatal:
            console.print(
                f"error: {where(problem.path, problem.line)}: {problem.message}", markup=False, highlight=False
            )
    for item in report.skipped_inputs():
        name = f" {item['name']}:" if item.get("name") else ""
        console.print(
            f"skipped {item['what']}: {where(item['file'], item['line'])}:{name} {item['reason']}",
            markup=False,
            highlight=False,
        )
    for line in _summary_lines(report):
        console.print(line, markup=False, highlight=False)
    return console.export_text() + flow_diff_markdown(report)


def flow_diff_markdown(report: Report) -> str:
    """`--diff-base`: the flows added, removed and changed, as Markdown after the report."""
    if report.reach_diff is None:
        return ""
    from mlfence import reach_diff

    return "\n" + reach_diff.render_markdown(reach_diff.from_json(report.reach_diff))


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    """Workflow command properties also need ',' and ':' escaped (actions/toolkit's command.ts)."""
    return _escape(text).replace(":", "%3A").replace(",", "%2C")


def as_github(report: Report) -> str:
    """GitHub Actions workflow commands: annotations on the files (the .tf line when mapped)."""
    lines = []
    for f in report.findings:
        level = "error" if f.status == "fail" else "notice" if f.status == "exempted" else "warning"
        lines.append(
            f"::{level} file={_property(f.file)},line={max(f.line, 1)},"
            f"title={_property(f.rule_id)}::{_escape(f.message)}"
        )
    for p in report.problems:
        lines.append(
            f"::{'error' if p.fatal else 'notice'} file={_property(p.path)},line={max(p.line, 1)}::{_escape(p.message)}"
        )
    for s in report.skipped:
        lines.append(f"::notice file={_property(s.path)},line={max(s.line, 1)}::{_escape('skipped ' + s.name)}")
    stats = report.summary
    lines.append(
        f"mlfence: {stats['fail']} fail, {stats['warn']} warn, {stats['unknown']} unknown, {stats['exempted']} exempted"
    )
    return "\n".join(lines) + "\n" + flow_diff_markdown(report)
