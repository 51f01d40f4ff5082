package lib.mlfence.connectivity_authz_test

import data.lib.mlfence.connectivity

_deployment(ns, name, sa) := {
	"apiVersion": "apps/v1", "kind": "Deployment",
	"metadata": {"name": name, "namespace": ns},
	"spec": {"template": {"metadata": {"labels": {"app": name}}, "spec": {"serviceAccountName": sa, "containers": [{"name": "c"}]}}},
}

# The registry admits every namespace on 5000 at L4 (NetworkPolicy); the mesh decides.
_open := {
	"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
	"metadata": {"name": "allow-all-internal", "namespace": "model-registry"},
	"spec": {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{"from": [{"namespaceSelector": {}}], "ports": [{"port": 5000}]}]},
}

_authz(name, spec) := {"apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy", "metadata": {"name": name, "namespace": "model-registry"}, "spec": spec}

_inventory(extra) := {"namespace": {
	"ml-training": {"apps/v1": {"Deployment": {"trainer": _deployment("ml-training", "trainer", "trainer")}}},
	"ci": {"apps/v1": {"Deployment": {"runner": _deployment("ci", "runner", "ci-runner")}}},
	"model-registry": {
		"apps/v1": {"Deployment": {"registry": _deployment("model-registry", "registry", "registry")}},
		"networking.k8s.io/v1": {"NetworkPolicy": {"allow-all-internal": _open}},
		"security.istio.io/v1": {"AuthorizationPolicy": extra},
	},
}}

# _flows(extra) is the model's flows with these AuthorizationPolicies. As a function it is
# evaluated once per argument and test (OPA caches a function's value by its arguments; each
# `with` starts an empty cache): a test reads several callers' flows of one inventory.
_flows(extra) := flows if {
	flows := connectivity.flows with data.inventory as _inventory(extra)
}

_flow(extra, from) := f if {
	some f in _flows(extra)
	f.from == from
	f.to == "model-registry/Deployment/registry"
}

_allow_ci := _authz("registry-from-ci", {
	"selector": {"matchLabels": {"app": "registry"}},
	"action": "ALLOW",
	"rules": [{"from": [{"source": {"principals": ["cluster.local/ns/ci/sa/ci-runner"]}}], "to": [{"operation": {"ports": ["5000"]}}]}],
})

test_no_authz_policy_leaves_the_flow if {
	f := _flow({}, "ml-training/Deployment/trainer")
	f.ports == [{"protocol": "TCP", "from": 5000, "to": 5000, "egress_by": "not isolated", "ingress_by": "model-registry/allow-all-internal rule 0"}]
	f.denied == []
}

test_allow_policy_admits_only_its_principal if {
	ci := _flow({"registry-from-ci": _allow_ci}, "ci/Deployment/runner")
	[p.authz_by | some p in ci.ports] == ["AuthorizationPolicy model-registry/registry-from-ci (ALLOW) rule 0"]
	trainer := _flow({"registry-from-ci": _allow_ci}, "ml-training/Deployment/trainer")
	trainer.ports == []
	[d.denied_by | some d in trainer.denied] == ["no ALLOW rule of AuthorizationPolicy model-registry/registry-from-ci matches"]
}

test_deny_policy_by_namespace if {
	deny := _authz("no-training", {"action": "DENY", "rules": [{"from": [{"source": {"namespaces": ["ml-*"]}}]}]})
	trainer := _flow({"no-training": deny}, "ml-training/Deployment/trainer")
	trainer.ports == []
	[d.denied_by | some d in trainer.denied] == ["AuthorizationPolicy model-registry/no-training (DENY) rule 0"]
	ci := _flow({"no-training": deny}, "ci/Deployment/runner")
	[p.authz_by | some p in ci.ports] == ["no ALLOW policy"]
}

# A rule on HTTP methods matches some requests only: a DENY never closes the flow, an ALLOW
# lets it through and says so.
test_request_level_rules if {
	deny := _authz("no-writes", {"action": "DENY", "rules": [{"to": [{"operation": {"methods": ["POST"]}}]}]})
	count(_flow({"no-writes": deny}, "ml-training/Deployment/trainer").ports) == 1
	allow := _authz("reads", {"rules": [{"to": [{"operation": {"methods": ["GET"]}}]}]})
	[p.authz_by | some p in _flow({"reads": allow}, "ml-training/Deployment/trainer").ports] == [
		"AuthorizationPolicy model-registry/reads (ALLOW) rule 0, some requests only",
	]
}

# An ALLOW policy without rules denies everything; one on other pods, or AUDIT, decides nothing.
test_allow_nothing_other_selector_and_audit if {
	nothing := _authz("allow-nothing", {"action": "ALLOW"})
	_flow({"allow-nothing": nothing}, "ci/Deployment/runner").ports == []
	other := _authz("other", {"selector": {"matchLabels": {"app": "other"}}, "action": "DENY", "rules": [{}]})
	count(_flow({"other": other}, "ci/Deployment/runner").ports) == 1
	audit := _authz("audit", {"action": "AUDIT", "rules": [{}]})
	count(_flow({"audit": audit}, "ci/Deployment/runner").ports) == 1
}

test_uncovered if {
	connectivity.uncovered(1, 10, [{"from": 3, "to": 4}]) == {{"from": 1, "to": 2}, {"from": 5, "to": 10}}
	connectivity.uncovered(5, 5, [{"from": 1, "to": 9}]) == set()
}
