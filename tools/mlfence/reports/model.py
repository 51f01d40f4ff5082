"""What every report format renders: one value built by `mlfence check`, read by each format."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from mlfence.catalog import Rule
from mlfence.documents import InputProblem
from mlfence.scan import Finding, SkippedDocument

# JUnit and SARIF say why a rule produced nothing: it ran and passed, it was filtered out, or
# nothing it checks was scanned.
RAN, FILTERED, NO_INPUT = "ran", "filtered", "no input"
UNRECOGNISED = "neither a Kubernetes object nor a Terraform plan"


@dataclass
class Report:
    findings: list[Finding]  # the findings shown: past the rule filters, baseline and threshold
    summary: dict[str, Any]
    problems: list[InputProblem]
    rules: tuple[Rule, ...] = ()
    skipped: list[SkippedDocument] = field(default_factory=list)
    fixed: list[dict[str, str]] | None = None  # baseline entries no longer found; None: no baseline
    rule_states: dict[str, str] = field(default_factory=dict)
    hidden_by_rule: Counter[str] = field(default_factory=Counter)  # below threshold or in the baseline
    reach_diff: dict[str, Any] | None = None  # --diff-base: mlfence.reach_diff.as_document; None: not asked

    def skipped_inputs(self) -> list[dict[str, Any]]:
        """Every skipped file and document by name (the summary only counts them)."""
        files = [
            {"what": "file", "file": p.path, "line": p.line, "reason": p.message} for p in self.problems if not p.fatal
        ]
        documents = [
            {"what": "document", "file": s.path, "line": s.line, "name": s.name, "reason": UNRECOGNISED}
            for s in self.skipped
        ]
        return files + documents


def where(path: str, line: int) -> str:
    return f"{path}:{line}" if line else path
