package mlfence.terraform.azure.aml_compute_ssh_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.azure.aml_compute_ssh

_r(after) := fixture.change("azurerm_machine_learning_compute_cluster.cc", _cc, after, {})

_violations(plan, params) := v if {
	v := aml_compute_ssh.violation with input as {"plan": plan, "parameters": params}
}

_v(changes) := _violations(fixture.bare_plan(changes), {})

_instance(after, unknown) := fixture.change("azurerm_machine_learning_compute_instance.ci", _ci, after, unknown)

_ssh := [{"public_key": "ssh-rsa AAAA"}]

test_deny_cluster_public_ssh if {
	v := _v([_r({"ssh_public_access_enabled": true})])
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-TF-065"
	f.details.status == "fail"
}

test_deny_instance_ssh_with_public_ip if {
	count(_v([_instance({"ssh": _ssh}, {})])) == 1
	count(_v([_instance({"ssh": _ssh, "node_public_ip_enabled": true}, {})])) == 1
}

test_deny_nested_in_module if {
	x1 := {"ssh_public_access_enabled": true}
	c := fixture.change("module.aml.azurerm_machine_learning_compute_cluster.cc", _cc, x1, {})
	{f.details.resource | some f in _v([c])} == {"module.aml.azurerm_machine_learning_compute_cluster.cc"}
}

# Attributes omitted: clusters default to no public SSH, instances without ssh block have none.
test_allow_omitted_and_private if {
	count(_v([_r({}), _instance({}, {})])) == 0
	count(_v([_r({"ssh_public_access_enabled": false})])) == 0
	count(_v([_instance({"ssh": _ssh, "node_public_ip_enabled": false}, {})])) == 0
}

test_unknown_is_reported_as_unknown if {
	x2 := {"ssh_public_access_enabled": true}
	c := fixture.change("azurerm_machine_learning_compute_cluster.cc", _cc, {}, x2)
	some f in _v([_instance({"ssh": _ssh}, {"node_public_ip_enabled": true})])
	f.details.status == "unknown"
	some g in _violations(fixture.with_config(c, {"ssh_public_access_enabled": {"references": ["var.ssh"]}}), {})
	g.details.status == "unknown"
}

test_parameter_allowlist_overridden if {
	plan := fixture.bare_plan([_r({"ssh_public_access_enabled": true})])
	count(_violations(plan, {"public_resource_allowlist": ["azurerm_machine_learning_compute_cluster.cc"]})) == 0
}

_ci := "azurerm_machine_learning_compute_instance"

_cc := "azurerm_machine_learning_compute_cluster"
