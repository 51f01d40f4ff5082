package mlfence.terraform.aws.eks_public_endpoint_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.aws.eks_public_endpoint

_eval(changes, config, params) := v if {
	v := eks_public_endpoint.violation with input as {"plan": fixture.plan(changes, config), "parameters": params}
}

_eks(vpc, unknown) := fixture.change("aws_eks_cluster.ml", "aws_eks_cluster", {"name": "ml", "vpc_config": [vpc]}, unknown)

test_deny_public_open if {
	f := fixture.only(_eval([_eks({"endpoint_public_access": true, "public_access_cidrs": ["0.0.0.0/0"]}, {})], [], {}))
	f.details.rule_id == "MLF-TF-007"
	contains(f.msg, "0.0.0.0/0")
}

test_deny_cidrs_omitted_eks_default if {
	eks := _eks({"endpoint_public_access": true}, {"vpc_config": [{"public_access_cidrs": true}]})
	f := fixture.only(_eval([eks], [], {}))
	contains(f.msg, "defaults to 0.0.0.0/0")
}

test_deny_in_module_public_access_omitted if {
	eks := fixture.change(
		"module.eks.aws_eks_cluster.this[0]", "aws_eks_cluster", {"vpc_config": [{"subnet_ids": ["s-1"]}]},
		{},
	)
	f := fixture.only(_eval([eks], [], {}))
	f.details.resource == "module.eks.aws_eks_cluster.this[0]"
}

test_allow_private_or_restricted if {
	count(_eval([_eks({"endpoint_public_access": false, "endpoint_private_access": true}, {})], [], {})) == 0
	count(_eval([_eks({"endpoint_public_access": true, "public_access_cidrs": ["203.0.113.0/24"]}, {})], [], {})) == 0
}

test_unknown_configured_cidrs if {
	eks := _eks({"endpoint_public_access": true}, {"vpc_config": [{"public_access_cidrs": true}]})
	config := [fixture.config(
		"aws_eks_cluster.ml", "aws_eks_cluster",
		{"vpc_config": [{"public_access_cidrs": {"references": ["var.cidrs"]}}]},
	)]
	f := fixture.only(_eval([eks], config, {}))
	f.details.status == "unknown"
}

test_unknown_public_access if {
	eks := _eks({"public_access_cidrs": ["10.0.0.0/8"]}, {"vpc_config": [{"endpoint_public_access": true}]})
	config := [fixture.config(
		"aws_eks_cluster.ml", "aws_eks_cluster",
		{"vpc_config": [{"endpoint_public_access": {"references": ["var.public"]}}]},
	)]
	f := fixture.only(_eval([eks], config, {}))
	f.details.status == "unknown"
	contains(f.msg, "(from var.public)")
}

# Both left out and listed in after_unknown, as real plans do: the defaults (a public endpoint
# open to 0.0.0.0/0) are judged, not reported as unknown.
test_deny_both_left_out_listed_unknown if {
	eks := _eks({}, {"vpc_config": [{"endpoint_public_access": true, "public_access_cidrs": true}]})
	f := fixture.only(_eval([eks], [fixture.config("aws_eks_cluster.ml", "aws_eks_cluster", {"name": {"constant_value": "ml"}})], {}))
	f.details.status == "fail"
	contains(f.msg, "defaults to 0.0.0.0/0")
}

test_parameters_do_not_matter if {
	count(_eval(
		[_eks({"endpoint_public_access": true, "public_access_cidrs": ["::/0"]}, {})], [],
		{"internal_cidrs": []},
	)) == 1
}

# The message calls the cluster an ML platform only when the plan says so.
test_deny_message_names_ml_evidence_only_when_present if {
	eks := _eks({"endpoint_public_access": true, "public_access_cidrs": ["0.0.0.0/0"]}, {})
	general := fixture.only(_eval([eks], [], {}))
	not contains(general.msg, "ML workloads")
	ng := fixture.change("aws_eks_node_group.gpu", "aws_eks_node_group", {"cluster_name": "ml", "instance_types": ["g5.2xlarge"]}, {})
	ml := fixture.only(_eval([eks, ng], [], {}))
	contains(ml.msg, "it runs ML workloads (GPU node group aws_eks_node_group.gpu)")
	tagged := fixture.change(
		"aws_eks_cluster.ml", "aws_eks_cluster", {
			"name": "ml", "tags": {"workload": "ml"},
			"vpc_config": [{"endpoint_public_access": true, "public_access_cidrs": ["0.0.0.0/0"]}],
		},
		{},
	)
	contains(fixture.only(_eval([tagged], [], {})).msg, "tag workload")
}
