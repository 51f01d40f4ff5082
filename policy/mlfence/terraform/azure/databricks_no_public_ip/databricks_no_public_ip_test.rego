package mlfence.terraform.azure.databricks_no_public_ip_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.azure.databricks_no_public_ip

_r(after) := fixture.change("azurerm_databricks_workspace.dbw", "azurerm_databricks_workspace", after, {})

_violations(plan, params) := v if {
	v := databricks_no_public_ip.violation with input as {"plan": plan, "parameters": params}
}

_v(changes) := _violations(fixture.bare_plan(changes), {})

test_deny_public_ips if {
	v := _v([_r({"custom_parameters": [{"no_public_ip": false}]})])
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-TF-067"
	f.details.status == "fail"
}

test_deny_nested_in_module if {
	x1 := {"custom_parameters": [{"no_public_ip": false}]}
	c := fixture.change("module.lake.azurerm_databricks_workspace.dbw", "azurerm_databricks_workspace", x1, {})
	{f.details.resource | some f in _v([c])} == {"module.lake.azurerm_databricks_workspace.dbw"}
}

# Attribute omitted: the default differs between provider versions, so it is a warning.
test_warn_attribute_omitted if {
	some f in _v([_r({})])
	f.details.status == "unknown"
	contains(f.msg, "omitted")
}

test_allow_no_public_ip if {
	count(_v([_r({"custom_parameters": [{"no_public_ip": true}]})])) == 0
}

test_unknown_is_reported_as_unknown if {
	c := fixture.change("azurerm_databricks_workspace.dbw", "azurerm_databricks_workspace", {}, {"custom_parameters": true})
	some f in _v([c])
	f.details.status == "unknown"
	contains(f.msg, "after apply")
}

test_parameter_allowlist_overridden if {
	plan := {"format_version": "1.2", "resource_changes": [_r({"custom_parameters": [{"no_public_ip": false}]})]}
	count(_violations(plan, {"public_resource_allowlist": ["azurerm_databricks_workspace.dbw"]})) == 0
}
