package mlfence.terraform.aws.opensearch_outside_vpc_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.aws.opensearch_outside_vpc

_eval(changes, config, params) := v if {
	plan := fixture.plan(changes, config)
	v := opensearch_outside_vpc.violation with input as {"plan": plan, "parameters": params}
}

_domain(after) := fixture.change("aws_opensearch_domain.vectors", "aws_opensearch_domain", object.union({"domain_name": "rag"}, after), {})

_open := json.marshal({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "es:*", "Resource": "*"}]})

test_deny_vpc_options_omitted if {
	v := _eval([_domain({})], [], {})
	count(v) == 1
	some f in v
	f.details.rule_id == "MLF-TF-026"
	f.details.severity == "high"
}

test_deny_open_policy_is_critical if {
	v := _eval([fixture.change("aws_elasticsearch_domain.legacy", "aws_elasticsearch_domain", {"access_policies": _open}, {})], [], {})
	some f in v
	f.details.severity == "critical"
}

test_allow_in_vpc if {
	count(_eval([_domain({"vpc_options": [{"subnet_ids": ["subnet-1"]}]})], [], {})) == 0

	# Subnets created in the same plan: known only after apply, still a VPC domain.
	d := fixture.change("aws_opensearch_domain.vectors", "aws_opensearch_domain", {"vpc_options": [{}]}, {"vpc_options": [{"subnet_ids": true}]})
	config := fixture.written(d.address, d.type, {"vpc_options": [{"subnet_ids": {"references": ["aws_subnet.a.id"]}}]})
	count(_eval([d], config, {})) == 0
}

test_parameters_do_not_matter if {
	count(_eval([_domain({})], [], {"public_resource_allowlist": ["x"]})) == 1
}
