"""JUnit XML: one test case per rule x resource with a finding, one passing case per rule that
ran without one, and a skipped case for every rule that did not run (filtered out, or nothing it
checks was scanned): a CI dashboard must not count an unrun rule as passed."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from mlfence.reports.model import FILTERED, NO_INPUT, RAN, Report

_WHY_NOT = {
    FILTERED: "not run: excluded by --rule/--skip-rule",
    NO_INPUT: "not run: nothing this rule checks was scanned",
}


def as_junit(report: Report) -> str:
    suite = ET.Element("testsuite", name="mlfence")
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    with_findings: set[str] = set()
    for f in report.findings:
        with_findings.add(f.rule_id)
        case = ET.SubElement(
            suite, "testcase", classname=f.rule_id, name=f.resource or f.file, file=f.file, line=str(f.line)
        )
        counts["tests"] += 1
        if f.status == "fail":
            counts["failures"] += 1
            failure = ET.SubElement(case, "failure", message=f.message, type=f.severity)
            failure.text = f"{f.message}\nremediation: {f.remediation}"
        else:
            counts["skipped"] += 1
            skipped = ET.SubElement(case, "skipped", message=f"{f.status}: {f.message}")
            skipped.text = f.message
    for rule in report.rules:
        if rule.rule_id in with_findings:
            continue
        state = report.rule_states.get(rule.rule_id, RAN)
        case = ET.SubElement(suite, "testcase", classname=rule.rule_id, name="all resources")
        counts["tests"] += 1
        hidden = report.hidden_by_rule.get(rule.rule_id, 0)
        if state != RAN or hidden:
            counts["skipped"] += 1
            why = _WHY_NOT.get(state) or f"{hidden} findings not shown (below the threshold or in the baseline)"
            ET.SubElement(case, "skipped", message=why)
    for p in report.problems:
        case = ET.SubElement(suite, "testcase", classname="input", name=p.path)
        counts["tests"] += 1
        if p.fatal:
            counts["errors"] += 1
            ET.SubElement(case, "error", message=p.message)
        else:
            counts["skipped"] += 1
            ET.SubElement(case, "skipped", message=p.message)
    for key, value in counts.items():
        suite.set(key, str(value))
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"
