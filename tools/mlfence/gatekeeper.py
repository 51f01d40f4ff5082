"""Generates Gatekeeper artifacts from the Kubernetes rules: one ConstraintTemplate (Rego v1,
libs statically linked) and one Constraint per rule, the sync config for rules that read
data.inventory, a kustomization, and `gator verify` suites built from each rule's examples.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from mlfence import catalog, rego_source, toolchain
from mlfence.catalog import Rule

TARGET = "admission.k8s.gatekeeper.sh"
ENFORCEMENT_ACTIONS = ("deny", "dryrun", "warn")
# Kubernetes objects travel through etcd with a ~1.5 MiB request limit; stay well below it.
MAX_CONSTRAINT_BYTES = 1024 * 1024
# Constraints match kinds in every API group: kind names repeat across groups (batch/v1 Job
# and Volcano's batch.volcano.sh Job), and every rule checks the group itself.


class GeneratorError(RuntimeError):
    """The Gatekeeper artifacts cannot be generated."""


@dataclass(frozen=True)
class Artifact:
    path: str  # relative to the output folder
    document: dict[str, Any]


def constraint_kind(rule: Rule) -> str:
    """CamelCase CRD kind, e.g. MLF-K8S-001 egress_allow_all -> MlfK8s001EgressAllowAll."""
    number = rule.rule_id.split("-")[-1]
    words = "".join(w.capitalize() for w in rule.slug.split("_"))
    return f"MlfK8s{number}{words}"


def _resource_name(rule: Rule) -> str:
    return rule.rule_id.lower()


# What the cross-object rules read from data.inventory: written once, used by both the
# templates' requires-sync-data annotation and the sync Config.
SYNCED = (("", "v1", "Namespace"), ("networking.k8s.io", "v1", "NetworkPolicy"),
          ("security.istio.io", "v1", "PeerAuthentication"))


# What the declared-flow rules (lib.mlfence.intent) read besides: the workloads the connectivity
# model computes flows between, at the version Gatekeeper syncs (policy/mlfence/scan.rego's
# model_synced_kinds; a test keeps the two equal). Only the templates that use the model require
# them; the sync config replicates both lists.
MODEL_SYNCED = (("", "v1", "Pod"),
                *(("apps", "v1", k) for k in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet")),
                ("batch", "v1", "Job"), ("batch", "v1", "CronJob"),
                *(("kubeflow.org", "v1", k) for k in ("PyTorchJob", "TFJob", "XGBoostJob", "PaddleJob", "JAXJob",
                                                     "Notebook")),
                ("kubeflow.org", "v2beta1", "MPIJob"), ("trainer.kubeflow.org", "v1alpha1", "TrainJob"),
                ("jobset.x-k8s.io", "v1alpha2", "JobSet"), ("leaderworkerset.x-k8s.io", "v1", "LeaderWorkerSet"),
                ("serving.kserve.io", "v1beta1", "InferenceService"),
                ("machinelearning.seldon.io", "v1", "SeldonDeployment"),
                *(("ray.io", "v1", k) for k in ("RayCluster", "RayJob", "RayService")),
                ("argoproj.io", "v1alpha1", "Workflow"), ("argoproj.io", "v1alpha1", "CronWorkflow"),
                ("batch.volcano.sh", "v1alpha1", "Job"), ("agents.x-k8s.io", "v1alpha1", "Sandbox"))


def _uses_model(libs: tuple[rego_source.RegoFile, ...]) -> bool:
    return any(lib.package == "lib.mlfence.intent" for lib in libs)


def _uses_inventory(libs: tuple[rego_source.RegoFile, ...], text: str) -> bool:
    return "data.inventory" in text or any("data.inventory" in lib.text for lib in libs)


# conftest and the bundle report exempted findings (status "exempted", never failing); at
# admission a violation always counts, so the template keeps exempted ones out of `violation`.
_VIOLATION_HEAD = re.compile(r"^violation contains ", re.MULTILINE)
_EXEMPTION_FILTER = """
# Added by `mlfence build`: exempted findings never deny at admission (conftest and the
# bundle still report them as exempted).
violation contains finding if {
	some finding in _mlfence_findings
	finding.details.status != "exempted"
}
"""


def admission_source(text: str) -> str:
    """The rule's Rego with its findings renamed and filtered for Gatekeeper."""
    if not _VIOLATION_HEAD.search(text):
        raise GeneratorError("a Kubernetes rule must define `violation contains ...`")
    return _VIOLATION_HEAD.sub("_mlfence_findings contains ", text).rstrip("\n") + "\n" + _EXEMPTION_FILTER


def default_enforcement(rule: Rule) -> str:
    """A rule that can only warn (result.warning) must not block admission."""
    if rule.gatekeeper_enforcement:
        return rule.gatekeeper_enforcement
    text = rule.source.read_text()
    blocking = ("result.violation(", "result.with_severity(", "result.unknown(")
    return "warn" if "result.warning(" in text and not any(b in text for b in blocking) else ""


