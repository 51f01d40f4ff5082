package mlfence.k8s.istio.serviceentry_wildcard_host_test

import data.mlfence.k8s.istio.serviceentry_wildcard_host

_se(spec) := {
	"apiVersion": "networking.istio.io/v1beta1",
	"kind": "ServiceEntry",
	"metadata": {"name": "registries", "namespace": "ml-serving"},
	"spec": object.union({"ports": [{"number": 443, "name": "https", "protocol": "HTTPS"}]}, spec),
}

_violations(obj, params) := v if {
	v := serviceentry_wildcard_host.violation with input as {"review": {"object": obj}, "parameters": params}
}

# The seed's allowed-model-registries: wildcards, but resolved by DNS.
test_allow_seed_registries if {
	spec := {"hosts": ["huggingface.co", "*.huggingface.co", "storage.googleapis.com", "*.s3.amazonaws.com"], "resolution": "DNS", "location": "MESH_EXTERNAL"}
	count(_violations(_se(spec), {})) == 0
}

test_deny_star_host_critical if {
	v := _violations(_se({"hosts": ["*"], "resolution": "DNS"}), {})
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-K8S-044"
	f.details.severity == "critical"
}

test_deny_wildcard_with_none if {
	v := _violations(_se({"hosts": ["*.example.com"], "resolution": "NONE"}), {})
	count(v) == 1
	some f in v
	f.details.severity == "high"
	contains(f.msg, "resolution NONE,")
}

# Attribute omitted: resolution defaults to NONE and location to MESH_EXTERNAL.
test_deny_wildcard_resolution_omitted if {
	v := _violations(_se({"hosts": ["*.huggingface.co"]}), {})
	count(v) == 1
	some f in v
	contains(f.msg, "NONE (the default)")
}

test_allow_wildcard_dynamic_dns_and_mesh_internal if {
	count(_violations(_se({"hosts": ["*.example.com"], "resolution": "DYNAMIC_DNS"}), {})) == 0
	count(_violations(_se({"hosts": ["*.mesh.internal"], "location": "MESH_INTERNAL"}), {})) == 0
}

test_system_namespace_parameter if {
	count(_violations(_se({"hosts": ["*"]}), {"system_namespaces": ["ml-serving"]})) == 0
}

test_allow_other_groups if {
	obj := json.patch(_se({"hosts": ["*"]}), [{"op": "replace", "path": "/apiVersion", "value": "example.com/v1"}])
	count(_violations(obj, {})) == 0
}

test_wrong_types_never_error if {
	count(_violations(_se({"hosts": "*"}), {})) == 0
	count(_violations(_se({"hosts": [null, 3, "*.a.com"], "resolution": 1, "location": 2}), {})) == 1
	count(_violations(_se({"hosts": ["*.a.com"], "location": ["x"]}), {})) == 1
	count(_violations({"kind": "ServiceEntry", "apiVersion": "networking.istio.io/v1", "spec": "x"}, {})) == 0
}

# addresses that together are the internet, with resolution NONE (the default): any destination.
test_deny_addresses_halves_resolution_none if {
	v := _violations(_se({"hosts": ["anything.example"], "addresses": ["0.0.0.0/1", "128.0.0.0/1"], "ports": [{"number": 443, "name": "tls", "protocol": "TLS"}]}), {})
	count(v) == 1
	some f in v
	f.details.severity == "critical"
	contains(f.msg, "has resolution NONE (the default) and lists addresses 0.0.0.0/1 and 128.0.0.0/1, which together cover all of the public IPv4 address space")
}

test_deny_addresses_large_share_is_high if {
	v := _violations(_se({"hosts": ["x.example"], "addresses": ["0.0.0.0/1"], "resolution": "NONE"}), {})
	count([f | some f in v; f.details.severity == "high"]) == 1
	count(_violations(_se({"hosts": ["x.example"], "addresses": ["::/0"], "resolution": "none"}), {})) == 1
}

test_allow_addresses_narrow_or_resolved if {
	count(_violations(_se({"hosts": ["db.example"], "addresses": ["203.0.113.0/24"], "resolution": "NONE"}), {})) == 0
	count(_violations(_se({"hosts": ["db.example"], "addresses": ["0.0.0.0/1", "128.0.0.0/1"], "resolution": "DNS"}), {})) == 0
	count(_violations(_se({"hosts": ["db.example"], "addresses": ["10.0.0.0/8", "127.0.0.0/8"]}), {})) == 0
}

test_addresses_threshold_overridden if {
	count(_violations(_se({"hosts": ["x.example"], "addresses": ["52.0.0.0/8"]}), {"open_share_threshold": 0.001})) == 1
}
