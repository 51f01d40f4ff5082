package mlfence.k8s.istio.sidecar_outbound_allow_any_test

import data.mlfence.k8s.istio.sidecar_outbound_allow_any

_sidecar(spec) := {
	"apiVersion": "networking.istio.io/v1",
	"kind": "Sidecar",
	"metadata": {"name": "default", "namespace": "ml-training"},
	"spec": spec,
}

_violations(obj, params) := v if {
	v := sidecar_outbound_allow_any.violation with input as {"review": {"object": obj}, "parameters": params}
}

test_deny_allow_any if {
	v := _violations(_sidecar({"outboundTrafficPolicy": {"mode": "ALLOW_ANY"}}), {})
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-K8S-047"
}

test_allow_registry_only if {
	count(_violations(_sidecar({"outboundTrafficPolicy": {"mode": "REGISTRY_ONLY"}}), {})) == 0
}

# Attribute omitted: the mesh default applies (MeshConfig is outside the object).
test_allow_omitted if {
	count(_violations(_sidecar({"egress": [{"hosts": ["./*"]}]}), {})) == 0
}

# Exposure and mesh rules judge system namespaces too (only workload hygiene exempts them).
test_system_namespace_parameter_does_not_exempt if {
	count(_violations(_sidecar({"outboundTrafficPolicy": {"mode": "ALLOW_ANY"}}), {"system_namespaces": ["ml-training"]})) == count(_violations(_sidecar({"outboundTrafficPolicy": {"mode": "ALLOW_ANY"}}), {}))
}

test_wrong_types_never_error if {
	count(_violations(_sidecar({"outboundTrafficPolicy": "ALLOW_ANY"}), {})) == 0
	count(_violations(_sidecar({"outboundTrafficPolicy": {"mode": 1}}), {})) == 0
	count(_violations(_sidecar(null), {})) == 0
}
