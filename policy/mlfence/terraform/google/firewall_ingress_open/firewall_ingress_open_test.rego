package mlfence.terraform.google.firewall_ingress_open_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.google.firewall_ingress_open

_change(address, after, unknown) := fixture.change(address, "google_compute_firewall", after, unknown)

_fw(after) := _change("google_compute_firewall.fw", after, {})

_tcp(ports) := [{"protocol": "tcp", "ports": ports}]

_violations(changes, params) := v if {
	v := firewall_ingress_open.violation with input as {"plan": fixture.bare_plan(changes), "parameters": params}
}

test_deny_ssh_from_anywhere_is_critical if {
	v := _violations([_fw({"direction": "INGRESS", "allow": _tcp(["22"]), "source_ranges": ["0.0.0.0/0"]})], {})
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-TF-040"
	f.details.severity == "critical"
	f.details.status == "fail"
	f.details.resource == "google_compute_firewall.fw"
	contains(f.msg, "ML service ports reachable: 22")
}

test_deny_port_range_reaching_triton_is_critical if {
	v := _violations([_fw({"allow": _tcp(["7990-8001"]), "source_ranges": ["::/0"]})], {})
	some f in v
	f.details.severity == "critical"
	contains(f.msg, "8000,8001")
}

test_deny_https_only_keeps_rule_severity if {
	v := _violations([_fw({"direction": "INGRESS", "allow": _tcp(["443"]), "source_ranges": ["0.0.0.0/0"]})], {})
	some f in v
	f.details.severity == "high"
}

test_deny_all_protocols_without_ports if {
	v := _violations([_fw({"allow": [{"protocol": "all"}], "source_ranges": ["10.0.0.0/8", "0.0.0.0/0"]})], {})
	some f in v
	f.details.severity == "critical"
	contains(f.msg, "all ports")
}

# Omitted direction and no source at all: the API defaults to INGRESS from 0.0.0.0/0.
test_deny_direction_and_source_omitted if {
	v := _violations([_fw({"allow": _tcp(["8888"]), "source_ranges": null, "source_tags": []})], {})
	some f in v
	contains(f.msg, "no source given")
}

test_deny_icmp_only_is_not_critical if {
	v := _violations([_fw({"allow": [{"protocol": "icmp"}], "source_ranges": ["0.0.0.0/0"]})], {})
	some f in v
	f.details.severity == "high"
	contains(f.msg, "port-less")
}

test_deny_nested_in_module if {
	after := {"allow": _tcp(["8265"]), "source_ranges": ["0.0.0.0/0"]}
	fw := _change("module.ml[0].google_compute_firewall.ray", after, {})
	v := _violations([fw], {})
	{f.details.resource | some f in v} == {"module.ml[0].google_compute_firewall.ray"}
}

test_allow_private_source if {
	count(_violations([_fw({"allow": _tcp(["22"]), "source_ranges": ["35.235.240.0/20"]})], {})) == 0
}

test_allow_source_tags_only if {
	count(_violations([_fw({"allow": _tcp(["22"]), "source_ranges": [], "source_tags": ["bastion"]})], {})) == 0
}

test_allow_disabled_rule if {
	fw := _fw({"allow": _tcp(["22"]), "source_ranges": ["0.0.0.0/0"], "disabled": true})
	count(_violations([fw], {})) == 0
}

test_allow_egress_and_deny_rules if {
	egress := _fw({"direction": "EGRESS", "allow": _tcp(["22"]), "destination_ranges": ["0.0.0.0/0"]})
	count(_violations([egress], {})) == 0
	deny := _fw({"direction": "INGRESS", "deny": _tcp(["22"]), "source_ranges": ["0.0.0.0/0"]})
	count(_violations([deny], {})) == 0
}

test_unknown_source_is_reported_as_unknown if {
	fw := _change("google_compute_firewall.fw", {"allow": _tcp(["22"])}, {"source_ranges": true})
	v := _violations([fw], {})
	count(v) == 1
	some f in v
	f.details.status == "unknown"
	contains(f.msg, "source_ranges")
}

test_parameter_ml_ports_overridden if {
	fw := _fw({"allow": _tcp(["22"]), "source_ranges": ["0.0.0.0/0"]})
	some f in _violations([fw], {"ml_ports": [443]})
	f.details.severity == "high"
	some g in _violations([_fw({"allow": _tcp(["9000"]), "source_ranges": ["0.0.0.0/0"]})], {"ml_ports": ["8990-9010"]})
	g.details.severity == "critical"
}

test_allow_malformed_plan if {
	count(_violations([_fw({"allow": "x", "source_ranges": 3}), {"mode": "managed"}, null], {})) == 0
	odd := _fw({"allow": [{"protocol": 6, "ports": [null, "http"]}], "source_ranges": ["0.0.0.0/0"]})
	count(_violations([odd], {})) == 1
}

# Issue 16: source ranges that together cover the internet are judged as the internet.
test_deny_union_of_halves if {
	count(_violations([_fw({"allow": _tcp(["22"]), "source_ranges": ["::/1", "8000::/1"]})], {})) == 1
	count(_violations([_fw({"allow": _tcp(["22"]), "source_ranges": ["10.0.0.0/8", "35.235.240.0/20"]})], {})) == 0
	v := _violations([_fw({"allow": _tcp(["22"]), "source_ranges": ["0.0.0.0/1", "128.0.0.0/1"]})], {})
	count(v) == 1
	some f in v
	f.details.status == "fail"
	contains(f.msg, "0.0.0.0/1, 128.0.0.0/1 (together the internet)")
}
