package lib.mlfence.connectivity_peerauth_test

import data.lib.mlfence.connectivity

# The registry admits every namespace on 5000 and 8080 at L4; the mesh decides the rest. Callers:
# ci/runner (a sidecar), batch/loader (its pod template turns injection off) and legacy/cron (its
# Namespace is labelled istio-injection: disabled).
_deployment(ns, name, sa, metadata) := {
	"apiVersion": "apps/v1", "kind": "Deployment",
	"metadata": {"name": name, "namespace": ns},
	"spec": {"template": {
		"metadata": object.union({"labels": {"app": name}}, metadata),
		"spec": {"serviceAccountName": sa, "containers": [{"name": "c"}]},
	}},
}

_open := {
	"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
	"metadata": {"name": "allow-internal", "namespace": "model-registry"},
	"spec": {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{
		"from": [{"namespaceSelector": {}}],
		"ports": [{"port": 5000}, {"port": 8080}],
	}]},
}

_opt_out := {"annotations": {"sidecar.istio.io/inject": "false"}}

_pa(ns, name, spec) := {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication", "metadata": {"name": name, "namespace": ns}, "spec": spec}

_authz(name, spec) := {"apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy", "metadata": {"name": name, "namespace": "model-registry"}, "spec": spec}

_strict := {"mtls": {"mode": "STRICT"}}

_permissive := {"mtls": {"mode": "PERMISSIVE"}}

_registry_selector := {"matchLabels": {"app": "registry"}}

# _inventory(peer, authz, root, registry_metadata): peer and authz are {name: object} of the
# registry's namespace, root {name: PeerAuthentication} of istio-system.
_inventory(peer, authz, root, registry_metadata) := {
	"namespace": {
		"ci": {"apps/v1": {"Deployment": {"runner": _deployment("ci", "runner", "ci-runner", {})}}},
		"batch": {"apps/v1": {"Deployment": {"loader": _deployment("batch", "loader", "loader", _opt_out)}}},
		"legacy": {"apps/v1": {"Deployment": {"cron": _deployment("legacy", "cron", "cron", {})}}},
		"model-registry": {
			"apps/v1": {"Deployment": {"registry": _deployment("model-registry", "registry", "registry", registry_metadata)}},
			"networking.k8s.io/v1": {"NetworkPolicy": {"allow-internal": _open}},
			"security.istio.io/v1": {"PeerAuthentication": peer, "AuthorizationPolicy": authz},
		},
		"istio-system": {"security.istio.io/v1beta1": {"PeerAuthentication": root}},
	},
	"cluster": {"v1": {"Namespace": {"legacy": {
		"apiVersion": "v1", "kind": "Namespace",
		"metadata": {"name": "legacy", "labels": {"istio-injection": "disabled"}},
	}}}},
}

# _flows(inventory) is the model's flows on the inventory. As a function it is evaluated once per
# inventory and test (OPA caches a function's value by its arguments; each `with` starts an empty
# cache): a test reads several callers' flows of one inventory.
_flows(inventory) := flows if {
	flows := connectivity.flows with data.inventory as inventory
}

_flow(inventory, from) := f if {
	some f in _flows(inventory)
	f.from == from
	f.to == "model-registry/Deployment/registry"
}

_loader := "batch/Deployment/loader"

_runner := "ci/Deployment/runner"

_cron := "legacy/Deployment/cron"

_ports(f) := [[p.from, p.to, object.get(p, "authz_by", null)] | some p in f.ports]

_denied(f) := [[d.from, d.to, d.denied_by] | some d in f.denied]

_l4 := [[5000, 5000, null], [8080, 8080, null]]

# STRICT on the registry's namespace refuses both plaintext callers (the template's opt-out and
# the namespace's label), naming the PeerAuthentication; the caller with a sidecar is unchanged.
test_strict_refuses_a_caller_without_sidecar if {
	inventory := _inventory({"default": _pa("model-registry", "default", _strict)}, {}, {}, {})
	every id in [_loader, _cron] {
		_ports(_flow(inventory, id)) == []
		_denied(_flow(inventory, id)) == [
			[5000, 5000, "PeerAuthentication model-registry/default (STRICT)"],
			[8080, 8080, "PeerAuthentication model-registry/default (STRICT)"],
		]
	}
	_ports(_flow(inventory, _runner)) == _l4
	_denied(_flow(inventory, _runner)) == []
}

# PERMISSIVE accepts the plaintext, but the caller has no identity: an ALLOW on principals (or
# namespaces) does not admit it, one on notPrincipals does.
test_permissive_admits_plaintext_but_no_identity if {
	peer := {"default": _pa("model-registry", "default", _permissive)}
	_ports(_flow(_inventory(peer, {}, {}, {}), _loader)) == _l4
	allow_ci := _authz("from-ci", {"selector": _registry_selector, "rules": [
		{"from": [{"source": {"principals": ["*"]}}]},
		{"from": [{"source": {"namespaces": ["batch"]}}]},
	]})
	denied := _inventory(peer, {"from-ci": allow_ci}, {}, {})
	_ports(_flow(denied, _loader)) == []
	_denied(_flow(denied, _loader)) == [
		[5000, 5000, concat("", [
			"no ALLOW rule of AuthorizationPolicy model-registry/from-ci matches",
			" (the source has no sidecar, hence no mesh identity)",
		])],
		[8080, 8080, concat("", [
			"no ALLOW rule of AuthorizationPolicy model-registry/from-ci matches",
			" (the source has no sidecar, hence no mesh identity)",
		])],
	]
	_ports(_flow(denied, _runner)) == [
		[5000, 5000, "AuthorizationPolicy model-registry/from-ci (ALLOW) rule 0"],
		[8080, 8080, "AuthorizationPolicy model-registry/from-ci (ALLOW) rule 0"],
	]
	not_ci := _authz("not-ci", {"rules": [{"from": [{"source": {"notPrincipals": ["cluster.local/ns/ci/sa/ci-runner"]}}]}]})
	admitted := _inventory(peer, {"not-ci": not_ci}, {}, {})
	[p.authz_by | some p in _flow(admitted, _loader).ports] == [
		"AuthorizationPolicy model-registry/not-ci (ALLOW) rule 0",
		"AuthorizationPolicy model-registry/not-ci (ALLOW) rule 0",
	]
}

# A DENY on principals does not match a caller without identity; one on notNamespaces does.
test_deny_rules_and_a_caller_without_identity if {
	on_principals := _authz("deny", {"action": "DENY", "rules": [{"from": [{"source": {"principals": ["*"]}}]}]})
	_ports(_flow(_inventory({}, {"deny": on_principals}, {}, {}), _loader)) == [
		[5000, 5000, "no ALLOW policy"],
		[8080, 8080, "no ALLOW policy"],
	]
	not_namespaces := _authz("deny", {"action": "DENY", "rules": [{"from": [{"source": {"notNamespaces": ["ci"]}}]}]})
	_denied(_flow(_inventory({}, {"deny": not_namespaces}, {}, {}), _loader)) == [
		[5000, 5000, "AuthorizationPolicy model-registry/deny (DENY) rule 0"],
		[8080, 8080, "AuthorizationPolicy model-registry/deny (DENY) rule 0"],
	]
}

# A workload-selector policy overrides the namespace's, both ways.
test_workload_policy_overrides_the_namespace_policy if {
	relaxed := {
		"default": _pa("model-registry", "default", _strict),
		"registry": _pa("model-registry", "registry", object.union(_permissive, {"selector": _registry_selector})),
	}
	_ports(_flow(_inventory(relaxed, {}, {}, {}), _loader)) == _l4
	tightened := {
		"default": _pa("model-registry", "default", _permissive),
		"registry": _pa("model-registry", "registry", object.union(_strict, {"selector": _registry_selector})),
		"other": _pa("model-registry", "other", object.union(_permissive, {"selector": {"matchLabels": {"app": "other"}}})),
	}
	_denied(_flow(_inventory(tightened, {}, {}, {}), _loader)) == [
		[5000, 5000, "PeerAuthentication model-registry/registry (STRICT)"],
		[8080, 8080, "PeerAuthentication model-registry/registry (STRICT)"],
	]
}

# portLevelMtls overrides the workload policy's mode on its port (keys as numbers or strings),
# and counts only with a selector.
test_port_level_mtls if {
	every key in [8080, "8080"] {
		spec := object.union(_strict, {"selector": _registry_selector, "portLevelMtls": {key: {"mode": "DISABLE"}}})
		f := _flow(_inventory({"registry": _pa("model-registry", "registry", spec)}, {}, {}, {}), _loader)
		_ports(f) == [[8080, 8080, null]]
		_denied(f) == [[5000, 5000, "PeerAuthentication model-registry/registry (STRICT)"]]
	}
	port_strict := object.union(_permissive, {"selector": _registry_selector, "portLevelMtls": {"5000": {"mode": "STRICT"}}})
	g := _flow(_inventory({"registry": _pa("model-registry", "registry", port_strict)}, {}, {}, {}), _loader)
	_denied(g) == [[5000, 5000, "PeerAuthentication model-registry/registry (STRICT on port 5000)"]]
	_ports(g) == [[8080, 8080, null]]
	no_selector := object.union(_permissive, {"portLevelMtls": {"5000": {"mode": "STRICT"}}})
	_denied(_flow(_inventory({"default": _pa("model-registry", "default", no_selector)}, {}, {}, {}), _loader)) == []
}

# UNSET (or no mode) inherits from the next level: the workload policy's from the namespace's,
# a port's from its policy, the namespace's from the mesh's.
test_unset_inherits if {
	peer := {
		"default": _pa("model-registry", "default", _strict),
		"registry": _pa("model-registry", "registry", {
			"selector": _registry_selector, "mtls": {"mode": "UNSET"},
			"portLevelMtls": {"8080": {"mode": "UNSET"}},
		}),
	}
	_denied(_flow(_inventory(peer, {}, {}, {}), _loader)) == [
		[5000, 5000, "PeerAuthentication model-registry/default (STRICT)"],
		[8080, 8080, "PeerAuthentication model-registry/default (STRICT)"],
	]
	unset_namespace := {"default": _pa("model-registry", "default", {"mtls": {"mode": "UNSET"}})}
	root := {"default": _pa("istio-system", "default", _strict)}
	_denied(_flow(_inventory(unset_namespace, {}, root, {}), _loader)) == [
		[5000, 5000, "PeerAuthentication istio-system/default (STRICT)"],
		[8080, 8080, "PeerAuthentication istio-system/default (STRICT)"],
	]
}

# The root namespace's policy without selector sets the mesh's mode; the namespace's overrides
# it; a selector policy in the root namespace is ignored; the root namespace is a parameter.
test_root_namespace_policy if {
	root := {"default": _pa("istio-system", "default", _strict)}
	count(_flow(_inventory({}, {}, root, {}), _loader).denied) == 2
	_ports(_flow(_inventory({"default": _pa("model-registry", "default", _permissive)}, {}, root, {}), _loader)) == _l4
	selected := {"registry": _pa("istio-system", "registry", object.union(_strict, {"selector": _registry_selector}))}
	_ports(_flow(_inventory({}, {}, selected, {}), _loader)) == _l4
	moved := _flow(_inventory({}, {}, root, {}), _loader) with input.parameters as {"istio_root_namespace": "mesh-root"}
	_ports(moved) == _l4
}

# A destination without a sidecar enforces no AuthorizationPolicy: the flow is open, and says so.
test_destination_without_sidecar_ignores_authorization_policies if {
	deny_all := _authz("deny-all", {"action": "DENY", "rules": [{}]})
	inventory := _inventory({"default": _pa("model-registry", "default", _strict)}, {"deny-all": deny_all}, {}, _opt_out)
	every id in [_runner, _loader] {
		_ports(_flow(inventory, id)) == [
			[5000, 5000, "no sidecar: its AuthorizationPolicies are not enforced"],
			[8080, 8080, "no sidecar: its AuthorizationPolicies are not enforced"],
		]
		_flow(inventory, id).denied == []
	}
}

# Without opt-outs the flows are what they were without any PeerAuthentication.
test_no_opt_outs_no_change if {
	plain := {"namespace": {
		"ci": {"apps/v1": {"Deployment": {"runner": _deployment("ci", "runner", "ci-runner", {})}}},
		"model-registry": {
			"apps/v1": {"Deployment": {"registry": _deployment("model-registry", "registry", "registry", {})}},
			"networking.k8s.io/v1": {"NetworkPolicy": {"allow-internal": _open}},
		},
	}}
	strict := json.patch(plain, [{"op": "add", "path": "/namespace/model-registry/security.istio.io~1v1", "value": {
		"PeerAuthentication": {"default": _pa("model-registry", "default", _strict)},
	}}])
	flows := connectivity.flows with data.inventory as plain
	count(flows) == 2 # runner and the registry itself, to the registry
	flows == connectivity.flows with data.inventory as strict
}

_job_inventory(obj, labels) := {
	"namespace": {"t": {"kubeflow.org/v1": {"PyTorchJob": {"train": obj}}}},
	"cluster": {"v1": {"Namespace": {"t": {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "t", "labels": labels}}}}},
}

