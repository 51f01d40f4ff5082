package mlfence.terraform.azure.aml_workspace_outbound_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.azure.aml_workspace_outbound

_r(after) := fixture.change("azurerm_machine_learning_workspace.ws", _ws, after, {})

_violations(plan, params) := v if {
	v := aml_workspace_outbound.violation with input as {"plan": plan, "parameters": params}
}

_v(changes) := _violations(fixture.bare_plan(changes), {})

_mode(mode) := {"managed_network": [{"isolation_mode": mode}]}

test_deny_internet_outbound if {
	v := _v([_r(_mode("AllowInternetOutbound"))])
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-TF-063"
	f.details.status == "fail"
}

test_warn_disabled_and_omitted if {
	some f in _v([_r(_mode("Disabled"))])
	f.details.status == "warn"
	some g in _v([_r({})])
	g.details.status == "warn"
}

test_deny_nested_in_module if {
	c := fixture.change("module.aml.azurerm_machine_learning_workspace.ws", _ws, _mode("AllowInternetOutbound"), {})
	{f.details.resource | some f in _v([c])} == {"module.aml.azurerm_machine_learning_workspace.ws"}
}

test_allow_approved_outbound_only if {
	count(_v([_r(_mode("AllowOnlyApprovedOutbound"))])) == 0
}

test_unknown_is_reported_as_unknown if {
	x1 := {"managed_network": true}
	c := fixture.change("azurerm_machine_learning_workspace.ws", _ws, {}, x1)
	v := _violations(fixture.with_config(c, {"managed_network": [{"isolation_mode": {"references": ["var.mode"]}}]}), {})
	count(v) == 1
	some f in v
	f.details.status == "unknown"
}

test_parameter_allowed_modes_overridden if {
	plan := fixture.bare_plan([_r(_mode("Disabled"))])
	count(_violations(plan, {"aml_allowed_isolation_modes": ["AllowOnlyApprovedOutbound", "Disabled"]})) == 0
	strict := fixture.bare_plan([_r(_mode("AllowOnlyApprovedOutbound"))])
	count(_violations(strict, {"aml_allowed_isolation_modes": ["AllowOnlyApprovedOutbound"]})) == 0
}

_ws := "azurerm_machine_learning_workspace"
