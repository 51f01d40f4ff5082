"""Benchmark corpus: Terraform plans and Kubernetes manifests with known-bad cases.

Built only from the rules' examples.yaml (through mlfence.fixtures / mlfence.planfixture), so
the labels come from the human-written expectations, never from running mlfence.

* Terraform: each plan is one provider's ML platform (AWS, GCP or Azure) composed of 4-10
  example cases of that provider (deny, warn and allow mixed), each case placed in its own
  module call (`module.<platform>.module.<area>_<n>`, two module levels), resource names
  randomised (references rewritten to match). A plan's known-bad cases are its `deny` cases;
  each is labelled (file, module prefix, rule ID).
* Kubernetes: one manifest file per case instance (the object plus its inventory, if any), with
  varied names and namespaces (a pool of team namespaces; cases that read other objects get a
  namespace of their own so that unrelated files cannot change their verdict). Pod-level cases
  are re-wrapped into every workload kind (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
  ReplicationController, Job, CronJob, PyTorchJob). Known-bad: `deny` cases, labelled
  (file, rule ID).

Only cases without per-case parameters are used: the scan runs with the project's data/.

    python bench/corpus.py OUT --plans 200 --manifests 2000 [--seed 1]

writes OUT/files/{terraform,k8s}/... (what the scanners read) and OUT/labels.json.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import re
import shutil
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from mlfence import catalog, fixtures, planfixture  # noqa: E402

PROVIDERS = {"aws": "aws", "google": "gcp", "azure": "azure"}
PROTECTED_NAMESPACES = {
    "kube-system",
    "kube-public",
    "kube-node-lease",
    "gatekeeper-system",
    "istio-system",
    "cert-manager",
    "default",
}
TEAMS = ["vision", "nlp", "recsys", "fraud", "search", "speech", "forecast", "genai"]
PLATFORMS = ["ml_platform", "training", "serving", "feature_store", "notebooks", "mlops", "inference"]
WORDS = ["alpha", "beta", "gamma", "delta", "blue", "green", "east", "west", "prod", "stage", "dev", "gpu", "cpu"]
WORKLOAD_KINDS = [
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
    "PyTorchJob",
]
_BUILTIN_TEMPLATED = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job"}
_DNS_SAFE = re.compile(r"[^a-z0-9-]")


def _rules() -> dict[str, catalog.Rule]:
    return {r.rule_id: r for r in catalog.load()}


def _area(rule: catalog.Rule) -> str:
    return rule.area


# --- Terraform -----------------------------------------------------------------------------------


def _rename_case(resources: list[dict[str, Any]], prefix: str, rng: random.Random) -> list[dict[str, Any]]:
    """Move a case's resources under `prefix` (a module address) with randomised local names."""
    renames: dict[str, str] = {}
    for entry in resources:
        address = planfixture.parse_address(entry["address"])
        local = f"{address.type}.{address.name}"
        if local not in renames:
            renames[local] = f"{address.type}.{address.name}_{rng.choice(WORDS)}{rng.randrange(100)}"
    out = []
    for entry in resources:
        entry = copy.deepcopy(entry)
        address = planfixture.parse_address(entry["address"])
        new_local = renames[f"{address.type}.{address.name}"]
        mode = "data." if address.mode == "data" else ""
        key = (
            ""
            if address.index is None
            else (f"[{address.index}]" if isinstance(address.index, int) else f'["{address.index}"]')
        )
        modules = ".".join(f"module.{n}{k}" for n, k in address.modules)
        entry["address"] = ".".join(p for p in (prefix, modules, f"{mode}{new_local}{key}") if p)
        refs = entry.get("references") or {}
        for attr, values in refs.items():
            rewritten = []
            for ref in values:
                for old, new in renames.items():
                    if ref == old or ref.startswith(old + ".") or ref.startswith(old + "["):
                        ref = new + ref[len(old) :]
                        break
                rewritten.append(ref)
            refs[attr] = rewritten
        out.append(entry)
    return out