_workload(obj, ns) := w if {
	some w in connectivity.workload_entries(obj, ns)
}

# outside_mesh reads the injector's semantics on the template of any kind (the label wins over
# the annotation) and the Namespace's istio-injection label (anything but "enabled" is off).
test_outside_mesh if {
	job := {
		"apiVersion": "kubeflow.org/v1", "kind": "PyTorchJob", "metadata": {"name": "train", "namespace": "t"},
		"spec": {"pytorchReplicaSpecs": {"Worker": {"template": {
			"metadata": {"labels": {"sidecar.istio.io/inject": "true"}, "annotations": {"sidecar.istio.io/inject": "false"}},
			"spec": {"containers": [{"name": "c"}]},
		}}}},
	}
	not connectivity.outside_mesh(_workload(job, "t")) with data.inventory as _job_inventory(job, {})
	off := json.patch(job, [{"op": "replace", "path": "/spec/pytorchReplicaSpecs/Worker/template/metadata/labels/sidecar.istio.io~1inject", "value": "off"}])
	connectivity.outside_mesh(_workload(off, "t")) with data.inventory as _job_inventory(off, {})
	not connectivity.outside_mesh(_workload(job, "t")) with data.inventory as _job_inventory(job, {"istio-injection": "enabled"})
	connectivity.outside_mesh(_workload(job, "t")) with data.inventory as _job_inventory(job, {"istio-injection": "disabled"})
}

