"""`mlfence reach`: who can reach whom. The connectivity model is computed in Rego
(lib.mlfence.connectivity, through data.mlfence.reach) by the real OPA; this module only loads
the inputs, asks OPA once, and draws the answer as a table, JSON, Graphviz dot, Mermaid or a
self-contained HTML page whose graph Graphviz lays out."""

from __future__ import annotations

import fnmatch
import html
import json
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mlfence import documents, policy_subset, scan, settings, toolchain
from mlfence.errors import MlfenceError

# Colours: undeclared flows red; the internet and metadata endpoints (and edges to them) a dark
# orange with a double outline, so both stand out and neither is mistaken for the other; open
# (unisolated) directions dashed amber.
UNDECLARED_COLOR = "#d00000"
RISK_COLOR = "#c05000"
RISK_FILL = "#fde3c8"
OPEN_COLOR = "#a08000"

# Address classes whose destination is outside the platform's own and approved networks.
EXTERNAL_RISK = {"internet", "public", "cloud", "cdn", "partial", "invalid"}
ANY_POD = "any pod"
INTERNET = "internet"
METADATA = "instance metadata endpoint"


class ReachError(MlfenceError, RuntimeError):
    """The inputs cannot be read or the model cannot be computed: one line, exit 2."""


@dataclass(frozen=True)
class Edge:
    """One drawn flow: source and target node names, the ports, the deciding objects."""

    source: str
    target: str
    ports: str
    by: tuple[str, ...]
    kind: str  # "pods" (between workloads), "external" (an address block), "open" (no policy)
    risk: str = ""  # "internet", "metadata" or "" : drawn so it stands out
    cidrs: tuple[str, ...] = ()
    # The ports of this flow that the declared flows (`flows:` in the settings) do not allow, as
    # MLF-K8S-060 reports them; "" when every port is declared or nothing is declared.
    undeclared: str = ""


@dataclass
class Reach:
    workloads: dict[str, dict[str, Any]]
    flows: list[dict[str, Any]]
    external: list[dict[str, Any]]
    open_egress: list[str]
    open_ingress: list[str]
    unknown: list[dict[str, Any]] = field(default_factory=list)
    documents: int = 0
    # What the declared flows do not allow: {"declared": whether the settings declare any,
    # "flows": [{"from", "to", "ports"}], "external": [entries of `external`]}.
    undeclared: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def compute(
    paths: list[str],
    values: list[Path] | None = None,
    data: Path | None = None,
    stdin_text: str | None = None,
    rendering: documents.Rendering | None = None,
    exclude: list[str] | None = None,
    run_settings: settings.Settings | None = None,
) -> Reach:
    """Load the inputs like `mlfence check` does and evaluate data.mlfence.reach once. With
    settings, their rule parameters (the declared flows among them) are staged over the data
    folder as `mlfence check` stages them, and the answer says which flows they do not allow."""
    try:
        loaded = documents.load(paths, values or [], stdin_text, exclude=exclude, rendering=rendering)
    except toolchain.ToolchainError as exc:
        raise ReachError(f"{exc} (or pass --no-kustomize to read kustomizations as plain files)") from None
    fatal = [p for p in loaded.problems if p.fatal]
    if fatal:
        first = fatal[0]
        where = f"{first.path}:{first.line}" if first.line else first.path
        raise ReachError(f"{where}: {first.message}")
    data_dir = data or toolchain.data_dir()
    if not data_dir.is_dir():
        raise ReachError(f"data folder {data_dir} does not exist")
    payload = {
        "documents": [{"path": d.path, "index": i, "document": d.content} for i, d in enumerate(loaded.documents)]
    }
    # OPA compiles every module it is given: only those data.mlfence.reach reads (a fifth of the
    # tree; policy_subset), with the scan's garbage collector settings for the input's size.
    policy = toolchain.policy_dir()
    try:
        modules = policy_subset.needed(policy, set(), set(), policy_subset.REACH_MODULES)
    except (OSError, ValueError) as exc:
        raise ReachError(f"cannot read the policy {policy}: {exc}") from None
    input_text = json.dumps(payload)
    with tempfile.TemporaryDirectory(prefix="mlfence-reach-") as tmp:
        input_path = Path(tmp) / "input.json"
        input_path.write_text(input_text)
        if run_settings is not None:
            data_dir = run_settings.stage_data(Path(tmp) / "data", base=data_dir)
        try:
            proc = toolchain.run(
                "opa",
                "eval",
                "--format",
                "json",
                *(arg for module in modules for arg in ("-d", str(module))),
                "-d",
                str(data_dir),
                "--ignore",
                "*_test.rego",
                "--input",
                str(input_path),
                "data.mlfence.reach",
                env=scan.go_gc_env(len(input_text)),
            )
        except toolchain.ToolchainError as exc:
            raise ReachError(str(exc)) from None
    if proc.returncode != 0:
        raise ReachError(f"policy evaluation failed: {(proc.stderr or proc.stdout).strip()[:500]}")
    try:
        model = json.loads(proc.stdout)["result"][0]["expressions"][0]["value"]
    except (KeyError, IndexError, json.JSONDecodeError):
        raise ReachError(f"unexpected answer from opa eval: {proc.stdout[:200]!r}") from None
    return Reach(
        workloads=model["workloads"],
        flows=model["flows"],
        external=model["external"],
        open_egress=model["open_egress"],
        open_ingress=model["open_ingress"],
        unknown=model.get("unknown", []),
        documents=len(loaded.documents),
        undeclared=model.get("undeclared", {}),
    )


