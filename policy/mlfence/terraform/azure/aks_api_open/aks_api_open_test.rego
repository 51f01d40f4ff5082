package mlfence.terraform.azure.aks_api_open_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.azure.aks_api_open

_r(after) := fixture.change("azurerm_kubernetes_cluster.aks", "azurerm_kubernetes_cluster", after, {})

_violations(plan, params) := v if {
	v := aks_api_open.violation with input as {"plan": plan, "parameters": params}
}

_v(changes) := _violations(fixture.bare_plan(changes), {})

test_deny_public_without_authorized_ranges if {
	v := _v([_r({"private_cluster_enabled": false, "api_server_access_profile": []})])
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-TF-061"
	f.details.status == "fail"
}

test_deny_everywhere_in_ranges_new_and_old_names if {
	count(_v([_r({"api_server_authorized_ip_ranges": ["203.0.113.0/24", "0.0.0.0/0"]})])) == 1
	some f in _v([_r({"api_server_access_profile": [{"authorized_ip_ranges": ["0.0.0.0/0"]}]})])
	contains(f.msg, "0.0.0.0/0")
}

# Attribute omitted: private_cluster_enabled defaults to false.
test_deny_attributes_omitted if {
	count(_v([_r({})])) == 1
}

test_deny_nested_in_module if {
	c := fixture.change("module.aks.azurerm_kubernetes_cluster.main", "azurerm_kubernetes_cluster", {}, {})
	{f.details.resource | some f in _v([c])} == {"module.aks.azurerm_kubernetes_cluster.main"}
}

test_allow_private_or_restricted if {
	count(_v([_r({"private_cluster_enabled": true})])) == 0
	count(_v([_r({"api_server_access_profile": [{"authorized_ip_ranges": ["203.0.113.0/28"]}]})])) == 0
	count(_v([_r({"api_server_authorized_ip_ranges": ["203.0.113.0/28"]})])) == 0
}

test_unknown_is_reported_as_unknown if {
	c := fixture.change("azurerm_kubernetes_cluster.aks", "azurerm_kubernetes_cluster", {}, {"private_cluster_enabled": true})
	x1 := {"api_server_access_profile": [{"authorized_ip_ranges": true}]}
	d := fixture.change("azurerm_kubernetes_cluster.aks", "azurerm_kubernetes_cluster", {}, x1)
	x2 := {"api_server_access_profile": [{"authorized_ip_ranges": {"references": ["var.cidrs"]}}]}
	v := _violations(fixture.with_config(d, x2), {})
	count(v) == 1
	some f in _v([c])
	f.details.status == "unknown"
	some g in v
	g.details.status == "unknown"
}

test_parameter_allowlist_overridden if {
	plan := fixture.bare_plan([_r({})])
	count(_violations(plan, {"public_resource_allowlist": ["azurerm_kubernetes_cluster.aks"]})) == 0
}
