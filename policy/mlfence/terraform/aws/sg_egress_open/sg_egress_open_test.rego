package mlfence.terraform.aws.sg_egress_open_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.aws.sg_egress_open

_eval(changes, config, params) := v if {
	v := sg_egress_open.violation with input as {"plan": fixture.plan(changes, config), "parameters": params}
}

_sg(egress) := fixture.change("aws_security_group.train", "aws_security_group", {"egress": egress}, {})

test_deny_inline_egress_all if {
	f := fixture.only(_eval([_sg([{"cidr_blocks": ["0.0.0.0/0"], "from_port": 0, "to_port": 0, "protocol": "-1"}])], [], {}))
	f.details.rule_id == "MLF-TF-002"
	f.details.status == "fail"
	contains(f.msg, "egress[0].cidr_blocks")
	contains(f.msg, "all protocols and ports")
}

test_deny_rule_resources_in_module if {
	rule := fixture.change(
		"module.ml.aws_security_group_rule.out", "aws_security_group_rule", {
			"type": "egress", "ipv6_cidr_blocks": ["::/0"],
			"from_port": 443, "to_port": 443, "protocol": "tcp",
		},
		{},
	)
	vpc_rule := fixture.change(
		"aws_vpc_security_group_egress_rule.out", "aws_vpc_security_group_egress_rule", {
			"cidr_ipv4": "0.0.0.0/0",
			"ip_protocol": "-1",
		},
		{},
	)
	v := _eval([rule, vpc_rule], [], {})
	{f.details.resource | some f in v} == {
		"module.ml.aws_security_group_rule.out",
		"aws_vpc_security_group_egress_rule.out",
	}
}

test_allow_prefix_lists_and_vpc_cidr if {
	sg := _sg([
		{"prefix_list_ids": ["pl-63a5400a"], "from_port": 443, "to_port": 443, "protocol": "tcp"},
		{"cidr_blocks": ["10.0.0.0/16"], "from_port": 0, "to_port": 0, "protocol": "-1"},
	])
	rule := fixture.change(
		"aws_vpc_security_group_egress_rule.s3", "aws_vpc_security_group_egress_rule", {
			"prefix_list_id": "pl-1",
			"ip_protocol": "tcp", "from_port": 443, "to_port": 443,
		},
		{},
	)
	count(_eval([sg, rule], [], {})) == 0
}

test_allow_ingress_from_anywhere_is_not_egress if {
	rule := fixture.change(
		"aws_security_group_rule.in", "aws_security_group_rule", {
			"type": "ingress",
			"cidr_blocks": ["0.0.0.0/0"],
		},
		{},
	)
	count(_eval([rule], [], {})) == 0
}

# Omitted: Terraform removes AWS's default allow-all egress rule from groups it creates, and the
# unknown `egress` list is then the computed one, filled by separate rule resources.
test_allow_egress_omitted if {
	sg := fixture.change("aws_security_group.none", "aws_security_group", {"name": "none"}, {"egress": true})
	count(_eval([sg], [], {})) == 0
}

test_unknown_configured_egress if {
	sg := fixture.change("aws_security_group.dyn", "aws_security_group", {}, {"egress": true})
	f := fixture.only(_eval(
		[sg], [fixture.config(
			"aws_security_group.dyn", "aws_security_group",
			{"egress": [{"cidr_blocks": {"references": ["var.out"]}}]},
		)],
		{},
	))
	f.details.status == "unknown"
}

test_unknown_egress_cidr if {
	rule := fixture.change("aws_security_group_rule.out", "aws_security_group_rule", {"type": "egress"}, {"cidr_blocks": true})
	f := fixture.only(_eval([rule], [], {}))
	f.details.status == "unknown"
}

# Parameters do not change what "every address" means; ml_ports only affects ingress severity.
test_parameter_override_does_not_hide_finding if {
	f := fixture.only(_eval(
		[_sg([{"cidr_blocks": ["0.0.0.0/0"], "protocol": "tcp", "from_port": 443, "to_port": 443}])], [],
		{"ml_ports": []},
	))
	contains(f.msg, "on tcp 443")
}

# Egress to everything from a group used only by interface endpoints and databases is low;
# on a GPU instance it is high and says so.
test_attachment_decides_severity if {
	sg := fixture.change(
		"aws_security_group.db", "aws_security_group", {"id": "sg-5", "egress": [{
			"from_port": 0, "to_port": 0, "protocol": "-1", "cidr_blocks": ["0.0.0.0/0"],
		}]},
		{},
	)
	db := fixture.change("aws_db_instance.mlflow", "aws_db_instance", {"vpc_security_group_ids": ["sg-5"]}, {})
	f := fixture.only(_eval([sg, db], [], {}))
	f.details.severity == "low"
	gpu := fixture.change(
		"aws_instance.train", "aws_instance", {
			"vpc_security_group_ids": ["sg-5"], "instance_type": "p4d.24xlarge", "subnet_id": "s-1",
		},
		{},
	)
	g := fixture.only(_eval([sg, db, gpu], [], {}))
	g.details.severity == "high"
	contains(g.msg, "GPU instances use it: aws_instance.train")
}

# Halves of the IPv6 space together are every address.
test_deny_union_of_halves if {
	sg := fixture.change(
		"aws_security_group.out", "aws_security_group", {"egress": [{
			"from_port": 443, "to_port": 443, "protocol": "tcp", "ipv6_cidr_blocks": ["::/1", "8000::/1"],
		}]},
		{},
	)
	f := fixture.only(_eval([sg], [], {}))
	contains(f.msg, "(IPv6)")
}
