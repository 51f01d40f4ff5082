"""Per-entrypoint and per-rule cost with `opa bench` (full data, --optimize-store-for-read-speed),
and `opa eval --profile` hot spots of the slowest rules.

    python bench/rules.py --data DATA_DIR --out rules.json [--only-entrypoints] [--top 10]

Entrypoints: data.mlfence.decision on a Pod, a Deployment, a NetworkPolicy (ipBlock egress, the
CIDR path) and a Terraform plan; data.mlfence.admission on an AdmissionReview; data.mlfence.scan
on 20 documents. Rules: data.<package>.violation with the rule's first `deny` example wrapped as
Gatekeeper's input ({"review": {"object"}, "parameters"} or {"plan", "parameters"}).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from mlfence import catalog, fixtures, parameters, toolchain  # noqa: E402

OPA = ROOT / ".tools" / "bin" / "opa"


def bench(query: str, input_doc: Any, data: Path, count: int = 1) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="mlf-bench-") as tmp:
        path = Path(tmp) / "input.json"
        path.write_text(json.dumps(input_doc))
        proc = subprocess.run(
            [
                str(OPA),
                "bench",
                "--optimize-store-for-read-speed",
                "--format",
                "json",
                "--count",
                str(count),
                "--fail=false",
                "-d",
                str(ROOT / "policy"),
                "-d",
                str(data),
                "--ignore",
                "*_test.rego",
                "-i",
                str(path),
                query,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    if proc.returncode != 0:
        raise RuntimeError(f"opa bench {query}: {proc.stderr[-1500:]}")
    # --count N prints N JSON documents.
    results = toolchain.json_documents(proc.stdout)
    ns = sorted(r["T"] / r["N"] for r in results)
    allocs = sorted(r["MemAllocs"] / r["N"] for r in results)
    median_eval = sorted(r["Extra"].get("histogram_timer_rego_query_eval_ns_median", 0) for r in results)
    return {
        "ns_per_op_median": round(ns[len(ns) // 2]),
        "ns_per_op": [round(x) for x in ns],
        "eval_ns_median": round(median_eval[len(median_eval) // 2]),
        "allocs_per_op": round(allocs[len(allocs) // 2]),
        "bytes_per_op": round(sorted(r["MemBytes"] / r["N"] for r in results)[len(results) // 2]),
    }


def profile(query: str, input_doc: Any, data: Path, limit: int = 5) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="mlf-prof-") as tmp:
        path = Path(tmp) / "input.json"
        path.write_text(json.dumps(input_doc))
        proc = subprocess.run(
            [
                str(OPA),
                "eval",
                "--optimize-store-for-read-speed",
                "--profile",
                "--profile-limit",
                str(limit),
                "--profile-sort",
                "total_time_ns",
                "--format",
                "json",
                "-d",
                str(ROOT / "policy"),
                "-d",
                str(data),
                "--ignore",
                "*_test.rego",
                "-i",
                str(path),
                query,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    if proc.returncode != 0:
        raise RuntimeError(f"opa eval --profile {query}: {proc.stderr[-1500:]}")
    rows = json.loads(proc.stdout).get("profile") or []
    out = []
    for r in rows[:limit]:
        file = Path(r["location"]["file"])
        shown = file.relative_to(ROOT) if file.is_absolute() and ROOT in file.parents else file
        out.append(
            {
                "location": f"{shown}:{r['location']['row']}",
                "total_time_ns": r["total_time_ns"],
                "num_eval": r["num_eval"],
            }
        )
    return out


def _pick(cases: list[fixtures.Case], pred) -> fixtures.Case:
    return next(c for c in cases if pred(c))


def entrypoint_inputs(cases: list[fixtures.Case], params: dict[str, Any]) -> dict[str, tuple[str, Any]]:
    plain = [c for c in cases if not c.parameters and c.expect == "deny"]
    pod = _pick(plain, lambda c: c.document.get("kind") == "Pod")
    deployment = _pick(plain, lambda c: c.document.get("kind") == "Deployment")
    netpol = _pick(plain, lambda c: c.rule_id == "MLF-K8S-004")
    plan = max((c for c in plain if c.target == "terraform"), key=lambda c: len(c.document["resource_changes"]))
    review = fixtures.admission_review(deployment.document, deployment.key)
    docs = [{"path": f"{i}.yaml", "index": i, "document": c.document} for i, c in enumerate(plain[::7][:20])]
    return {
        "decision:Pod": ("data.mlfence.decision", pod.document),
        "decision:Deployment": ("data.mlfence.decision", deployment.document),
        "decision:NetworkPolicy(ipBlock)": ("data.mlfence.decision", netpol.document),
        "decision:AdmissionReview": ("data.mlfence.decision", review),
        "decision:plan": ("data.mlfence.decision", plan.document),
        "admission:AdmissionReview": ("data.mlfence.admission", review),
        "scan:20 documents": ("data.mlfence.scan", {"documents": docs}),
    }


def rule_inputs(cases: list[fixtures.Case], params: dict[str, Any]) -> dict[str, tuple[str, Any]]:
    out = {}
    for rule in catalog.load():
        mine = [c for c in cases if c.rule_id == rule.rule_id and c.expect == "deny"] or [
            c for c in cases if c.rule_id == rule.rule_id
        ]
        if not mine:
            continue
        case = next((c for c in mine if not c.parameters), mine[0])
        merged = {**params, **case.parameters}
        if rule.target == "kubernetes":
            doc = {
                "review": {"object": case.document, "operation": "CREATE", "kind": {"kind": case.document.get("kind")}},
                "parameters": merged,
            }
        else:
            doc = {"plan": case.document, "parameters": merged}
        out[f"{rule.rule_id} {rule.package}"] = (f"data.{rule.package}.violation", doc)
    return out


def run(
    data: Path, only_entrypoints: bool = False, top: int = 10, count: int = 3, rule_data: Path | None = None
) -> dict[str, Any]:
    cases = fixtures.cases()
    params = parameters.config(data)
    result: dict[str, Any] = {"entrypoints": {}, "rules": {}}
    for name, (query, doc) in entrypoint_inputs(cases, params).items():
        result["entrypoints"][name] = {"query": query, **bench(query, doc, data, count)}
        print(
            f"  {name}: {result['entrypoints'][name]['ns_per_op_median'] / 1e6:.3f} ms/op", file=sys.stderr, flush=True
        )
    if only_entrypoints:
        return result
    inputs = rule_inputs(cases, params)
    rule_data = rule_data or data
    result["rule_data"] = str(rule_data)
    for name, (query, doc) in inputs.items():
        result["rules"][name] = {"query": query, **bench(query, doc, rule_data, 1)}
    slowest = sorted(result["rules"], key=lambda n: -result["rules"][n]["ns_per_op_median"])[:top]
    result["slowest"] = []
    for name in slowest:
        query, doc = inputs[name]
        result["slowest"].append(
            {
                "rule": name,
                "ms_per_op": round(result["rules"][name]["ns_per_op_median"] / 1e6, 3),
                "allocs_per_op": result["rules"][name]["allocs_per_op"],
                "hot_spots": profile(query, doc, rule_data),
            }
        )
        print(f"  slow: {name} {result['slowest'][-1]['ms_per_op']} ms", file=sys.stderr, flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--only-entrypoints", action="store_true")
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--count", type=int, default=3)
    parser.add_argument("--rule-data", type=Path, help="data folder for the per-rule runs (default: --data)")
    args = parser.parse_args()
    result = run(args.data, args.only_entrypoints, args.top, args.count, args.rule_data)
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
