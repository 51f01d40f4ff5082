"""`mlfence check`: load inputs, evaluate once, filter, apply exemptions, decide the exit code."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

from mlfence import catalog, documents, exemptions, report, scan, toolchain
from mlfence.documents import InputProblem
from mlfence.scan import SEVERITY_ORDER, Finding

EXIT_CLEAN, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2


class CheckError(RuntimeError):
    """The run cannot produce a report at all (usage error, broken installation)."""


@dataclass(frozen=True)
class CheckOptions:
    paths: list[str]
    values: list[Path] = field(default_factory=list)
    fail_on: str = "fail"
    severity_threshold: str = "low"
    rules: list[str] = field(default_factory=list)
    skip_rules: list[str] = field(default_factory=list)
    data: Path | None = None
    exemptions: Path | None = None
    progress: bool = False
    stdin_text: str | None = None
    needs_catalog: bool = False  # SARIF and JUnit list every rule, not only those that fired
    jobs: int | None = None  # OPA processes; None: one per CPU (scan.job_count)


@dataclass
class Outcome:
    findings: list[Finding]
    summary: dict[str, Any]
    problems: list[InputProblem]
    rules: tuple[catalog.Rule, ...]
    exit_code: int


def _keep(finding: Finding, options: CheckOptions) -> bool:
    if SEVERITY_ORDER.get(finding.severity, 9) > SEVERITY_ORDER[options.severity_threshold]:
        return False
    if options.rules and finding.rule_id not in options.rules:
        return False
    return finding.rule_id not in options.skip_rules


def run(options: CheckOptions) -> Outcome:
    # The catalog costs an `opa inspect` of the whole policy: read it only when it is used.
    known = _known_rules() if options.needs_catalog or options.rules or options.skip_rules else ()
    for rule_id in options.rules + options.skip_rules:
        if rule_id not in {r.rule_id for r in known}:
            raise CheckError(f"unknown rule ID {rule_id} (see `mlfence rules`)")
    data = options.data or toolchain.data_dir()
    if not data.is_dir():
        raise CheckError(f"data folder {data} does not exist")
    try:
        active = exemptions.load(options.exemptions)
    except exemptions.ExemptionError as exc:
        raise CheckError(str(exc)) from None
    status = Console(stderr=True).status("mlfence: reading inputs") if options.progress else None
    if status:
        status.start()
    try:
        loaded = documents.load(options.paths, options.values, options.stdin_text)
        if status:
            status.update(f"mlfence: evaluating {len(loaded.documents)} documents")
        try:
            result = scan.evaluate(loaded.documents, toolchain.policy_dir(), data,
                                   extra_data=exemptions.as_data(active), jobs=options.jobs)
        except (scan.ScanError, toolchain.ToolchainError) as exc:
            raise CheckError(f"policy evaluation failed: {exc}") from None
    finally:
        if status:
            status.stop()
    findings = [f for f in result.findings if _keep(f, options)]
    stats = report.summary(findings, result.documents, result.kinds, loaded.problems, loaded.skipped_files)
    stats["expired_exemptions"] = exemptions.expired_report(active)
    failing = {"fail"} | ({"warn", "unknown"} if options.fail_on == "warn" else set())
    if any(p.fatal for p in loaded.problems):
        code = EXIT_INPUT
    elif any(f.status in failing for f in findings):
        code = EXIT_FINDINGS
    else:
        code = EXIT_CLEAN
    return Outcome(findings, stats, loaded.problems, known, code)


def _known_rules() -> tuple[catalog.Rule, ...]:
    try:
        return catalog.load()
    except (catalog.CatalogError, toolchain.ToolchainError) as exc:
        raise CheckError(str(exc)) from None


def render(outcome: Outcome, output_format: str) -> str:
    return report.FORMATS[output_format](outcome.findings, outcome.summary, outcome.problems, rules=outcome.rules)