# A pod that runs Istio's proxy itself (a gateway) turns injection off and stays in the mesh: its
# AuthorizationPolicies apply, and a STRICT destination accepts it.
test_gateway_runs_its_own_proxy if {
	gateway := {
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": {"name": "gateway", "namespace": "batch"},
		"spec": {"template": {
			"metadata": {"labels": {"app": "gateway", "sidecar.istio.io/inject": "false"}},
			"spec": {"containers": [{"name": "istio-proxy", "args": ["proxy", "router"]}]},
		}},
	}
	base := _inventory({"default": _pa("model-registry", "default", _strict)}, {}, {}, {})
	inventory := json.patch(base, [{"op": "add", "path": "/namespace/batch/apps~1v1/Deployment/gateway", "value": gateway}])
	not connectivity.outside_mesh(_workload(gateway, "batch")) with data.inventory as inventory
	_ports(_flow(inventory, "batch/Deployment/gateway")) == _l4
	count(_flow(inventory, _loader).denied) == 2
}

# A PeerAuthentication without spec.mtls sets no mode: the next level decides (here the mesh's
# STRICT; without one, Istio's PERMISSIVE).
test_mode_omitted_inherits if {
	omitted := {"default": _pa("model-registry", "default", {})}
	root := {"default": _pa("istio-system", "default", _strict)}
	_denied(_flow(_inventory(omitted, {}, root, {}), _loader)) == [
		[5000, 5000, "PeerAuthentication istio-system/default (STRICT)"],
		[8080, 8080, "PeerAuthentication istio-system/default (STRICT)"],
	]
	_ports(_flow(_inventory(omitted, {}, {}, {}), _loader)) == _l4
}
