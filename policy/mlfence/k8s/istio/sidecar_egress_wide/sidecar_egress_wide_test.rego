package mlfence.k8s.istio.sidecar_egress_wide_test

import data.mlfence.k8s.istio.sidecar_egress_wide

_sidecar(egress) := {
	"apiVersion": "networking.istio.io/v1beta1",
	"kind": "Sidecar",
	"metadata": {"name": "model-loader-sidecar", "namespace": "ml-serving"},
	"spec": {"workloadSelector": {"labels": {"needs-model-access": "true"}}, "egress": egress},
}

_violations(obj, params) := v if {
	v := sidecar_egress_wide.violation with input as {"review": {"object": obj}, "parameters": params}
}

test_allow_seed_model_loader if {
	count(_violations(_sidecar([{"hosts": ["istio-system/*", "./allowed-model-registries"]}]), {})) == 0
}

test_deny_star_star if {
	v := _violations(_sidecar([{"hosts": ["./*"]}, {"port": {"number": 443}, "hosts": ["*/*"]}]), {})
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-K8S-046"
	contains(f.msg, "egress[1] imports */*")
}

test_deny_any_namespace_wildcard_name if {
	count(_violations(_sidecar([{"hosts": ["*/*.com"]}]), {})) == 1
}

test_allow_specific_hosts_in_any_namespace if {
	count(_violations(_sidecar([{"hosts": ["*/feast.ml-data.svc.cluster.local", "~/*", "ml-data/*"]}]), {})) == 0
}

# Attribute omitted: no egress inherits the namespace or mesh default Sidecar.
test_allow_no_egress if {
	obj := json.patch(_sidecar([]), [{"op": "remove", "path": "/spec/egress"}])
	count(_violations(obj, {})) == 0
}

# Exposure and mesh rules judge system namespaces too (only workload hygiene exempts them).
test_system_namespace_parameter_does_not_exempt if {
	count(_violations(_sidecar([{"hosts": ["*/*"]}]), {"system_namespaces": ["ml-serving"]})) == count(_violations(_sidecar([{"hosts": ["*/*"]}]), {}))
}

test_wrong_types_never_error if {
	count(_violations(_sidecar("x"), {})) == 0
	count(_violations(_sidecar([null, {"hosts": "*/*"}, {"hosts": [1, "*"]}]), {})) == 0
	count(_violations({"kind": "Sidecar", "apiVersion": "networking.istio.io/v1", "spec": 3}, {})) == 0
}
