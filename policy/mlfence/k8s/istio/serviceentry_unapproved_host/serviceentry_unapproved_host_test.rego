package mlfence.k8s.istio.serviceentry_unapproved_host_test

import data.mlfence.k8s.istio.serviceentry_unapproved_host

_se(spec) := {
	"apiVersion": "networking.istio.io/v1beta1",
	"kind": "ServiceEntry",
	"metadata": {"name": "allowed-model-registries"},
	"spec": object.union({"ports": [{"number": 443, "name": "https", "protocol": "HTTPS"}], "resolution": "DNS"}, spec),
}

_violations(obj, params) := v if {
	v := serviceentry_unapproved_host.violation with input as {"review": {"object": obj}, "parameters": params}
}

test_allow_seed_registries if {
	spec := {"hosts": ["huggingface.co", "*.huggingface.co", "storage.googleapis.com", "*.s3.amazonaws.com"], "location": "MESH_EXTERNAL"}
	count(_violations(_se(spec), {})) == 0
}

test_allow_concrete_hosts_under_approved_wildcards if {
	count(_violations(_se({"hosts": ["cdn-lfs.huggingface.co", "My-Bucket.s3.amazonaws.com", "HuggingFace.co"]}), {})) == 0
}

test_deny_unapproved_hosts if {
	v := _violations(_se({"hosts": ["huggingface.co", "pypi.org", "files.pythonhosted.org"]}), {})
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-K8S-045"
	contains(f.msg, "files.pythonhosted.org, pypi.org")
	f.details.resource == "/ServiceEntry/allowed-model-registries"
}

# A wildcard is approved only by a pattern at least as wide; "*" spans one label.
test_deny_wider_or_deeper_hosts if {
	count(_violations(_se({"hosts": ["*.co"]}), {})) == 1
	count(_violations(_se({"hosts": ["a.b.huggingface.co"]}), {})) == 1
	count(_violations(_se({"hosts": ["evilhuggingface.co"]}), {})) == 1
}

# Attribute omitted: location defaults to MESH_EXTERNAL.
test_deny_location_omitted if {
	count(_violations(_se({"hosts": ["api.openai.com"]}), {})) == 1
}

test_allow_mesh_internal_and_star_host if {
	count(_violations(_se({"hosts": ["legacy-db.corp"], "location": "MESH_INTERNAL"}), {})) == 0
	count(_violations(_se({"hosts": ["*"]}), {})) == 0
}

test_approved_domains_parameter if {
	params := {"approved_egress_domains": ["pypi.org", "*.pythonhosted.org"]}
	count(_violations(_se({"hosts": ["pypi.org", "files.pythonhosted.org"]}), params)) == 0
	count(_violations(_se({"hosts": ["huggingface.co"]}), params)) == 1
	count(_violations(_se({"hosts": ["huggingface.co"]}), {"approved_egress_domains": []})) == 1
}

test_system_namespace_parameter if {
	obj := json.patch(_se({"hosts": ["pypi.org"]}), [{"op": "add", "path": "/metadata/namespace", "value": "istio-system"}])
	count(_violations(obj, {})) == 0
	count(_violations(obj, {"system_namespaces": []})) == 1
}

test_wrong_types_never_error if {
	count(_violations(_se({"hosts": "pypi.org"}), {})) == 0
	count(_violations(_se({"hosts": [null, 1, "pypi.org"]}), {})) == 1
	count(_violations(_se({"hosts": ["pypi.org"]}), {"approved_egress_domains": "pypi.org"})) == 1
	count(_violations(_se({"hosts": ["pypi.org"]}), {"approved_egress_domains": [null, 3, "pypi.org"]})) == 0
	count(_violations({"kind": "ServiceEntry", "apiVersion": "networking.istio.io/v1", "spec": null}, {})) == 0
}

# Loopback is not the internet: a node-local agent or a localhost name opens no egress.
test_allow_loopback_entries if {
	agent := {"hosts": ["telemetry-agent.local"], "resolution": "STATIC", "endpoints": [{"address": "127.0.0.1"}], "location": "MESH_EXTERNAL"}
	count(_violations(_se(agent), {})) == 0
	count(_violations(_se({"hosts": ["localhost"], "resolution": "DNS"}), {})) == 0
}

test_deny_loopback_mixed_with_internet if {
	mixed := {"hosts": ["telemetry-agent.local"], "resolution": "STATIC", "endpoints": [{"address": "127.0.0.1"}, {"address": "203.0.113.9"}]}
	count(_violations(_se(mixed), {})) == 1
	count(_violations(_se({"hosts": ["localhost.attacker.example"], "resolution": "DNS"}), {})) == 1
}
