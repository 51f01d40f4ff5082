"""`mlfence check`: load inputs, evaluate once, locate, filter, compare with the baseline,
decide the exit code. What is shown (threshold, rule filters, baseline) and what fails the run
(the gate) are decided separately: see selection.py."""

from __future__ import annotations

import tempfile
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlfence import (
    baseline,
    catalog,
    documents,
    exemptions,
    levels,
    reports,
    scan,
    selection,
    settings,
    suppressions,
    toolchain,
)
from mlfence.documents import Document, InputProblem
from mlfence.errors import MlfenceError
from mlfence.reports.model import FILTERED, NO_INPUT, RAN
from mlfence.scan import Finding

if TYPE_CHECKING:
    from mlfence import scan_server

EXIT_CLEAN, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2
STDIN = "<stdin>"


class CheckError(MlfenceError, RuntimeError):
    """The run cannot produce a report at all (usage error, broken installation)."""


@dataclass(frozen=True)
class CheckOptions:
    paths: list[str]
    values: list[Path] = field(default_factory=list)
    fail_on: str | None = None  # a severity, fail/warn, or both ("high,warn"); None: the threshold
    soft_fail: bool = False
    severity_threshold: str = "low"
    rules: list[str] = field(default_factory=list)  # comma lists and globs, any case
    skip_rules: list[str] = field(default_factory=list)
    data: Path | None = None  # a data folder added to the shipped one (settings.load)
    exemptions: Path | None = None
    config: Path | None = None  # the settings file; None: .mlfence.yaml found above the paths
    baseline: Path | None = None
    write_baseline: Path | None = None
    progress: bool = False
    stdin_text: str | None = None
    stdin_filename: str | None = None  # the name findings on standard input carry
    tf_root: Path | None = None  # where the .tf sources of a plan are (default: the plan's folder)
    needs_catalog: bool = False  # SARIF and JUnit list every rule, not only those that fired
    jobs: int | None = None  # OPA processes; None: one per CPU (scan.job_count)
    exclude: list[str] = field(default_factory=list)  # globs skipped while walking folders
    allow_empty: bool = False  # a run that checks nothing may exit 0 (else it is an input error)
    all_resources: bool = False  # Terraform posture mode: judge unchanged resources too
    set_values: list[str] = field(default_factory=list)  # helm --set for every chart
    namespace: str | None = None  # helm release namespace for every chart
    release: str | None = None  # helm release name for every chart
    kustomize: bool | None = None  # render kustomizations; None: the settings decide (default yes)
    diff_base: str | None = None  # also the flows added/removed since this git revision or path


@dataclass
class Outcome:
    findings: list[Finding]
    summary: dict[str, Any]
    problems: list[InputProblem]
    rules: tuple[catalog.Rule, ...]
    exit_code: int
    report: reports.Report


def _summary(findings: list[Finding], result: scan.ScanResult, problems: list[InputProblem]) -> dict[str, Any]:
    statuses = Counter(f.status for f in findings)
    return {
        "documents": result.documents,
        "kubernetes_objects": result.kinds.get("kubernetes_object", 0) + result.kinds.get("admission_review", 0),
        "terraform_plans": result.kinds.get("terraform_plan", 0),
        "skipped_documents": result.kinds.get("unrecognised", 0),
        "skipped_files": sum(1 for p in problems if not p.fatal),
        "input_errors": sum(1 for p in problems if p.fatal),
        "findings": len(findings),
        **{status: statuses.get(status, 0) for status in levels.STATUSES},
        "by_severity": dict(sorted(Counter(f.severity for f in findings).items())),
        "unchanged_not_judged": result.unchanged_not_judged,
    }


@dataclass(frozen=True)
class _Selection:
    threshold: str
    gate: selection.Gate
    only: tuple[str, ...]
    skip: tuple[str, ...]
    known: tuple[catalog.Rule, ...]

    def chosen(self, rule_id: str) -> bool:
        return selection.selected(rule_id, self.only, self.skip)


