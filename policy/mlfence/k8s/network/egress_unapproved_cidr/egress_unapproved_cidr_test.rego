package mlfence.k8s.network.egress_unapproved_cidr_test

import data.mlfence.k8s.network.egress_unapproved_cidr

_policy(cidr) := {
	"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
	"metadata": {"name": "np", "namespace": "ml-pipeline"},
	"spec": {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"to": [{"ipBlock": {"cidr": cidr}}], "ports": [{"port": 443}]}]},
}

_params := {
	"approved_ranges": {"aws": {"S3": {"us-east-1": {"ipv4": ["52.216.0.0/15"], "ipv6": []}}}},
	"owner_ranges": {
		"fastly": {"kind": "cdn", "ipv4": ["151.101.0.0/16"], "ipv6": []},
		"aws": {"kind": "cloud", "ipv4": ["52.0.0.0/8"], "ipv6": []},
	},
}

# Hermetic: only the ranges of params count, whatever range data `opa test policy data` loads.
_violations(obj, params) := v if {
	v := egress_unapproved_cidr.violation with input as {"review": {"object": obj}, "parameters": params}
		with data.mlfence.rangedata as {}
}

# The seed's PyPI rule: Fastly's CDN space.
test_deny_cdn_range_with_domain_advice if {
	v := _violations(_policy("151.101.0.0/16"), _params)
	count(v) == 1
	count([f | some f in v; f.details.rule_id == "MLF-K8S-004"; f.details.severity == "high"; contains(f.msg, "CDN space (fastly)"); contains(f.msg, "ServiceEntry")]) > 0
}

test_deny_unapproved_cloud_range if {
	count([f | some f in _violations(_policy("52.10.0.0/16"), _params); contains(f.msg, "published range of aws")]) > 0
}

test_deny_partially_approved if {
	count([f | some f in _violations(_policy("52.216.0.0/14"), _params); f.details.severity == "medium"; contains(f.msg, "aws/S3/us-east-1")]) > 0
}

test_deny_public_with_except_note if {
	obj := json.patch(_policy("8.8.0.0/16"), [{"op": "add", "path": "/spec/egress/0/to/0/ipBlock/except", "value": ["8.8.8.0/24"]}])
	count([f | some f in _violations(obj, {}); contains(f.msg, "public address space"); contains(f.msg, "`except` entries do not change this")]) > 0
}

# The seed's S3 rule: approved when the platform approves S3, a finding when it does not.
test_allow_approved_range if {
	count(_violations(_policy("52.216.0.0/16"), _params)) == 0
}

test_deny_s3_when_nothing_is_approved if {
	count(_violations(_policy("52.216.0.0/16"), {})) == 1
}

test_allow_internal_and_everywhere if {
	count(_violations(_policy("10.0.0.0/8"), {})) == 0
	count(_violations(_policy("fc00::/7"), {})) == 0

	# 0.0.0.0/0 is MLF-K8S-001's finding.
	count(_violations(_policy("0.0.0.0/0"), {})) == 0
}

# Parameter overridden: a custom internal range.
test_allow_custom_internal_cidrs if {
	count(_violations(_policy("203.0.113.0/24"), {"internal_cidrs": ["203.0.113.0/24"]})) == 0
	count(_violations(_policy("203.0.113.0/24"), {})) == 1
}

test_allow_selectors_and_odd_input if {
	obj := json.patch(_policy("x"), [{"op": "replace", "path": "/spec/egress", "value": [{"to": [{"podSelector": {}}]}, {"to": [{"ipBlock": {"cidr": 7}}]}, null, {"to": [{"ipBlock": {"cidr": "not-a-cidr"}}]}]}])
	count(_violations(obj, {})) == 0
	count(_violations({"kind": "NetworkPolicy", "spec": {"egress": "x"}}, {})) == 0
}
