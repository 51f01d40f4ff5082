package mlfence.terraform.google.gke_control_plane_open_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.google.gke_control_plane_open

_change(address, after, unknown) := fixture.change(address, "google_container_cluster", after, unknown)

_cluster(after) := _change("google_container_cluster.gke", after, {})

_private := [{"enable_private_nodes": true, "enable_private_endpoint": false}]

_violations(changes, params) := v if {
	plan := fixture.bare_plan(changes)
	v := gke_control_plane_open.violation with input as {"plan": plan, "parameters": params}
}

test_deny_authorized_networks_omitted if {
	v := _violations([_cluster({"private_cluster_config": _private})], {})
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-TF-044"
	f.details.status == "fail"
	contains(f.msg, "no master_authorized_networks_config")
}

test_deny_everywhere_in_cidr_blocks if {
	man := [{"cidr_blocks": [{"cidr_block": "10.0.0.0/8"}, {"cidr_block": "0.0.0.0/0", "display_name": "all"}]}]
	some f in _violations([_cluster({"master_authorized_networks_config": man})], {})
	contains(f.msg, "admits 0.0.0.0/0")
}

test_deny_gcp_public_cidrs if {
	man := [{"cidr_blocks": [], "gcp_public_cidrs_access_enabled": true}]
	v := _violations([_cluster({"private_cluster_config": _private, "master_authorized_networks_config": man})], {})
	some f in v
	contains(f.msg, "every Google Cloud VM")
}

test_deny_authorized_networks_disabled if {
	man := [{"enabled": false, "cidr_blocks": [{"cidr_block": "192.0.2.0/24"}]}]
	count(_violations([_cluster({"master_authorized_networks_config": man})], {})) == 1
}

test_deny_nested_in_module if {
	c := _change("module.platform.module.gke.google_container_cluster.gke", {}, {})
	{f.details.resource | some f in _violations([c], {})} == {"module.platform.module.gke.google_container_cluster.gke"}
}

test_allow_private_endpoint if {
	c := _cluster({"private_cluster_config": [{"enable_private_nodes": true, "enable_private_endpoint": true}]})
	count(_violations([c], {})) == 0
}

test_allow_ip_endpoints_disabled if {
	c := _cluster({"control_plane_endpoints_config": [{"ip_endpoints_config": [{"enabled": false}]}]})
	count(_violations([c], {})) == 0
}

test_allow_restricted_authorized_networks if {
	man := [{"cidr_blocks": [{"cidr_block": "203.0.113.0/28", "display_name": "vpn"}]}]
	x1 := {"private_cluster_config": _private, "master_authorized_networks_config": man}
	count(_violations([_cluster(x1)], {})) == 0
	count(_violations([_cluster({"master_authorized_networks_config": [{"cidr_blocks": null}]})], {})) == 0
}

test_unknown_cidr_blocks_are_reported_as_unknown if {
	man := [{"cidr_blocks": [{"cidr_block": "10.0.0.0/8"}]}]
	c := _change("google_container_cluster.gke", {_man_key: man}, {_man_key: [{"cidr_blocks": true}]})
	config := {"root_module": {"resources": [{
		"address": "google_container_cluster.gke", "mode": "managed", "type": "google_container_cluster", "name": "gke",
		"expressions": {_man_key: [{"cidr_blocks": [{"cidr_block": {"references": ["var.vpn"]}}]}]},
	}]}}
	plan := {"format_version": "1.2", "resource_changes": [c], "configuration": config}
	v := gke_control_plane_open.violation with input as {"plan": plan, "parameters": {}}
	count(v) == 1
	some f in v
	f.details.status == "unknown"
}

_man_key := "master_authorized_networks_config"

test_parameter_gcp_public_cidrs_allowed if {
	man := [{"cidr_blocks": [], "gcp_public_cidrs_access_enabled": true}]
	c := _cluster({"master_authorized_networks_config": man})
	count(_violations([c], {"gke_allow_gcp_public_cidrs": true})) == 0
	count(_violations([c], {"public_resource_allowlist": ["google_container_cluster.*"]})) == 0
}

test_allow_malformed if {
	odd := _cluster({_man_key: [{"cidr_blocks": [{"cidr_block": 7}, null]}]})
	count(_violations([odd], {})) == 0
}
