"""The `mlfence` command line. Only option parsing lives here; each job has its own module.

No `from __future__ import annotations` here: typer reads every command's annotations on each
run, and string annotations cost it a `get_type_hints` evaluation of ~340 strings (~0.01 s CPU
of every `mlfence check`)."""

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

# The modules of the other commands are imported inside them: `mlfence check` runs on every
# commit (pre-commit) and should not pay for them at start-up.
from mlfence import (
    catalog,
    checking,
    cli_coercion,
    documents,
    rule_index,
    settings,
    toolchain,
)
from mlfence.errors import MlfenceError, one_line
from mlfence.files import write_text_atomic

# Plain option values skip typer's per-run pydantic adapters (~0.14 s of a one-file check).
cli_coercion.install()

app = typer.Typer(
    name="mlfence",
    help="Network-isolation guardrails for ML platforms: Kubernetes, Terraform plans, Helm charts.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion for bash, zsh, fish, PowerShell
    pretty_exceptions_enable=False,
)


class _StandardError:
    """rich's Console on stderr, made on first use: importing rich costs ~0.04 s CPU, which a
    `mlfence check` that writes nothing to stderr (pre-commit's, CI's JSON run) need not pay."""

    def __init__(self) -> None:
        self._console: Any = None

    def print(self, *objects: Any, **options: Any) -> None:
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=True, soft_wrap=True)
        self._console.print(*objects, **options)


err = _StandardError()


class Format(StrEnum):
    table = "table"
    json = "json"
    sarif = "sarif"
    junit = "junit"
    github = "github"
    policyreport = "policyreport"


class Severity(StrEnum):
    """--severity's choices, least severe first: mlfence.levels.SEVERITIES spelt as members, so
    typer and mypy see them (tests/test_levels.py keeps the two equal)."""

    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


class CatalogFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"


class ReachFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"
    dot = "dot"
    mermaid = "mermaid"
    html = "html"


class Enforcement(StrEnum):
    deny = "deny"
    dryrun = "dryrun"
    warn = "warn"


# Rendering options shared by `check` and `reach`.
SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", metavar="KEY=VALUE", help="Helm --set for every chart, after its values files (repeatable)."),
]
NamespaceOption = Annotated[
    str | None, typer.Option("--namespace", help="Helm release namespace for every chart (helm template --namespace).")
]
ReleaseOption = Annotated[
    str | None, typer.Option("--release", help="Helm release name for every chart (default: mlfence-check).")
]
KustomizeOption = Annotated[
    bool | None,
    typer.Option(
        "--kustomize/--no-kustomize",
        show_default=False,
        help="Render folders holding a kustomization with `kustomize build` and scan what they render "
        "(default, or kustomize.render in the settings); --no-kustomize reads their files as they are.",
    ),
]


def _fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"mlfence: {message}", markup=False, highlight=False)
    return typer.Exit(code)


def _print_versions(as_json: bool = False) -> None:
    from mlfence import about

    try:
        info = about.versions()
    except (catalog.CatalogError, toolchain.ToolchainError, OSError, ValueError) as exc:
        raise _fail(str(exc)) from None
    typer.echo(json.dumps(info, indent=2) if as_json else about.render(info), nl=as_json)


def _version_option(value: bool) -> None:
    if value:
        _print_versions()
        raise typer.Exit(0)


@app.callback(invoke_without_command=False)
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            is_eager=True,
            callback=_version_option,
            help="Print mlfence, catalog, OPA and data versions and exit.",
        ),
    ] = False,
) -> None:
    """Network-isolation guardrails for ML platforms: Kubernetes, Terraform plans, Helm charts."""