def _selection(options: CheckOptions) -> _Selection:
    try:
        threshold = selection.severity(options.severity_threshold)
        gate = selection.gate(options.fail_on, threshold, options.soft_fail)
        only, skip = selection.rule_patterns(options.rules), selection.rule_patterns(options.skip_rules)
        # The catalog costs an `opa inspect` of the whole policy: read it only when it is used.
        known = _known_rules() if options.needs_catalog or only or skip else ()
        selection.check_patterns(only + skip, {r.rule_id for r in known})
    except selection.SelectionError as exc:
        raise CheckError(str(exc)) from None
    return _Selection(threshold, gate, only, skip, known)


def run(options: CheckOptions) -> Outcome:
    chosen_by = _selection(options)
    if options.tf_root is not None and not options.tf_root.is_dir():
        raise CheckError(f"--tf-root {options.tf_root} is not a folder")
    try:
        config = settings.load(
            options.config,
            options.paths,
            options.data,
            options.exemptions,
            known_rules=lambda: frozenset(r.rule_id for r in _known_rules()),
        )
        accepted = baseline.load(options.baseline) if options.baseline else None
    except (settings.SettingsError, baseline.BaselineError, toolchain.ToolchainError) as exc:
        raise CheckError(str(exc)) from None
    loaded, result = _evaluate(options, config)
    problems = list(loaded.problems) + _nothing_checked(result, loaded, options)
    located = baseline.fingerprinted(_locate(result.findings, loaded.documents, options, problems))
    chosen = [f for f in located if chosen_by.chosen(f.rule_id)]
    if options.write_baseline:
        baseline.write(options.write_baseline, chosen)
    comparison = None
    if accepted is not None:
        comparison = baseline.compare(accepted, chosen)
        comparison.fixed = _really_fixed(comparison.fixed, loaded.documents, chosen_by)
    current = comparison.new if comparison else chosen
    shown = [f for f in current if selection.at_or_above(f.severity, chosen_by.threshold)]
    failing = [f for f in current if chosen_by.gate.fails(f)]

    stats = _summary(shown, result, problems)
    stats["expired_exemptions"] = exemptions.expired_report(list(config.exemptions))
    stats["unused_exemptions"] = exemptions.unused_report(
        list(config.exemptions), [f.as_dict() for f in result.findings]
    )
    stats["unused_suppressions"] = suppressions.unused(loaded.documents, result.findings)
    stats["severity_threshold"] = chosen_by.threshold
    stats["hidden"] = {
        "severity": len(current) - len(shown),
        "rules": len(located) - len(chosen),
        "baseline": len(comparison.unchanged) if comparison else 0,
    }
    gate = chosen_by.gate
    stats["gate"] = {
        "fail_on": gate.severity,
        "statuses": sorted(gate.statuses),
        "soft_fail": gate.soft,
        "failing": len(failing),
        "rule": gate.describe(),
    }
    if comparison is not None:
        stats["baseline"] = {
            "file": str(options.baseline),
            "new": len(comparison.new),
            "unchanged": len(comparison.unchanged),
            "fixed": len(comparison.fixed),
        }
    if any(p.fatal for p in problems):
        code = EXIT_INPUT
    elif failing and not gate.soft and not options.write_baseline:
        code = EXIT_FINDINGS
    else:
        code = EXIT_CLEAN
    shown_ids = {id(f) for f in shown}
    report = reports.Report(
        findings=shown,
        summary=stats,
        problems=problems,
        rules=chosen_by.known,
        skipped=result.skipped,
        fixed=comparison.fixed if comparison else None,
        rule_states=_rule_states(chosen_by, result.kinds),
        hidden_by_rule=Counter(f.rule_id for f in chosen if id(f) not in shown_ids),
        reach_diff=_flow_diff(options, config) if options.diff_base is not None else None,
    )
    return Outcome(shown, stats, problems, chosen_by.known, code, report)


def _flow_diff(options: CheckOptions, config: settings.Settings) -> dict[str, Any]:
    """`--diff-base`: the flows (mlfence reach) added, removed and changed since the base, as the
    JSON report's `reach_diff` (table and github render it as Markdown)."""
    from mlfence import reach, reach_diff

    rendering = config.rendering(
        options.values, options.set_values, options.namespace, options.release, options.kustomize
    )
    try:
        found = reach_diff.against(
            str(options.diff_base),
            options.paths,
            rendering=rendering,
            data=options.data,
            exclude=[*options.exclude, *config.exclude],
            run_settings=config,
        )
    except reach.ReachError as exc:
        raise CheckError(f"--diff-base: {exc}") from None
    return reach_diff.as_document(found)


