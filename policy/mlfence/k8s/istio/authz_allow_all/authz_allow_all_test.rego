package mlfence.k8s.istio.authz_allow_all_test

import data.mlfence.k8s.istio.authz_allow_all

_ap(spec) := {
	"apiVersion": "security.istio.io/v1",
	"kind": "AuthorizationPolicy",
	"metadata": {"name": "ap", "namespace": "ml-serving"},
	"spec": spec,
}

_violations(obj, params) := v if {
	v := authz_allow_all.violation with input as {"review": {"object": obj}, "parameters": params}
}

test_deny_empty_rule if {
	v := _violations(_ap({"action": "ALLOW", "rules": [{}]}), {})
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-K8S-041"
	f.details.severity == "critical"
	contains(f.msg, "rule 0 matches every request")
}

# Attribute omitted: no action means ALLOW.
test_deny_empty_rule_action_omitted if {
	count(_violations(_ap({"rules": [{}]}), {})) == 1
}

test_deny_empty_source_without_to if {
	v := _violations(_ap({"rules": [{"from": [{"source": {}}]}]}), {})
	count(v) == 1
	some f in v
	f.details.severity == "critical"
}

test_deny_empty_source_with_to_high if {
	spec := {"rules": [{"from": [{"source": {"principals": ["cluster.local/ns/a/sa/b"]}}, {"source": {"principals": []}}], "to": [{"operation": {"methods": ["GET"]}}]}]}
	v := _violations(_ap(spec), {})
	count(v) == 1
	some f in v
	f.details.severity == "high"
	contains(f.msg, "from[1]")
}

test_deny_from_entry_without_source if {
	count(_violations(_ap({"rules": [{"from": [{}], "to": [{"operation": {"paths": ["/x"]}}]}]}), {})) == 1
}

# The seed's inference-authz: the health rule has no `from` but is limited by `to`; that is
# MLF-K8S-042's business (and a GET on health paths passes there).
test_allow_seed_inference_authz if {
	spec := {"selector": {"matchLabels": {"app": "inference-service"}}, "action": "ALLOW", "rules": [
		{"to": [{"operation": {"methods": ["GET"], "paths": ["/health", "/ready", "/v2/health/*"]}}]},
		{
			"from": [{"source": {"requestPrincipals": ["*"]}}],
			"to": [{"operation": {"methods": ["POST"], "paths": ["/v1/models/*", "/v2/models/*"]}}],
			"when": [{"key": "request.auth.claims[aud]", "values": ["ml-inference-api"]}],
		},
	]}
	count(_violations(_ap(spec), {})) == 0
}

test_allow_deny_audit_and_deny_all if {
	count(_violations(_ap({"action": "DENY", "rules": [{}]}), {})) == 0
	count(_violations(_ap({"action": "AUDIT", "rules": [{}]}), {})) == 0
	count(_violations(_ap({}), {})) == 0
	count(_violations(_ap({"rules": []}), {})) == 0
}

test_allow_when_only_rule if {
	count(_violations(_ap({"rules": [{"when": [{"key": "source.namespace", "values": ["ml-pipeline"]}]}]}), {})) == 0
}

# Exposure and mesh rules judge system namespaces too (only workload hygiene exempts them).
test_system_namespace_parameter_does_not_exempt if {
	count(_violations(_ap({"rules": [{}]}), {"system_namespaces": ["ml-serving"]})) == count(_violations(_ap({"rules": [{}]}), {}))
}

test_wrong_types_never_error if {
	count(_violations(_ap({"rules": "all"}), {})) == 0
	count(_violations(_ap({"rules": [null, 3, "x"]}), {})) == 0
	count(_violations(_ap({"action": 1, "rules": [{"from": "x"}]}), {})) == 0
	count(_violations(_ap({"rules": [{"from": [null], "to": "x"}]}), {})) == 1
	count(_violations(_ap({"rules": [{"from": null, "to": null, "when": null}]}), {})) == 1
	count(_violations(_ap("x"), {})) == 0
}

# --- pods that must accept callers without a mesh identity ---------------------------------------

_gateway_ap := {
	"apiVersion": "security.istio.io/v1",
	"kind": "AuthorizationPolicy",
	"metadata": {"name": "istio-ingressgateway", "namespace": "istio-system"},
	"spec": {"action": "ALLOW", "selector": {"matchLabels": {"app": "istio-ingressgateway", "istio": "ingressgateway"}}, "rules": [{}]},
}

_edge := {"edge_gateways": [{"namespace": "istio-system", "labels": {"istio": "ingressgateway"}}]}

test_allow_all_on_a_declared_edge_gateway if {
	count(_violations(_gateway_ap, _edge)) == 0
}

# Default (no edge gateway declared), another namespace, or a selector that does not pin the
# gateway's labels: still a finding.
test_deny_allow_all_on_undeclared_gateway_pods if {
	count(_violations(_gateway_ap, {})) == 1
	count(_violations(json.patch(_gateway_ap, [{"op": "replace", "path": "/metadata/namespace", "value": "ml"}]), _edge)) == 1
	count(_violations(json.patch(_gateway_ap, [{"op": "remove", "path": "/spec/selector"}]), _edge)) == 1
	count(_violations(json.patch(_gateway_ap, [{"op": "replace", "path": "/spec/selector/matchLabels", "value": {"app": "istio-ingressgateway"}}]), _edge)) == 1
}

_webhook_inventory := {
	"cluster": {"admissionregistration.k8s.io/v1": {"ValidatingWebhookConfiguration": {"webhook.serving.knative.dev": {"webhooks": [{"clientConfig": {"service": {"name": "webhook", "namespace": "knative-serving"}}}]}}}},
	"namespace": {"knative-serving": {"v1": {"Service": {"webhook": {"spec": {"selector": {"app": "webhook", "role": "webhook"}, "ports": [{"port": 443, "targetPort": 8443}]}}}}}},
}

_webhook_ap := {
	"apiVersion": "security.istio.io/v1beta1",
	"kind": "AuthorizationPolicy",
	"metadata": {"name": "webhook", "namespace": "knative-serving"},
	"spec": {"action": "ALLOW", "selector": {"matchLabels": {"role": "webhook"}}, "rules": [{}]},
}

# The API server calls webhook backends from outside the mesh; once control_plane_cidrs is
# declared the policy should name those addresses instead, and is judged again.
test_webhook_backend_allow_all if {
	count(authz_allow_all.violation) == 0 with input as {"review": {"object": _webhook_ap}, "parameters": {}}
		with data.inventory as _webhook_inventory
	count(authz_allow_all.violation) == 1 with input as {"review": {"object": _webhook_ap}, "parameters": {"control_plane_cidrs": ["10.0.0.0/28"]}}
		with data.inventory as _webhook_inventory
	count(_violations(_webhook_ap, {})) == 1
}

# metadata: null: the namespace reads as "" (object.get raised an error on null), no webhook
# backend is in it, and the empty source is still reported.
test_metadata_null_empty_source if {
	obj := object.union(_webhook_ap, {"metadata": null, "spec": {"selector": {"matchLabels": {"role": "webhook"}}, "rules": [{"from": [{"source": {}}], "to": [{"operation": {"methods": ["GET"], "paths": ["/v1/models/*"]}}]}]}})
	v := authz_allow_all.violation with input as {"review": {"object": obj}, "parameters": {}}
		with data.inventory as _webhook_inventory
	count(v) == 1
	some f in v
	contains(f.msg, "empty source in from[0]")
}
