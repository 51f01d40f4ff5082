package lib.mlfence.connectivity_test

import data.lib.mlfence.connectivity

_deploy(ns, name, labels) := {
	"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": ns},
	"spec": {"template": {"metadata": {"labels": labels}, "spec": {"containers": [{
		"name": "c",
		"ports": [{"name": "http", "containerPort": 8080}, {"name": "dns", "containerPort": 53, "protocol": "UDP"}],
	}]}}},
}

_np(ns, name, spec) := {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": name, "namespace": ns}, "spec": spec}

# _inv(objects) indexes objects the way Gatekeeper's sync (and mlfence.inventory_of) does.
_inv(objects) := {
	"namespace": object.union_n([{o.metadata.namespace: {o.apiVersion: {o.kind: {o.metadata.name: o}}}} |
		some o in objects
		o.metadata.namespace
	]),
	"cluster": object.union_n([{o.apiVersion: {o.kind: {o.metadata.name: o}}} |
		some o in objects
		not o.metadata.namespace
	]),
}

_model(objects) := m if {
	m := connectivity.model with data.inventory as _inv(objects)
}

_ports(m, src, dst) := [[p.protocol, p.from, p.to] | some f in m.flows; f.from == src; f.to == dst; some p in f.ports]

_platform := [
	{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ml-serving", "labels": {"team": "ml"}}},
	_deploy("ml-serving", "model", {"app": "model"}),
	_deploy("ml-serving", "frontend", {"role": "frontend"}),
	_deploy("istio-system", "gateway", {"istio": "ingressgateway"}),
	_deploy("ml-training", "trainer", {"app": "trainer"}),
	_np("ml-serving", "model", {
		"podSelector": {"matchLabels": {"app": "model"}},
		"policyTypes": ["Ingress", "Egress"],
		"ingress": [
			# namespaceSelector AND podSelector: only the gateway pods of istio-system
			{
				"from": [{
					"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "istio-system"}},
					"podSelector": {"matchLabels": {"istio": "ingressgateway"}},
				}],
				"ports": [{"port": "http"}],
			},
			{"from": [{"podSelector": {"matchExpressions": [{"key": "role", "operator": "In", "values": ["frontend"]}]}}], "ports": [{"port": 9000, "endPort": 9010}]},
		],
		"egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["169.254.169.254/32", "10.0.0.0/8"]}}], "ports": [{"port": 443}]}],
	}),
]

test_isolation_and_selecting_policies if {
	m := _model(_platform)
	w := m.workloads["ml-serving/Deployment/model"]
	w.ingress.isolated == true
	w.egress.isolated == true
	w.ingress.policies == ["model"]
	m.workloads["ml-serving/Deployment/frontend"].ingress.isolated == false
	"ml-serving/Deployment/frontend" in m.open_egress
}

test_namespace_and_pod_selector_together if {
	m := _model(_platform)
	_ports(m, "istio-system/Deployment/gateway", "ml-serving/Deployment/model") == [["TCP", 8080, 8080]]
	_ports(m, "ml-training/Deployment/trainer", "ml-serving/Deployment/model") == []
}

test_match_expressions_and_end_port if {
	m := _model(_platform)
	_ports(m, "ml-serving/Deployment/frontend", "ml-serving/Deployment/model") == [["TCP", 9000, 9010]]
}

test_flows_carry_the_deciding_objects if {
	m := _model(_platform)
	some f in m.flows
	f.from == "istio-system/Deployment/gateway"
	f.ports[0].ingress_by == "ml-serving/model rule 0"
	f.ports[0].egress_by == "not isolated"
}

test_ip_blocks_with_except_are_classified if {
	m := _model(_platform)

	# egress to other pods is closed: only the ipBlock rule exists
	_ports(m, "ml-serving/Deployment/model", "ml-serving/Deployment/frontend") == []
	some e in m.external
	e.workload == "ml-serving/Deployment/model"
	e.direction == "egress"
	e.class == "internet"
	e.except == ["169.254.169.254/32", "10.0.0.0/8"]
	e.metadata == false
	e.ports == [{"protocol": "TCP", "from": 443, "to": 443}]
}

test_metadata_endpoint_reachable_without_except if {
	m := _model([
		_deploy("a", "x", {"app": "x"}),
		_np("a", "p", {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"to": [{"ipBlock": {"cidr": "169.254.0.0/16"}}]}]}),
	])
	some e in m.external
	e.metadata == true
	e.class != "internet"
}

