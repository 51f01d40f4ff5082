package mlfence.terraform.aws.sagemaker_notebook_direct_internet_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.aws.sagemaker_notebook_direct_internet

_eval(changes, config, params) := v if {
	v := sagemaker_notebook_direct_internet.violation with input as {
		"plan": fixture.plan(changes, config),
		"parameters": params,
	}
}

_nb(address, after, unknown) := fixture.change(address, "aws_sagemaker_notebook_instance", after, unknown)

test_deny_enabled if {
	f := fixture.only(_eval([_nb("aws_sagemaker_notebook_instance.nb", {"direct_internet_access": "Enabled"}, {})], [], {}))
	f.details.rule_id == "MLF-TF-015"
	contains(f.msg, "direct_internet_access = \"Enabled\"")
}

# Omitted: the AWS default is "Enabled".
test_deny_omitted_in_module if {
	f := fixture.only(_eval([_nb("module.lab.aws_sagemaker_notebook_instance.nb[\"alice\"]", {}, {})], [], {}))
	f.details.resource == "module.lab.aws_sagemaker_notebook_instance.nb[\"alice\"]"
	contains(f.msg, "\"Enabled\"")
}

test_allow_disabled if {
	count(_eval([_nb("aws_sagemaker_notebook_instance.nb", {"direct_internet_access": "Disabled"}, {})], [], {})) == 0
}

test_unknown if {
	f := fixture.only(_eval([_nb("aws_sagemaker_notebook_instance.nb", {}, {"direct_internet_access": true})], fixture.written("aws_sagemaker_notebook_instance.nb", "aws_sagemaker_notebook_instance", {"direct_internet_access": {"references": ["var.internet"]}}), {}))
	f.details.status == "unknown"
}

test_parameters_do_not_matter if {
	count(_eval(
		[_nb("aws_sagemaker_notebook_instance.nb", {"direct_internet_access": "Enabled"}, {})], [],
		{"ml_ports": []},
	)) == 1
}