# --- ports ------------------------------------------------------------------------------------


def merge_ports(ranges: list[dict[str, Any]]) -> dict[str, list[tuple[int, int]]]:
    """{protocol: sorted, merged [(from, to)]} of a list of {"protocol", "from", "to"}."""
    by_protocol: dict[str, list[tuple[int, int]]] = {}
    for r in ranges:
        by_protocol.setdefault(r["protocol"], []).append((int(r["from"]), int(r["to"])))
    merged: dict[str, list[tuple[int, int]]] = {}
    for protocol, spans in by_protocol.items():
        out: list[tuple[int, int]] = []
        for lo, hi in sorted(spans):
            if out and lo <= out[-1][1] + 1:
                out[-1] = (out[-1][0], max(out[-1][1], hi))
            else:
                out.append((lo, hi))
        merged[protocol] = out
    return merged


def port_text(ranges: list[dict[str, Any]]) -> str:
    merged = merge_ports(ranges)
    if all(merged.get(p) == [(1, 65535)] for p in ("TCP", "UDP", "SCTP")):
        return "all ports"
    parts = []
    for protocol in sorted(merged):
        spans = ",".join(str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in merged[protocol])
        parts.append(f"{protocol} {'all' if merged[protocol] == [(1, 65535)] else spans}")
    return "; ".join(parts)


# --- edges ------------------------------------------------------------------------------------


def _deciders(pieces: list[dict[str, Any]]) -> tuple[str, ...]:
    found: set[str] = set()
    for p in pieces:
        for key, side in (("egress_by", "egress"), ("ingress_by", "ingress"), ("by", ""), ("authz_by", "")):
            if key in p:
                found.add(p[key] if p[key] != "not isolated" else f"{side or 'direction'} not isolated")
    return tuple(sorted(found))


def _external_nodes(entry: dict[str, Any]) -> list[tuple[str, str]]:
    """The nodes an address block stands for, with their risk: the internet (any address outside
    the internal and approved ranges), the instance metadata endpoint, or the block itself."""
    nodes = [(INTERNET, "internet")] if entry["class"] in EXTERNAL_RISK else [(f"{entry['class']} {entry['cidr']}", "")]
    if entry.get("metadata"):
        nodes.append((METADATA, "metadata"))
    return nodes


