package mlfence.terraform.google.firewall_egress_open_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.google.firewall_egress_open

_change(address, after, unknown) := fixture.change(address, "google_compute_firewall", after, unknown)

_fw(after) := _change("google_compute_firewall.egress", object.union({"direction": "EGRESS"}, after), {})

_all := [{"protocol": "all"}]

_violations(changes, params) := v if {
	v := firewall_egress_open.violation with input as {"plan": fixture.bare_plan(changes), "parameters": params}
}

test_deny_egress_to_anywhere if {
	v := _violations([_fw({"allow": _all, "destination_ranges": ["0.0.0.0/0"]})], {})
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-TF-041"
	f.details.status == "fail"
	f.details.resource == "google_compute_firewall.egress"
}

test_deny_ipv6_anywhere if {
	count(_violations([_fw({"allow": _all, "destination_ranges": ["::/0"]})], {})) == 1
}

# Attribute omitted: an EGRESS rule without destination_ranges applies to 0.0.0.0/0.
test_deny_destination_omitted if {
	v := _violations([_fw({"allow": [{"protocol": "tcp", "ports": ["443"]}]})], {})
	some f in v
	contains(f.msg, "the API default")
}

test_deny_nested_in_module if {
	after := {"direction": "EGRESS", "allow": _all, "destination_ranges": ["0.0.0.0/0"]}
	fw := _change("module.ml.module.net.google_compute_firewall.out", after, {})
	{f.details.resource | some f in _violations([fw], {})} == {"module.ml.module.net.google_compute_firewall.out"}
}

test_allow_bounded_destinations if {
	count(_violations([_fw({"allow": _all, "destination_ranges": ["199.36.153.8/30", "10.0.0.0/8"]})], {})) == 0
}

test_allow_deny_all_egress_and_ingress if {
	count(_violations([_fw({"deny": _all, "destination_ranges": ["0.0.0.0/0"]})], {})) == 0
	ingress := _change("google_compute_firewall.in", {"allow": _all, "destination_ranges": ["0.0.0.0/0"]}, {})
	count(_violations([ingress], {})) == 0
}

test_allow_disabled if {
	count(_violations([_fw({"allow": _all, "destination_ranges": ["0.0.0.0/0"], "disabled": true})], {})) == 0
}

test_unknown_destination_is_reported_as_unknown if {
	x1 := {"direction": "EGRESS", "allow": _all}
	fw := _change("google_compute_firewall.egress", x1, {"destination_ranges": true})
	v := _violations([fw], {})
	count(v) == 1
	some f in v
	f.details.status == "unknown"
}

test_parameter_proxy_tags_exempt_the_proxy if {
	fw := _fw({"allow": _all, "destination_ranges": ["0.0.0.0/0"], "target_tags": ["egress-proxy"]})
	count(_violations([fw], {})) == 1
	count(_violations([fw], {"gcp_egress_proxy_tags": ["egress-proxy"]})) == 0
	mixed := _fw({"allow": _all, "destination_ranges": ["0.0.0.0/0"], "target_tags": ["egress-proxy", "notebook"]})
	count(_violations([mixed], {"gcp_egress_proxy_tags": ["egress-proxy"]})) == 1
}

test_allow_malformed if {
	count(_violations([_fw({"allow": 1, "destination_ranges": "0.0.0.0/0"}), null], {})) == 0
}

# Issue 16: destinations that together cover every address are judged as every address.
test_deny_union_of_halves if {
	v := _violations([_fw({"allow": _all, "destination_ranges": ["0.0.0.0/1", "128.0.0.0/1"]})], {})
	count(v) == 1
	some f in v
	contains(f.msg, "together every address")
}