def _evaluate(options: CheckOptions, config: settings.Settings) -> tuple[documents.Loaded, scan.ScanResult]:
    # One staged data tree: shipped data, the layers over it and one rendered
    # data.mlfence.config, so two sources never meet as an OPA merge error.
    with tempfile.TemporaryDirectory(prefix="mlfence-data-") as tmp:
        data = config.stage_data(Path(tmp))
        # Posture mode: unchanged Terraform resources are judged too.
        extra = {"mlfence": {"overrides": {"all_resources": True}}} if options.all_resources else None
        exclude = [*options.exclude, *config.exclude]
        # Large inputs: OPA compiles the policy while they are read (scan.started_early). Before
        # the progress display starts its thread: the server is forked from a single thread.
        server = scan.started_early(options.paths, exclude, toolchain.policy_dir(), data, extra)
        try:
            return _read_and_evaluate(options, config, data, extra, exclude, server)
        finally:
            if server is not None:
                server.close()


def _read_and_evaluate(
    options: CheckOptions,
    config: settings.Settings,
    data: Path,
    extra: dict[str, Any] | None,
    exclude: list[str],
    server: scan_server.ScanServer | None,
) -> tuple[documents.Loaded, scan.ScanResult]:
    status = None
    if options.progress:
        from rich.console import Console  # ~0.04 s CPU: only for an interactive terminal

        status = Console(stderr=True).status("mlfence: reading inputs")
        status.start()
    try:
        rendering = config.rendering(
            options.values, options.set_values, options.namespace, options.release, options.kustomize
        )
        try:
            loaded = documents.load(
                options.paths,
                stdin_text=options.stdin_text,
                exclude=exclude,
                allow_empty=options.allow_empty,
                rendering=rendering,
            )
        except toolchain.ToolchainError as exc:
            raise CheckError(f"{exc} (or pass --no-kustomize to read kustomizations as plain files)") from None
        if options.stdin_filename:
            _rename_stdin(loaded, options.stdin_filename)
        _add_source_suppressions(loaded, options)
        if status:
            status.update(f"mlfence: evaluating {len(loaded.documents)} documents")
        try:
            result = scan.evaluate(
                loaded.documents,
                toolchain.policy_dir(),
                data,
                extra_data=extra,
                jobs=options.jobs,
                namespace_for=config.namespace_for,
                server=server,
            )
        except (scan.ScanError, toolchain.ToolchainError) as exc:
            raise CheckError(f"policy evaluation failed: {exc}") from None
    finally:
        if status:
            status.stop()
    return loaded, result


def _nothing_checked(result: scan.ScanResult, loaded: documents.Loaded, options: CheckOptions) -> list[InputProblem]:
    """A run that judged nothing is an input error: an empty pipe from a failed `terraform show`
    must not read as a clean bill of health. (Skipped documents are named by the report.)"""
    checked = sum(n for kind, n in result.kinds.items() if kind != "unrecognised")
    if checked or any(p.fatal for p in loaded.problems):
        return []  # something was judged, or the run already fails for its inputs
    where = ", ".join(options.paths) or "the inputs"
    if options.allow_empty:
        return [InputProblem(where, "nothing was checked (allowed by --allow-empty)", fatal=False)]
    return [
        InputProblem(
            where,
            "nothing was checked: no Kubernetes object or Terraform plan found "
            "(pass --allow-empty if that is expected)",
        )
    ]


def _really_fixed(entries: list[dict[str, str]], docs: list[Document], chosen_by: _Selection) -> list[dict[str, str]]:
    """Baseline entries this run could have found again and did not. A rule filtered out, or a
    file that still exists but was not scanned this time (a run on one folder of the
    repository), says nothing about whether a finding was fixed; a deleted file does."""
    scanned = {baseline.location(d.path) for d in docs}
    return [
        e
        for e in entries
        if chosen_by.chosen(e["rule_id"])
        and (e["location"] in scanned or not (e["location"].startswith("<") or Path(e["location"]).exists()))
    ]