def edges(reach: Reach) -> list[Edge]:
    """Every flow as an edge: between workloads, to and from address blocks, and the open
    directions (no policy isolates them) as edges to and from "any pod"."""
    out: list[Edge] = []
    undeclared = {(f["from"], f["to"]): f["ports"] for f in reach.undeclared.get("flows", [])}
    drawn: set[tuple[str, str]] = set()
    for flow in reach.flows:
        # A flow every port of which an AuthorizationPolicy denies is in the JSON ("denied") only.
        if flow["from"] == flow["to"] or not flow["ports"]:
            continue
        pair = (flow["from"], flow["to"])
        drawn.add(pair)
        ports = undeclared.get(pair, [])
        out.append(
            Edge(
                *pair,
                port_text(flow["ports"]),
                _deciders(flow["ports"]),
                "pods",
                undeclared=port_text(ports) if ports else "",
            )
        )
    # An undeclared flow between two workloads that no policy isolates is summarised by the open
    # edges ("any pod"): it gets an edge of its own, so that it is drawn in red too.
    for pair, ports in sorted(undeclared.items()):
        if pair not in drawn and pair[0] != pair[1]:
            text = port_text(ports)
            out.append(Edge(*pair, text, _deciders(ports), "pods", undeclared=text))
    outside = {(e["workload"], e["direction"], e["cidr"]) for e in reach.undeclared.get("external", [])}
    grouped: dict[tuple[str, str, str, str], list[dict[str, Any]]] = {}
    for entry in reach.external:
        for node, risk in _external_nodes(entry):
            key = (entry["workload"], node, entry["direction"], risk if entry["direction"] == "egress" else "")
            grouped.setdefault(key, []).append(entry)
    for (workload, node, direction, risk), entries in sorted(grouped.items()):
        ports = [p for e in entries for p in e["ports"]]
        by = tuple(sorted({e["by"] if e["by"] != "not isolated" else f"{direction} not isolated" for e in entries}))
        cidrs = tuple(
            sorted({e["cidr"] + (f" except {','.join(e['except'])}" if e["except"] else "") for e in entries})
        )
        source, target = (workload, node) if direction == "egress" else (node, workload)
        judged = [p for e in entries if (workload, direction, e["cidr"]) in outside for p in e["ports"]]
        text = port_text(judged) if judged else ""
        out.append(Edge(source, target, port_text(ports), by, "external", risk, cidrs, undeclared=text))
    for workload in reach.open_egress:
        out.append(Edge(workload, ANY_POD, "all ports", ("egress not isolated",), "open"))
    for workload in reach.open_ingress:
        out.append(Edge(ANY_POD, workload, "all ports", ("ingress not isolated",), "open"))
    return out


def _matches(pattern: str, node: str, reach: Reach) -> bool:
    w = reach.workloads.get(node)
    names = {node}
    if w:
        names |= {w["resource"], w["name"], w["namespace"], f"{w['namespace']}/{w['name']}"}
    return any(pattern == n or fnmatch.fnmatchcase(n, pattern) for n in names)


def select(all_edges: list[Edge], reach: Reach, source: str | None, target: str | None) -> list[Edge]:
    """The edges --from / --to ask about: a workload id, resource, name, namespace, a
    namespace/name, a node name ("internet", "any pod") or a glob over any of those."""
    return [
        e
        for e in all_edges
        if (source is None or _matches(source, e.source, reach))
        and (target is None or _matches(target, e.target, reach))
    ]


# --- formats ----------------------------------------------------------------------------------


def render_json(reach: Reach, chosen: list[Edge]) -> str:
    return (
        json.dumps(
            {
                "workloads": reach.workloads,
                "flows": reach.flows,
                "external": reach.external,
                "open_egress": reach.open_egress,
                "open_ingress": reach.open_ingress,
                "unknown": reach.unknown,
                "undeclared": reach.undeclared,
                "edges": [asdict(e) for e in chosen],
            },
            indent=2,
            sort_keys=True,
        )
        + "\n"
    )


