# METADATA
# title: AuthorizationPolicy ALLOW rule admits every caller
# description: >-
#   In an ALLOW policy an empty rule (`rules: [{}]`) matches every request, and a `from` entry
#   with an empty source (`from: [{source: {}}]`) matches every caller, authenticated or not.
#   Such a policy switches the workload from deny-by-default to open while looking restrictive.
#   Pods that must accept callers without a mesh identity are not judged: approved edge gateways
#   (edge_gateways, selected by every label of the entry) and, until control_plane_cidrs declares
#   the API server's addresses, admission webhook backends (found through the inventory's
#   Validating/MutatingWebhookConfigurations and their Services).
# related_resources:
#   - ref: https://istio.io/latest/docs/reference/config/security/authorization-policy/
#   - ref: https://istio.io/latest/docs/ops/best-practices/security/#use-default-deny-patterns
# custom:
#   id: MLF-K8S-041
#   long_id: k8s-istio-authz-allow-all
#   severity: critical
#   target: kubernetes
#   kinds: [AuthorizationPolicy]
#   recommended_action: >-
#     Name the callers in every ALLOW rule: from.source.principals (service accounts),
#     requestPrincipals (JWT issuers/subjects) or namespaces, and restrict `to` to the operations
#     they need; an ALLOW policy without rules denies everything.
package mlfence.k8s.istio.authz_allow_all

import data.lib.mlfence.istio
import data.lib.mlfence.k8s
import data.lib.mlfence.result

# A rule any request satisfies.
violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	some pair in _allow_rules
	istio.matches_everything(pair[1])
	msg := sprintf("AuthorizationPolicy %s ALLOW rule %d matches every request; %s", [k8s.resource, pair[0], _fix])
}

# A rule restricted by `to` or `when` only, through a source that matches anyone.
violation contains result.with_severity(rego.metadata.chain(), k8s.resource, msg, "high") if {
	some pair in _allow_rules
	not istio.matches_everything(pair[1])
	j := istio.empty_source_index(pair[1])
	msg := sprintf(
		"AuthorizationPolicy %s ALLOW rule %d has an empty source in from[%d], which matches every caller; %s",
		[k8s.resource, pair[0], j, _fix],
	)
}

_fix := "name principals, requestPrincipals or namespaces in from.source"

_allow_rules := [pair |
	obj := k8s.review_object
	istio.is_kind(obj, "security.istio.io", "AuthorizationPolicy")
	spec := k8s.field(obj, ["spec"], {})
	istio.action(spec) == "ALLOW"

	# Edge gateways and webhook backends must accept callers without a mesh identity.
	not istio.callers_expected(obj, _inventory)
	some pair in istio.object_items(k8s.field(spec, ["rules"], []))
]

# Gatekeeper's synced objects; the CLI and conftest adapters build the same shape.
default _inventory := {}

_inventory := data.inventory
