package mlfence.k8s.intent.undeclared_flow_test

import data.mlfence.k8s.intent.undeclared_flow

_deployment(ns, name) := {
	"apiVersion": "apps/v1", "kind": "Deployment",
	"metadata": {"name": name, "namespace": ns},
	"spec": {"template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "c"}]}}},
}

_policy(ns, name, spec) := {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": name, "namespace": ns}, "spec": spec}

_deny_all(ns) := _policy(ns, "default-deny-all", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]})

_from_everywhere := _policy("model-registry", "allow-all-internal", {
	"podSelector": {}, "policyTypes": ["Ingress", "Egress"],
	"ingress": [{"from": [{"namespaceSelector": {}}], "ports": [{"port": 5000}]}],
})

_trainer_out := _policy("ml-training", "trainer-egress", {
	"podSelector": {}, "policyTypes": ["Egress"],
	"egress": [{"to": [{"namespaceSelector": {}}]}],
})

_inventory(objects) := {"namespace": object.union_n([{o.metadata.namespace: {o.apiVersion: {o.kind: {o.metadata.name: o}}}} | some o in objects])}

_flows(allow) := {
	"components": [
		{"name": "training", "namespaces": ["ml-training"]},
		{"name": "model-registry", "namespaces": ["model-registry"]},
		{"name": "ci-runners", "namespaces": ["ci"]},
	],
	"allow": allow,
}

_ci_only := _flows([{"from": "ci-runners", "to": "model-registry", "ports": [5000]}])

_platform := [
	_deployment("ml-training", "trainer"), _deny_all("ml-training"), _trainer_out,
	_deployment("model-registry", "registry"),
]

_violations(obj, objects, flows) := v if {
	v := undeclared_flow.violation with input as {"review": {"object": obj}, "parameters": {"flows": flows}}
		with data.inventory as _inventory(objects)
}

test_deny_registry_reachable_from_training if {
	v := _violations(_deployment("model-registry", "registry"), array.concat(_platform, [_from_everywhere]), _ci_only)
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-K8S-060"
	contains(f.msg, "ml-training/trainer (component training) can reach model-registry/registry (component model-registry) on TCP 5000")
	contains(f.msg, "ingress: NetworkPolicy model-registry/allow-all-internal rule 0")
}

# At admission the policy is not in the inventory yet: the model is computed with it.
test_deny_the_policy_that_opens_the_flow if {
	v := _violations(_from_everywhere, _platform, _ci_only)
	count(v) == 1
}

test_allow_registry_only_from_ci if {
	narrow := _policy("model-registry", "from-ci", {
		"podSelector": {}, "policyTypes": ["Ingress", "Egress"],
		"ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ci"}}}], "ports": [{"port": 5000}]}],
	})
	count(_violations(_deployment("model-registry", "registry"), array.concat(_platform, [narrow]), _ci_only)) == 0
	count(_violations(narrow, _platform, _ci_only)) == 0
}

# Attribute omitted: no declaration, nothing judged.
test_allow_without_declared_flows if {
	count(undeclared_flow.violation) == 0 with input as {"review": {"object": _deployment("model-registry", "registry")}}
		with data.inventory as _inventory(array.concat(_platform, [_from_everywhere]))
}

# Configuration overridden: the flow declared, with its port, is allowed; another port is not.
test_declared_flow_and_its_ports if {
	objects := array.concat(_platform, [_from_everywhere])
	registry := _deployment("model-registry", "registry")
	count(_violations(registry, objects, _flows([{"from": "training", "to": "model-registry", "ports": [5000]}]))) == 0
	count(_violations(registry, objects, _flows([{"from": "training", "to": "model-registry", "ports": ["4000-4999", {"port": 5001}]}]))) == 1
}

test_deny_internet_egress_of_a_component if {
	job := {"apiVersion": "kubeflow.org/v1", "kind": "PyTorchJob", "metadata": {"name": "finetune", "namespace": "ml-training"}, "spec": {"pytorchReplicaSpecs": {"Master": {"template": {"spec": {"containers": [{"name": "c"}]}}}}}}
	ingress_only := _policy("ml-training", "deny-ingress", {"podSelector": {}, "policyTypes": ["Ingress"]})
	v := _violations(job, [ingress_only], _ci_only)
	count([f | some f in v; contains(f.msg, "can reach 0.0.0.0/0 (internet)")]) == 1
	internet := {"components": [{"name": "training", "namespaces": ["ml-training"], "egress": {"internet": true}}]}
	count(_violations(job, [ingress_only], internet)) == 0
}

