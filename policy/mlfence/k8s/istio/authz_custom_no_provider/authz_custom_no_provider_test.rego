package mlfence.k8s.istio.authz_custom_no_provider_test

import data.mlfence.k8s.istio.authz_custom_no_provider

_ap(spec) := {
	"apiVersion": "security.istio.io/v1beta1",
	"kind": "AuthorizationPolicy",
	"metadata": {"name": "rate-limit-policy", "namespace": "ml-serving"},
	"spec": spec,
}

_violations(obj, params) := v if {
	v := authz_custom_no_provider.violation with input as {"review": {"object": obj}, "parameters": params}
}

_rules := [{"to": [{"operation": {"paths": ["/v1/models/*"]}}]}]

# The seed's rate-limit-policy.
test_allow_seed_custom_with_provider if {
	count(_violations(_ap({"action": "CUSTOM", "provider": {"name": "rate-limiter"}, "rules": _rules}), {})) == 0
}

# Attribute omitted.
test_deny_custom_without_provider if {
	v := _violations(_ap({"action": "CUSTOM", "rules": _rules}), {})
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-K8S-043"
}

test_deny_empty_provider_name if {
	count(_violations(_ap({"action": "custom", "provider": {"name": " "}, "rules": _rules}), {})) == 1
	count(_violations(_ap({"action": "CUSTOM", "provider": {}}), {})) == 1
}

test_allow_other_actions if {
	count(_violations(_ap({"rules": _rules}), {})) == 0
	count(_violations(_ap({"action": "DENY", "rules": _rules}), {})) == 0
}

# Exposure and mesh rules judge system namespaces too (only workload hygiene exempts them).
test_system_namespace_parameter_does_not_exempt if {
	count(_violations(_ap({"action": "CUSTOM"}), {"system_namespaces": ["ml-serving"]})) == count(_violations(_ap({"action": "CUSTOM"}), {}))
}

test_wrong_types_never_error if {
	count(_violations(_ap({"action": "CUSTOM", "provider": "rate-limiter"}), {})) == 1
	count(_violations(_ap({"action": "CUSTOM", "provider": {"name": 3}}), {})) == 1
	count(_violations(_ap({"action": ["CUSTOM"]}), {})) == 0
	count(_violations(_ap(null), {})) == 0
}
