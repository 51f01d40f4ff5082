package mlfence.terraform.aws.sagemaker_domain_vpc_only_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.aws.sagemaker_domain_vpc_only

_eval(changes, config, params) := v if {
	v := sagemaker_domain_vpc_only.violation with input as {"plan": fixture.plan(changes, config), "parameters": params}
}

_d(address, after, unknown) := fixture.change(address, "aws_sagemaker_domain", after, unknown)

test_deny_public_internet if {
	f := fixture.only(_eval(
		[_d("aws_sagemaker_domain.studio", {"app_network_access_type": "PublicInternetOnly"}, {})], [],
		{},
	))
	f.details.rule_id == "MLF-TF-018"
}

test_deny_omitted_in_module if {
	f := fixture.only(_eval([_d("module.studio.aws_sagemaker_domain.this", {"domain_name": "s"}, {})], [], {}))
	contains(f.msg, "PublicInternetOnly")
}

test_allow_vpc_only if {
	count(_eval([_d("aws_sagemaker_domain.studio", {"app_network_access_type": "VpcOnly"}, {})], [], {})) == 0
}

test_unknown if {
	f := fixture.only(_eval([_d("aws_sagemaker_domain.studio", {}, {"app_network_access_type": true})], fixture.written("aws_sagemaker_domain.studio", "aws_sagemaker_domain", {"app_network_access_type": {"references": ["var.mode"]}}), {}))
	f.details.status == "unknown"
}

test_parameters_do_not_matter if {
	count(_eval([_d("aws_sagemaker_domain.studio", {}, {})], [], {"ml_ports": []})) == 1
}