def terraform_plans(rules: dict[str, catalog.Rule], count: int, rng: random.Random, out: Path) -> list[dict[str, Any]]:
    by_provider: dict[str, list[tuple[catalog.Rule, dict[str, Any]]]] = {p: [] for p in PROVIDERS}
    for rule in rules.values():
        if rule.target != "terraform":
            continue
        for raw in rule.examples:
            if raw.get("parameters"):
                continue
            by_provider[rule.area].append((rule, raw))
    labels = []
    providers = sorted(by_provider)
    for n in range(count):
        provider = providers[n % len(providers)]
        pool = by_provider[provider]
        # At most one case per rule in a plan: some rules judge the plan as a whole (a VPC
        # endpoint anywhere in the plan serves every Bedrock agent), so two cases of one rule
        # would change each other's verdict.
        deny_pool = [c for c in pool if c[1]["expect"] == "deny"]
        forced = deny_pool[(n // len(providers)) % len(deny_pool)]  # every deny case appears
        by_rule: dict[str, list[tuple[catalog.Rule, dict[str, Any]]]] = {}
        for c in pool:
            if c[0].rule_id != forced[0].rule_id:
                by_rule.setdefault(c[0].rule_id, []).append(c)
        chosen_rules = rng.sample(sorted(by_rule), k=min(len(by_rule), rng.randint(3, 9)))
        picked = [rng.choice(by_rule[r]) for r in chosen_rules] + [forced]
        rng.shuffle(picked)
        platform = rng.choice(PLATFORMS)
        resources: list[dict[str, Any]] = []
        bad = []
        for j, (rule, raw) in enumerate(picked):
            prefix = f"module.{platform}.module.{_area(rule)}_{rule.slug}_{j}"
            resources += _rename_case(raw["resources"], prefix, rng)
            if raw["expect"] == "deny":
                bad.append({"rule_id": rule.rule_id, "case": raw["name"], "resource_prefix": prefix + "."})
        path = out / "terraform" / f"{PROVIDERS[provider]}-{platform}-{n:03d}.plan.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(planfixture.build_plan(resources), indent=1, sort_keys=True) + "\n")
        labels.append(
            {
                "file": str(path),
                "target": "terraform",
                "provider": PROVIDERS[provider],
                "cases": [f"{r.rule_id}/{x['name']}" for r, x in picked],
                "bad": bad,
            }
        )
    return labels


# --- Kubernetes ----------------------------------------------------------------------------------


def _pod_template(obj: dict[str, Any]) -> dict[str, Any] | None:
    kind = obj.get("kind")
    if kind == "Pod":
        return {
            "metadata": {k: v for k, v in (obj.get("metadata") or {}).items() if k in ("labels", "annotations")},
            "spec": obj.get("spec"),
        }
    if kind in _BUILTIN_TEMPLATED:
        return (obj.get("spec") or {}).get("template")
    if kind == "CronJob":
        return ((obj.get("spec") or {}).get("jobTemplate") or {}).get("spec", {}).get("template")
    return None


def _wrap(template: dict[str, Any], kind: str, metadata: dict[str, Any]) -> dict[str, Any]:
    template = copy.deepcopy(template)
    labels = (template.get("metadata") or {}).get("labels") or {"app": metadata["name"]}
    template.setdefault("metadata", {})["labels"] = labels
    if kind == "Pod":
        meta = {**metadata, **{k: v for k, v in template["metadata"].items() if k in ("labels", "annotations")}}
        return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": template["spec"]}
    selector = {"matchLabels": labels}
    if kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"):
        spec = {"selector": selector, "template": template}
        if kind == "StatefulSet":
            spec["serviceName"] = metadata["name"]
        return {"apiVersion": "apps/v1", "kind": kind, "metadata": metadata, "spec": spec}
    if kind == "ReplicationController":
        return {
            "apiVersion": "v1",
            "kind": kind,
            "metadata": metadata,
            "spec": {"selector": labels, "template": template},
        }
    template["spec"].setdefault("restartPolicy", "Never")
    if kind == "Job":
        return {"apiVersion": "batch/v1", "kind": "Job", "metadata": metadata, "spec": {"template": template}}
    if kind == "CronJob":
        return {
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "metadata": metadata,
            "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": template}}},
        }
    template["spec"]["restartPolicy"] = "OnFailure"
    return {
        "apiVersion": "kubeflow.org/v1",
        "kind": "PyTorchJob",
        "metadata": metadata,
        "spec": {
            "pytorchReplicaSpecs": {
                "Master": {"replicas": 1, "template": template},
                "Worker": {"replicas": 2, "template": copy.deepcopy(template)},
            }
        },
    }


