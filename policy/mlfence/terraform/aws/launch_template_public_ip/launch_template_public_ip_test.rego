package mlfence.terraform.aws.launch_template_public_ip_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.aws.launch_template_public_ip

_eval(changes, config, params) := v if {
	v := launch_template_public_ip.violation with input as {"plan": fixture.plan(changes, config), "parameters": params}
}

_lt(address, nis, unknown) := fixture.change(address, "aws_launch_template", {"network_interfaces": nis}, unknown)

test_deny_string_true if {
	f := fixture.only(_eval([_lt("aws_launch_template.gpu", [{"associate_public_ip_address": "true"}], {})], [], {}))
	f.details.rule_id == "MLF-TF-005"
	contains(f.msg, "network_interfaces[0]")
}

test_deny_bool_true_in_module if {
	f := fixture.only(_eval(
		[_lt(
			"module.eks.aws_launch_template.nodes[\"gpu\"]", [{"associate_public_ip_address": true}],
			{},
		)],
		[], {},
	))
	f.details.resource == "module.eks.aws_launch_template.nodes[\"gpu\"]"
}

test_allow_false_or_omitted if {
	count(_eval([_lt("aws_launch_template.a", [{"associate_public_ip_address": "false"}], {})], [], {})) == 0
	count(_eval([_lt("aws_launch_template.b", [{"device_index": 0}], {})], [], {})) == 0
	count(_eval([fixture.change("aws_launch_template.c", "aws_launch_template", {}, {})], [], {})) == 0
}

test_unknown_value if {
	template := _lt("aws_launch_template.a", [{}], {"network_interfaces": [{"associate_public_ip_address": true}]})
	f := fixture.only(_eval([template], fixture.written("aws_launch_template.a", "aws_launch_template", {"network_interfaces": [{"associate_public_ip_address": {"references": ["var.public"]}}]}), {}))
	f.details.status == "unknown"
}

test_parameters_do_not_matter if {
	count(_eval(
		[_lt("aws_launch_template.a", [{"associate_public_ip_address": "true"}], {})], [],
		{"ml_ports": []},
	)) == 1
}
