"""What `mlfence check` shows and what fails the run: rule patterns, severities and the gate.

Showing and gating are separate on purpose (Checkov's --check/--hard-fail-on, Trivy's
--severity/--exit-code): a team adopting mlfence wants to see every finding while CI fails only
on the ones they have committed to fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

from mlfence import levels
from mlfence.errors import MlfenceError
from mlfence.levels import SEVERITY_ORDER
from mlfence.scan import Finding

SEVERITIES = levels.SEVERITIES  # critical first
# The two statuses `--fail-on` accepted before it took severities; both still work.
LEGACY_STATUSES = {"fail": frozenset({"fail"}), "warn": frozenset({"fail", "warn", "unknown"})}


class SelectionError(MlfenceError, ValueError):
    """A rule pattern, severity or --fail-on value is not understood."""


def severity(value: str) -> str:
    """A severity name, case-insensitive."""
    normal = value.strip().lower()
    if normal not in SEVERITY_ORDER:
        raise SelectionError(f"unknown severity {value!r} (one of {', '.join(SEVERITIES)})")
    return normal


def at_or_above(finding_severity: str, threshold: str) -> bool:
    return SEVERITY_ORDER.get(finding_severity, 9) <= SEVERITY_ORDER[threshold]


def rule_patterns(values: list[str]) -> tuple[str, ...]:
    """`--rule MLF-TF-*,mlf-k8s-001 --rule X`: comma lists, repeatable, case-insensitive globs."""
    return tuple(p.strip().upper() for v in values for p in v.split(",") if p.strip())


def check_patterns(patterns: tuple[str, ...], known: set[str]) -> None:
    """Every pattern must name at least one rule: a typo must not silently select nothing."""
    for pattern in patterns:
        if not any(fnmatchcase(rule_id, pattern) for rule_id in known):
            what = "pattern {} matches no rule ID" if any(c in pattern for c in "*?[") else "unknown rule ID {}"
            raise SelectionError(what.format(pattern) + " (see `mlfence rules`)")


def selected(rule_id: str, only: tuple[str, ...], skip: tuple[str, ...]) -> bool:
    if only and not any(fnmatchcase(rule_id, p) for p in only):
        return False
    return not any(fnmatchcase(rule_id, p) for p in skip)


@dataclass(frozen=True)
class Gate:
    """Which findings make the run exit 1: these statuses at or above this severity."""

    severity: str
    statuses: frozenset[str]
    soft: bool = False  # --soft-fail: report, never exit 1

    def fails(self, finding: Finding) -> bool:
        return finding.status in self.statuses and at_or_above(finding.severity, self.severity)

    def describe(self) -> str:
        what = "/".join(s for s in ("fail", "warn", "unknown") if s in self.statuses)
        return f"{what} findings at or above {self.severity}" + (" (soft fail: exit 0)" if self.soft else "")


def gate(fail_on: str | None, threshold: str, soft: bool) -> Gate:
    """`--fail-on` is a severity, `fail`/`warn` (the statuses it took before), or both as a comma
    list (`high,warn`). Without a severity the gate is the display threshold, as it always was,
    so `--severity-threshold high` alone still fails only on what it shows."""
    level, statuses = threshold, LEGACY_STATUSES["fail"]
    for part in (p.strip().lower() for p in (fail_on or "").split(",") if p.strip()):
        if part in LEGACY_STATUSES:
            statuses = LEGACY_STATUSES[part]
        elif part in SEVERITY_ORDER:
            level = part
        else:
            raise SelectionError(f"--fail-on {part!r} is neither a severity ({', '.join(SEVERITIES)}) nor fail/warn")
    return Gate(level, statuses, soft)