# Namespaces match by their labels, including the automatic kubernetes.io/metadata.name.
test_namespace_selector_by_label_and_by_name if {
	objs := array.concat(_platform, [_np("ml-training", "t", {
		"podSelector": {},
		"policyTypes": ["Egress"],
		"egress": [
			{"to": [{"namespaceSelector": {"matchLabels": {"team": "ml"}}}], "ports": [{"port": 9000}]},
			{"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "istio-system"}}}]},
		],
	})])
	m := _model(objs)
	_ports(m, "ml-training/Deployment/trainer", "ml-serving/Deployment/frontend") == [["TCP", 9000, 9000]]
	count(_ports(m, "ml-training/Deployment/trainer", "istio-system/Deployment/gateway")) == 3
}

# A selector matching nothing isolates nothing; an empty podSelector selects every pod.
test_selector_matching_nothing if {
	m := _model([_deploy("a", "x", {"app": "x"}), _np("a", "p", {"podSelector": {"matchLabels": {"app": "nope"}}})])
	m.workloads["a/Deployment/x"].ingress.isolated == false
	m2 := _model([_deploy("a", "x", {"app": "x"}), _np("a", "p", {"podSelector": {}})])
	m2.workloads["a/Deployment/x"].ingress.isolated == true
	m2.workloads["a/Deployment/x"].egress.isolated == false
}

# `egress: []` without policyTypes is no egress policy; `policyTypes: [Egress]` is.
test_policy_types_defaulting if {
	connectivity.policy_types({"spec": {"egress": []}}) == {"Ingress"}
	connectivity.policy_types({"spec": {"egress": [{}]}}) == {"Ingress", "Egress"}
	connectivity.policy_types({"spec": {"policyTypes": ["Egress"]}}) == {"Egress"}
}

# `ingress: [{}]` admits everyone on every port; `ingress: []` no one.
test_allow_all_rule_versus_empty_list if {
	allow_all := _model([_deploy("a", "x", {"app": "x"}), _deploy("a", "y", {"app": "y"}), _np("a", "p", {"podSelector": {"matchLabels": {"app": "x"}}, "ingress": [{}]})])
	count(_ports(allow_all, "a/Deployment/y", "a/Deployment/x")) == 3
	deny := _model([_deploy("a", "x", {"app": "x"}), _deploy("a", "y", {"app": "y"}), _np("a", "p", {"podSelector": {"matchLabels": {"app": "x"}}, "ingress": []})])
	_ports(deny, "a/Deployment/y", "a/Deployment/x") == []
}

# A named port resolves against the destination's containers, protocol included.
test_named_ports if {
	objs := [
		_deploy("a", "x", {"app": "x"}), _deploy("a", "y", {"app": "y"}),
		_np("a", "p", {"podSelector": {"matchLabels": {"app": "x"}}, "ingress": [{"ports": [{"port": "dns", "protocol": "UDP"}, {"port": "dns"}, {"port": "missing"}]}]}),
	]
	_ports(_model(objs), "a/Deployment/y", "a/Deployment/x") == [["UDP", 53, 53]]
}

test_namespace_known_only_after_rendering if {
	m := _model([json.remove(_deploy("x", "base", {"app": "b"}), ["/metadata/namespace"])])
	w := m.workloads["/Deployment/base"]
	w.namespace_known == false
}

test_sandbox_and_ml_kinds if {
	sandbox := {
		"apiVersion": "agents.x-k8s.io/v1alpha1", "kind": "Sandbox", "metadata": {"name": "agent", "namespace": "a"},
		"spec": {"podTemplate": {"metadata": {"labels": {"app": "agent"}}, "spec": {"containers": [{"name": "c"}]}}},
	}
	job := {
		"apiVersion": "kubeflow.org/v1", "kind": "PyTorchJob", "metadata": {"name": "ft", "namespace": "a"},
		"spec": {"pytorchReplicaSpecs": {
			"Master": {"template": {"spec": {"containers": [{"name": "c"}]}}},
			"Worker": {"template": {"spec": {"containers": [{"name": "c"}]}}},
		}},
	}
	m := _model([sandbox, job])
	m.workloads["a/Sandbox/agent"].labels == {"app": "agent"}
	m.workloads["a/PyTorchJob/ft#pytorchReplicaSpecs.Worker"].labels["training.kubeflow.org/replica-type"] == "worker"
}

# Bad input never raises: wrong types yield no workloads and no flows.
test_odd_input if {
	odd := {"namespace": {"a": {"apps/v1": {"Deployment": {"x": 3}}}}, "cluster": "junk"}
	m := connectivity.model with data.inventory as odd
	m.workloads == {}
	m.flows == []
	connectivity.isolation({}, "junk") == {"Ingress": set(), "Egress": set()}
}

# dialects_absent(ns): no object of a dialect's API group in the namespace or cluster-wide; those of
# other namespaces do not count, NetworkPolicies and other groups never do.
test_dialects_absent if {
	np := _np("ml", "p", {"podSelector": {}})
	connectivity.dialects_absent("ml") with data.inventory as _inv([np, _deploy("ml", "d", {})])
	connectivity.dialects_absent("ml") with data.inventory as {}
	every version in ["cilium.io/v2", "projectcalico.org/v3", "crd.projectcalico.org/v1", "policy.networking.k8s.io/v1alpha1"] {
		other := {"apiVersion": version, "kind": "X", "metadata": {"name": "x", "namespace": "other"}}
		connectivity.dialects_absent("ml") with data.inventory as _inv([np, other])
		own := json.patch(other, [{"op": "replace", "path": "/metadata/namespace", "value": "ml"}])
		not connectivity.dialects_absent("ml") with data.inventory as _inv([np, own])
		clusterwide := json.remove(other, ["/metadata/namespace"])
		not connectivity.dialects_absent("ml") with data.inventory as _inv([np, clusterwide])
		not connectivity.dialects_absent("") with data.inventory as _inv([clusterwide])
	}
}

# nothing_synced: true without data.inventory, with an empty one or one of empty parts; false as
# soon as a namespace holds an object group or the cluster part is an object (what counting
# _policy_groups decided).
test_nothing_synced_only_without_any_synced_group if {
	connectivity.nothing_synced
	connectivity.nothing_synced with data.inventory as {}
	connectivity.nothing_synced with data.inventory as {"namespace": {}}
	connectivity.nothing_synced with data.inventory as {"namespace": {"a": "x"}, "cluster": "x"}
	connectivity.nothing_synced with data.inventory as "x"
	not connectivity.nothing_synced with data.inventory as {"namespace": {"a": {}}}
	not connectivity.nothing_synced with data.inventory as {"cluster": {}}
	not connectivity.nothing_synced with data.inventory as {"namespace": {"a": {"v1": {"Service": {}}}}, "cluster": {}}
}

# Peers of every shape peer_workloads reads, valid or not.
_peer_shapes := [
	{"podSelector": {"matchLabels": {"app": "model"}}},
	{"podSelector": {}},
	{"podSelector": {"matchLabels": {"app": "nobody"}}},
	{"podSelector": null},
	{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "istio-system"}}},
	{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "elsewhere"}}},
	{"namespaceSelector": {"matchLabels": {"team": "ml"}}, "podSelector": {"matchLabels": {"role": "frontend"}}},
	{"namespaceSelector": {}, "podSelector": null},
	{"namespaceSelector": {}},
	{"namespaceSelector": {"matchExpressions": [{"key": "team", "operator": "DoesNotExist"}]}},
	{"ipBlock": {"cidr": "10.0.0.0/8"}, "podSelector": {}},
	"not a peer",
]

