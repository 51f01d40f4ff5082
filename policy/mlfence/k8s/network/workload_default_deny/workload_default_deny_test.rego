package mlfence.k8s.network.workload_default_deny_test

import data.mlfence.k8s.network.workload_default_deny

_deployment(ns) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "triton", "namespace": ns}, "spec": {"template": {"spec": {"containers": [{"name": "c"}]}}}}

_deny_all := {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "default-deny-all"}, "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}}

_violations(obj, inventory, params) := v if {
	v := workload_default_deny.violation with input as {"review": {"object": obj}, "parameters": params} with data.inventory as inventory
}

_in(ns, policies) := {"namespace": {ns: {"networking.k8s.io/v1": {"NetworkPolicy": policies}}}}

test_deny_workload_in_namespace_without_default_deny if {
	v := _violations(_deployment("ml-serving"), _in("ml-serving", {}), {})
	count(v) == 1
	count([f | some f in v; f.details.rule_id == "MLF-K8S-009"; contains(f.msg, "metadata: {name: default-deny-all, namespace: ml-serving}")]) > 0
}

# Attribute omitted: nothing known about the namespace is a finding (secure default).
test_deny_without_inventory if {
	count(workload_default_deny.violation) == 1 with input as {"review": {"object": _deployment("ml-serving")}}
}

test_allow_with_default_deny if {
	count(_violations(_deployment("ml-serving"), _in("ml-serving", {"default-deny-all": _deny_all}), {})) == 0
	count(_violations(_deployment("ml-serving"), _in("other", {"default-deny-all": _deny_all}), {})) == 1
}

test_ml_kinds if {
	ray := {"apiVersion": "ray.io/v1", "kind": "RayCluster", "metadata": {"name": "r", "namespace": "ml"}, "spec": {"headGroupSpec": {"template": {"spec": {}}}}}
	count(_violations(ray, {}, {})) == 1
	count(_violations(ray, _in("ml", {"d": _deny_all}), {})) == 0
}

# Manifests without a namespace pair with policies written beside them without one.
test_namespace_less_manifests if {
	obj := json.remove(_deployment("x"), ["/metadata/namespace"])
	count(_violations(obj, {}, {})) == 1
	count(_violations(obj, {"cluster": {"networking.k8s.io/v1": {"NetworkPolicy": {"d": _deny_all}}}}, {})) == 0
}

test_parameter_overridden if {
	v := _violations(_deployment("ml-serving"), {}, {"default_deny_policy_name": "deny-everything"})
	count([f | some f in v; contains(f.msg, "name: deny-everything")]) > 0
	count(_violations(_deployment("ml-serving"), {}, {"system_namespaces": ["ml-serving"]})) == 0
}

test_allow_owned_objects_and_non_workloads if {
	owned := json.patch(_deployment("ml"), [{"op": "add", "path": "/metadata/ownerReferences", "value": [{"kind": "X"}]}])
	count(_violations(owned, {}, {})) == 0
	count(_violations(_deny_all, {}, {})) == 0
	count(_violations({"kind": "ConfigMap", "metadata": {"namespace": "ml"}}, {}, {})) == 0
	count(_violations({"kind": "Deployment", "spec": 3}, "junk", {})) == 0
}

_labelled(ns, labels) := json.patch(_deployment(ns), [{"op": "add", "path": "/spec/template/metadata", "value": {"labels": labels}}])

_policy(name, spec) := {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": name}, "spec": spec}

_own := _policy("triton", {
	"podSelector": {"matchLabels": {"app": "triton"}},
	"policyTypes": ["Ingress", "Egress"],
	"ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "gateway"}}}], "ports": [{"port": 8000}]}],
	"egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8"}}], "ports": [{"port": 443}]}],
})

# A chart's own policy that selects its Deployment in both directions isolates it: no finding,
# whether or not the namespace has a default deny.
test_allow_isolated_by_selecting_policy if {
	v := _violations(_labelled("ml", {"app": "triton"}), _in("ml", {"triton": _own}), {})
	count(v) == 0
}

test_deny_policy_selecting_other_pods if {
	v := _violations(_labelled("ml", {"app": "other"}), _in("ml", {"triton": _own}), {})
	count(v) == 1
	some f in v
	contains(f.msg, "no network policy selects them for Egress")
	contains(f.msg, "no network policy selects them for Ingress")
}

