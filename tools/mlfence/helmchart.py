"""The Gatekeeper artifacts as a Helm chart, generated beside the kustomizations by `mlfence build`.

The chart renders, with its default values, exactly the objects of the kustomize tree (the
values are read back from the generated Constraints), and lets a user change per rule what the
kustomize tree fixes: the enforcement action, the parameters, the exempt namespaces, on or off;
plus mlfence exemptions for every rule. Generated rather than committed: the templates carry the
linked Rego of the current policy and the values the current settings, so a committed copy
would be one more thing to keep in step.

The ConstraintTemplates are chart files read with `.Files.Get` and never templated: their Rego
holds `{{` (set comprehensions of objects) that Helm would try to evaluate.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from mlfence import __version__, gatekeeper
from mlfence.catalog import Rule

CHART_NAME = "mlfence-gatekeeper"


def _dump(document: Any) -> str:
    return yaml.dump(document, Dumper=gatekeeper.SAFE_DUMPER, sort_keys=False, width=120, default_flow_style=False)


def _json_schema(openapi: dict[str, Any]) -> dict[str, Any]:
    """A template's parameter schema as JSON Schema for values.schema.json: Kubernetes'
    extensions dropped, unknown parameters refused (as Gatekeeper refuses them)."""

    def convert(node: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in node.items() if not k.startswith("x-kubernetes-")}
        if "properties" in out:
            out["properties"] = {k: convert(v) for k, v in out["properties"].items()}
            out["additionalProperties"] = False
        if isinstance(out.get("items"), dict):
            out["items"] = convert(out["items"])
        return out

    return convert(openapi)


_CONSTRAINT = """\
{{- $rule := index .Values.rules "%(id)s" }}
{{- if and .Values.constraints.enabled $rule.enabled }}
{{- $params := deepCopy (default dict $rule.parameters) }}
{{- if .Values.exemptions }}{{- $_ := set $params "exemptions" .Values.exemptions }}{{- end }}
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: %(kind)s
metadata:
  name: %(name)s
  labels:
    mlfence.io/rule-id: %(id)s
  annotations:
    argocd.argoproj.io/sync-options: SkipDryRunOnMissingResource=true
spec:
  enforcementAction: %(action)s
  match:
%(excluded)s    kinds: %(kinds)s
  parameters:
    {{- toYaml $params | nindent 4 }}
{{- end }}
"""
# The chart-wide action, when set, applies to every rule (as `--enforcement-action`); audit-only
# rules keep theirs (dryrun, the least blocking).
_ACTION = "{{ .Values.enforcementAction | default $rule.enforcementAction }}"
_AUDIT_ACTION = "{{ $rule.enforcementAction }}"
_EXCLUDED = """\
    {{- $excluded := .Values.excludedNamespaces }}
    {{- if kindIs "slice" $rule.excludedNamespaces }}{{- $excluded = $rule.excludedNamespaces }}{{- end }}
    {{- with $excluded }}
    excludedNamespaces:
      {{- toYaml . | nindent 6 }}
    {{- end }}
"""

_TEMPLATES = """\
{{- if .Values.templates.enabled }}
{{- range $path, $_ := .Files.Glob "files/templates/*.yaml" }}
{{- $id := base $path | trimSuffix ".yaml" | upper }}
{{- if (index $.Values.rules $id).enabled }}
---
{{ $.Files.Get $path }}
{{- end }}
{{- end }}
{{- end }}
"""

_SYNC = """\
{{- if .Values.sync.enabled }}
%s{{- end }}
"""

_HELPERS = """\
The chart installs in two releases on a cluster without them yet (a Constraint's kind exists
only once Gatekeeper has read its template):

  helm upgrade --install mlfence-templates CHART --set constraints.enabled=false
  kubectl wait --for=jsonpath='{.status.created}'=true constrainttemplate --all --timeout=120s
  helm upgrade --install mlfence-constraints CHART --set templates.enabled=false --set sync.enabled=false
