package mlfence.terraform.google.notebook_proxy_access_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.google.notebook_proxy_access

_wb(after) := fixture.change("google_workbench_instance.nb", "google_workbench_instance", after, {})

_violations(plan, params) := v if {
	v := notebook_proxy_access.violation with input as {"plan": plan, "parameters": params}
}

_v(changes) := _violations({"format_version": "1.2", "resource_changes": changes, "configuration": {"root_module": {}}}, {})

test_deny_proxy_access_enabled if {
	v := _v([_wb({"disable_proxy_access": false})])
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-TF-046"
	f.details.severity == "medium"
	contains(f.msg, "disable_proxy_access = true")
}

test_deny_legacy_attribute_omitted if {
	some f in _v([fixture.change("google_notebooks_instance.nb", "google_notebooks_instance", {"no_public_ip": true}, {})])
	contains(f.msg, "no_proxy_access = true")
}

test_deny_computed_default_not_configured if {
	x1 := {"disable_proxy_access": true}
	some f in _v([fixture.change("google_workbench_instance.nb", "google_workbench_instance", {}, x1)])
	f.details.status == "fail"
}

test_deny_nested_in_module if {
	x2 := {"disable_proxy_access": false}
	c := fixture.change("module.lab.google_workbench_instance.nb[0]", "google_workbench_instance", x2, {})
	{f.details.resource | some f in _v([c])} == {"module.lab.google_workbench_instance.nb[0]"}
}

test_allow_proxy_disabled if {
	legacy := fixture.change("google_notebooks_instance.nb", "google_notebooks_instance", {"no_proxy_access": true}, {})
	count(_v([_wb({"disable_proxy_access": true}), legacy])) == 0
}

test_unknown_configured_value_is_reported_as_unknown if {
	c := fixture.change("google_workbench_instance.nb", "google_workbench_instance", {}, {"disable_proxy_access": true})
	config := {"root_module": {"resources": [{
		"address": "google_workbench_instance.nb", "mode": "managed", "type": "google_workbench_instance", "name": "nb",
		"expressions": {"disable_proxy_access": {"references": ["var.no_proxy"]}},
	}]}}
	some f in _violations({"format_version": "1.2", "resource_changes": [c], "configuration": config}, {})
	f.details.status == "unknown"
}

test_parameter_proxy_allowed if {
	plan := fixture.bare_plan([_wb({"disable_proxy_access": false})])
	count(_violations(plan, {"gcp_notebook_proxy_access_allowed": true})) == 0
	count(_violations(plan, {"gcp_notebook_proxy_access_allowed": false})) == 1
}
