package mlfence.k8s.istio.mesh_mtls_not_strict_test

import data.mlfence.k8s.istio.mesh_mtls_not_strict

_ns(name, labels) := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}

_pa(ns, name, mode, selector) := {
	"apiVersion": "security.istio.io/v1",
	"kind": "PeerAuthentication",
	"metadata": {"name": name, "namespace": ns},
	"spec": object.union({"mtls": {"mode": mode}}, selector),
}

_inventory(policies) := {"namespace": {p.metadata.namespace: {p.apiVersion: {"PeerAuthentication": {p.metadata.name: p}}} |
	some p in policies
}}

_violations(obj, policies, params) := v if {
	v := mesh_mtls_not_strict.violation with input as {"review": {"object": obj}, "parameters": params}
		with data.inventory as _inventory(policies)
}

_injected := _ns("ml-serving", {"istio-injection": "enabled"})

_msg(v) := m if {
	count(v) == 1
	some f in v
	m := f.msg
}

# Attribute omitted: no PeerAuthentication anywhere leaves Istio's PERMISSIVE default.
test_deny_no_policy if {
	v := _violations(_injected, [], {})
	contains(_msg(v), "Istio's default PERMISSIVE applies")
	some f in v
	f.details.rule_id == "MLF-K8S-052"
}

test_allow_mesh_wide_strict if {
	count(_violations(_injected, [_pa("istio-system", "default", "STRICT", {})], {})) == 0
}

test_allow_namespace_strict if {
	count(_violations(_injected, [_pa("ml-serving", "default", "STRICT", {})], {})) == 0
}

# A namespace policy overrides the mesh; UNSET inherits from it.
test_deny_namespace_permissive_over_mesh_strict if {
	policies := [_pa("istio-system", "default", "STRICT", {}), _pa("ml-serving", "default", "PERMISSIVE", {})]
	contains(_msg(_violations(_injected, policies, {})), "namespace-wide PeerAuthentication sets mode PERMISSIVE")
	unset := [_pa("istio-system", "default", "STRICT", {}), {
		"apiVersion": "security.istio.io/v1beta1", "kind": "PeerAuthentication",
		"metadata": {"name": "default", "namespace": "ml-serving"}, "spec": {},
	}]
	count(_violations(_injected, unset, {})) == 0
}

test_deny_mesh_wide_permissive if {
	v := _violations(_injected, [_pa("istio-system", "default", "PERMISSIVE", {})], {})
	contains(_msg(v), "mesh-wide PeerAuthentication in istio-system sets mode PERMISSIVE")
}

# A workload-scoped STRICT policy does not cover the namespace.
test_deny_selector_only if {
	strict := _pa("ml-serving", "triton", "STRICT", {"selector": {"matchLabels": {"app": "triton"}}})
	count(_violations(_injected, [strict], {})) == 1
}

test_deny_revision_label if {
	v := _violations(_ns("ml-serving", {"istio.io/rev": "1-24"}), [], {})
	contains(_msg(v), "istio.io/rev=1-24")
	count(_violations(_ns("ml-serving", {"istio.io/dataplane-mode": "ambient"}), [], {})) == 1
}

test_allow_not_in_mesh if {
	count(_violations(_ns("ml-serving", {}), [], {})) == 0
	count(_violations(_ns("ml-serving", {"istio-injection": "disabled"}), [], {})) == 0
	count(_violations(_ns("istio-system", {"istio-injection": "enabled"}), [], {})) == 0
}

# Parameter overridden: another root namespace.
test_root_namespace_parameter if {
	strict := [_pa("mesh-root", "default", "STRICT", {})]
	count(_violations(_injected, strict, {"istio_root_namespace": "mesh-root"})) == 0
	count(_violations(_injected, strict, {})) == 1
}

test_wrong_types_never_error if {
	count(_violations(_ns("ml-serving", {"istio-injection": true}), [], {})) == 0
	bad := {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication", "metadata": {"name": "x", "namespace": "ml-serving"}, "spec": "x"}
	count(_violations(_injected, [bad], {})) == 1
	count(mesh_mtls_not_strict.violation) == 1 with input as {"review": {"object": _injected}} with data.inventory as "x"
}
