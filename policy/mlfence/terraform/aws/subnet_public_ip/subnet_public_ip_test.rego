package mlfence.terraform.aws.subnet_public_ip_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.aws.subnet_public_ip

_eval(changes, config, params) := v if {
	v := subnet_public_ip.violation with input as {"plan": fixture.plan(changes, config), "parameters": params}
}

test_deny_map_public_ip if {
	f := fixture.only(_eval(
		[fixture.change(
			"module.vpc.aws_subnet.public[0]", "aws_subnet", {"map_public_ip_on_launch": true},
			{},
		)],
		[], {},
	))
	f.details.rule_id == "MLF-TF-006"
	f.details.resource == "module.vpc.aws_subnet.public[0]"
}

test_allow_false_or_omitted if {
	count(_eval([fixture.change("aws_subnet.a", "aws_subnet", {"map_public_ip_on_launch": false}, {})], [], {})) == 0
	count(_eval([fixture.change("aws_subnet.b", "aws_subnet", {"cidr_block": "10.0.0.0/24"}, {})], [], {})) == 0
}

test_unknown_value if {
	f := fixture.only(_eval([fixture.change("aws_subnet.a", "aws_subnet", {}, {"map_public_ip_on_launch": true})], fixture.written("aws_subnet.a", "aws_subnet", {"map_public_ip_on_launch": {"references": ["var.public"]}}), {}))
	f.details.status == "unknown"
}

test_parameters_do_not_matter if {
	count(_eval(
		[fixture.change("aws_subnet.a", "aws_subnet", {"map_public_ip_on_launch": true}, {})], [],
		{"ml_ports": []},
	)) == 1
}
