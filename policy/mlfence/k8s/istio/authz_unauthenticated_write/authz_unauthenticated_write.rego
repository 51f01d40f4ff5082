# METADATA
# title: AuthorizationPolicy allows writes from unauthenticated callers
# description: >-
#   An ALLOW rule that admits POST, PUT, PATCH or DELETE (or any method) on paths other than
#   health probes, without requiring an identity (principals, requestPrincipals, namespaces, or
#   an authenticated `when` condition), lets anyone who reaches the workload run inference,
#   load or replace models and change state. Health and metrics paths are the parameter
#   istio_health_paths. Approved edge gateways (edge_gateways) and admission webhook backends
#   accept callers without identity by design, as in MLF-K8S-041.
# related_resources:
#   - ref: https://istio.io/latest/docs/reference/config/security/authorization-policy/
#   - ref: https://istio.io/latest/docs/tasks/security/authorization/authz-jwt/
# custom:
#   id: MLF-K8S-042
#   long_id: k8s-istio-authz-unauthenticated-write
#   severity: high
#   target: kubernetes
#   kinds: [AuthorizationPolicy]
#   recommended_action: >-
#     Require an identity in every `from` entry of the rule: source.principals for mesh callers,
#     source.requestPrincipals: ["*"] (with a RequestAuthentication) for end users, or
#     source.namespaces; keep unauthenticated rules to GET on health paths.
package mlfence.k8s.istio.authz_unauthenticated_write

import data.lib.mlfence.istio
import data.lib.mlfence.k8s
import data.lib.mlfence.result

violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	obj := k8s.review_object
	istio.is_kind(obj, "security.istio.io", "AuthorizationPolicy")
	spec := k8s.field(obj, ["spec"], {})
	istio.action(spec) == "ALLOW"

	# Edge gateways and webhook backends must accept callers without a mesh identity.
	not istio.callers_expected(obj, _inventory)
	some pair in istio.object_items(k8s.field(spec, ["rules"], []))
	rule := pair[1]

	# Rules that admit every caller outright are MLF-K8S-041's findings.
	not istio.any_caller_reported(rule)
	not istio.identified(rule)
	grants := _write_grants(rule)
	count(grants) > 0
	msg := sprintf(
		"AuthorizationPolicy %s ALLOW rule %d lets callers without identity send %s; %s",
		[k8s.resource, pair[0], concat("; ", sort(grants)), _fix],
	)
}

_fix := "require principals, requestPrincipals or namespaces in every from.source of the rule"

_write_grants(rule) := {sprintf("%s to %s", [concat("/", sort(methods)), concat(", ", sort(paths))]) |
	some op in istio.operations(rule)
	methods := istio.write_methods_of(op)
	count(methods) > 0
	paths := istio.open_paths(op)
	count(paths) > 0
}

# Gatekeeper's synced objects; the CLI and conftest adapters build the same shape.
default _inventory := {}

_inventory := data.inventory
