package mlfence.k8s.network.pii_egress_external_test

import data.mlfence.k8s.network.pii_egress_external

_policy(selector, egress) := {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "np", "namespace": "ml-sensitive"}, "spec": {"podSelector": selector, "policyTypes": ["Egress"], "egress": egress}}

_pii := {"matchLabels": {"data-classification": "pii"}}

_violations(obj, params) := v if {
	v := pii_egress_external.violation with input as {"review": {"object": obj}, "parameters": params}
}

_violations_with(obj, policies) := v if {
	inventory := {"namespace": {"ml-sensitive": {"networking.k8s.io/v1": {"NetworkPolicy": policies}}}}
	v := pii_egress_external.violation with input as {"review": {"object": obj}, "parameters": {}} with data.inventory as inventory
}

test_deny_pii_pods_to_public_cidr if {
	v := _violations(_policy(_pii, [{"to": [{"ipBlock": {"cidr": "52.216.0.0/16"}}]}]), {})
	count(v) == 1
	count([f | some f in v; f.details.rule_id == "MLF-K8S-007"]) > 0
}

# Attribute omitted: no `to` reaches everything.
test_deny_pii_pods_without_to if {
	sel := {"matchExpressions": [{"key": "data-classification", "operator": "In", "values": ["pii"]}]}
	count(_violations(_policy(sel, [{"ports": [{"port": 443}]}]), {})) == 1
}

test_allow_seed_pii_isolation if {
	count(_violations(_policy(_pii, [{"to": [{"podSelector": {}}], "ports": [{"protocol": "TCP"}]}]), {})) == 0
	count(_violations(_policy(_pii, [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]}]), {})) == 0
}

test_allow_policies_not_pinning_pii if {
	count(_violations(_policy({"matchLabels": {"app": "web"}}, [{}]), {})) == 0
	count(_violations(_policy({}, [{}]), {})) == 0
}

# Parameter overridden: another PII label.
test_parameter_overridden if {
	sel := {"matchLabels": {"sensitivity": "restricted"}}
	count(_violations(_policy(sel, [{}]), {"pii_labels": {"sensitivity": ["restricted", "secret"]}})) == 1
	count(_violations(_policy(_pii, [{}]), {"pii_labels": {"sensitivity": ["restricted"]}})) == 0
}

_deployment(labels) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "scorer", "namespace": "ml-sensitive"}, "spec": {"template": {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "c"}]}}}}

test_deny_workload_selected_by_open_policy if {
	open_policy := _policy({}, [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}])
	v := _violations_with(_deployment({"data-classification": "pii", "app": "scorer"}), {"open": open_policy})
	count(v) == 1
	count([f | some f in v; contains(f.msg, "NetworkPolicy open")]) > 0
}

test_allow_workload_with_internal_policies if {
	internal_policy := _policy({}, [{"to": [{"podSelector": {}}]}])
	count(_violations_with(_deployment({"data-classification": "pii"}), {"internal": internal_policy})) == 0
	open_policy := _policy({"matchLabels": {"app": "web"}}, [{}])
	count(_violations_with(_deployment({"data-classification": "pii", "app": "scorer"}), {"open": open_policy})) == 0
	count(_violations_with(_deployment({"app": "scorer"}), {"open": _policy({}, [{}])})) == 0
	count(_violations(_deployment({"data-classification": "pii"}), {})) == 0
}

test_allow_wrong_types_without_error if {
	count(_violations(_policy(_pii, "x"), {"pii_labels": {"data-classification": "pii"}})) == 0
	count(_violations(_policy("x", [{}]), {})) == 0
	count(_violations_with(_deployment("x"), "x")) == 0
}