# A component's flows to the egress gateway it names are declared by `via`.
test_via_egress_gateway if {
	gateway := _deployment("egress", "gateway")
	open_gateway := _policy("egress", "in", {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{}]})
	out := _policy("ml-training", "to-gateway", {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "egress"}}}]}]})
	objects := [_deployment("ml-training", "trainer"), _deny_all("ml-training"), out, gateway, open_gateway]
	components := [{"name": "egress-gateway", "namespaces": ["egress"], "egress": {"internet": true}}]
	via := {"components": array.concat(components, [{"name": "training", "namespaces": ["ml-training"], "egress": {"via": "egress-gateway"}}])}
	count(_violations(_deployment("ml-training", "trainer"), objects, via)) == 0
	direct := {"components": array.concat(components, [{"name": "training", "namespaces": ["ml-training"]}])}
	count(_violations(_deployment("ml-training", "trainer"), objects, direct)) == 1
}

# Allowed by NetworkPolicy, denied by AuthorizationPolicy: no flow, no finding; the message of
# a flow the mesh admits names the AuthorizationPolicy too.
test_authorization_policy_decides_the_flow if {
	registry := _deployment("model-registry", "registry")
	objects := array.concat(_platform, [_from_everywhere])
	only_ci := {"apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy", "metadata": {"name": "from-ci", "namespace": "model-registry"}, "spec": {"rules": [{"from": [{"source": {"namespaces": ["ci"]}}]}]}}
	count(_violations(registry, array.concat(objects, [only_ci]), _ci_only)) == 0
	any_ml := json.patch(only_ci, [{"op": "replace", "path": "/spec/rules/0/from/0/source/namespaces/0", "value": "ml-*"}])
	v := _violations(registry, array.concat(objects, [any_ml]), _ci_only)
	count(v) == 1
	some f in v
	contains(f.msg, "AuthorizationPolicy model-registry/from-ci (ALLOW) rule 0")
}

# --- Cilium -------------------------------------------------------------------------------------

_inventory_all(objects) := object.union(_inventory([o | some o in objects; o.metadata.namespace]), {"cluster": object.union_n([{o.apiVersion: {o.kind: {o.metadata.name: o}}} | some o in objects; not o.metadata.namespace])})

_cilium_violations(obj, objects, flows) := v if {
	v := undeclared_flow.violation with input as {"review": {"object": obj}, "parameters": {"flows": flows}}
		with data.inventory as _inventory_all(objects)
}

_cnp_everyone := {
	"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy",
	"metadata": {"name": "registry-in", "namespace": "model-registry"},
	"spec": {
		"endpointSelector": {},
		"ingress": [{"fromEntities": ["cluster"], "toPorts": [{"ports": [{"port": "5000", "protocol": "TCP"}]}]}],
		"egress": [{}],
	},
}

_cnp_from_ci := json.patch(_cnp_everyone, [{"op": "replace", "path": "/spec/ingress/0", "value": {
	"fromEndpoints": [{"matchLabels": {"k8s:io.kubernetes.pod.namespace": "ci"}}],
	"toPorts": [{"ports": [{"port": "5000", "protocol": "TCP"}]}],
}}])

# The Cilium policy itself, at admission.
test_deny_the_cilium_policy_that_opens_the_flow if {
	count(_cilium_violations(_cnp_everyone, _platform, _ci_only)) == 1
}

test_deny_flow_a_cilium_policy_opens if {
	v := _cilium_violations(_deployment("model-registry", "registry"), array.concat(_platform, [_cnp_everyone]), _ci_only)
	count(v) == 1
	some f in v
	contains(f.msg, "ml-training/trainer (component training) can reach model-registry/registry (component model-registry) on TCP 5000")
	contains(f.msg, "ingress: CiliumNetworkPolicy model-registry/registry-in ingress rule 0")
}

test_allow_cilium_policy_admitting_only_ci if {
	count(_cilium_violations(_deployment("model-registry", "registry"), array.concat(_platform, [_cnp_from_ci]), _ci_only)) == 0
}

test_allow_the_cilium_policy_admitting_only_ci if {
	count(_cilium_violations(_cnp_from_ci, _platform, _ci_only)) == 0
}