# peer_workloads_among (admission: each candidate tested) answers as peer_workloads (a scan of the
# peers' namespaces) cut to the candidates, for every peer shape, policy namespace and cut.
test_peer_workloads_among_is_peer_workloads_cut_to_the_candidates if {
	found := _among_and_cut with data.inventory as _inv(_platform)
	count(found) == (count(_peer_shapes) * 2) * 3
	every pair in found {
		pair[0] == pair[1]
	}

	# not all empty: the shapes select workloads in several ways
	count({pair[0] | some pair in found; count(pair[0]) > 0}) >= 5
}

# [peer_workloads & ids, peer_workloads_among] per peer shape, namespace and cut (one `with`, one cache).
_among_and_cut := [[connectivity.peer_workloads(peer, ns) & ids, connectivity.peer_workloads_among(peer, ns, ids)] |
	all_ids := object.keys(connectivity.bare_workloads)
	count(all_ids) == 4
	some peer in _peer_shapes
	some ns in ["ml-serving", "istio-system"]
	some ids in [all_ids, {"ml-serving/Deployment/model", "istio-system/Deployment/gateway"}, set()]
]

# With every workload as candidates, workload_among is the model's workload, rules' pods included.
test_workload_among_every_workload_is_the_model_workload if {
	both := _model_and_among with data.inventory as _inv(_platform)
	count(both.model) == 4
	both.among == both.model
	both.model["ml-serving/Deployment/model"].ingress.rules[0].pods == {"istio-system/Deployment/gateway"}

	# one direction: that key of the model's workload, the other absent; none: the bare workload
	every id, w in both.model {
		both.egress[id] == object.remove(w, ["ingress"])
		both.ingress[id] == object.remove(w, ["egress"])
		both.none[id] == object.remove(w, ["ingress", "egress"])

		# `only` cuts a direction's resolved rules to the named policy's, the other fields kept
		both.only_model[id] == w
		both.only_other[id] == object.union(w, {"ingress": object.union(w.ingress, {"rules": []})})
	}
	count(both.model["ml-serving/Deployment/model"].ingress.rules) == 2
	both.only_other["ml-serving/Deployment/model"].ingress.policies == ["model"]
}

