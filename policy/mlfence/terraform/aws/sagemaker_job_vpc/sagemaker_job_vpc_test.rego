package mlfence.terraform.aws.sagemaker_job_vpc_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.aws.sagemaker_job_vpc

_eval(changes, config, params) := v if {
	v := sagemaker_job_vpc.violation with input as {"plan": fixture.plan(changes, config), "parameters": params}
}

test_deny_training_job_without_vpc if {
	v := _eval([fixture.change("aws_sagemaker_training_job.t", "aws_sagemaker_training_job", {}, {})], [], {})
	count(v) == 2
	some f in v
	f.details.rule_id == "MLF-TF-022"
}

test_deny_monitoring_job_in_module if {
	j := fixture.change(
		"module.mon.aws_sagemaker_data_quality_job_definition.d", "aws_sagemaker_data_quality_job_definition", {
			"network_config": [{"vpc_config": [{"subnets": ["subnet-1"]}]}],
		},
		{},
	)
	f := fixture.only(_eval([j], [], {}))
	contains(f.msg, "network_config.vpc_config.security_group_ids")
}

test_allow_set_or_known_after_apply if {
	t := fixture.change(
		"aws_sagemaker_training_job.t", "aws_sagemaker_training_job", {"vpc_config": [{
			"subnets": ["subnet-1"],
			"security_group_ids": ["sg-1"],
		}]},
		{},
	)
	d := fixture.change(
		"aws_sagemaker_data_quality_job_definition.d", "aws_sagemaker_data_quality_job_definition", {
			"network_config": [{"vpc_config": [{}]}],
		},
		{"network_config": [{"vpc_config": [{"subnets": true, "security_group_ids": true}]}]},
	)
	config := fixture.written(d.address, d.type, {"network_config": [{"vpc_config": [fixture.pending(["subnets", "security_group_ids"])]}]})
	count(_eval([t, d], config, {})) == 0
}

test_unknown_block if {
	t := fixture.change("aws_sagemaker_training_job.t", "aws_sagemaker_training_job", {}, {"vpc_config": true})
	f := fixture.only(_eval([t], fixture.written(t.address, t.type, {"vpc_config": [fixture.pending(["subnets"])]}), {}))
	f.details.status == "unknown"
}

test_parameters_do_not_matter if {
	count(_eval(
		[fixture.change("aws_sagemaker_training_job.t", "aws_sagemaker_training_job", {}, {})], [],
		{"ml_ports": []},
	)) == 2
}
