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
from mlfence.errors import MlfenceError

TARGET = "admission.k8s.gatekeeper.sh"
ENFORCEMENT_ACTIONS = ("deny", "dryrun", "warn")
# Kubernetes objects travel through etcd with a ~1.5 MiB request limit; stay well below it.
MAX_CONSTRAINT_BYTES = 1024 * 1024
# Constraints match kinds in every API group: kind names repeat across groups (batch/v1 Job
# and Volcano's batch.volcano.sh Job), and every rule checks the group itself.


# The synced range data (data.mlfence.rangedata) exists only in the bundle, conftest and the CLI.
# Gatekeeper admits data references only under data.lib and data.inventory, so a template's libs
# name it under data.lib instead: Gatekeeper resolves that into the template's own lib namespace,
# where it is undefined, and lib.mlfence.ranges falls back to the Constraint's parameters.
RANGE_DATA_REF = f"data.{rego_source.BUNDLE_ONLY_DATA}"
RANGE_DATA_REF_IN_TEMPLATES = f"data.lib.{rego_source.BUNDLE_ONLY_DATA}"


def template_lib_text(text: str) -> str:
    """A lib's Rego as a template carries it: range data references pointed into data.lib."""
    return text.replace(RANGE_DATA_REF, RANGE_DATA_REF_IN_TEMPLATES)


class GeneratorError(MlfenceError, RuntimeError):
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
SYNCED = (
    ("", "v1", "Namespace"),
    ("", "v1", "Service"),
    ("networking.k8s.io", "v1", "NetworkPolicy"),
    ("networking.k8s.io", "v1", "Ingress"),
    ("cilium.io", "v2", "CiliumNetworkPolicy"),
    ("cilium.io", "v2", "CiliumClusterwideNetworkPolicy"),
    ("policy.networking.k8s.io", "v1alpha1", "AdminNetworkPolicy"),
    ("policy.networking.k8s.io", "v1alpha1", "BaselineAdminNetworkPolicy"),
    ("policy.networking.k8s.io", "v1alpha2", "ClusterNetworkPolicy"),
    ("projectcalico.org", "v3", "NetworkPolicy"),
    ("projectcalico.org", "v3", "GlobalNetworkPolicy"),
    ("security.istio.io", "v1", "PeerAuthentication"),
    ("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration"),
    # The SeldonConfig a SeldonRuntime references gives it the Services' type (MLF-K8S-056).
    ("mlops.seldon.io", "v1alpha1", "SeldonConfig"),
)