# With a second policy selecting the workload, `only` naming one that selects it and lists the
# direction gives that policy's rules and the model's isolation without matching the others, and
# names that policy alone in "policies" and "open_rules"; naming one that does not select it (or
# does not list the direction) leaves every field as before: the model's, rules cut to none.
test_workload_among_only_reads_the_named_policy_alone if {
	open_all := _np("ml-serving", "open", {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{}]})
	egress_only := _np("ml-serving", "out", {"podSelector": {}, "policyTypes": ["Egress"]})
	found := _only_cases with data.inventory as _inv(array.concat(_platform, [open_all, egress_only]))
	model := found.model.ingress
	model.policies == ["model", "open"]
	model.open_rules == ["open rule 0"]
	count(model.rules) == 3

	found.named.ingress == object.union(model, {
		"policies": ["model"], "open_rules": [],
		"rules": [r | some r in model.rules; r.policy == "ml-serving/model"],
	})
	found.named.egress == found.model.egress
	found.unlisted.ingress == object.union(model, {"rules": []})
	found.other.ingress == object.union(model, {"rules": []})
}

_only_cases := object.union(
	{case: connectivity.workload_among(id, ids, ["Ingress", "Egress"], {"Ingress": name}) |
		id := "ml-serving/Deployment/model"
		ids := object.keys(connectivity.workloads)
		some case, name in {"named": "model", "unlisted": "out", "other": "nobody"}
	},
	{"model": connectivity.workloads["ml-serving/Deployment/model"]},
)

_model_and_among := {
	"model": connectivity.workloads,
	"among": {id: connectivity.workload_among(id, object.keys(connectivity.workloads), ["Ingress", "Egress"], {}) | some id, _ in connectivity.workloads},
	"egress": {id: connectivity.workload_among(id, object.keys(connectivity.workloads), ["Egress"], {}) | some id, _ in connectivity.workloads},
	"ingress": {id: connectivity.workload_among(id, object.keys(connectivity.workloads), {"Ingress"}, {}) | some id, _ in connectivity.workloads},
	"none": {id: connectivity.workload_among(id, object.keys(connectivity.workloads), set(), {}) | some id, _ in connectivity.workloads},
	"only_model": {id: connectivity.workload_among(id, object.keys(connectivity.workloads), ["Ingress", "Egress"], {"Ingress": "model"}) | some id, _ in connectivity.workloads},
	"only_other": {id: connectivity.workload_among(id, object.keys(connectivity.workloads), ["Ingress", "Egress"], {"Ingress": "other"}) | some id, _ in connectivity.workloads},
}

