package mlfence.terraform.azure.aml_compute_public_ip_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.azure.aml_compute_public_ip

_r(after) := fixture.change("azurerm_machine_learning_compute_instance.ci", _ci, after, {})

_violations(plan, params) := v if {
	v := aml_compute_public_ip.violation with input as {"plan": plan, "parameters": params}
}

_v(changes) := _violations(fixture.bare_plan(changes), {})

_subnet := "/subscriptions/0/resourceGroups/ml/providers/Microsoft.Network/virtualNetworks/ml/subnets/compute"

test_deny_public_ip if {
	v := _v([_r({"node_public_ip_enabled": true, "subnet_resource_id": _subnet})])
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-TF-064"
	f.details.status == "fail"
}

test_deny_cluster_without_subnet if {
	x1 := {"node_public_ip_enabled": false}
	c := fixture.change("azurerm_machine_learning_compute_cluster.gpu", _cc, x1, {})
	some f in _v([c])
	contains(f.msg, "without subnet_resource_id")
}

# Attribute omitted: node_public_ip_enabled defaults to true.
test_deny_attribute_omitted if {
	count(_v([_r({})])) == 1
}

test_deny_nested_in_module if {
	c := fixture.change("module.aml.azurerm_machine_learning_compute_cluster.gpu", _cc, {}, {})
	{f.details.resource | some f in _v([c])} == {"module.aml.azurerm_machine_learning_compute_cluster.gpu"}
}

test_allow_private_with_subnet if {
	count(_v([_r({"node_public_ip_enabled": false, "subnet_resource_id": _subnet})])) == 0
	x2 := {"node_public_ip_enabled": false}
	x3 := {"subnet_resource_id": true}
	pending_subnet := fixture.change("azurerm_machine_learning_compute_instance.ci", _ci, x2, x3)
	count(_v([pending_subnet])) == 0
}

test_unknown_is_reported_as_unknown if {
	x4 := {"node_public_ip_enabled": true}
	c := fixture.change("azurerm_machine_learning_compute_instance.ci", _ci, {}, x4)
	v := _violations(fixture.with_config(c, {"node_public_ip_enabled": {"references": ["var.public_ip"]}}), {})
	count(v) == 1
	some f in v
	f.details.status == "unknown"
}

test_parameter_allowlist_overridden if {
	plan := fixture.bare_plan([_r({})])
	count(_violations(plan, {"public_resource_allowlist": ["azurerm_machine_learning_compute_instance.ci"]})) == 0
}

_ci := "azurerm_machine_learning_compute_instance"

_cc := "azurerm_machine_learning_compute_cluster"
