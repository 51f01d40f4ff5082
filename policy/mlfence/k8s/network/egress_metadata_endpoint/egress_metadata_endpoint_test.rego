package mlfence.k8s.network.egress_metadata_endpoint_test

import data.mlfence.k8s.network.egress_metadata_endpoint

_policy(egress) := {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "np", "namespace": "ml-training"}, "spec": {"podSelector": {}, "policyTypes": ["Egress"], "egress": egress}}

_violations(obj, params) := v if {
	v := egress_metadata_endpoint.violation with input as {"review": {"object": obj}, "parameters": params}
}

test_deny_link_local_block if {
	v := _violations(_policy([{"to": [{"ipBlock": {"cidr": "169.254.0.0/16"}}]}]), {})
	count(v) == 1
	count([f | some f in v; f.details.rule_id == "MLF-K8S-006"; contains(f.msg, "169.254.169.254/32")]) > 0
}

test_deny_everywhere_on_port_80 if {
	count(_violations(_policy([{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": [{"port": 80}]}]), {})) == 1
	count(_violations(_policy([{"to": [{"ipBlock": {"cidr": "::/0"}}]}]), {})) == 1
}

# Attribute omitted: no `to` reaches every address, the metadata endpoint included.
test_deny_rule_without_to if {
	count(_violations(_policy([{}]), {})) == 1
}

test_allow_except_covering_endpoint if {
	egress := [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["169.254.0.0/16", "10.0.0.0/8"]}}]}]
	count(_violations(_policy(egress), {})) == 0
}

test_deny_except_missing_endpoint if {
	egress := [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8", "bogus"]}}]}]
	count(_violations(_policy(egress), {})) == 1
}

# The metadata services answer on port 80 only.
test_allow_other_ports_only if {
	count(_violations(_policy([{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": [{"port": 443}]}]), {})) == 0
}

test_allow_internal_ranges if {
	count(_violations(_policy([{"to": [{"ipBlock": {"cidr": "10.0.0.0/8"}}, {"podSelector": {}}]}]), {})) == 0
}

# Parameter overridden: Alibaba Cloud's metadata address inside the CGNAT range.
test_deny_custom_endpoint if {
	egress := [{"to": [{"ipBlock": {"cidr": "100.64.0.0/10"}}]}]
	count(_violations(_policy(egress), {})) == 0
	count(_violations(_policy(egress), {"metadata_endpoints": ["100.100.100.200/32", "junk"]})) == 1
}

test_allow_wrong_types_without_error if {
	count(_violations(_policy([{"to": [{"ipBlock": {"cidr": "x"}}, {"ipBlock": null}]}, 4]), {})) == 0
	count(_violations(_policy({}), {})) == 0
}
