package mlfence.terraform.azure.aml_workspace_public_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.azure.aml_workspace_public

_r(after) := fixture.change("azurerm_machine_learning_workspace.ws", _ws, after, {})

_violations(plan, params) := v if {
	v := aml_workspace_public.violation with input as {"plan": plan, "parameters": params}
}

_v(changes) := _violations(fixture.bare_plan(changes), {})

test_deny_public_access if {
	v := _v([_r({"public_network_access_enabled": true})])
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-TF-062"
	f.details.status == "fail"
}

test_deny_attribute_omitted_and_legacy_flag if {
	count(_v([_r({})])) == 1
	count(_v([_r({"public_network_access_enabled": false, "public_access_behind_virtual_network_enabled": true})])) == 1
}

test_deny_nested_in_module if {
	c := fixture.change("module.aml.azurerm_machine_learning_workspace.ws", _ws, {}, {})
	{f.details.resource | some f in _v([c])} == {"module.aml.azurerm_machine_learning_workspace.ws"}
}

test_allow_private if {
	count(_v([_r({"public_network_access_enabled": false})])) == 0
}

test_unknown_is_reported_as_unknown if {
	x1 := {"public_network_access_enabled": true}
	c := fixture.change("azurerm_machine_learning_workspace.ws", _ws, {}, x1)
	count(_v([c])) == 1
	v := _violations(fixture.with_config(c, {"public_network_access_enabled": {"references": ["var.public"]}}), {})
	some f in v
	f.details.status == "unknown"
}

test_parameter_allowlist_overridden if {
	plan := fixture.bare_plan([_r({})])
	count(_violations(plan, {"public_resource_allowlist": ["azurerm_machine_learning_workspace.*"]})) == 0
}

_ws := "azurerm_machine_learning_workspace"
