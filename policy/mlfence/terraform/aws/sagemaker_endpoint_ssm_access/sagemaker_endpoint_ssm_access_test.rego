package mlfence.terraform.aws.sagemaker_endpoint_ssm_access_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.aws.sagemaker_endpoint_ssm_access

_eval(changes, config, params) := v if {
	v := sagemaker_endpoint_ssm_access.violation with input as {"plan": fixture.plan(changes, config), "parameters": params}
}

_ec(address, after, unknown) := fixture.change(address, "aws_sagemaker_endpoint_configuration", after, unknown)

test_deny_ssm_on if {
	f := fixture.only(_eval(
		[_ec(
			"aws_sagemaker_endpoint_configuration.c",
			{"production_variants": [{"enable_ssm_access": true}]}, {},
		)],
		[], {},
	))
	f.details.rule_id == "MLF-TF-019"
	contains(f.msg, "production_variants[0]")
}

test_deny_shadow_in_module if {
	ec := _ec(
		"module.m.aws_sagemaker_endpoint_configuration.c", {
			"production_variants": [{"enable_ssm_access": false}],
			"shadow_production_variants": [{"enable_ssm_access": true}],
		},
		{},
	)
	f := fixture.only(_eval([ec], [], {}))
	contains(f.msg, "shadow_production_variants[0]")
}

test_allow_off_or_omitted if {
	count(_eval(
		[_ec(
			"aws_sagemaker_endpoint_configuration.c", {"production_variants": [
				{"enable_ssm_access": false},
				{},
			]},
			{},
		)],
		[], {},
	)) == 0
}

test_unknown if {
	ec := _ec(
		"aws_sagemaker_endpoint_configuration.c", {"production_variants": [{}]},
		{"production_variants": [{"enable_ssm_access": true}]},
	)
	f := fixture.only(_eval([ec], fixture.written("aws_sagemaker_endpoint_configuration.c", "aws_sagemaker_endpoint_configuration", {"production_variants": [{"enable_ssm_access": {"references": ["var.ssm"]}}]}), {}))
	f.details.status == "unknown"
}

test_parameters_do_not_matter if {
	count(_eval(
		[_ec(
			"aws_sagemaker_endpoint_configuration.c", {"production_variants": [{"enable_ssm_access": true}]},
			{},
		)],
		[], {"ml_ports": []},
	)) == 1
}
