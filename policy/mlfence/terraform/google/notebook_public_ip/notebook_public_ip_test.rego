package mlfence.terraform.google.notebook_public_ip_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.google.notebook_public_ip

_wb(after) := fixture.change("google_workbench_instance.nb", "google_workbench_instance", after, {})

_legacy(after) := fixture.change("google_notebooks_instance.nb", "google_notebooks_instance", after, {})

_violations(plan, params) := v if {
	v := notebook_public_ip.violation with input as {"plan": plan, "parameters": params}
}

_v(changes) := _violations({"format_version": "1.2", "resource_changes": changes, "configuration": {"root_module": {}}}, {})

test_deny_workbench_public_ip if {
	v := _v([_wb({"gce_setup": [{"disable_public_ip": false, "machine_type": "n1-standard-4"}]})])
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-TF-045"
	f.details.status == "fail"
	contains(f.msg, "gce_setup.disable_public_ip")
}

test_deny_legacy_notebook_default if {
	some f in _v([_legacy({"no_public_ip": null, "machine_type": "e2-medium"})])
	contains(f.msg, "no_public_ip")
}

# gce_setup omitted: computed block unknown, not in the configuration -> provider default.
test_deny_gce_setup_omitted if {
	c := fixture.change("google_workbench_instance.nb", "google_workbench_instance", {}, {"gce_setup": true})
	some f in _v([c])
	f.details.status == "fail"
}

test_deny_nested_in_module if {
	c := fixture.change("module.ds[\"alice\"].google_workbench_instance.nb", "google_workbench_instance", {}, {})
	{f.details.resource | some f in _v([c])} == {"module.ds[\"alice\"].google_workbench_instance.nb"}
}

test_allow_private_notebooks if {
	count(_v([_wb({"gce_setup": [{"disable_public_ip": true}]}), _legacy({"no_public_ip": true})])) == 0
}

test_unknown_configured_value_is_reported_as_unknown if {
	x1 := {"gce_setup": [{"disable_public_ip": true}]}
	c := fixture.change("google_workbench_instance.nb", "google_workbench_instance", {"gce_setup": [{}]}, x1)
	config := {"root_module": {"resources": [{
		"address": "google_workbench_instance.nb", "mode": "managed", "type": "google_workbench_instance", "name": "nb",
		"expressions": {"gce_setup": [{"disable_public_ip": {"references": ["var.private"]}}]},
	}]}}
	v := _violations({"format_version": "1.2", "resource_changes": [c], "configuration": config}, {})
	count(v) == 1
	some f in v
	f.details.status == "unknown"
}

test_parameter_allowlist_overridden if {
	c := _legacy({"no_public_ip": false})
	plan := fixture.bare_plan([c])
	count(_violations(plan, {"public_resource_allowlist": ["google_notebooks_instance.nb"]})) == 0
	count(_violations(plan, {"public_resource_allowlist": ["google_notebooks_instance.other"]})) == 1
}

test_allow_malformed if {
	count(_v([_wb({"gce_setup": "x"}), null, {"mode": "managed", "type": "google_workbench_instance"}])) == 1
}
