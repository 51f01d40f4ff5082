package mlfence.k8s.istio.authz_unauthenticated_write_test

import data.mlfence.k8s.istio.authz_unauthenticated_write

_ap(spec) := {
	"apiVersion": "security.istio.io/v1beta1",
	"kind": "AuthorizationPolicy",
	"metadata": {"name": "inference-authz", "namespace": "ml-serving"},
	"spec": spec,
}

_violations(obj, params) := v if {
	v := authz_unauthenticated_write.violation with input as {"review": {"object": obj}, "parameters": params}
}

_seed := {"selector": {"matchLabels": {"app": "inference-service"}}, "action": "ALLOW", "rules": [
	{"to": [{"operation": {"methods": ["GET"], "paths": ["/health", "/ready", "/v2/health/*"]}}]},
	{
		"from": [{"source": {"requestPrincipals": ["*"]}}],
		"to": [{"operation": {"methods": ["POST"], "paths": ["/v1/models/*", "/v2/models/*"]}}],
		"when": [{"key": "request.auth.claims[aud]", "values": ["ml-inference-api"]}],
	},
]}

test_allow_seed_inference_authz if {
	count(_violations(_ap(_seed), {})) == 0
}

test_deny_post_models_without_from if {
	spec := {"action": "ALLOW", "rules": [{"to": [{"operation": {"methods": ["POST"], "paths": ["/v1/models/*"]}}]}]}
	v := _violations(_ap(spec), {})
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-K8S-042"
	contains(f.msg, "rule 0 lets callers without identity send POST to /v1/models/*")
}

# Attribute omitted: no methods means every method, and no paths every path.
test_deny_no_methods if {
	v := _violations(_ap({"rules": [{"to": [{"operation": {"paths": ["/v1/models/*"]}}]}]}), {})
	w := _violations(_ap({"rules": [{"to": [{"operation": {"methods": ["PUT"]}}]}]}), {})
	some f in v
	contains(f.msg, "DELETE/PATCH/POST/PUT to /v1/models/*")
	some g in w
	contains(g.msg, "PUT to *")
}

test_deny_health_post_and_other_paths if {
	spec := {"rules": [{"to": [{"operation": {"methods": ["post"], "paths": ["/healthz", "/admin/reload"]}}]}]}
	v := _violations(_ap(spec), {})
	some f in v
	contains(f.msg, "POST to /admin/reload")
	not contains(f.msg, "/healthz")
}

test_deny_not_methods_and_wildcard_method if {
	count(_violations(_ap({"rules": [{"to": [{"operation": {"notMethods": ["GET"]}}]}]}), {})) == 1
	count(_violations(_ap({"rules": [{"to": [{"operation": {"notMethods": ["POST", "PUT", "PATCH", "DELETE"]}}]}]}), {})) == 0
	count(_violations(_ap({"rules": [{"to": [{"operation": {"methods": ["*"], "paths": ["/v1/x"]}}]}]}), {})) == 1
}

test_deny_sources_without_identity if {
	ip_only := {"rules": [{"from": [{"source": {"ipBlocks": ["10.0.0.0/8"]}}], "to": [{"operation": {"methods": ["POST"]}}]}]}
	count(_violations(_ap(ip_only), {})) == 1
	not_principals := {"rules": [{"from": [{"source": {"notPrincipals": ["x"]}}], "to": [{"operation": {"methods": ["POST"]}}]}]}
	count(_violations(_ap(not_principals), {})) == 1

	# One alternative without identity opens the rule.
	mixed := {"rules": [{"from": [{"source": {"principals": ["cluster.local/ns/a/sa/b"]}}, {"source": {"ipBlocks": ["10.0.0.0/8"]}}], "to": [{"operation": {"methods": ["POST"]}}]}]}
	count(_violations(_ap(mixed), {})) == 1
}

