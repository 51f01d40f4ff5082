package mlfence.terraform.aws.sagemaker_model_network_isolation_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.aws.sagemaker_model_network_isolation

_eval(changes, config, params) := v if {
	v := sagemaker_model_network_isolation.violation with input as {
		"plan": fixture.plan(changes, config),
		"parameters": params,
	}
}

_m(address, after, unknown) := fixture.change(address, "aws_sagemaker_model", after, unknown)

test_deny_false if {
	f := fixture.only(_eval([_m("aws_sagemaker_model.m", {"enable_network_isolation": false}, {})], [], {}))
	f.details.rule_id == "MLF-TF-013"
}

test_deny_omitted_in_module if {
	f := fixture.only(_eval([_m("module.serve.aws_sagemaker_model.m[0]", {}, {})], [], {}))
	f.details.resource == "module.serve.aws_sagemaker_model.m[0]"
}

test_allow_true if {
	count(_eval([_m("aws_sagemaker_model.m", {"enable_network_isolation": true}, {})], [], {})) == 0
}

test_unknown if {
	f := fixture.only(_eval([_m("aws_sagemaker_model.m", {}, {"enable_network_isolation": true})], fixture.written("aws_sagemaker_model.m", "aws_sagemaker_model", {"enable_network_isolation": {"references": ["var.isolate"]}}), {}))
	f.details.status == "unknown"
}

test_parameters_do_not_matter if {
	count(_eval([_m("aws_sagemaker_model.m", {}, {})], [], {"ml_ports": []})) == 1
}