# A clusterwide deny wins over the NetworkPolicy that opens the registry: no undeclared flow.
test_allow_clusterwide_deny_closes_the_flow if {
	deny := {
		"apiVersion": "cilium.io/v2", "kind": "CiliumClusterwideNetworkPolicy", "metadata": {"name": "no-training-to-registry"},
		"spec": {
			"endpointSelector": {"matchLabels": {"io.kubernetes.pod.namespace": "model-registry"}},
			"enableDefaultDeny": {"ingress": false},
			"ingressDeny": [{"fromEndpoints": [{"matchLabels": {"io.kubernetes.pod.namespace": "ml-training"}}]}],
		},
	}
	objects := array.concat(_platform, [_from_everywhere, deny])
	count(_cilium_violations(_deployment("model-registry", "registry"), objects, _ci_only)) == 0
}

# --- the Admin tier ------------------------------------------------------------------------------

_admin_open := {
	"apiVersion": "policy.networking.k8s.io/v1alpha1", "kind": "AdminNetworkPolicy", "metadata": {"name": "registry-open"},
	"spec": {
		"priority": 1,
		"subject": {"namespaces": {"matchLabels": {"kubernetes.io/metadata.name": "model-registry"}}},
		"ingress": [{"action": "Allow", "from": [{"namespaces": {}}], "ports": [{"portNumber": {"protocol": "TCP", "port": 5000}}]}],
	},
}

_admin_closed := json.patch(_admin_open, [
	{"op": "replace", "path": "/metadata/name", "value": "registry-closed"},
	{"op": "replace", "path": "/spec/ingress/0/action", "value": "Deny"},
])

# An Admin Allow opens the flow over the registry's NetworkPolicy, and names itself.
test_deny_flow_an_admin_policy_opens if {
	v := _cilium_violations(_deployment("model-registry", "registry"), array.concat(_platform, [_deny_all("model-registry"), _admin_open]), _ci_only)
	count(v) == 1
	some f in v
	contains(f.msg, "can reach model-registry/registry (component model-registry) on TCP 5000, which no declared flow allows")
	contains(f.msg, "ingress: AdminNetworkPolicy registry-open ingress rule 0 (Allow)")
}

test_deny_the_admin_policy_at_admission if {
	count(_cilium_violations(_admin_open, array.concat(_platform, [_deny_all("model-registry")]), _ci_only)) == 1
}

# An Admin Deny closes what the NetworkPolicy opens.
test_allow_admin_deny_closes_the_flow if {
	count(_cilium_violations(_deployment("model-registry", "registry"), array.concat(_platform, [_from_everywhere, _admin_closed]), _ci_only)) == 0
}

# A Calico policy under review answers for the flows its own rules let through, named by its rule.
_calico_in(source) := {
	"apiVersion": "projectcalico.org/v3", "kind": "NetworkPolicy",
	"metadata": {"name": "registry-in", "namespace": "model-registry"},
	"spec": {"selector": "app == 'registry'", "types": ["Ingress", "Egress"], "ingress": [object.union(
		{"action": "Allow", "protocol": "TCP", "destination": {"ports": [5000]}},
		source,
	)]},
}

test_deny_the_calico_policy_that_opens_the_flow if {
	v := _violations(_calico_in({}), _platform, _ci_only)

	# the trainer, and (no source: every address) the internet over IPv4 and IPv6
	count(v) == 3
	some internet in v
	internet.details.resource == "model-registry/NetworkPolicy/registry-in"
	contains(internet.msg, "can be reached from 0.0.0.0/0 (internet) on TCP 5000")
	some f in v
	contains(f.msg, "ml-training/trainer (component training) can reach model-registry/registry (component model-registry) on TCP 5000")
	contains(f.msg, "ingress: Calico NetworkPolicy model-registry/registry-in ingress rule 0 (Allow)")
	every g in v {
		contains(g.msg, "Calico NetworkPolicy model-registry/registry-in ingress rule 0 (Allow)")
	}
}

test_allow_a_calico_policy_admitting_only_ci if {
	narrow := _calico_in({"source": {"namespaceSelector": "projectcalico.org/name == 'ci'"}})
	count(_violations(narrow, _platform, _ci_only)) == 0
}

# A core NetworkPolicy of the same namespace and name does not make the Calico policy its decider.
test_allow_calico_review_beside_a_core_policy_of_the_same_name if {
	core := _policy("model-registry", "registry-in", {
		"podSelector": {}, "policyTypes": ["Ingress"],
		"ingress": [{"from": [{"namespaceSelector": {}}], "ports": [{"port": 5000}]}],
	})
	narrow := _calico_in({"source": {"namespaceSelector": "projectcalico.org/name == 'ci'"}})
	count(_violations(narrow, array.concat(_platform, [core]), _ci_only)) == 0
}
