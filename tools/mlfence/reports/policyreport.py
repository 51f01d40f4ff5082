"""wg-policy PolicyReport objects (wgpolicyk8s.io/v1alpha2): the cluster-native format Kyverno
and Kubescape users already collect (Policy Reporter, kubectl get polr).

One PolicyReport per namespace for namespaced objects; one ClusterPolicyReport for cluster-scoped
objects and for Terraform resources (which live in no namespace), the Terraform address kept in
`properties`. The output is a YAML stream `kubectl apply -f -` accepts.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from typing import Any

import yaml

from mlfence.reports.model import Report
from mlfence.scan import Finding

API_VERSION = "wgpolicyk8s.io/v1alpha2"
NAME = "mlfence"
# The CRD's result enum is pass|fail|warn|error|skip: `unknown` (a value known only after
# apply) is a warning, an exempted finding a deliberate skip; `status` keeps the exact word.
RESULTS = {"fail": "fail", "warn": "warn", "unknown": "warn", "exempted": "skip"}
LABELS = {"app.kubernetes.io/managed-by": NAME}


def _subject(f: Finding) -> tuple[str, dict[str, str] | None]:
    """(namespace, object reference) of a Kubernetes finding ("ns/Kind/name"); ("", None) for
    a Terraform address."""
    parts = f.resource.split("/")
    if len(parts) == 3 and parts[1] and parts[2]:
        namespace, kind, name = parts
        reference = {"kind": kind, "name": name}
        if namespace:
            reference["namespace"] = namespace
        return namespace, reference
    return "", None


def _result(f: Finding, stamp: dict[str, int]) -> dict[str, Any]:
    _, reference = _subject(f)
    properties = {"status": f.status, "file": f.file, "line": str(f.line)}
    if reference is None and f.resource:
        properties["resource"] = f.resource
    if f.input_file:
        properties["input"] = f"{f.input_file}:{f.input_line}"
    result: dict[str, Any] = {
        "source": NAME,
        "policy": f.rule_id,
        "rule": f.title or f.rule_id,
        "category": "network-isolation",
        "result": RESULTS.get(f.status, "warn"),
        "severity": f.severity,
        "scored": True,
        "message": f.text,
        "properties": properties,
        "timestamp": dict(stamp),  # a copy: a shared dict would come out as a YAML anchor
    }
    if reference is not None:
        result["resources"] = [reference]
    return result


def _report(kind: str, namespace: str, results: list[dict[str, Any]]) -> dict[str, Any]:
    counts = Counter(r["result"] for r in results)
    metadata: dict[str, Any] = {"name": NAME, "labels": dict(LABELS)}
    if namespace:
        metadata["namespace"] = namespace
    return {
        "apiVersion": API_VERSION,
        "kind": kind,
        "metadata": metadata,
        "summary": {k: counts.get(k, 0) for k in ("pass", "fail", "warn", "error", "skip")},
        "results": results,
    }


def objects(report: Report, now: float | None = None) -> list[dict[str, Any]]:
    seconds = time.time() if now is None else now
    stamp = {"seconds": int(seconds), "nanos": 0}
    by_namespace: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for f in report.findings:
        namespace, _ = _subject(f)
        by_namespace[namespace].append(_result(f, stamp))
    out = [_report("PolicyReport", ns, by_namespace[ns]) for ns in sorted(by_namespace) if ns]
    # The cluster report is always there, even empty: "mlfence ran and found nothing" is news.
    out.append(_report("ClusterPolicyReport", "", by_namespace.get("", [])))
    return out


def as_policyreport(report: Report) -> str:
    return yaml.safe_dump_all(objects(report), sort_keys=False, width=120)