def _rename_namespace(doc: dict[str, Any], old: str, new: str) -> None:
    meta = doc.get("metadata")
    if not isinstance(meta, dict):
        return
    if meta.get("namespace") == old:
        meta["namespace"] = new
    if doc.get("kind") == "Namespace" and meta.get("name") == old:
        meta["name"] = new
        labels = meta.get("labels")
        if isinstance(labels, dict) and labels.get("kubernetes.io/metadata.name") == old:
            labels["kubernetes.io/metadata.name"] = new


def _k8s_instance(rule: catalog.Rule, case: fixtures.Case, n: int, rng: random.Random) -> list[dict[str, Any]]:
    obj = copy.deepcopy(case.document)
    inventory = copy.deepcopy(case.inventory)
    uses_inventory = bool(inventory) or rule.rule_id in _INVENTORY_RULES
    meta = obj.setdefault("metadata", {})
    kind_is_namespace = obj.get("kind") == "Namespace"
    old_ns = meta.get("name") if kind_is_namespace else meta.get("namespace")
    if old_ns and old_ns not in PROTECTED_NAMESPACES:
        new_ns = _DNS_SAFE.sub("-", f"{old_ns}-{'u' + str(n) if uses_inventory else rng.choice(TEAMS)}")
        for doc in [obj, *inventory]:
            _rename_namespace(doc, old_ns, new_ns)
    if not kind_is_namespace and isinstance(meta.get("name"), str):
        meta["name"] = f"{meta['name']}-{rng.choice(WORDS)}-{n}"
    template = _pod_template(obj)
    if _area(rule) == "pod" and template is not None and not inventory and isinstance(template.get("spec"), dict):
        kind = WORKLOAD_KINDS[n % len(WORKLOAD_KINDS)]
        metadata = {k: v for k, v in meta.items() if k in ("name", "namespace")}
        obj = _wrap(template, kind, metadata)
    return [obj, *inventory]


# Rules whose verdict depends on other objects (data.inventory): their cases get their own namespace.
_INVENTORY_RULES = {"MLF-K8S-007", "MLF-K8S-008", "MLF-K8S-009", "MLF-K8S-012", "MLF-K8S-013"}


def k8s_manifests(rules: dict[str, catalog.Rule], count: int, rng: random.Random, out: Path) -> list[dict[str, Any]]:
    usable = [
        c for c in fixtures.cases(tuple(r for r in rules.values() if r.target == "kubernetes")) if not c.parameters
    ]
    labels = []
    for n in range(count):
        case = usable[n % len(usable)]
        rule = rules[case.rule_id]
        docs = _k8s_instance(rule, case, n, rng)
        kind = str(docs[0].get("kind", "object")).lower()
        path = out / "k8s" / f"{n // 250:02d}" / f"{kind}-{n:04d}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump_all(docs, sort_keys=False))
        bad = [{"rule_id": case.rule_id, "case": case.name}] if case.expect == "deny" else []
        labels.append(
            {"file": str(path), "target": "kubernetes", "kind": docs[0].get("kind"), "cases": [case.key], "bad": bad}
        )
    return labels


def build(out: Path, plans: int, manifests: int, seed: int = 1) -> dict[str, Any]:
    """Write the corpus below out/files and its labels to out/labels.json; returns the labels."""
    rng = random.Random(seed)
    files = out / "files"
    if files.exists():
        shutil.rmtree(files)
    files.mkdir(parents=True)
    rules = _rules()
    entries = terraform_plans(rules, plans, rng, files) + k8s_manifests(rules, manifests, rng, files)
    for entry in entries:
        entry["file"] = str(Path(entry["file"]).relative_to(files))
    document = {
        "seed": seed,
        "plans": plans,
        "manifests": manifests,
        "known_bad": sum(len(e["bad"]) for e in entries),
        "kinds": dict(Counter(e["kind"] for e in entries if e["target"] == "kubernetes")),
        "files": entries,
    }
    (out / "labels.json").write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")
    return document


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--plans", type=int, default=200)
    parser.add_argument("--manifests", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    doc = build(args.out, args.plans, args.manifests, args.seed)
    print(
        f"corpus: {args.plans} plans, {args.manifests} manifests, {doc['known_bad']} known-bad cases "
        f"-> {args.out / 'files'}"
    )


if __name__ == "__main__":
    main()