def template(rule: Rule, lib_root: Path) -> dict[str, Any]:
    main, libs = rego_source.link(rule.source, lib_root)
    annotations = {
        "mlfence.io/rule-id": rule.rule_id,
        "mlfence.io/severity": rule.severity,
        "metadata.gatekeeper.sh/title": rule.title,
        "description": rule.description,
    }
    if _uses_inventory(libs, main.text):
        annotations["metadata.gatekeeper.sh/requires-sync-data"] = _sync_annotation(
            SYNCED + MODEL_SYNCED if _uses_model(libs) else SYNCED)
    kind = constraint_kind(rule)
    return {
        "apiVersion": "templates.gatekeeper.sh/v1",
        "kind": "ConstraintTemplate",
        "metadata": {"name": kind.lower(), "annotations": annotations},
        "spec": {
            "crd": {"spec": {
                "names": {"kind": kind},
                "validation": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
            }},
            "targets": [{
                "target": TARGET,
                "code": [{
                    "engine": "Rego",
                    "source": {
                        "version": "v1",
                        "rego": admission_source(main.text),
                        "libs": [lib.text for lib in libs],
                    },
                }],
            }],
        },
    }


def _sync_annotation(kinds: tuple[tuple[str, str, str], ...]) -> str:
    """Gatekeeper's requires-sync-data: a list of requirements, each a list of alternatives."""
    return json.dumps([[{"groups": [group], "versions": [version], "kinds": [kind]}]
                       for group, version, kind in kinds])


def _match(rule: Rule) -> dict[str, Any]:
    return {"kinds": [{"apiGroups": ["*"], "kinds": sorted(set(rule.kinds))}]}


def constraint(rule: Rule, parameters: dict[str, Any], enforcement_action: str) -> dict[str, Any]:
    if enforcement_action not in ENFORCEMENT_ACTIONS:
        raise GeneratorError(f"enforcement action {enforcement_action!r} is not one of {ENFORCEMENT_ACTIONS}")
    return {
        "apiVersion": "constraints.gatekeeper.sh/v1beta1",
        "kind": constraint_kind(rule),
        "metadata": {"name": _resource_name(rule), "labels": {"mlfence.io/rule-id": rule.rule_id}},
        "spec": {
            "enforcementAction": default_enforcement(rule) or enforcement_action,
            "match": _match(rule),
            "parameters": parameters,
        },
    }


def sync_config() -> dict[str, Any]:
    return {
        "apiVersion": "config.gatekeeper.sh/v1alpha1",
        "kind": "Config",
        "metadata": {"name": "config", "namespace": "gatekeeper-system"},
        "spec": {"sync": {"syncOnly": [
            {"group": group, "version": version, "kind": kind} for group, version, kind in SYNCED + MODEL_SYNCED
        ]}},
    }


def kubernetes_rules(policy: Path | None = None) -> tuple[Rule, ...]:
    return tuple(r for r in catalog.load(policy) if r.target == "kubernetes")


def artifacts(parameters: dict[str, Any], enforcement_action: str = "deny",
              policy: Path | None = None) -> list[Artifact]:
    """Templates, Constraints, sync config and kustomization, in a stable order."""
    policy = policy or toolchain.policy_dir()
    lib_root = policy / "lib"
    out: list[Artifact] = []
    any_inventory = False
    for rule in kubernetes_rules(policy):
        name = _resource_name(rule)
        tmpl = template(rule, lib_root)
        any_inventory |= "metadata.gatekeeper.sh/requires-sync-data" in tmpl["metadata"]["annotations"]
        out.append(Artifact(f"templates/{name}.yaml", tmpl))
        cons = constraint(rule, parameters, enforcement_action)
        size = len(dump(cons).encode())
        if size > MAX_CONSTRAINT_BYTES:
            raise GeneratorError(f"Constraint {name} is {size} bytes, over the {MAX_CONSTRAINT_BYTES}-byte budget "
                                 "(etcd's request limit is ~1.5 MiB): approve fewer published ranges")
        out.append(Artifact(f"constraints/{name}.yaml", cons))
    if any_inventory:
        out.append(Artifact("sync/config.yaml", sync_config()))
    resources = [a.path for a in out]
    out.append(Artifact("kustomization.yaml", {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": resources,
    }))
    return out


def dump(document: dict[str, Any]) -> str:
    return yaml.safe_dump(document, sort_keys=True, width=120, default_flow_style=False)


SAFE_NAME = re.compile(r"[^a-z0-9-]+")


def case_file_name(case_name: str) -> str:
    return SAFE_NAME.sub("-", case_name.lower()).strip("-") or "case"
