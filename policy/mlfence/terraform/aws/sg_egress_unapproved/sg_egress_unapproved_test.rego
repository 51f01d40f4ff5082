package mlfence.terraform.aws.sg_egress_unapproved_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.aws.sg_egress_unapproved

_eval(changes, config, params) := v if {
	v := sg_egress_unapproved.violation with input as {"plan": fixture.plan(changes, config), "parameters": params}
}

_sg(cidrs) := fixture.change(
	"aws_security_group.train", "aws_security_group", {"egress": [{
		"cidr_blocks": cidrs, "from_port": 443,
		"to_port": 443, "protocol": "tcp",
	}]},
	{},
)

_params := {
	"approved_ranges": {"aws": {"s3": {"eu-west-1": {"ipv4": ["52.218.0.0/17"]}}}},
	"owner_ranges": {
		"cloudfront": {"kind": "cdn", "ipv4": ["13.32.0.0/15"]},
		"aws": {"kind": "cloud", "ipv4": ["3.0.0.0/9"]},
	},
}

test_deny_public_range if {
	f := fixture.only(_eval([_sg(["198.51.100.0/24"])], [], _params))
	f.details.rule_id == "MLF-TF-003"
	contains(f.msg, "egress proxy")
	contains(f.msg, "egress[0].cidr_blocks")
}

test_deny_cdn_range_with_domain_advice if {
	f := fixture.only(_eval([_sg(["13.32.4.0/24"])], [], _params))
	contains(f.msg, "cloudfront")
	contains(f.msg, "DNS Firewall")
}

test_deny_unapproved_cloud_range_names_owner if {
	f := fixture.only(_eval([_sg(["3.5.0.0/16"])], [], _params))
	contains(f.msg, "published range of aws")
}

test_deny_partial_overlap if {
	f := fixture.only(_eval([_sg(["52.218.0.0/16"])], [], _params))
	contains(f.msg, "aws/s3/eu-west-1")
}

test_allow_approved_and_internal if {
	count(_eval([_sg(["52.218.10.0/24", "10.1.0.0/16"])], [], _params)) == 0
}

# 0.0.0.0/0 is MLF-TF-002's finding; prefix lists are the approved way to reach AWS services.
test_allow_everywhere_and_prefix_lists if {
	count(_eval([_sg(["0.0.0.0/0"])], [], _params)) == 0
	sg := fixture.change("aws_security_group.pl", "aws_security_group", {"egress": [{"prefix_list_ids": ["pl-1"]}]}, {})
	count(_eval([sg], [], _params)) == 0
}

test_allow_egress_omitted if {
	count(_eval([fixture.change("aws_security_group.none", "aws_security_group", {}, {"egress": true})], [], _params)) == 0
}

test_deny_rule_resources_in_module if {
	rule := fixture.change(
		"module.ml.aws_vpc_security_group_egress_rule.hf", "aws_vpc_security_group_egress_rule", {
			"cidr_ipv4": "198.51.100.7/32",
			"ip_protocol": "tcp", "from_port": 443, "to_port": 443,
		},
		{},
	)
	f := fixture.only(_eval([rule], [], _params))
	f.details.resource == "module.ml.aws_vpc_security_group_egress_rule.hf"
	contains(f.msg, "(cidr_ipv4)")
}

# A value known only after apply is MLF-TF-002's unknown finding, reported once there.
test_allow_unknown_reported_by_tf_002 if {
	rule := fixture.change("aws_security_group_rule.out", "aws_security_group_rule", {"type": "egress"}, {"cidr_blocks": true})
	count(_eval([rule], [], _params)) == 0
}

test_parameter_approving_range if {
	params := object.union(_params, {"approved_ranges": {"corp": {"hub": {"global": {"ipv4": ["198.51.100.0/24"]}}}}})
	count(_eval([_sg(["198.51.100.0/24"])], [], params)) == 0
	count(_eval([_sg(["198.51.100.0/24"])], [], {})) == 1
}
