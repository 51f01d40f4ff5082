package mlfence.terraform.aws.sagemaker_model_vpc_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.aws.sagemaker_model_vpc

_eval(changes, config, params) := v if {
	v := sagemaker_model_vpc.violation with input as {"plan": fixture.plan(changes, config), "parameters": params}
}

_m(address, after, unknown) := fixture.change(address, "aws_sagemaker_model", after, unknown)

test_deny_omitted if {
	v := _eval([_m("aws_sagemaker_model.m", {"vpc_config": []}, {})], [], {})
	count(v) == 2
	some f in v
	f.details.rule_id == "MLF-TF-014"
}

test_deny_no_security_groups_in_module if {
	f := fixture.only(_eval(
		[_m(
			"module.s.aws_sagemaker_model.m", {"vpc_config": [{
				"subnets": ["subnet-1"],
				"security_group_ids": [],
			}]},
			{},
		)],
		[], {},
	))
	contains(f.msg, "vpc_config.security_group_ids")
	f.details.resource == "module.s.aws_sagemaker_model.m"
}

test_allow_set_or_known_after_apply if {
	count(_eval(
		[_m(
			"aws_sagemaker_model.m", {"vpc_config": [{
				"subnets": ["subnet-1"],
				"security_group_ids": ["sg-1"],
			}]},
			{},
		)],
		[], {},
	)) == 0
	m := _m("aws_sagemaker_model.n", {"vpc_config": [{}]}, {"vpc_config": [{
		"subnets": true,
		"security_group_ids": true,
	}]})
	count(_eval([m], fixture.written(m.address, m.type, {"vpc_config": [fixture.pending(["subnets", "security_group_ids"])]}), {})) == 0
}

test_unknown_block if {
	m := _m("aws_sagemaker_model.m", {}, {"vpc_config": true})
	f := fixture.only(_eval([m], fixture.written(m.address, m.type, {"vpc_config": [fixture.pending(["subnets"])]}), {}))
	f.details.status == "unknown"
}

test_parameters_do_not_matter if {
	count(_eval([_m("aws_sagemaker_model.m", {}, {})], [], {"ml_ports": []})) == 2
}
