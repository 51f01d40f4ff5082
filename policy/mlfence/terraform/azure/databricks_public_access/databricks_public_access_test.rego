package mlfence.terraform.azure.databricks_public_access_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.azure.databricks_public_access

_r(after) := fixture.change("azurerm_databricks_workspace.dbw", "azurerm_databricks_workspace", after, {})

_violations(plan, params) := v if {
	v := databricks_public_access.violation with input as {"plan": plan, "parameters": params}
}

_v(changes) := _violations(fixture.bare_plan(changes), {})

test_deny_public_access if {
	v := _v([_r({"public_network_access_enabled": true})])
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-TF-066"
	f.details.status == "fail"
}

test_deny_attribute_omitted if {
	count(_v([_r({"sku": "premium"})])) == 1
}

test_deny_nested_in_module if {
	c := fixture.change("module.lake.azurerm_databricks_workspace.dbw", "azurerm_databricks_workspace", {}, {})
	{f.details.resource | some f in _v([c])} == {"module.lake.azurerm_databricks_workspace.dbw"}
}

test_allow_private if {
	count(_v([_r({"public_network_access_enabled": false})])) == 0
}

test_unknown_is_reported_as_unknown if {
	x1 := {"public_network_access_enabled": true}
	c := fixture.change("azurerm_databricks_workspace.dbw", "azurerm_databricks_workspace", {}, x1)
	some f in _violations(fixture.with_config(c, {"public_network_access_enabled": {"references": ["var.public"]}}), {})
	f.details.status == "unknown"
}

test_parameter_allowlist_overridden if {
	plan := fixture.bare_plan([_r({})])
	count(_violations(plan, {"public_resource_allowlist": ["azurerm_databricks_workspace.*"]})) == 0
}