def render_table(reach: Reach, chosen: list[Edge], width: int | None = None) -> str:
    from io import StringIO

    from rich.console import Console
    from rich.table import Table

    declared = bool(reach.undeclared.get("declared"))
    table = Table(show_lines=False)
    for column in ("from", "to", "ports", "allowed by", *(["not declared"] if declared else [])):
        table.add_column(column, overflow="fold")
    for e in sorted(chosen, key=lambda e: (e.source, e.target)):
        table.add_row(
            _node_text(e.source, e, reach),
            ("! " if e.risk else "") + _node_text(e.target, e, reach),
            e.ports,
            "\n".join(e.by),
            *([e.undeclared] if declared else []),
        )
    buffer = StringIO()
    console = Console(file=buffer, width=width, force_terminal=False, color_system=None)
    console.print(table)
    unknown = sorted(w["resource"] for w in reach.workloads.values() if not w["namespace_known"])
    summary = (
        f"{len(reach.workloads)} workloads, {len(chosen)} flows shown "
        f"({sum(1 for e in chosen if e.risk)} to the internet or a metadata endpoint)"
    )
    if declared:
        summary += f"; {sum(1 for e in chosen if e.undeclared)} not allowed by the declared flows"
    if unknown:
        summary += f"; namespace known only after rendering (unknown): {', '.join(sorted(set(unknown)))}"
    return buffer.getvalue() + summary + "\n" + undecided_text(reach)


def undecided_text(reach: Reach) -> str:
    """What the model could not decide statically (peers named by DNS, services, nodes; selectors
    it cannot read), one line each: neither allowed nor denied in the table."""
    lines = []
    for u in reach.unknown:
        where = f"{u['workload']} {u['direction']}: " if u["workload"] else ""
        lines.append(f"unknown: {where}{u['policy']}: {u['reason']}")
    return "".join(line + "\n" for line in sorted(set(lines)))


def _node_text(node: str, e: Edge, reach: Reach) -> str:
    """A node's name, with the address blocks behind it when it stands for some."""
    return node + (f" ({', '.join(e.cidrs)})" if e.cidrs and node in (INTERNET, METADATA) else "")


def _dot_id(name: str) -> str:
    return json.dumps(name)


def _edge_tooltip(e: Edge) -> str:
    text = "allowed by: " + "; ".join(e.by)
    return text + (f" | NOT DECLARED: {e.undeclared}" if e.undeclared else "")