@app.command("version")
def version_command(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Print mlfence, catalog, OPA and data-provenance versions."""
    _print_versions(as_json)


@app.command()
def check(
    paths: Annotated[list[str], typer.Argument(help="Files, folders, Helm chart folders, or - for stdin.")],
    output_format: Annotated[Format, typer.Option("--format", "-f", help="Report format.")] = Format.table,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to this file.")] = None,
    sarif: Annotated[Path | None, typer.Option("--sarif", help="Also write SARIF to this file.")] = None,
    junit: Annotated[Path | None, typer.Option("--junit", help="Also write JUnit XML to this file.")] = None,
    json_file: Annotated[Path | None, typer.Option("--json", help="Also write the JSON report to this file.")] = None,
    values: Annotated[list[Path] | None, typer.Option("--values", help="Helm values file (repeatable).")] = None,
    set_values: SetOption = None,
    namespace: NamespaceOption = None,
    release: ReleaseOption = None,
    kustomize: KustomizeOption = None,
    fail_on: Annotated[
        str | None,
        typer.Option(
            metavar="SEVERITY[,fail|warn]",
            help="Exit 1 on findings at or above this severity (low|medium|high|critical; default: the "
            "--severity-threshold); fail|warn picks the statuses that count (warn: also warn and unknown); "
            "combine as high,warn.",
        ),
    ] = None,
    soft_fail: Annotated[bool, typer.Option("--soft-fail", help="Report findings but exit 0 for them.")] = False,
    severity_threshold: Annotated[
        Severity, typer.Option(case_sensitive=False, help="Show findings of this severity and above.")
    ] = Severity.low,
    rule: Annotated[
        list[str] | None,
        typer.Option(
            "--rule", metavar="PATTERNS", help="Only these rules: IDs or globs, comma-separated or repeated (MLF-TF-*)."
        ),
    ] = None,
    skip_rule: Annotated[
        list[str] | None,
        typer.Option(
            "--skip-rule", metavar="PATTERNS", help="Never these rules: IDs or globs, comma-separated or repeated."
        ),
    ] = None,
    baseline: Annotated[
        Path | None, typer.Option(help="Show only findings not in this baseline, and list the fixed ones.")
    ] = None,
    write_baseline: Annotated[
        Path | None,
        typer.Option(help="Record today's findings as the baseline (this run then exits 0 unless inputs are bad)."),
    ] = None,
    stdin_filename: Annotated[str | None, typer.Option(help="The file name to report for - (stdin).")] = None,
    tf_root: Annotated[
        Path | None,
        typer.Option(help="Folder of the Terraform sources behind a plan (default: the plan file's folder)."),
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option(
            help="Data folder added to the shipped data (its documents replace shipped ones at the same path)."
        ),
    ] = None,
    exemptions: Annotated[Path | None, typer.Option(help="Exemptions YAML, added to the settings' exemptions.")] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="Settings file (default: the .mlfence.yaml nearest above the scanned paths)."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            min=1, max=64, help="OPA processes in parallel (default: one per CPU, at most one per 150 documents)."
        ),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option(help="Skip files and folders matching this glob while walking folders (repeatable)."),
    ] = None,
    allow_empty: Annotated[bool, typer.Option(help="Exit 0 when there is nothing to check (else exit 2).")] = False,
    all_resources: Annotated[
        bool,
        typer.Option(
            "--all-resources",
            help="Terraform posture mode: judge unchanged "
            "(no-op) resources too, not only what the plan changes and what "
            "that depends on.",
        ),
    ] = False,
    diff_base: Annotated[
        str | None,
        typer.Option(
            "--diff-base",
            metavar="REV",
            help="Also list the flows (mlfence reach) added, removed and changed since REV: a git "
            "revision whose copy of the scanned paths is read, or a path holding the base manifests. "
            "Markdown after the table and github reports, `reach_diff` in JSON.",
        ),
    ] = None,
) -> None:
    """Scan manifests, Helm charts and Terraform plans; exit 0 clean, 1 findings, 2 bad input."""
    extra = {"sarif": sarif, "junit": junit, "json": json_file}
    options = checking.CheckOptions(
        paths=paths,
        values=values or [],
        fail_on=fail_on,
        soft_fail=soft_fail,
        severity_threshold=severity_threshold.value,
        rules=rule or [],
        skip_rules=skip_rule or [],
        data=data,
        exemptions=exemptions,
        config=config,
        baseline=baseline,
        write_baseline=write_baseline,
        stdin_filename=stdin_filename,
        tf_root=tf_root,
        progress=not quiet and sys.stderr.isatty(),
        needs_catalog=output_format in (Format.sarif, Format.junit) or sarif is not None or junit is not None,
        jobs=jobs,
        exclude=exclude or [],
        allow_empty=allow_empty,
        all_resources=all_resources,
        set_values=set_values or [],
        namespace=namespace,
        release=release,
        kustomize=kustomize,
        diff_base=diff_base,
    )
    try:
        outcome = checking.run(options)
    except checking.CheckError as exc:
        raise _fail(str(exc)) from None
    for name, path in extra.items():
        if path is not None:
            write_text_atomic(path, checking.render(outcome, name))
    text = checking.render(outcome, output_format.value)
    if output is not None:
        write_text_atomic(output, text)
    else:
        sys.stdout.write(text)
    if write_baseline is not None:
        errors = outcome.summary["input_errors"]
        note = f"; {errors} inputs had errors, their findings are not in it" if errors else ""
        err.print(f"mlfence: wrote the baseline {write_baseline}{note}", markup=False, highlight=False)
    raise typer.Exit(outcome.exit_code)


@app.command("reach")
def reach_command(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            help="Files, folders, Helm chart folders, or - for stdin; with --diff and git revisions, the paths "
            "to read at each revision (default: the current folder)."
        ),
    ] = None,
    output_format: Annotated[ReachFormat, typer.Option("--format", "-f", help="Output format.")] = ReachFormat.table,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
    source: Annotated[
        str | None,
        typer.Option("--from", help="Only flows from this workload, name, namespace or glob (or internet, 'any pod')."),
    ] = None,
    target: Annotated[
        str | None, typer.Option("--to", help="Only flows to this workload, name, namespace or glob.")
    ] = None,
    diff: Annotated[
        tuple[str, str] | None,
        typer.Option(
            "--diff",
            metavar="BASE HEAD",
            help="Flows added, removed and changed from BASE to HEAD: two paths, or two git revisions "
            "(then PATHS are read at each). Markdown (default, for a pull-request comment) or json.",
        ),
    ] = None,
    values: Annotated[list[Path] | None, typer.Option("--values", help="Helm values file (repeatable).")] = None,
    set_values: SetOption = None,
    namespace: NamespaceOption = None,
    release: ReleaseOption = None,
    kustomize: KustomizeOption = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="Settings file for rendering charts and "
            "kustomizations (default: the .mlfence.yaml nearest above the "
            "scanned paths).",
        ),
    ] = None,
    data: Annotated[Path | None, typer.Option(help="Data folder (default: the project's data/).")] = None,
) -> None:
    """Who can reach whom: the flows NetworkPolicies allow between workloads and address blocks."""
    from mlfence import reach

    try:
        run_settings = settings.load(config, paths or [])
    except (settings.SettingsError, toolchain.ToolchainError) as exc:
        raise _fail(str(exc)) from None
    rendering = run_settings.rendering([], set_values or [], namespace, release, kustomize)
    try:
        if diff is not None:
            text = _reach_diff(diff, paths or [], output_format, values, data, source, target, rendering, run_settings)
        else:
            if not paths:
                raise reach.ReachError("give the files or folders to read (or --diff BASE HEAD)")
            model = reach.compute(
                paths, values, data, rendering=rendering, exclude=list(run_settings.exclude), run_settings=run_settings
            )
            chosen = reach.select(reach.edges(model), model, source, target)
            text = (
                reach.render_table(model, chosen)
                if output_format is ReachFormat.table
                else reach.FORMATS[output_format.value](model, chosen)
            )
    except reach.ReachError as exc:
        raise _fail(str(exc)) from None
    if output is not None:
        write_text_atomic(output, text)
    else:
        sys.stdout.write(text)


def _reach_diff(
    sides: tuple[str, str],
    paths: list[str],
    output_format: ReachFormat,
    values: list[Path] | None,
    data: Path | None,
    source: str | None,
    target: str | None,
    rendering: documents.Rendering | None = None,
    run_settings: settings.Settings | None = None,
) -> str:
    from mlfence import reach, reach_diff

    if output_format not in (ReachFormat.table, ReachFormat.markdown, ReachFormat.json):
        raise reach.ReachError("--diff writes markdown or json")
    if "-" in paths or "-" in sides:
        raise reach.ReachError("--diff reads two paths or two git revisions, not stdin")
    found = reach_diff.diff(
        sides[0], sides[1], paths, values, data, source, target, rendering=rendering, run_settings=run_settings
    )
    return reach_diff.render_json(found) if output_format is ReachFormat.json else reach_diff.render_markdown(found)


@app.command()
def rules(
    output_format: Annotated[CatalogFormat, typer.Option("--format", "-f")] = CatalogFormat.table,
) -> None:
    """List every rule from its metadata."""
    from mlfence import docs

    try:
        catalog_rules = catalog.load()
    except (catalog.CatalogError, toolchain.ToolchainError) as exc:
        raise _fail(str(exc)) from None
    if output_format is CatalogFormat.json:
        typer.echo(
            json.dumps(
                [
                    {
                        "id": r.rule_id,
                        "long_id": r.long_id,
                        "severity": r.severity,
                        "target": r.target,
                        "title": r.title,
                        "kinds": list(r.kinds),
                        "remediation": r.remediation,
                    }
                    for r in catalog_rules
                ],
                indent=2,
            )
        )
    elif output_format is CatalogFormat.markdown:
        typer.echo(docs.index(catalog_rules), nl=False)
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(show_lines=False)
        for column in ("ID", "severity", "target", "title", "remediation"):
            table.add_column(column, overflow="fold")
        for r in catalog_rules:
            table.add_row(r.rule_id, r.severity, r.target, r.title, r.remediation)
        Console(width=200).print(table)


@app.command()
def explain(rule_id: Annotated[str, typer.Argument(help="A rule ID, e.g. MLF-K8S-001.")]) -> None:
    """Print a rule's page: threat, what is checked, bad and good example, remediation."""
    from mlfence import docs

    try:
        typer.echo(docs.page(catalog.by_id(rule_id)), nl=False)
    except (catalog.CatalogError, toolchain.ToolchainError) as exc:
        raise _fail(str(exc)) from None


@app.command("docs")
def docs_command(
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("docs/rules"),
    index: Annotated[Path, typer.Option(help="Where to write the rule index (kind -> rules).")] = rule_index.PATH,
) -> None:
    """Regenerate docs/rules/ and the rule index from the rules' metadata and examples."""
    from mlfence import docs

    try:
        rules = catalog.load()
        written = docs.write(rules, out)
        rule_index.write(rules, index)
    except (catalog.CatalogError, toolchain.ToolchainError, ValueError) as exc:
        raise _fail(str(exc)) from None
    err.print(f"wrote {len(written)} pages to {out} and the rule index to {index}")


@app.command("fixtures")
def fixtures_command(
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("build/fixtures"),
) -> None:
    """Expand every rule's examples into manifests, AdmissionReviews, plans and gator suites."""
    from mlfence import fixtures, gatekeeper, parameters

    try:
        written = fixtures.write(out, parameters.gatekeeper(toolchain.data_dir()))
    except (fixtures.FixtureError, catalog.CatalogError, parameters.ParameterError, gatekeeper.GeneratorError) as exc:
        raise _fail(str(exc)) from None
    err.print(f"wrote {len(written)} cases to {out}")


@app.command("new-rule")
def new_rule(
    target: Annotated[str, typer.Argument(help="kubernetes or terraform")],
    area: Annotated[str, typer.Argument(help="Folder under the target: network, pod, aws, google, ...")],
    slug: Annotated[str, typer.Argument(help="snake_case name of the rule")],
) -> None:
    """Create a rule, its test and its examples with the next free ID (then fill in the marked placeholders)."""
    from mlfence import scaffold

    try:
        written = scaffold.create(target, area, slug)
    except (scaffold.ScaffoldError, catalog.CatalogError) as exc:
        raise _fail(str(exc)) from None
    for path in written:
        typer.echo(path)


@app.command()
def plan(
    description: Annotated[Path, typer.Argument(help="Compact plan description (YAML with `resources:`).")],
    out: Annotated[Path, typer.Option(help="Where to write the plan JSON.")],
) -> None:
    """Generate real-shape `terraform show -json` output from a compact description."""
    from mlfence import planfixture

    try:
        document = yaml.safe_load(description.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise _fail(f"{description}: {exc}") from None
    if not isinstance(document, dict) or not isinstance(document.get("resources"), list):
        raise _fail(f"{description}: expected a mapping with a `resources` list")
    try:
        generated = planfixture.build_plan(document["resources"])
    except planfixture.FixtureError as exc:
        raise _fail(f"{description}: {exc}") from None
    write_text_atomic(out, json.dumps(generated, indent=2, sort_keys=True) + "\n")
    err.print(f"wrote {out} ({len(generated['resource_changes'])} resources)")


@app.command()
def build(
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("dist"),
    signing_key: Annotated[Path | None, typer.Option(help="PEM private key to sign the bundle (RS256).")] = None,
    key_id: Annotated[str, typer.Option(help="Key ID recorded in the bundle signature.")] = "mlfence",
    enforcement_action: Annotated[
        Enforcement | None,
        typer.Option(
            help="Gatekeeper enforcement action for every rule (default: deny, and warn or dryrun for the "
            "rules that can only warn or audit)."
        ),
    ] = None,
    exemptions_file: Annotated[
        Path | None, typer.Option("--exemptions", help="Exemptions YAML, added to the settings' exemptions.")
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="Settings file (default: the .mlfence.yaml nearest above the current folder)."),
    ] = None,
    data: Annotated[Path | None, typer.Option(help="Data folder added to the shipped data.")] = None,
) -> None:
    """Build the signed OPA bundle, the Gatekeeper artifacts and a conftest tree, all with the same
    settings (.mlfence.yaml, exemptions, data) that `mlfence check` reads."""
    from mlfence import bundle, gatekeeper, helmchart, parameters, publish

    if signing_key is not None and not signing_key.is_file():
        # Said before the settings, the rules and the Gatekeeper artifacts are made (seconds of
        # work), not after; bundle.build checks it again for its other callers.
        raise _fail(f"signing key {signing_key} does not exist")
    # Built in a staging folder and moved into --out whole (mlfence.publish): the output holds
    # exactly this build's files, and a build that fails changes nothing.
    try:
        run_settings = settings.load(
            config, ["."], data, exemptions_file, known_rules=lambda: frozenset(r.rule_id for r in catalog.load())
        )
        artifacts = gatekeeper.artifacts(
            parameters.for_settings(run_settings), enforcement_action.value if enforcement_action else None
        )
        with publish.staged_output(out) as staging:
            built = bundle.build(staging / "bundle.tar.gz", signing_key, key_id, run_settings=run_settings)
            for artifact in artifacts:
                write_text_atomic(staging / "gatekeeper" / artifact.path, gatekeeper.dump(artifact.document))
            chart = helmchart.files(artifacts, gatekeeper.kubernetes_rules())
            for path, text in chart.items():
                write_text_atomic(staging / "gatekeeper" / "chart" / path, text)
            publish.mark(staging / "gatekeeper")
            publish.mark(bundle.conftest_tree(staging / "conftest", run_settings))
    except (
        bundle.BundleError,
        gatekeeper.GeneratorError,
        catalog.CatalogError,
        parameters.ParameterError,
        toolchain.ToolchainError,
        settings.SettingsError,
        publish.OutputError,
    ) as exc:
        raise _fail(str(exc)) from None
    bundle_path, conftest_tree = out / built.path.name, out / "conftest"
    err.print(f"bundle {bundle_path} revision {built.revision} sha256 {built.sha256}")
    if signing_key is None:
        # The sidecar config of docs/deploy.md pins bundles.mlfence.signing.keyid, so OPA would
        # refuse this bundle ("bundle missing .signatures.json file") and keep its last good one.
        err.print(
            f"mlfence: warning: {bundle_path} is unsigned, and the sidecar config of docs/deploy.md "
            "refuses unsigned bundles; sign it with --signing-key KEY",
            markup=False,
            highlight=False,
        )
    err.print(f"gatekeeper: {len(artifacts)} files in {out / 'gatekeeper'} (Helm chart: chart/)")
    err.print(f"conftest: conftest test -p {conftest_tree / 'policy'} -d {conftest_tree / 'data'} FILE...")


# `mlfence sync` lives in its own subpackage (issue 5); registered here, defined there.
from mlfence.sync.command import sync as _sync  # noqa: E402

app.command("sync")(_sync)


def run() -> None:
    """Console entry point. A user-facing error that no command turned into its own message
    (mlfence.errors.MlfenceError: e.g. a rule importing a lib that does not exist, met while
    generating Gatekeeper templates) and an operating-system failure anywhere (an unwritable
    --output or --out, a full disk, a vanished file) end with one line and exit 2, never a
    traceback: exit 1 means findings."""
    try:
        app()
    except MlfenceError as exc:
        err.print(f"mlfence: {one_line(exc)}", markup=False, highlight=False)
        raise SystemExit(2) from None
    except OSError as exc:
        where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        err.print(f"mlfence: cannot access{where}: {exc.strerror or exc}", markup=False, highlight=False)
        raise SystemExit(2) from None