def _rename_stdin(loaded: documents.Loaded, name: str) -> None:
    """Findings on standard input carry the name the user gave (`--stdin-filename`), as eslint's
    and ruff's do, so SARIF has a real artifact and a baseline a stable location."""
    loaded.documents = [replace(d, path=name) if d.path == STDIN else d for d in loaded.documents]
    loaded.problems = [replace(p, path=name) if p.path == STDIN else p for p in loaded.problems]


def _add_source_suppressions(loaded: documents.Loaded, options: CheckOptions) -> None:
    """`# mlfence-suppress ...` comments on the resource blocks behind each plan, when the .tf
    sources are there (--tf-root, or the plan's folder), passed into the evaluation so the Rego
    suppression logic decides, with the same reason and expiry rules as the tag."""
    plans = [(i, d) for i, d in enumerate(loaded.documents) if _is_plan(d.content)]
    if not plans:
        return
    from mlfence import tfsource  # the HCL parser costs ~0.1 s at start-up: plan scans only

    parsed: dict[Path, Any] = {}
    for index, doc in plans:
        changes = doc.content.get("resource_changes")
        addresses = (
            {c["address"] for c in changes if isinstance(c, dict) and isinstance(c.get("address"), str)}
            if isinstance(changes, list)
            else set()
        )
        sources = tfsource.Sources(doc.content, _tf_root(doc.path, options), parsed)
        marks = {a: m for a in sorted(addresses) if (m := sources.suppression_comment(a)) is not None}
        if marks:
            # The key under which the plan carries them into the evaluation (result.rego `_source_marks`).
            loaded.documents[index] = replace(doc, content={**doc.content, suppressions.SOURCE_SUPPRESSIONS: marks})


def _is_plan(content: Any) -> bool:
    return isinstance(content, dict) and isinstance(content.get("configuration"), dict)


def _locate(
    findings: list[Finding], docs: list[Document], options: CheckOptions, problems: list[InputProblem]
) -> list[Finding]:
    """Terraform findings point at their .tf block (and attribute) when the sources are there."""
    plans = {d.path: d.content for d in docs if _is_plan(d.content)}
    if not plans:
        return findings
    # Imported here: the HCL parser (Lark) costs ~0.1 s at start-up, for plan scans only.
    from mlfence import tfsource

    sources: dict[str, tfsource.Sources] = {}
    parsed: dict[Path, Any] = {}
    out = []
    for f in findings:
        if f.file not in plans or not f.resource:
            out.append(f)
            continue
        if f.file not in sources:
            sources[f.file] = tfsource.Sources(plans[f.file], _tf_root(f.file, options), parsed)
        where = sources[f.file].locate(f.resource, f.message)
        out.append(
            f
            if where is None
            else replace(
                f,
                file=where.file,
                line=where.line,
                end_line=where.end_line,
                attribute=where.attribute,
                input_file=f.file,
                input_line=f.line,
            )
        )
    for source in sources.values():
        problems.extend(InputProblem(path, message, fatal=False) for path, message in source.problems)
    return out


def _tf_root(plan_path: str, options: CheckOptions) -> Path:
    if options.tf_root is not None:
        return options.tf_root
    return Path(".") if plan_path == STDIN else Path(plan_path).parent


def _rule_states(chosen_by: _Selection, kinds: dict[str, int]) -> dict[str, str]:
    scanned = {
        "terraform": kinds.get("terraform_plan", 0),
        "kubernetes": kinds.get("kubernetes_object", 0) + kinds.get("admission_review", 0),
    }
    return {
        r.rule_id: FILTERED if not chosen_by.chosen(r.rule_id) else NO_INPUT if not scanned.get(r.target) else RAN
        for r in chosen_by.known
    }


def _known_rules() -> tuple[catalog.Rule, ...]:
    try:
        return catalog.load()
    except (catalog.CatalogError, toolchain.ToolchainError) as exc:
        raise CheckError(str(exc)) from None


def render(outcome: Outcome, output_format: str) -> str:
    return reports.render(outcome.report, output_format)
