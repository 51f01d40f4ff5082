package mlfence.terraform.aws.vpc_endpoints_ml_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.aws.vpc_endpoints_ml

_eval(changes, config, params) := v if {
	v := vpc_endpoints_ml.violation with input as {"plan": fixture.plan(changes, config), "parameters": params}
}

_vpc := fixture.change("aws_vpc.ml", "aws_vpc", {"cidr_block": "10.0.0.0/16"}, {"id": true})

_subnet := fixture.change("aws_subnet.a", "aws_subnet", {"cidr_block": "10.0.1.0/24"}, {"id": true, "vpc_id": true})

_ep(name, service) := fixture.change(
	sprintf("aws_vpc_endpoint.%s", [name]), "aws_vpc_endpoint", {"service_name": service},
	{"vpc_id": true},
)

_refs(ref) := {"references": [sprintf("%s.id", [ref]), ref]}

_config(endpoints) := array.concat(
	[
		fixture.config("aws_subnet.a", "aws_subnet", {"vpc_id": _refs("aws_vpc.ml")}),
		fixture.config("aws_sagemaker_notebook_instance.nb", "aws_sagemaker_notebook_instance", {"subnet_id": _refs("aws_subnet.a")}),
		fixture.config("aws_eks_cluster.ml", "aws_eks_cluster", {"vpc_config": [{"subnet_ids": _refs("aws_subnet.a")}]}),
	],
	[fixture.config(sprintf("aws_vpc_endpoint.%s", [e]), "aws_vpc_endpoint", {"vpc_id": _refs("aws_vpc.ml")}) |
		some e in endpoints
	],
)

_notebook := fixture.change("aws_sagemaker_notebook_instance.nb", "aws_sagemaker_notebook_instance", {}, {"subnet_id": true})

_eks := fixture.change("aws_eks_cluster.ml", "aws_eks_cluster", {"vpc_config": [{}]}, {"vpc_config": [{"subnet_ids": true}]})

_all_endpoints := [
	_ep("s3", "com.amazonaws.eu-west-1.s3"), _ep("ecr_api", "com.amazonaws.eu-west-1.ecr.api"),
	_ep("ecr_dkr", "com.amazonaws.eu-west-1.ecr.dkr"), _ep("sm_api", "com.amazonaws.eu-west-1.sagemaker.api"),
	_ep("sm_rt", "com.amazonaws.eu-west-1.sagemaker.runtime"),
]

test_deny_sagemaker_vpc_without_endpoints if {
	f := fixture.only(_eval([_vpc, _subnet, _notebook], _config([]), {}))
	f.details.rule_id == "MLF-TF-010"
	f.details.resource == "aws_vpc.ml"
	contains(f.msg, "ecr.api, ecr.dkr, s3, sagemaker.api, sagemaker.runtime")
	contains(f.msg, "aws_sagemaker_notebook_instance.nb")
}

test_deny_eks_vpc_missing_ecr if {
	eps := [_ep("s3", "com.amazonaws.eu-west-1.s3")]
	f := fixture.only(_eval(array.concat([_vpc, _subnet, _eks], eps), _config(["s3"]), {}))
	contains(f.msg, "no VPC endpoint for ecr.api, ecr.dkr;")
}

test_allow_all_endpoints if {
	count(_eval(
		array.concat([_vpc, _subnet, _notebook, _eks], _all_endpoints), _config([
			"s3", "ecr_api", "ecr_dkr",
			"sm_api", "sm_rt",
		]),
		{},
	)) == 0
}

test_allow_vpc_without_ml_workloads if {
	count(_eval([_vpc, _subnet], _config([]), {})) == 0
}

test_deny_tagged_instance_by_known_ids if {
	vpc := fixture.change("aws_vpc.ml", "aws_vpc", {"id": "vpc-1"}, {})
	subnet := fixture.change("aws_subnet.a", "aws_subnet", {"id": "subnet-1", "vpc_id": "vpc-1"}, {})
	i := fixture.change("aws_instance.gpu", "aws_instance", {"subnet_id": "subnet-1", "tags": {"workload": "ml"}}, {})
	untagged := fixture.change("aws_instance.web", "aws_instance", {"subnet_id": "subnet-1"}, {})
	f := fixture.only(_eval([vpc, subnet, i, untagged], [], {}))
	contains(f.msg, "(aws_instance.gpu)")
	count(_eval([vpc, subnet, untagged], [], {})) == 0
}

test_deny_domain_in_module if {
	vpc := fixture.change("module.net.aws_vpc.this", "aws_vpc", {}, {"id": true})
	domain := fixture.change("module.sm.aws_sagemaker_domain.this", "aws_sagemaker_domain", {}, {"vpc_id": true})
	config := {"module_calls": {
		"net": {"module": {"outputs": {"vpc_id": {"expression": {"references": ["aws_vpc.this.id", "aws_vpc.this"]}}}}},
		"sm": {
			"expressions": {"vpc_id": {"references": ["module.net.vpc_id", "module.net"]}},
			"module": {"resources": [fixture.config(
				"aws_sagemaker_domain.this", "aws_sagemaker_domain",
				{"vpc_id": {"references": ["var.vpc_id"]}},
			)]},
		},
	}}
	plan := {"format_version": "1.2", "resource_changes": [vpc, domain], "configuration": {"root_module": config}}
	v := vpc_endpoints_ml.violation with input as {"plan": plan, "parameters": {}}
	f := fixture.only(v)
	f.details.resource == "module.net.aws_vpc.this"
	contains(f.msg, "sagemaker.runtime")
}

test_unknown_endpoint_service if {
	ep := fixture.change("aws_vpc_endpoint.s3", "aws_vpc_endpoint", {}, {"vpc_id": true, "service_name": true})
	config := array.concat(_config([]), fixture.written(ep.address, ep.type, {
		"vpc_id": _refs("aws_vpc.ml"),
		"service_name": {"references": ["var.service"]},
	}))
	f := fixture.only(_eval([_vpc, _subnet, _eks, ep], config, {}))
	f.details.status == "unknown"
}

test_parameter_overridden if {
	eps := [_ep("s3", "com.amazonaws.eu-west-1.s3")]
	count(_eval(
		array.concat([_vpc, _subnet, _eks], eps), _config(["s3"]),
		{"aws_ml_vpc_endpoint_services": ["s3"]},
	)) == 0
}