# The labels the controllers add (KServe, KubeRay; the training operator in test_sandbox_and_ml_kinds)
# beside the template's, and none for other kinds.
test_controller_labels if {
	isvc := {
		"apiVersion": "serving.kserve.io/v1beta1", "kind": "InferenceService",
		"metadata": {"name": "llm", "namespace": "a", "labels": {"team": "ml"}},
		"spec": {"predictor": {"containers": [{"name": "c"}]}},
	}
	ray := {
		"apiVersion": "ray.io/v1", "kind": "RayCluster", "metadata": {"name": "rc", "namespace": "a"},
		"spec": {
			"headGroupSpec": {"template": {"metadata": {"labels": {"x": "h"}}, "spec": {"containers": [{"name": "c"}]}}},
			"workerGroupSpecs": [{"template": {"spec": {"containers": [{"name": "c"}]}}}],
		},
	}
	m := _model([isvc, ray, _deploy("a", "d", {"app": "d"})])
	m.workloads["a/InferenceService/llm"].labels == {"team": "ml", "serving.kserve.io/inferenceservice": "llm", "component": "predictor"}
	m.workloads["a/RayCluster/rc#headGroupSpec"].labels == {"x": "h", "ray.io/cluster": "rc", "ray.io/node-type": "head"}
	m.workloads["a/RayCluster/rc#workerGroupSpecs[0]"].labels == {"ray.io/cluster": "rc", "ray.io/node-type": "worker"}
	m.workloads["a/Deployment/d"].labels == {"app": "d"}
}

# An entry's fields from odd values, as k8s.field reads them: a null name is "", labels that are no
# map are none, a `ports` that is no list has no named port, an unnamed port is not one; an object
# a controller owns (ownerReferences[].controller) is no workload of its own, one merely listing an
# owner is.
test_workload_entry_fields_from_odd_values if {
	odd := {
		"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": null, "namespace": "a"},
		"spec": {"template": {"metadata": {"labels": "junk"}, "spec": {"serviceAccountName": "sa", "containers": [
			{"name": "c", "ports": "junk"},
			{"name": "d", "ports": [{"name": "m", "containerPort": 9090, "protocol": "udp"}, {"containerPort": 1}]},
		]}}},
	}
	connectivity.workload_entries(odd, "a") == {{
		"id": "a/Deployment/", "resource": "a/Deployment/", "namespace": "a", "namespace_known": true,
		"kind": "Deployment", "name": "", "path": "spec.template.spec", "labels": {},
		"ports": {"m": {"port": 9090, "protocol": "UDP"}}, "service_account": "sa",
	}}
	owned := json.patch(_deploy("a", "owned", {}), [{"op": "add", "path": "/metadata/ownerReferences", "value": [{"kind": "X", "controller": true}]}])
	listed := json.patch(_deploy("a", "listed", {}), [{"op": "add", "path": "/metadata/ownerReferences", "value": [{"kind": "X"}]}])
	odd_refs := json.patch(_deploy("a", "odd", {}), [{"op": "add", "path": "/metadata/ownerReferences", "value": {"x": {"controller": true}}}])
	object.keys(_model([owned, listed, odd_refs]).workloads) == {"a/Deployment/listed", "a/Deployment/odd"}
}

# workloads_in skips the kinds synced beside the workloads by name (connectivity_model.rego): none of
# them is a kind whose pods k8s.pod_templates finds, so none would have had an entry.
test_kinds_skipped_by_workloads_in_run_no_pods if {
	skipped := {
		"NetworkPolicy", "Namespace", "Service", "Ingress", "AuthorizationPolicy", "PeerAuthentication",
		"CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy", "GlobalNetworkPolicy",
		"AdminNetworkPolicy", "BaselineAdminNetworkPolicy", "ClusterNetworkPolicy",
		"ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "SeldonConfig",
	}
	count(skipped & {kind | some kind in data.lib.mlfence.k8s.kind_groups["pod-workloads"]}) == 0
	count(skipped & object.keys(connectivity._sandbox_groups)) == 0
	every kind in skipped {
		connectivity.workload_entries(object.union(_deploy("a", "x", {"app": "x"}), {"kind": kind}), "a") == set()
	}
}

