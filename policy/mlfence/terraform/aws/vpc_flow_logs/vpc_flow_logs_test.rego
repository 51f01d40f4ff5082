package mlfence.terraform.aws.vpc_flow_logs_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.aws.vpc_flow_logs

_eval(changes, config, params) := v if {
	v := vpc_flow_logs.violation with input as {"plan": fixture.plan(changes, config), "parameters": params}
}

_vpc(address) := fixture.change(address, "aws_vpc", {"cidr_block": "10.0.0.0/16"}, {"id": true})

_log(address, after, unknown) := fixture.change(address, "aws_flow_log", after, unknown)

test_deny_vpc_without_flow_log if {
	f := fixture.only(_eval([_vpc("aws_vpc.ml")], [], {}))
	f.details.rule_id == "MLF-TF-009"
	f.details.status == "fail"
	f.details.resource == "aws_vpc.ml"
}

test_allow_flow_log_resolved_through_references if {
	config := [fixture.config("aws_flow_log.ml", "aws_flow_log", {"vpc_id": {"references": ["aws_vpc.ml.id", "aws_vpc.ml"]}})]
	v := _eval(
		[_vpc("aws_vpc.ml"), _vpc("aws_vpc.other"), _log(
			"aws_flow_log.ml", {"traffic_type": "ALL"},
			{"vpc_id": true},
		)],
		config, {},
	)
	{f.details.resource | some f in v} == {"aws_vpc.other"}
}

test_allow_flow_log_by_known_id if {
	vpc := json.patch(fixture.change("aws_vpc.ml", "aws_vpc", {"id": "vpc-1"}, {}), [{
		"op": "replace",
		"path": "/change/actions", "value": ["update"],
	}])
	count(_eval([vpc, _log("aws_flow_log.ml", {"vpc_id": "vpc-1"}, {})], [], {})) == 0
}

test_allow_flow_log_through_module_output if {
	vpc := _vpc("module.net.aws_vpc.this")
	log := _log("aws_flow_log.ml", {}, {"vpc_id": true})
	config := {
		"resources": [fixture.config("aws_flow_log.ml", "aws_flow_log", {"vpc_id": {"references": [
			"module.net.vpc_id",
			"module.net",
		]}})],
		"module_calls": {"net": {"module": {"outputs": {"vpc_id": {"expression": {"references": [
			"aws_vpc.this.id",
			"aws_vpc.this",
		]}}}}}},
	}
	plan := {"format_version": "1.2", "resource_changes": [vpc, log], "configuration": {"root_module": config}}
	count(vpc_flow_logs.violation) == 0 with input as {"plan": plan, "parameters": {}}
}

test_allow_flow_log_inside_vpc_module_through_local if {
	count(_eval(
		[_vpc("module.vpc.aws_vpc.this[0]"), _log("module.vpc.aws_flow_log.this[0]", {}, {"vpc_id": true})],
		[], {},
	)) == 0
}

test_unknown_flow_log_target if {
	v := _eval([_vpc("aws_vpc.a"), _vpc("aws_vpc.b"), _log("aws_flow_log.x", {}, {"vpc_id": true})], [], {})
	count(v) == 2
	every f in v {
		f.details.status == "unknown"
	}
}

test_unknown_existing_vpc_updated if {
	vpc := json.patch(_vpc("aws_vpc.ml"), [{"op": "replace", "path": "/change/actions", "value": ["update"]}])
	f := fixture.only(_eval([vpc], [], {}))
	f.details.status == "unknown"
}

test_allow_subnet_flow_log_is_not_undecided if {
	log := _log("aws_flow_log.subnet", {"subnet_id": "subnet-1"}, {"vpc_id": false})
	v := _eval([_vpc("aws_vpc.a"), _vpc("aws_vpc.b"), log], [], {})
	count(v) == 2
	every f in v {
		f.details.status == "fail"
	}
}

test_parameters_do_not_matter if {
	count(_eval([_vpc("aws_vpc.ml")], [], {"ml_ports": []})) == 1
}
