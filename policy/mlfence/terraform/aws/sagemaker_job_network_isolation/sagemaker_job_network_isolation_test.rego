package mlfence.terraform.aws.sagemaker_job_network_isolation_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.aws.sagemaker_job_network_isolation

_eval(changes, config, params) := v if {
	v := sagemaker_job_network_isolation.violation with input as {"plan": fixture.plan(changes, config), "parameters": params}
}

test_deny_training_job_omitted if {
	f := fixture.only(_eval([fixture.change("aws_sagemaker_training_job.t", "aws_sagemaker_training_job", {}, {})], [], {}))
	f.details.rule_id == "MLF-TF-020"
	contains(f.msg, "does not set enable_network_isolation = true")
}

test_deny_monitoring_job_in_module if {
	j := fixture.change(
		"module.mon.aws_sagemaker_model_bias_job_definition.b", "aws_sagemaker_model_bias_job_definition", {
			"network_config": [{"enable_network_isolation": false}],
		},
		{},
	)
	f := fixture.only(_eval([j], [], {}))
	contains(f.msg, "network_config.enable_network_isolation")
}

test_allow_true if {
	t := fixture.change("aws_sagemaker_training_job.t", "aws_sagemaker_training_job", {"enable_network_isolation": true}, {})
	d := fixture.change(
		"aws_sagemaker_data_quality_job_definition.d", "aws_sagemaker_data_quality_job_definition", {
			"network_config": [{"enable_network_isolation": true}],
		},
		{},
	)
	count(_eval([t, d], [], {})) == 0
}

test_unknown if {
	d := fixture.change("aws_sagemaker_model_quality_job_definition.q", "aws_sagemaker_model_quality_job_definition", {}, {
		"network_config": [{"enable_network_isolation": true}],
	})
	f := fixture.only(_eval([d], fixture.written("aws_sagemaker_model_quality_job_definition.q", "aws_sagemaker_model_quality_job_definition", {"network_config": [{"enable_network_isolation": {"references": ["var.isolate"]}}]}), {}))
	f.details.status == "unknown"
}

test_parameters_do_not_matter if {
	j := fixture.change(
		"aws_sagemaker_model_explainability_job_definition.e",
		"aws_sagemaker_model_explainability_job_definition", {}, {},
	)
	count(_eval([j], [], {"ml_ports": []})) == 1
}
