package mlfence.terraform.aws.lb_internet_facing_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.aws.lb_internet_facing

_eval(changes, config, params) := v if {
	v := lb_internet_facing.violation with input as {"plan": fixture.plan(changes, config), "parameters": params}
}

_lb(type, after) := fixture.change(sprintf("%s.api", [type]), type, after, {})

test_deny_internet_facing if {
	f := fixture.only(_eval([_lb("aws_lb", {"name": "api", "internal": false})], [], {}))
	f.details.rule_id == "MLF-TF-008"
	contains(f.msg, "internal = false")
}

test_deny_classic_and_alias_omitted if {
	count(_eval([_lb("aws_elb", {"name": "old"})], [], {})) == 1
	count(_eval([_lb("aws_alb", {"name": "alias", "internal": null})], [], {})) == 1
}

test_deny_in_module if {
	lb := fixture.change(
		"module.serve.aws_lb.this[0]", "aws_lb", {
			"internal": false,
			"tags": {"mlfence.io/edge-gateway": "no"},
		},
		{},
	)
	f := fixture.only(_eval([lb], [], {}))
	f.details.resource == "module.serve.aws_lb.this[0]"
}

test_allow_internal if {
	count(_eval([_lb("aws_lb", {"internal": true})], [], {})) == 0
}

test_allow_edge_gateway_tag_and_tags_all if {
	count(_eval([_lb("aws_lb", {"internal": false, "tags": {"mlfence.io/edge-gateway": "true"}})], [], {})) == 0
	count(_eval([_lb("aws_lb", {"internal": false, "tags_all": {"mlfence.io/edge-gateway": "true"}})], [], {})) == 0
}

test_parameter_overridden if {
	params := {"aws_edge_gateway_tag": {"key": "role", "value": "edge"}, "aws_edge_gateway_names": ["public-api"]}
	count(_eval([_lb("aws_lb", {"internal": false, "tags": {"role": "edge"}})], [], params)) == 0
	count(_eval([_lb("aws_lb", {"name": "public-api", "internal": false})], [], params)) == 0
	count(_eval([_lb("aws_lb", {"internal": false, "tags": {"mlfence.io/edge-gateway": "true"}})], [], params)) == 1
}

test_unknown_internal if {
	lb := fixture.change("aws_lb.x", "aws_lb", {}, {"internal": true})
	f := fixture.only(_eval([lb], fixture.written(lb.address, lb.type, fixture.pending(["internal"])), {}))
	f.details.status == "unknown"
}

# Left out, internal is listed in after_unknown (Optional+Computed): the default false applies.
test_deny_internal_left_out_listed_unknown if {
	lb := fixture.change("aws_lb.x", "aws_lb", {}, {"internal": true})
	f := fixture.only(_eval([lb], fixture.written(lb.address, lb.type, {}), {}))
	f.details.status == "fail"
}