test_allow_identity_in_from_or_when if {
	by_ns := {"rules": [{"from": [{"source": {"namespaces": ["ml-pipeline"]}}], "to": [{"operation": {"methods": ["POST"]}}]}]}
	count(_violations(_ap(by_ns), {})) == 0
	by_when := {"rules": [{"to": [{"operation": {"methods": ["POST"]}}], "when": [{"key": "source.principal", "values": ["cluster.local/ns/a/sa/b"]}]}]}
	count(_violations(_ap(by_when), {})) == 0
	by_claim := {"rules": [{"to": [{"operation": {"methods": ["POST"]}}], "when": [{"key": "request.auth.claims[groups]", "values": ["ml"]}]}]}
	count(_violations(_ap(by_claim), {})) == 0
	not_identity := {"rules": [{"to": [{"operation": {"methods": ["POST"]}}], "when": [{"key": "request.headers[x-user]", "values": ["a"]}]}]}
	count(_violations(_ap(not_identity), {})) == 1
}

# Rules that admit everyone are reported once, by MLF-K8S-041.
test_allow_rules_reported_by_allow_all if {
	count(_violations(_ap({"rules": [{}]}), {})) == 0
	count(_violations(_ap({"rules": [{"from": [{"source": {}}], "to": [{"operation": {"methods": ["POST"]}}]}]}), {})) == 0
}

test_allow_other_actions if {
	count(_violations(_ap({"action": "DENY", "rules": [{"to": [{"operation": {"methods": ["POST"]}}]}]}), {})) == 0
	count(_violations(_ap({"action": "CUSTOM", "provider": {"name": "x"}, "rules": [{"to": [{"operation": {"methods": ["POST"]}}]}]}), {})) == 0
}

test_health_paths_parameter if {
	spec := {"rules": [{"to": [{"operation": {"paths": ["/status"]}}]}]}
	count(_violations(_ap(spec), {})) == 1
	count(_violations(_ap(spec), {"istio_health_paths": ["/status"]})) == 0
	count(_violations(_ap(_seed), {"istio_health_paths": []})) == 0
	get_health := {"rules": [{"to": [{"operation": {"paths": ["/v2/health/ready"]}}]}]}
	count(_violations(_ap(get_health), {})) == 0
}

# Exposure and mesh rules judge system namespaces too (only workload hygiene exempts them).
test_system_namespace_parameter_does_not_exempt if {
	spec := {"rules": [{"to": [{"operation": {"methods": ["POST"]}}]}]}
	count(_violations(_ap(spec), {"system_namespaces": ["ml-serving"]})) == count(_violations(_ap(spec), {}))
}

test_wrong_types_never_error if {
	# A `to` that is not a list restricts nothing (the API server would reject it anyway).
	count(_violations(_ap({"rules": [{"to": "x"}]}), {})) == 1
	count(_violations(_ap({"rules": [{"to": [null, {"operation": "x"}], "when": "x"}]}), {})) == 1
	count(_violations(_ap({"rules": [{"to": [{"operation": {"methods": "POST", "paths": [1]}}], "from": [{"source": {"principals": "a"}}]}]}), {})) == 1
	count(_violations(_ap({"rules": [{"to": [{"operation": {"methods": ["GET"]}}]}]}), {"istio_health_paths": "x"})) == 0
	count(_violations(_ap({"rules": [{"to": [{"operation": {"paths": ["/a"]}}]}]}), {"istio_health_paths": [null, "["]})) == 1
}

# A declared edge gateway accepts end users' writes (authentication happens behind it).
test_allow_writes_on_a_declared_edge_gateway if {
	gateway := {
		"apiVersion": "security.istio.io/v1",
		"kind": "AuthorizationPolicy",
		"metadata": {"name": "gw", "namespace": "istio-system"},
		"spec": {"selector": {"matchLabels": {"istio": "ingressgateway"}}, "rules": [{"to": [{"operation": {"methods": ["POST"]}}]}]},
	}
	count(_violations(gateway, {})) == 1
	count(_violations(gateway, {"edge_gateways": [{"namespace": "istio-system", "labels": {"istio": "ingressgateway"}}]})) == 0
}
