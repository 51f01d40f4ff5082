package mlfence.terraform.google.firewall_egress_unapproved_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.google.firewall_egress_open
import data.mlfence.terraform.google.firewall_egress_unapproved

_change(address, after, unknown) := fixture.change(address, "google_compute_firewall", after, unknown)

_fw(destinations) := _change(
	"google_compute_firewall.egress", {
		"direction": "EGRESS",
		"allow": [{"protocol": "tcp", "ports": ["443"]}],
		"destination_ranges": destinations,
	},
	{},
)

_params := {
	"approved_ranges": {"google": {"storage": {"global": {"ipv4": ["34.126.0.0/18"]}}}},
	"owner_ranges": {
		"google": {"kind": "cloud", "ipv4": ["34.64.0.0/10"]},
		"fastly": {"kind": "cdn", "ipv4": ["151.101.0.0/16"]},
	},
}

# Hermetic: only the ranges of params count, whatever range data `opa test policy data` loads.
_violations(changes, params) := v if {
	v := firewall_egress_unapproved.violation with input as {"plan": fixture.bare_plan(changes), "parameters": params}
		with data.mlfence.rangedata as {}
}

test_deny_cloud_range_not_approved if {
	v := _violations([_fw(["34.100.0.0/16"])], _params)
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-TF-042"
	f.details.status == "fail"
	contains(f.msg, "google cloud range")
}

test_deny_unowned_public_range if {
	some f in _violations([_fw(["203.0.113.0/24"])], _params)
	contains(f.msg, "no known service")
}

test_deny_wider_than_approved if {
	some f in _violations([_fw(["34.126.0.0/16"])], _params)
	contains(f.msg, "google/storage/global")
}

test_warn_cdn_range_with_domain_advice if {
	v := _violations([_fw(["151.101.1.0/24"])], _params)
	count(v) == 1
	some f in v
	f.details.status == "warn"
	contains(f.msg, "FQDN")
}

test_deny_nested_in_module if {
	address := "module.ml.google_compute_firewall.egress"
	fw := json.patch(_fw(["198.51.100.7/32"]), [{"op": "replace", "path": "/address", "value": address}])
	{f.details.resource | some f in _violations([fw], _params)} == {"module.ml.google_compute_firewall.egress"}
}

test_allow_approved_internal_and_everywhere if {
	count(_violations([_fw(["34.126.1.0/24", "10.1.0.0/16"])], _params)) == 0

	# the whole internet is MLF-TF-041's finding, not this rule's
	count(_violations([_fw(["0.0.0.0/0"])], _params)) == 0
}

# Attribute omitted means 0.0.0.0/0, which MLF-TF-041 reports.
test_allow_destination_omitted if {
	fw := _change("google_compute_firewall.egress", {"direction": "EGRESS", "allow": [{"protocol": "all"}]}, {})
	count(_violations([fw], _params)) == 0
}

# A destination known only after apply is reported once, as unknown, by MLF-TF-041.
test_unknown_destination_reported_by_egress_open if {
	after := {"direction": "EGRESS", "allow": [{"protocol": "all"}]}
	fw := _change("google_compute_firewall.egress", after, {"destination_ranges": true})
	count(_violations([fw], _params)) == 0
	v := firewall_egress_open.violation with input as {"plan": fixture.bare_plan([fw]), "parameters": _params}
	some f in v
	f.details.status == "unknown"
}

test_parameter_internal_cidrs_overridden if {
	count(_violations([_fw(["203.0.113.0/24"])], object.union(_params, {"internal_cidrs": ["203.0.113.0/24"]}))) == 0
}