# workload_entries reads the built-in kinds with one template at spec.template straight from the
# template (k8s.spec_template); _template_entries builds every kind's from pod_templates. Both give
# the same entries for each shape of those kinds: groups right, wrong and absent, Volcano's Job,
# odd metadata, labels, names and service accounts, containers of the three lists with ports named
# twice (the union keeps one in the same order), and templates without a spec.
test_spec_template_entries_equal_the_pod_template_entries if {
	container := {"name": "c", "ports": [{"name": "http", "containerPort": 8080}, {"name": "dns", "containerPort": 53, "protocol": "udp"}]}
	shapes := [
		{"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [container]}},
		{"metadata": {"labels": null}, "spec": {"serviceAccountName": null, "containers": [container]}},
		{"metadata": null, "spec": {"serviceAccountName": 7}},
		{"metadata": ["labels"], "spec": {"serviceAccountName": "sa", "containers": "junk"}},
		{"spec": {
			"containers": [{"name": "a", "ports": [{"name": "p", "containerPort": 1}]}, {"name": "b", "ports": [{"name": "p", "containerPort": 2}]}],
			"initContainers": [{"name": "i", "ports": [{"name": "p", "containerPort": 3}, {"containerPort": 4}]}, "junk"],
			"ephemeralContainers": [{"name": "e", "ports": {"name": "q"}}],
		}},
		{"metadata": {"labels": {"app": "x"}}, "spec": null},
		{"metadata": {"labels": {"app": "x"}}},
		"junk",
	]
	kinds := [
		["apps/v1", "Deployment"], ["extensions/v1beta1", "Deployment"], ["example.com/v1", "Deployment"],
		["apps/v1", "StatefulSet"], ["apps/v1", "DaemonSet"], ["apps/v1", "ReplicaSet"],
		["v1", "ReplicationController"], ["apps/v1", "ReplicationController"], ["batch/v1", "Job"],
		["batch.volcano.sh/v1alpha1", "Job"], [null, "Deployment"], [7, "Job"], ["apps/v1/extra", "Deployment"],
	]
	every shape in shapes {
		every pair in kinds {
			_same_entries(pair, "w", shape)
		}
	}

	# Names that are null or no string (the name and id as the general path reads them), per kind.
	every pair in kinds {
		every name in [null, 3] {
			_same_entries(pair, name, shapes[0])
		}
	}

	# Each kind of the fast path yields its entry on a template with a spec (not a vacuous equality).
	count([1 |
		some pair in kinds
		count(connectivity.workload_entries(_with_api_version(pair[0], {"kind": pair[1], "spec": {"template": shapes[0]}}), "ns")) == 1
	]) == 9
}

_same_entries(pair, name, shape) if {
	obj := _with_api_version(pair[0], {"kind": pair[1], "metadata": {"name": name}, "spec": {"template": shape}})
	connectivity.workload_entries(obj, "ns") == connectivity._template_entries(obj, "ns")
}

_with_api_version(null, obj) := obj

_with_api_version(version, obj) := object.union(obj, {"apiVersion": version}) if version != null

# A port number must be whole (the API server rejects any other): a fractional port admits nothing,
# a fractional endPort is ignored (the uncovered-range arithmetic counts whole ports).
test_port_ranges_take_whole_numbers_only if {
	connectivity.port_ranges([{"port": 85.5}], {}) == []
	connectivity.port_ranges([{"port": 80, "endPort": 85.5}], {}) == [{"protocol": "TCP", "from": 80, "to": 80}]
	connectivity.port_ranges([{"port": 80, "endPort": 85}], {}) == [{"protocol": "TCP", "from": 80, "to": 85}]
}
