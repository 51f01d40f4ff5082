package mlfence.terraform.aws.sagemaker_job_traffic_encryption_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.aws.sagemaker_job_traffic_encryption

_eval(changes, config, params) := v if {
	v := sagemaker_job_traffic_encryption.violation with input as {"plan": fixture.plan(changes, config), "parameters": params}
}

test_deny_training_job_omitted if {
	f := fixture.only(_eval([fixture.change("aws_sagemaker_training_job.t", "aws_sagemaker_training_job", {}, {})], [], {}))
	f.details.rule_id == "MLF-TF-021"
	contains(f.msg, "does not set enable_inter_container_traffic_encryption = true")
}

test_deny_monitoring_job_in_module if {
	j := fixture.change(
		"module.mon.aws_sagemaker_model_bias_job_definition.b", "aws_sagemaker_model_bias_job_definition", {
			"network_config": [{"enable_inter_container_traffic_encryption": false}],
		},
		{},
	)
	f := fixture.only(_eval([j], [], {}))
	contains(f.msg, "network_config.enable_inter_container_traffic_encryption")
}

test_allow_true if {
	t := fixture.change(
		"aws_sagemaker_training_job.t", "aws_sagemaker_training_job",
		{"enable_inter_container_traffic_encryption": true}, {},
	)
	d := fixture.change(
		"aws_sagemaker_data_quality_job_definition.d", "aws_sagemaker_data_quality_job_definition", {
			"network_config": [{"enable_inter_container_traffic_encryption": true}],
		},
		{},
	)
	count(_eval([t, d], [], {})) == 0
}

test_unknown if {
	d := fixture.change("aws_sagemaker_model_quality_job_definition.q", "aws_sagemaker_model_quality_job_definition", {}, {
		"network_config": [{"enable_inter_container_traffic_encryption": true}],
	})
	config := fixture.written(d.address, d.type, {"network_config": [fixture.pending(["enable_inter_container_traffic_encryption"])]})
	f := fixture.only(_eval([d], config, {}))
	f.details.status == "unknown"
}

test_parameters_do_not_matter if {
	j := fixture.change(
		"aws_sagemaker_model_explainability_job_definition.e",
		"aws_sagemaker_model_explainability_job_definition", {}, {},
	)
	count(_eval([j], [], {"ml_ports": []})) == 1
}
