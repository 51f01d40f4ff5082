package mlfence.terraform.aws.sagemaker_notebook_subnet_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.aws.sagemaker_notebook_subnet

_eval(changes, config, params) := v if {
	v := sagemaker_notebook_subnet.violation with input as {"plan": fixture.plan(changes, config), "parameters": params}
}

_nb(address, after, unknown) := fixture.change(address, "aws_sagemaker_notebook_instance", after, unknown)

test_deny_omitted if {
	f := fixture.only(_eval([_nb("aws_sagemaker_notebook_instance.nb", {"instance_type": "ml.t3.medium"}, {})], [], {}))
	f.details.rule_id == "MLF-TF-017"
}

test_deny_empty_in_module if {
	f := fixture.only(_eval([_nb("module.lab.aws_sagemaker_notebook_instance.nb", {"subnet_id": ""}, {})], [], {}))
	f.details.resource == "module.lab.aws_sagemaker_notebook_instance.nb"
}

test_allow_subnet_known_or_after_apply if {
	count(_eval([_nb("aws_sagemaker_notebook_instance.nb", {"subnet_id": "subnet-1"}, {})], [], {})) == 0
	nb := _nb("aws_sagemaker_notebook_instance.nb", {}, {"subnet_id": true})
	count(_eval([nb], fixture.written(nb.address, nb.type, fixture.pending(["subnet_id"])), {})) == 0
}

test_parameters_do_not_matter if {
	count(_eval([_nb("aws_sagemaker_notebook_instance.nb", {}, {})], [], {"ml_ports": []})) == 1
}
