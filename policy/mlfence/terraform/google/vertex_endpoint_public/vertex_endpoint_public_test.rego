package mlfence.terraform.google.vertex_endpoint_public_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.google.vertex_endpoint_public

_change(address, after, unknown) := fixture.change(address, "google_vertex_ai_endpoint", after, unknown)

_ep(after) := _change("google_vertex_ai_endpoint.ep", after, {})

_violations(changes, params) := v if {
	plan := fixture.bare_plan(changes)
	v := vertex_endpoint_public.violation with input as {"plan": plan, "parameters": params}
}

_v(changes) := _violations(changes, {})

_psc(projects) := [{"enable_private_service_connect": true, "project_allowlist": projects}]

test_deny_public_endpoint if {
	v := _v([_ep({"display_name": "llm", "network": null, "private_service_connect_config": []})])
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-TF-048"
	f.details.status == "fail"
}

test_deny_psc_disabled_or_allowlist_empty if {
	count(_v([_ep({"private_service_connect_config": [{"enable_private_service_connect": false}]})])) == 1
	some f in _v([_ep({"private_service_connect_config": _psc([])})])
	contains(f.msg, "empty private_service_connect_config.project_allowlist")
}

# Attribute omitted: neither network nor PSC in the plan.
test_deny_attributes_omitted if {
	count(_v([_ep({})])) == 1
}

test_deny_nested_in_module if {
	ep := _change("module.serving.google_vertex_ai_endpoint.ep", {"network": ""}, {})
	{f.details.resource | some f in _v([ep])} == {"module.serving.google_vertex_ai_endpoint.ep"}
}

test_allow_peered_or_psc if {
	count(_v([_ep({"network": "projects/123/global/networks/ml"})])) == 0
	count(_v([_ep({"private_service_connect_config": _psc(["ml-consumers"])})])) == 0
}

test_unknown_network_is_reported_as_unknown if {
	v := _v([_change("google_vertex_ai_endpoint.ep", {}, {"network": true})])
	count(v) == 1
	some f in v
	f.details.status == "unknown"
}

test_parameter_psc_allowed_projects if {
	ep := _ep({"private_service_connect_config": _psc(["ml-consumers", "someone-else"])})
	count(_violations([ep], {"gcp_psc_allowed_projects": ["ml-consumers", "someone-else"]})) == 0
	count(_violations([_ep({})], {"public_resource_allowlist": ["google_vertex_ai_endpoint.ep"]})) == 0
	some f in _violations([ep], {"gcp_psc_allowed_projects": ["ml-consumers"]})
	contains(f.msg, "someone-else")
}