# Ingress only (the defaulted policyTypes of a policy without egress rules): egress stays open.
test_deny_ingress_only if {
	ingress_only := json.remove(_own, ["/spec/policyTypes", "/spec/egress"])
	v := _violations(_labelled("ml", {"app": "triton"}), _in("ml", {"triton": ingress_only}), {})
	some f in v
	contains(f.msg, "for Egress")
	not contains(f.msg, "for Ingress")
}

# `egress: []` without policyTypes does not make an egress policy (the API counts rules), while
# `policyTypes: [Egress]` with no rules denies all egress.
test_empty_egress_list_defaulting if {
	empty := _policy("d", {"podSelector": {}, "ingress": [], "egress": []})
	listed := _policy("d", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"], "ingress": [], "egress": []})
	count(_violations(_labelled("ml", {"app": "triton"}), _in("ml", {"d": listed}), {})) == 0
	v := _violations(_labelled("ml", {"app": "triton"}), _in("ml", {"d": empty}), {})
	some f in v
	contains(f.msg, "for Egress")
}

# `ingress: [{}]` isolates on paper and admits everyone: as open as no policy.
test_deny_allow_all_rule if {
	allow_all := _policy("d", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"], "ingress": [{}]})
	v := _violations(_labelled("ml", {"app": "triton"}), _in("ml", {"d": allow_all}), {})
	some f in v
	contains(f.msg, "d rule 0 admits every source on every port")
	not contains(f.msg, "for Egress")
}

test_sandbox_and_cluster_templates if {
	sandbox := {
		"apiVersion": "agents.x-k8s.io/v1alpha1", "kind": "Sandbox", "metadata": {"name": "agent", "namespace": "ml"},
		"spec": {"podTemplate": {"metadata": {"labels": {"app": "triton"}}, "spec": {"containers": [{"name": "c"}]}}},
	}
	count(_violations(sandbox, {}, {})) == 1
	count(_violations(sandbox, _in("ml", {"triton": _own}), {})) == 0
	runtime := {
		"apiVersion": "serving.kserve.io/v1alpha1", "kind": "ClusterServingRuntime", "metadata": {"name": "triton"},
		"spec": {"containers": [{"name": "c"}]},
	}
	count(_violations(runtime, {}, {})) == 0
}

# With nothing synced the rule skips the policy lookups (connectivity.nothing_synced); an inventory
# that holds something, here an empty cluster scope, takes the full path. Both must agree.
test_nothing_synced_answers_as_the_full_path if {
	pytorch := {
		"apiVersion": "kubeflow.org/v1", "kind": "PyTorchJob", "metadata": {"name": "train", "namespace": "ml"},
		"spec": {"pytorchReplicaSpecs": {
			"Master": {"template": {"spec": {"containers": [{"name": "c"}]}}},
			"Worker": {"template": {"spec": {"containers": [{"name": "c"}]}}},
		}},
	}
	namespace_less := json.remove(_deployment("x"), ["/metadata/namespace"])
	owned := json.patch(_deployment("ml"), [{"op": "add", "path": "/metadata/ownerReferences", "value": [{"kind": "X"}]}])
	every obj in [_deployment("ml-serving"), pytorch, namespace_less, owned, _deny_all] {
		fast := workload_default_deny.violation with input as {"review": {"object": obj}}
		full := _violations(obj, {"cluster": {}}, {})
		fast == full
	}
	count(workload_default_deny.violation) == 1 with input as {"review": {"object": pytorch}}
}

test_nothing_synced_two_templates if {
	pytorch := {
		"apiVersion": "kubeflow.org/v1", "kind": "PyTorchJob", "metadata": {"name": "train", "namespace": "ml"},
		"spec": {"pytorchReplicaSpecs": {
			"Master": {"template": {"spec": {"containers": [{"name": "c"}]}}},
			"Worker": {"template": {"spec": {"containers": [{"name": "c"}]}}},
		}},
	}
	[f] := [f | some f in workload_default_deny.violation with input as {"review": {"object": pytorch}}]
	contains(f.msg, "pods of spec.pytorchReplicaSpecs.Master.template.spec: no network policy selects them for Egress; ")
	contains(f.msg, "pods of spec.pytorchReplicaSpecs.Worker.template.spec: no network policy selects them for Ingress")
}

# Without a namespace and without policies beside it, the answer waits for rendering: unknown.
test_namespace_less_is_unknown if {
	obj := json.remove(_deployment("x"), ["/metadata/namespace"])
	v := _violations(obj, {}, {})
	[f.details.status | some f in v] == ["unknown"]
}

# --- Cilium -------------------------------------------------------------------------------------

_cilium(kind, name, spec) := {"apiVersion": "cilium.io/v2", "kind": kind, "metadata": {"name": name}, "spec": spec}

_cnp_in(ns, name, spec) := {"namespace": {ns: {"cilium.io/v2": {"CiliumNetworkPolicy": {name: _cilium("CiliumNetworkPolicy", name, spec)}}}}}

_ccnp(name, spec) := {"cluster": {"cilium.io/v2": {"CiliumClusterwideNetworkPolicy": {name: _cilium("CiliumClusterwideNetworkPolicy", name, spec)}}}}

test_allow_isolated_by_cilium_policy if {
	spec := {
		"endpointSelector": {"matchLabels": {"k8s:app": "triton"}},
		"ingress": [{"fromEndpoints": [{"matchLabels": {"role": "gateway"}}]}],
		"egress": [{"toEntities": ["world"], "toPorts": [{"ports": [{"port": "443"}]}]}],
	}
	count(_violations(_labelled("ml", {"app": "triton"}), _cnp_in("ml", "triton", spec), {})) == 0

	# another namespace's policy does not isolate it
	count(_violations(_labelled("ml", {"app": "triton"}), _cnp_in("other", "triton", spec), {})) == 1
}

test_deny_cilium_empty_egress_section if {
	# `egress: []` does not apply: egress stays open
	spec := {"endpointSelector": {}, "ingress": [{}], "egress": []}
	v := _violations(_labelled("ml", {"app": "triton"}), _cnp_in("ml", "lockdown", spec), {})
	count(v) == 1
	some f in v
	contains(f.msg, "no network policy selects them for Egress")
	not contains(f.msg, "for Ingress")
}

test_deny_cilium_default_deny_disabled if {
	spec := {
		"endpointSelector": {},
		"enableDefaultDeny": {"ingress": false, "egress": false},
		"ingress": [{"fromEndpoints": [{}]}],
		"egress": [{"toEndpoints": [{}]}],
	}
	count(_violations(_labelled("ml", {"app": "triton"}), _cnp_in("ml", "additive", spec), {})) == 1
}

test_deny_cilium_entity_all_is_open if {
	spec := {"endpointSelector": {}, "ingress": [{}], "egress": [{"toEntities": ["all"]}]}
	v := _violations(_labelled("ml", {"app": "triton"}), _cnp_in("ml", "wide", spec), {})
	some f in v
	contains(f.msg, "CiliumNetworkPolicy ml/wide egress rule 0 admits every destination on every port")
}

test_allow_clusterwide_default_deny if {
	spec := {
		"endpointSelector": {"matchExpressions": [{"key": "k8s:io.kubernetes.pod.namespace", "operator": "NotIn", "values": ["kube-system"]}]},
		"ingress": [{}],
		"egress": [{"toEndpoints": [{"matchLabels": {"io.kubernetes.pod.namespace": "kube-system", "k8s-app": "kube-dns"}}]}],
	}
	count(_violations(_deployment("ml"), _ccnp("default-deny", spec), {})) == 0
	count(_violations(_deployment("kube-system"), _ccnp("default-deny", spec), {"system_namespaces": []})) == 1
}

test_unknown_when_a_cilium_selector_cannot_be_read if {
	spec := {"endpointSelector": {"matchLabels": {"reserved:init": ""}}, "ingress": [{}], "egress": [{}]}
	v := _violations(_deployment("ml"), _cnp_in("ml", "init", spec), {})
	count(v) == 1
	some f in v
	f.details.status == "unknown"
	contains(f.msg, "CiliumNetworkPolicy ml/init")
}

# --- AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy -------------------------

_tier_policy(kind, version, spec) := {"cluster": {sprintf("policy.networking.k8s.io/%s", [version]): {kind: {"guard": {
	"apiVersion": sprintf("policy.networking.k8s.io/%s", [version]), "kind": kind,
	"metadata": {"name": "guard"}, "spec": spec,
}}}}}

_deny_both := {
	"subject": {"namespaces": {"matchLabels": {"kubernetes.io/metadata.name": "ml"}}},
	"ingress": [{"action": "Deny", "from": [{"namespaces": {}}]}],
	"egress": [
		{"action": "Allow", "to": [{"networks": ["10.0.0.0/8"]}]},
		{"action": "Deny", "to": [{"networks": ["0.0.0.0/0"]}]},
	],
}

test_allow_isolated_by_admin_network_policy if {
	count(_violations(_deployment("ml"), _tier_policy("AdminNetworkPolicy", "v1alpha1", object.union(_deny_both, {"priority": 1})), {})) == 0

	# its subject is another namespace
	count(_violations(_deployment("other"), _tier_policy("AdminNetworkPolicy", "v1alpha1", object.union(_deny_both, {"priority": 1})), {})) == 1
}

test_allow_isolated_by_baseline_and_cluster_network_policy if {
	count(_violations(_deployment("ml"), _tier_policy("BaselineAdminNetworkPolicy", "v1alpha1", _deny_both), {})) == 0
	cnp := object.union(_deny_both, {"tier": "Baseline", "priority": 5})
	count(_violations(_deployment("ml"), _tier_policy("ClusterNetworkPolicy", "v1alpha2", cnp), {})) == 0
}

test_deny_admin_policy_denying_only_some_ports if {
	some_ports := json.patch(_deny_both, [{"op": "add", "path": "/egress/1/ports", "value": [{"portNumber": {"protocol": "TCP", "port": 80}}]}])
	v := _violations(_deployment("ml"), _tier_policy("AdminNetworkPolicy", "v1alpha1", object.union(some_ports, {"priority": 1})), {})
	count(v) == 1
	some f in v
	contains(f.msg, "for Egress")
	not contains(f.msg, "for Ingress")
}

# --- Calico --------------------------------------------------------------------------------------

_calico(ns, spec) := {"namespace": {ns: {"projectcalico.org/v3": {"NetworkPolicy": {"lock": {
	"apiVersion": "projectcalico.org/v3", "kind": "NetworkPolicy",
	"metadata": {"name": "lock", "namespace": ns}, "spec": spec,
}}}}}}

test_allow_isolated_by_calico_policy if {
	spec := {"selector": "app == 'triton'", "types": ["Ingress", "Egress"], "egress": [{"action": "Allow", "destination": {"nets": ["10.0.0.0/8"]}}]}
	count(_violations(_labelled("ml", {"app": "triton"}), _calico("ml", spec), {})) == 0
}

test_deny_calico_policy_selecting_other_pods_or_types if {
	spec := {"selector": "app == 'other'", "types": ["Ingress", "Egress"]}
	count(_violations(_labelled("ml", {"app": "triton"}), _calico("ml", spec), {})) == 1

	# types default to Ingress without egress rules: egress stays open
	v := _violations(_labelled("ml", {"app": "triton"}), _calico("ml", {"selector": "all()"}), {})
	count(v) == 1
	some f in v
	contains(f.msg, "for Egress")
	not contains(f.msg, "for Ingress")
}

# --- no dialect policy ---------------------------------------------------------------------------

# Without a policy of any dialect in the namespace or cluster-wide, the rule skips the dialect
# lookups (connectivity.dialects_absent); a dialect policy that selects other pods, or one in
# another namespace, takes the full path. Both must agree, whatever the NetworkPolicies say.
test_no_dialect_policy_answers_as_the_full_path if {
	other_pods := {"matchLabels": {"app": "other"}}
	allow_all := _policy("d", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"], "ingress": [{}]})
	ingress_only := _policy("i", {"podSelector": {}, "policyTypes": ["Ingress"]})
	owned := json.patch(_labelled("ml", {"app": "triton"}), [{"op": "add", "path": "/metadata/ownerReferences", "value": [{"kind": "X"}]}])
	every obj in [_labelled("ml", {"app": "triton"}), owned, _deny_all] {
		every policies in [{}, {"d": allow_all}, {"i": ingress_only}, {"default-deny-all": _deny_all}] {
			base := _in("ml", policies)
			every dialect in [
				_cnp_in("ml", "other", {"endpointSelector": other_pods, "ingress": [{}]}),
				_ccnp("other", {"endpointSelector": other_pods, "egress": [{}]}),
				_tier_policy("AdminNetworkPolicy", "v1alpha1", object.union(_deny_both, {"priority": 1, "subject": {"pods": {"namespaceSelector": {}, "podSelector": other_pods}}})),
				_calico("ml", {"selector": "app == 'other'", "types": ["Ingress", "Egress"]}),
				_calico("elsewhere", {"selector": "all()", "types": ["Ingress", "Egress"]}),
			] {
				with_dialect := object.union(base, dialect)
				_violations(obj, base, {}) == _violations(obj, with_dialect, {})
			}
		}
	}
	count(_violations(_labelled("ml", {"app": "triton"}), _in("ml", {"d": allow_all}), {})) == 1
	count(_violations(_labelled("ml", {"app": "triton"}), _in("ml", {"default-deny-all": _deny_all}), {})) == 0
}