"""


def files(artifacts: list[gatekeeper.Artifact], rules: tuple[Rule, ...]) -> dict[str, str]:
    """The chart's files (path relative to the chart folder -> text)."""
    by_id = {r.rule_id: r for r in rules}
    out: dict[str, str] = {}
    values_rules: dict[str, Any] = {}
    schema_rules: dict[str, Any] = {}
    templates = {
        a.document["metadata"]["annotations"]["mlfence.io/rule-id"]: a
        for a in artifacts
        if a.document.get("kind") == "ConstraintTemplate"
    }
    exemptions: list[Any] = []
    for artifact in artifacts:
        doc = artifact.document
        if not artifact.path.startswith("constraints/") or doc.get("kind") == "Kustomization":
            continue
        rule_id = doc["metadata"]["labels"]["mlfence.io/rule-id"]
        rule = by_id[rule_id]
        parameters = dict(doc["spec"]["parameters"])
        exemptions = parameters.pop("exemptions", exemptions)  # the same list in every Constraint
        audit_only = bool(rule.gatekeeper_enforcement)
        hygiene = gatekeeper.workload_hygiene(rule)
        excluded = doc["spec"]["match"].get("excludedNamespaces", [])
        values_rules[rule_id] = {
            "enabled": True,
            "enforcementAction": doc["spec"]["enforcementAction"],
            "parameters": parameters,
        }
        if hygiene and excluded != list(gatekeeper.DEFAULT_EXCLUDED_NAMESPACES):
            # The settings' system_namespaces judge some of the default ones: never exclude those.
            values_rules[rule_id]["excludedNamespaces"] = excluded
        schema = _json_schema(templates[rule_id].document["spec"]["crd"]["spec"]["validation"]["openAPIV3Schema"])
        schema["properties"].pop("exemptions", None)  # chart-wide: .Values.exemptions
        schema_rules[rule_id] = {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "enabled": {"type": "boolean"},
                "enforcementAction": {
                    "type": "string",
                    "enum": [*(["dryrun"] if audit_only else list(gatekeeper.ENFORCEMENT_ACTIONS)), ""],
                },
                "parameters": schema,
                "excludedNamespaces": {"type": ["array", "null"], "items": {"type": "string"}},
            },
        }
        out[f"templates/constraints/{artifact.path.split('/', 1)[1]}"] = _CONSTRAINT % {
            "id": rule_id,
            "kind": doc["kind"],
            "name": doc["metadata"]["name"],
            "action": _AUDIT_ACTION if audit_only else _ACTION,
            "excluded": _EXCLUDED if hygiene else "",
            "kinds": json.dumps(doc["spec"]["match"]["kinds"]),
        }
    for rule_id, artifact in templates.items():
        out[f"files/templates/{rule_id.lower()}.yaml"] = gatekeeper.dump(artifact.document)
    out["templates/constrainttemplates.yaml"] = _TEMPLATES
    sync = next((a for a in artifacts if a.document.get("kind") == "SyncSet"), None)
    if sync is not None:
        out["templates/syncset.yaml"] = _SYNC % gatekeeper.dump(sync.document)
    out["templates/NOTES.txt"] = _HELPERS
    out["Chart.yaml"] = _dump(
        {
            "apiVersion": "v2",
            "name": CHART_NAME,
            "version": __version__,
            "appVersion": __version__,
            "description": "mlfence's network-isolation rules for ML platforms as Gatekeeper ConstraintTemplates "
            "and Constraints",
            "type": "application",
        }
    )
    values = {
        "enforcementAction": "",  # "" keeps each rule's; deny|dryrun|warn applies to every rule not audit-only
        "excludedNamespaces": list(gatekeeper.DEFAULT_EXCLUDED_NAMESPACES),
        "exemptions": exemptions,
        "templates": {"enabled": True},
        "constraints": {"enabled": True},
        "sync": {"enabled": sync is not None},
        "rules": values_rules,
    }
    out["values.yaml"] = (
        "# Generated by `mlfence build` from the policy and the settings; see docs/deploy.md.\n" + _dump(values)
    )
    out["values.schema.json"] = (
        json.dumps(
            {
                "$schema": "http://json-schema.org/draft-07/schema#",
                "type": "object",
                "properties": {
                    "enforcementAction": {"type": "string", "enum": [*gatekeeper.ENFORCEMENT_ACTIONS, ""]},
                    "excludedNamespaces": {"type": "array", "items": {"type": "string"}},
                    "exemptions": {"type": "array"},
                    "templates": {"type": "object", "properties": {"enabled": {"type": "boolean"}}},
                    "constraints": {"type": "object", "properties": {"enabled": {"type": "boolean"}}},
                    "sync": {"type": "object", "properties": {"enabled": {"type": "boolean"}}},
                    "rules": {"type": "object", "additionalProperties": False, "properties": schema_rules},
                },
            },
            indent=2,
            sort_keys=True,
        )
        + "\n"
    )
    return out
