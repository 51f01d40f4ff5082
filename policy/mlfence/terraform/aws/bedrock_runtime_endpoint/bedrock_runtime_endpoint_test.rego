package mlfence.terraform.aws.bedrock_runtime_endpoint_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.aws.bedrock_runtime_endpoint

_eval(changes, config, params) := v if {
	v := bedrock_runtime_endpoint.violation with input as {"plan": fixture.plan(changes, config), "parameters": params}
}

_agent := fixture.change("aws_bedrockagent_agent.support", "aws_bedrockagent_agent", {"agent_name": "support"}, {})

_ep(after, unknown) := fixture.change(
	"aws_vpc_endpoint.bedrock", "aws_vpc_endpoint", object.union(
		{"service_name": "com.amazonaws.eu-west-1.bedrock-runtime", "vpc_endpoint_type": "Interface"},
		after,
	),
	unknown,
)

_restricted := json.marshal({"Statement": [{
	"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/ml"},
	"Action": "bedrock:InvokeModel", "Resource": "*",
}]})

_open := json.marshal({"Statement": {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "*", "Resource": "*"}})

test_deny_bedrock_without_endpoint if {
	f := fixture.only(_eval([_agent], [], {}))
	f.details.rule_id == "MLF-TF-023"
	f.details.resource == "aws_bedrockagent_agent.support"
}

test_deny_private_dns_off_and_policy_omitted if {
	v := _eval([_agent, _ep({"private_dns_enabled": false}, {"policy": true})], [], {})
	count(v) == 2
	{f.details.resource | some f in v} == {"aws_vpc_endpoint.bedrock"}
}

test_deny_allow_all_policy_in_module if {
	ep := fixture.change(
		"module.ai.aws_vpc_endpoint.bedrock", "aws_vpc_endpoint", {
			"service_name": "com.amazonaws.eu-west-1.bedrock-runtime",
			"private_dns_enabled": true, "policy": _open,
		},
		{},
	)
	f := fixture.only(_eval([ep], [], {}))
	contains(f.msg, "allows every principal")
}

test_deny_unparseable_policy if {
	count(_eval([_ep({"private_dns_enabled": true, "policy": "{"}, {})], [], {})) == 1
}

test_allow_private_restricted_endpoint if {
	count(_eval([_agent, _ep({"private_dns_enabled": true, "policy": _restricted}, {})], [], {})) == 0
}

test_allow_no_bedrock_no_endpoint if {
	count(_eval([fixture.change("aws_s3_bucket.b", "aws_s3_bucket", {}, {})], [], {})) == 0
}

test_unknown_policy_and_dns if {
	config := [fixture.config(
		"aws_vpc_endpoint.bedrock", "aws_vpc_endpoint",
		{
			"policy": {"references": ["data.aws_iam_policy_document.bedrock"]},
			"private_dns_enabled": {"references": ["var.dns"]},
		},
	)]
	v := _eval([_ep({}, {"policy": true, "private_dns_enabled": true})], config, {})
	count(v) == 2
	every f in v {
		f.details.status == "unknown"
	}
}

test_unknown_service_name if {
	ep := fixture.change("aws_vpc_endpoint.x", "aws_vpc_endpoint", {}, {"service_name": true})
	f := fixture.only(_eval([_agent, ep], fixture.written(ep.address, ep.type, fixture.pending(["service_name"])), {}))
	f.details.status == "unknown"
}

test_parameters_do_not_matter if {
	count(_eval([_agent], [], {"ml_ports": []})) == 1
}
