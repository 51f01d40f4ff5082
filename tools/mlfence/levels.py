"""Severities and statuses of findings, defined once for the Python side.

The Rego side defines the same values where findings are made (policy/lib/mlfence/result.rego:
a rule's METADATA severity, the statuses "fail", "unknown", "warn" and "exempted"); every CLI
option, report and summary reads them from here.
"""

from __future__ import annotations

# Most severe first.
SEVERITIES = ("critical", "high", "medium", "low")
SEVERITY_ORDER = {severity: rank for rank, severity in enumerate(SEVERITIES)}

FAIL, WARN, UNKNOWN, EXEMPTED = "fail", "warn", "unknown", "exempted"
# A failure blocks; a warning advises; unknown is a value known only after apply (or an object
# judged without the objects around it); exempted is a waived finding, reported and never blocking.
STATUSES = (FAIL, WARN, UNKNOWN, EXEMPTED)
