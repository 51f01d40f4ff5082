package mlfence.terraform.google.gke_private_nodes_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.google.gke_private_nodes

_cluster(after) := fixture.change("google_container_cluster.gke", "google_container_cluster", after, {})

_violations(changes, params) := v if {
	plan := fixture.bare_plan(changes)
	v := gke_private_nodes.violation with input as {"plan": plan, "parameters": params}
}

test_deny_private_nodes_false if {
	v := _violations([_cluster({"private_cluster_config": [{"enable_private_nodes": false}]})], {})
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-TF-043"
	f.details.status == "fail"
	contains(f.msg, "enable_private_nodes")
}

test_deny_private_cluster_config_omitted if {
	count(_violations([_cluster({"name": "ml"})], {})) == 1
	count(_violations([_cluster({"private_cluster_config": []})], {})) == 1
}

# Omitted, the Optional+Computed block is unknown in the plan: still the public default.
test_deny_computed_block_not_in_configuration if {
	c := fixture.change("google_container_cluster.gke", "google_container_cluster", {}, {"private_cluster_config": true})
	v := _violations([c], {})
	some f in v
	f.details.status == "fail"
}

test_deny_nested_in_module if {
	c := fixture.change("module.gke.google_container_cluster.primary", "google_container_cluster", {}, {})
	{f.details.resource | some f in _violations([c], {})} == {"module.gke.google_container_cluster.primary"}
}

test_deny_node_pool_opting_out if {
	after := {"network_config": [{"enable_private_nodes": false}]}
	pool := fixture.change("google_container_node_pool.gpu", "google_container_node_pool", after, {})
	count(_violations([pool], {})) == 1
	inherit := fixture.change("google_container_node_pool.cpu", "google_container_node_pool", {"network_config": []}, {})
	count(_violations([inherit], {})) == 0
}

test_allow_private_nodes if {
	count(_violations([_cluster({"private_cluster_config": [{"enable_private_nodes": true}]})], {})) == 0
}

test_unknown_configured_value_is_reported_as_unknown if {
	unknown := {"private_cluster_config": [{"enable_private_nodes": true}]}
	c := object.union(
		fixture.change("module.gke.google_container_cluster.gke", "google_container_cluster", {}, unknown),
		{"module_address": "module.gke"},
	)
	config := {"root_module": {"module_calls": {"gke": {"module": {"resources": [{
		"address": "google_container_cluster.gke", "mode": "managed",
		"type": "google_container_cluster", "name": "gke",
		"expressions": {"private_cluster_config": [{"enable_private_nodes": {"references": ["var.private"]}}]},
	}]}}}}}
	plan := {"format_version": "1.2", "resource_changes": [c], "configuration": config}
	v := gke_private_nodes.violation with input as {"plan": plan, "parameters": {}}
	count(v) == 1
	some f in v
	f.details.status == "unknown"
}

test_parameter_allowlist_overridden if {
	c := _cluster({"private_cluster_config": [{"enable_private_nodes": false}]})
	count(_violations([c], {"public_resource_allowlist": ["google_container_cluster.gke"]})) == 0
	count(_violations([c], {"public_resource_allowlist": ["module.*.google_container_cluster.gke"]})) == 1
}

test_allow_malformed if {
	odd := [_cluster({"private_cluster_config": "yes"}), _cluster({"private_cluster_config": [null]})]
	count(_violations(odd, {})) == 1
}