def render_dot(reach: Reach, chosen: list[Edge]) -> str:
    """Graphviz dot: workloads grouped by namespace, undeclared flows red (class "undeclared" in
    the SVG), the internet and the metadata endpoint dark orange, open (unisolated) edges dashed;
    each edge's tooltip names the objects that allowed it."""
    nodes = {n for e in chosen for n in (e.source, e.target)}
    lines = [
        "digraph reach {",
        '  rankdir=LR; node [shape=box, style="rounded,filled", fillcolor="#eef3fb", '
        'fontname="Helvetica"]; edge [fontname="Helvetica", fontsize=10];',
    ]
    by_namespace: dict[str, list[str]] = {}
    for n in sorted(nodes):
        w = reach.workloads.get(n)
        if w:
            by_namespace.setdefault(w["namespace"] or "(namespace unknown)", []).append(n)
    for i, (namespace, members) in enumerate(sorted(by_namespace.items())):
        lines.append(f"  subgraph cluster_{i} {{ label={_dot_id(namespace)}; style=dashed;")
        for n in members:
            w = reach.workloads[n]
            label = f"{w['kind']}\\n{w['name']}" + (f"\\n{w['path']}" if "#" in n else "")
            lines.append(f'    {_dot_id(n)} [label="{label}", tooltip={_dot_id(n)}];')
        lines.append("  }")
    for n in sorted(nodes - set(reach.workloads)):
        if n in (INTERNET, METADATA):
            lines.append(
                f'  {_dot_id(n)} [shape=doubleoctagon, fillcolor="{RISK_FILL}", color="{RISK_COLOR}", '
                f'fontcolor="{RISK_COLOR}", penwidth=2, class="risk"];'
            )
        elif n == ANY_POD:
            lines.append(f'  {_dot_id(n)} [shape=ellipse, fillcolor="#fff4d6"];')
        else:
            lines.append(f'  {_dot_id(n)} [shape=note, fillcolor="#eeeeee"];')
    for e in chosen:
        attrs = [f"label={_dot_id(e.ports)}", f"tooltip={_dot_id(_edge_tooltip(e))}"]
        classes = []
        if e.undeclared:
            classes.append("undeclared")
            attrs += [f'color="{UNDECLARED_COLOR}"', f'fontcolor="{UNDECLARED_COLOR}"', "penwidth=2.5"]
        elif e.risk:
            attrs += [f'color="{RISK_COLOR}"', f'fontcolor="{RISK_COLOR}"', "penwidth=2"]
        if e.risk:
            classes.append("risk")
        if e.kind == "open":
            classes.append("open")
            attrs += ["style=dashed"] + ([] if e.undeclared else [f'color="{OPEN_COLOR}"'])
        if classes:
            attrs.append(f"class={_dot_id(' '.join(classes))}")
        lines.append(f"  {_dot_id(e.source)} -> {_dot_id(e.target)} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_id(name: str, ids: dict[str, str]) -> str:
    return ids.setdefault(name, f"n{len(ids)}")


def render_mermaid(reach: Reach, chosen: list[Edge]) -> str:
    ids: dict[str, str] = {}
    lines = ["flowchart LR"]
    undeclared = []
    for number, e in enumerate(chosen):
        a, b = _mermaid_id(e.source, ids), _mermaid_id(e.target, ids)
        arrow = "-.->" if e.kind == "open" else "-->"
        label = e.ports.replace('"', "'")
        lines.append(f'  {a}["{e.source}"] {arrow}|"{label}"| {b}["{e.target}"]')
        if e.undeclared:
            undeclared.append(str(number))  # Mermaid numbers links in the order written
    risky = sorted({ids[n] for e in chosen if e.risk for n in (e.source, e.target) if n in (INTERNET, METADATA)})
    if risky:
        lines.append(f"  classDef risk fill:{RISK_FILL},stroke:{RISK_COLOR},color:{RISK_COLOR},stroke-width:2px")
        lines.append(f"  class {','.join(risky)} risk")
    if undeclared:
        lines.append(f"  linkStyle {','.join(undeclared)} stroke:{UNDECLARED_COLOR},stroke-width:2.5px")
    return "\n".join(lines) + "\n"


def layout_svg(dot_text: str) -> str:
    """The graph laid out by Graphviz `dot` (Debian's graphviz, installed by scripts/setup.sh)."""
    dot = shutil.which("dot")
    if dot is None:
        raise ReachError("Graphviz `dot` is not installed (run `make setup`, or apt-get install graphviz)")
    proc = subprocess.run([dot, "-Tsvg"], input=dot_text, capture_output=True, text=True, timeout=120, check=False)
    if proc.returncode != 0:
        raise ReachError(f"dot failed: {proc.stderr.strip()[:300]}")
    svg = proc.stdout
    return svg[svg.index("<svg") :] if "<svg" in svg else svg


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>mlfence reach</title>
<style>
body {{ font-family: Helvetica, Arial, sans-serif; margin: 1.5em; color: #222; }}
.graph svg {{ max-width: 100%; height: auto; }}
table {{ border-collapse: collapse; margin-top: 1em; font-size: 0.9em; }}
th, td {{ border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }}
tr.risk td {{ color: {risk}; font-weight: bold; }}
tr.open td {{ color: #806000; }}
tr.undeclared td {{ color: {undeclared}; font-weight: bold; }}
tr.hl td {{ background: #fff4b0; }}
#legend {{ list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 1.5em; }}
#legend li {{ display: flex; align-items: center; gap: 0.4em; }}
#legend svg {{ width: 3em; height: 1em; }}
</style></head>
<body>
<h1>Who can reach whom</h1>
<p>{summary}</p>
<ul id="legend">
<li class="undeclared"><svg viewBox="0 0 30 10"><line x1="0" y1="5" x2="30" y2="5" stroke="{undeclared}"
 stroke-width="2.5"/></svg>a flow the declared flows do not allow (MLF-K8S-060)</li>
<li class="risk"><svg viewBox="0 0 30 10"><rect x="1" y="1" width="28" height="8" fill="{risk_fill}"
 stroke="{risk}" stroke-width="2"/></svg>the internet, unapproved address space or an instance metadata
 endpoint, and the flows to them</li>
<li class="open"><svg viewBox="0 0 30 10"><line x1="0" y1="5" x2="30" y2="5" stroke="{open}" stroke-width="1.5"
 stroke-dasharray="4 3"/></svg>a direction no network policy isolates</li>
<li><svg viewBox="0 0 30 10"><line x1="0" y1="5" x2="30" y2="5" stroke="#000" stroke-width="1"/></svg>an
 allowed flow</li>
</ul>
<div class="graph">{svg}</div>
<h2>Flows and the objects that allow them</h2>
<table id="flows"><thead><tr><th>from</th><th>to</th><th>ports</th><th>allowed by</th>
<th>not declared</th></tr></thead>
<tbody>{rows}</tbody></table>
<script>
(function () {{
  var rows = document.querySelectorAll("#flows tbody tr");
  document.querySelectorAll("g.edge").forEach(function (edge, i) {{
    edge.addEventListener("mouseenter", function () {{ if (rows[i]) rows[i].classList.add("hl"); }});
    edge.addEventListener("mouseleave", function () {{ if (rows[i]) rows[i].classList.remove("hl"); }});
  }});
  document.body.setAttribute("data-nodes", String(document.querySelectorAll("g.node").length));
}})();
</script>
</body></html>
"""


def render_html(reach: Reach, chosen: list[Edge]) -> str:
    """One self-contained file: the SVG Graphviz laid out, inline, a legend, and a table of every
    edge with the objects that allowed it and its undeclared ports (rows in the order of the SVG's
    edges, for highlighting)."""
    svg = layout_svg(render_dot(reach, chosen))
    rows = []
    for e in chosen:
        css = "undeclared" if e.undeclared else "risk" if e.risk else ("open" if e.kind == "open" else "")
        rows.append(
            f'<tr class="{css}"><td>{html.escape(_node_text(e.source, e, reach))}</td>'
            f"<td>{html.escape(_node_text(e.target, e, reach))}</td>"
            f"<td>{html.escape(e.ports)}</td><td>{html.escape('; '.join(e.by))}</td>"
            f"<td>{html.escape(e.undeclared)}</td></tr>"
        )
    undeclared = sum(1 for e in chosen if e.undeclared)
    declared = (
        f"{undeclared} not allowed by the declared flows (red)"
        if reach.undeclared.get("declared")
        else "no declared flows in the settings"
    )
    summary = (
        f"{len(reach.workloads)} workloads, {len(chosen)} flows, {declared}. Hover an edge for the "
        "objects that allow it, or read them in the table below."
    )
    return _PAGE.format(
        summary=html.escape(summary),
        svg=svg,
        rows="\n".join(rows),
        undeclared=UNDECLARED_COLOR,
        risk=RISK_COLOR,
        risk_fill=RISK_FILL,
        open=OPEN_COLOR,
    )


def render_markdown(reach: Reach, chosen: list[Edge]) -> str:
    """The table as Markdown (a pull-request comment, a wiki page); with declared flows, a column
    of the ports no declared flow allows."""
    declared = bool(reach.undeclared.get("declared"))
    lines = (
        ["| from | to | ports | allowed by | not declared |", "|---|---|---|---|---|"]
        if declared
        else ["| from | to | ports | allowed by |", "|---|---|---|---|"]
    )
    for e in sorted(chosen, key=lambda e: (e.source, e.target)):
        cells = [
            _node_text(e.source, e, reach),
            ("⚠️ " if e.risk else "") + _node_text(e.target, e, reach),
            e.ports,
            "; ".join(e.by),
            *([("🔴 " + e.undeclared) if e.undeclared else ""] if declared else []),
        ]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


FORMATS = {
    "json": render_json,
    "markdown": render_markdown,
    "dot": render_dot,
    "mermaid": render_mermaid,
    "html": render_html,
}