# What the declared-flow rules (lib.mlfence.intent) read besides: the workloads the connectivity
# model computes flows between and the AuthorizationPolicies over them, at the version Gatekeeper
# syncs (policy/mlfence/scan.rego's model_synced_kinds; a test keeps the two equal). Only the
# templates that use the model require them; the sync config replicates both lists.
MODEL_SYNCED = (
    ("", "v1", "Pod"),
    *(("apps", "v1", k) for k in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet")),
    ("batch", "v1", "Job"),
    ("batch", "v1", "CronJob"),
    *(("kubeflow.org", "v1", k) for k in ("PyTorchJob", "TFJob", "XGBoostJob", "PaddleJob", "JAXJob", "Notebook")),
    ("kubeflow.org", "v2beta1", "MPIJob"),
    ("trainer.kubeflow.org", "v1alpha1", "TrainJob"),
    ("jobset.x-k8s.io", "v1alpha2", "JobSet"),
    ("leaderworkerset.x-k8s.io", "v1", "LeaderWorkerSet"),
    ("serving.kserve.io", "v1beta1", "InferenceService"),
    ("machinelearning.seldon.io", "v1", "SeldonDeployment"),
    *(("ray.io", "v1", k) for k in ("RayCluster", "RayJob", "RayService")),
    ("argoproj.io", "v1alpha1", "Workflow"),
    ("argoproj.io", "v1alpha1", "CronWorkflow"),
    ("batch.volcano.sh", "v1alpha1", "Job"),
    ("agents.x-k8s.io", "v1alpha1", "Sandbox"),
    ("security.istio.io", "v1", "AuthorizationPolicy"),
)


# The groups of kinds a lib rule may declare it reads from data.inventory (METADATA `custom:
# inventory_kinds: <group>`, read from the parse tree by rego_source): the connectivity model's
# reader of the inventory declares "model".
INVENTORY_GROUPS = {"model": MODEL_SYNCED}


def _synced_kinds(rule: Rule, link: rego_source.Linked) -> tuple[tuple[str, str, str], ...]:
    """What the template needs synced: the cross-object kinds, plus the groups its linked rules
    declare they read."""
    unknown = sorted(link.inventory_groups - INVENTORY_GROUPS.keys())
    if unknown:
        raise GeneratorError(
            f"{rule.source}: a linked rule declares inventory_kinds {', '.join(unknown)}; known: "
            + ", ".join(sorted(INVENTORY_GROUPS))
        )
    return SYNCED + tuple(k for group in sorted(link.inventory_groups) for k in INVENTORY_GROUPS[group])


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


def _lib_root_of(rule: Rule) -> Path:
    """The `lib` folder of the policy tree the rule belongs to."""
    for folder in rule.source.parents:
        if (folder / "lib").is_dir():
            return folder / "lib"
    raise GeneratorError(f"{rule.source}: no lib folder above the rule")


def linked(rule: Rule, lib_root: Path | None = None) -> rego_source.Linked:
    """The rule with the lib rules it calls, read from OPA's parse tree."""
    try:
        return rego_source.analyse(rule.source, lib_root or _lib_root_of(rule))
    except rego_source.LinkError as exc:
        raise GeneratorError(str(exc)) from None


def default_enforcement(rule: Rule, lib_root: Path | None = None) -> str:
    """The action a rule gets when the user names none: its metadata's, else "warn" for a rule
    whose findings can only warn (every finding head builds a "warn" status, per the parse
    tree), else "" (the generator's default)."""
    if rule.gatekeeper_enforcement:
        return rule.gatekeeper_enforcement
    return "warn" if linked(rule, lib_root).statuses == {"warn"} else ""


def template(rule: Rule, lib_root: Path) -> dict[str, Any]:
    link = linked(rule, lib_root)
    main, libs = link.rule, link.libs
    annotations = {
        "mlfence.io/rule-id": rule.rule_id,
        "mlfence.io/severity": rule.severity,
        "metadata.gatekeeper.sh/title": rule.title,
        "description": rule.description,
    }
    if link.reads_inventory:
        annotations["metadata.gatekeeper.sh/requires-sync-data"] = _sync_annotation(_synced_kinds(rule, link))
    kind = constraint_kind(rule)
    return {
        "apiVersion": "templates.gatekeeper.sh/v1",
        "kind": "ConstraintTemplate",
        "metadata": {"name": kind.lower(), "annotations": annotations},
        "spec": {
            "crd": {
                "spec": {
                    "names": {"kind": kind},
                    # Exactly the parameters the rule reads: Gatekeeper rejects a Constraint carrying
                    # any other ("unknown fields"), so a misspelt parameter fails at apply time.
                    "validation": {"openAPIV3Schema": parameter_schema(link, lib_root)},
                }
            },
            "targets": [
                {
                    "target": TARGET,
                    "code": [
                        {
                            "engine": "Rego",
                            "source": {
                                "version": "v1",
                                "rego": admission_source(main.text),
                                "libs": [template_lib_text(lib.text) for lib in libs],
                            },
                        }
                    ],
                }
            ],
        },
    }


def _schema_of(value: Any) -> dict[str, Any]:
    """An OpenAPI v3 (structural) schema for a parameter, typed from its default."""
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, float):
        return {"type": "number"}
    if isinstance(value, str):
        return {"type": "string"}
    if isinstance(value, list):
        kinds = {json.dumps(_schema_of(v), sort_keys=True) for v in value}
        items = json.loads(kinds.pop()) if len(kinds) == 1 else {"x-kubernetes-preserve-unknown-fields": True}
        return {"type": "array", "items": items}
    if isinstance(value, dict):  # maps keyed by the user's names (labels, providers): any key
        return {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    return {"x-kubernetes-preserve-unknown-fields": True}


def parameter_schema(link: rego_source.Linked, lib_root: Path) -> dict[str, Any]:
    defaults = rego_source.parameter_defaults(lib_root)
    return {"type": "object", "properties": {name: _schema_of(defaults.get(name)) for name in sorted(link.parameters)}}


def _sync_annotation(kinds: tuple[tuple[str, str, str], ...]) -> str:
    """Gatekeeper's requires-sync-data: a list of requirements, each a list of alternatives."""
    return json.dumps([[{"groups": [group], "versions": [version], "kinds": [kind]}] for group, version, kind in kinds])


# Namespaces Gatekeeper does not even evaluate for workload-hygiene rules. Those are the rules
# that read `system_namespaces` (per the parse tree): they already skip platform namespaces in
# Rego. Exposure and mesh rules read no such parameter and judge every namespace, istio-system
# included (its edge Gateway and mesh-wide policies are what they are about).
DEFAULT_EXCLUDED_NAMESPACES = ("kube-system", "kube-public", "kube-node-lease", "gatekeeper-system")
WORKLOAD_SCOPE_PARAMETER = "system_namespaces"


def workload_hygiene(rule: Rule) -> bool:
    return WORKLOAD_SCOPE_PARAMETER in linked(rule).parameters


def _match(rule: Rule, excluded_namespaces: tuple[str, ...], parameters: dict[str, Any]) -> dict[str, Any]:
    """The kinds, and for a workload-hygiene rule the namespaces not to evaluate: never one the
    rule itself would judge (a user who takes kube-system out of system_namespaces wants it
    judged)."""
    match: dict[str, Any] = {"kinds": [{"apiGroups": ["*"], "kinds": sorted(set(rule.kinds))}]}
    if workload_hygiene(rule):
        scope = parameters.get(WORKLOAD_SCOPE_PARAMETER)
        if not isinstance(scope, list):
            scope = rego_source.parameter_defaults(_lib_root_of(rule)).get(WORKLOAD_SCOPE_PARAMETER) or []
        excluded = [ns for ns in excluded_namespaces if ns in scope]
        if excluded:
            match["excludedNamespaces"] = excluded
    return match


# From least to most blocking.
_STRICTNESS = {"dryrun": 0, "warn": 1, "deny": 2}


def enforcement_for(rule: Rule, enforcement_action: str | None) -> str:
    """The action the user named applies to every rule (warn-only rules included), except that it
    never makes an audit-only rule (metadata `gatekeeper_enforcement`, e.g. a Namespace judged by
    policies that cannot exist before it) stricter than its metadata says: denying those would
    refuse every new Namespace. Without a named action, each rule's default."""
    if enforcement_action is None:
        return default_enforcement(rule) or "deny"
    if enforcement_action not in ENFORCEMENT_ACTIONS:
        raise GeneratorError(f"enforcement action {enforcement_action!r} is not one of {ENFORCEMENT_ACTIONS}")
    ceiling = rule.gatekeeper_enforcement
    if ceiling in _STRICTNESS and _STRICTNESS[enforcement_action] > _STRICTNESS[ceiling]:
        return ceiling
    return enforcement_action


def rule_parameters(rule: Rule, parameters: dict[str, Any]) -> dict[str, Any]:
    """The parameters the rule reads, of those given (the settings hold every rule's)."""
    reads = linked(rule).parameters
    return {k: v for k, v in sorted(parameters.items()) if k in reads}


def constraint(
    rule: Rule,
    parameters: dict[str, Any],
    enforcement_action: str | None = None,
    excluded_namespaces: tuple[str, ...] = DEFAULT_EXCLUDED_NAMESPACES,
) -> dict[str, Any]:
    own = rule_parameters(rule, parameters)
    return {
        "apiVersion": "constraints.gatekeeper.sh/v1beta1",
        "kind": constraint_kind(rule),
        "metadata": {
            "name": _resource_name(rule),
            "labels": {"mlfence.io/rule-id": rule.rule_id},
            # Argo CD: the Constraint's kind exists only once Gatekeeper has read the template.
            "annotations": {"argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true"},
        },
        "spec": {
            "enforcementAction": enforcement_for(rule, enforcement_action),
            "match": _match(rule, excluded_namespaces, own),
            "parameters": own,
        },
    }


def sync_set() -> dict[str, Any]:
    """What Gatekeeper replicates into data.inventory for the cross-object rules. A SyncSet
    (Gatekeeper >= 3.15) adds to whatever other SyncSets ask for, where the singleton Config
    would overwrite the cluster's own sync list."""
    return {
        "apiVersion": "syncset.gatekeeper.sh/v1alpha1",
        "kind": "SyncSet",
        "metadata": {"name": "mlfence"},
        "spec": {
            "gvks": [
                {"group": group, "version": version, "kind": kind} for group, version, kind in SYNCED + MODEL_SYNCED
            ]
        },
    }


def _kustomization(resources: list[str]) -> dict[str, Any]:
    return {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": resources}


def kubernetes_rules(policy: Path | None = None) -> tuple[Rule, ...]:
    return tuple(r for r in catalog.load(policy) if r.target == "kubernetes")


def artifacts(
    parameters: dict[str, Any],
    enforcement_action: str | None = None,
    policy: Path | None = None,
    excluded_namespaces: tuple[str, ...] = DEFAULT_EXCLUDED_NAMESPACES,
) -> list[Artifact]:
    """Like gatekeeper-library: templates/ and constraints/ (each a kustomization, applied in
    that order: a Constraint's kind exists once Gatekeeper has read its template) and sync/
    (the SyncSet), in a stable order."""
    policy = policy or toolchain.policy_dir()
    lib_root = policy / "lib"
    templates: list[Artifact] = []
    constraints: list[Artifact] = []
    any_inventory = False
    rules = kubernetes_rules(policy)
    rego_source.parse_all([r.source for r in rules])  # the parse trees, a few processes at a time
    for rule in rules:
        name = _resource_name(rule)
        tmpl = template(rule, lib_root)
        any_inventory |= "metadata.gatekeeper.sh/requires-sync-data" in tmpl["metadata"]["annotations"]
        templates.append(Artifact(f"templates/{name}.yaml", tmpl))
        cons = constraint(rule, parameters, enforcement_action, excluded_namespaces)
        size = len(dump(cons).encode())
        if size > MAX_CONSTRAINT_BYTES:
            raise GeneratorError(
                f"Constraint {name} is {size} bytes, over the {MAX_CONSTRAINT_BYTES}-byte budget "
                "(etcd's request limit is ~1.5 MiB): approve fewer published ranges"
            )
        constraints.append(Artifact(f"constraints/{name}.yaml", cons))
    out = [*templates, *constraints]
    if any_inventory:
        out.append(Artifact("sync/syncset.yaml", sync_set()))
    for folder in ("templates", "constraints", "sync"):
        members = [a.path.split("/", 1)[1] for a in out if a.path.startswith(f"{folder}/")]
        if members:
            out.append(Artifact(f"{folder}/kustomization.yaml", _kustomization(members)))
    return out


# libyaml's emitter where PyYAML is built with it (its wheels are): the same documents as the
# pure-Python emitter's, which spent about half of `mlfence build` writing the templates' Rego
# (long quoted strings break at other points, which YAML folds back to the same text).
SAFE_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def dump(document: dict[str, Any]) -> str:
    return yaml.dump(document, Dumper=SAFE_DUMPER, sort_keys=True, width=120, default_flow_style=False)


SAFE_NAME = re.compile(r"[^a-z0-9-]+")


def case_file_name(case_name: str) -> str:
    return SAFE_NAME.sub("-", case_name.lower()).strip("-") or "case"
