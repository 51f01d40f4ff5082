package mlfence.terraform.google.vertex_index_endpoint_public_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.google.vertex_index_endpoint_public

_change(address, after, unknown) := fixture.change(address, "google_vertex_ai_index_endpoint", after, unknown)

_violations(changes, params) := v if {
	plan := fixture.bare_plan(changes)
	v := vertex_index_endpoint_public.violation with input as {"plan": plan, "parameters": params}
}

_v(changes) := _violations(changes, {})

test_deny_public_index_endpoint if {
	v := _v([_change("google_vertex_ai_index_endpoint.idx", {"public_endpoint_enabled": true}, {})])
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-TF-049"
	f.details.status == "fail"
}

test_deny_psc_without_allowlist if {
	psc := [{"enable_private_service_connect": true, "project_allowlist": null}]
	count(_v([_change("google_vertex_ai_index_endpoint.idx", {"private_service_connect_config": psc}, {})])) == 1
}

test_deny_nested_in_module if {
	ep := _change("module.rag.google_vertex_ai_index_endpoint.idx", {"public_endpoint_enabled": true}, {})
	{f.details.resource | some f in _v([ep])} == {"module.rag.google_vertex_ai_index_endpoint.idx"}
}

# Attribute omitted: the API default is not public.
test_allow_private_and_omitted if {
	x1 := {"public_endpoint_enabled": false, "network": "projects/1/global/networks/ml"}
	count(_v([_change("google_vertex_ai_index_endpoint.idx", x1, {})])) == 0
	count(_v([_change("google_vertex_ai_index_endpoint.idx", {}, {})])) == 0
}

test_unknown_is_reported_as_unknown if {
	v := _v([_change("google_vertex_ai_index_endpoint.idx", {}, {"public_endpoint_enabled": true})])
	some f in v
	f.details.status == "unknown"
}

test_parameter_allowlist_overridden if {
	ep := _change("module.demo.google_vertex_ai_index_endpoint.idx", {"public_endpoint_enabled": true}, {})
	count(_violations([ep], {"public_resource_allowlist": ["module.demo.**"]})) == 0
}
