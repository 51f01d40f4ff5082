package mlfence.terraform.aws.instance_public_ip_test

import data.lib.mlfence.testing.tfplan as fixture
import data.mlfence.terraform.aws.instance_public_ip

_eval(changes, config, params) := v if {
	v := instance_public_ip.violation with input as {"plan": fixture.plan(changes, config), "parameters": params}
}

_i(address, after, unknown) := fixture.change(address, "aws_instance", after, unknown)

test_deny_explicit_public_ip if {
	f := fixture.only(_eval(
		[_i("aws_instance.gpu", {"associate_public_ip_address": true, "subnet_id": "subnet-1"}, {})], [],
		{},
	))
	f.details.rule_id == "MLF-TF-004"
	contains(f.msg, "associate_public_ip_address = true")
}

test_deny_inherited_from_public_subnet_through_references_in_module if {
	i := _i("module.gpu.aws_instance.worker[0]", {}, {"associate_public_ip_address": true, "subnet_id": true})
	s := fixture.change("module.gpu.aws_subnet.public", "aws_subnet", {"map_public_ip_on_launch": true}, {"id": true})
	config := {"module_calls": {"gpu": {"module": {"resources": [{
		"address": "aws_instance.worker", "mode": "managed", "type": "aws_instance", "name": "worker",
		"expressions": {"subnet_id": {"references": ["aws_subnet.public.id", "aws_subnet.public"]}},
	}]}}}}
	plan := {"format_version": "1.2", "resource_changes": [i, s], "configuration": {"root_module": config}}
	v := instance_public_ip.violation with input as {"plan": plan, "parameters": {}}
	f := fixture.only(v)
	f.details.resource == "module.gpu.aws_instance.worker[0]"
	contains(f.msg, "module.gpu.aws_subnet.public")
}

test_deny_no_subnet_default_vpc if {
	f := fixture.only(_eval([_i("aws_instance.box", {"ami": "ami-1"}, {"associate_public_ip_address": true})], [], {}))
	contains(f.msg, "default subnet")
}

test_allow_explicit_false_and_private_subnet if {
	count(_eval(
		[_i("aws_instance.gpu", {"associate_public_ip_address": false, "subnet_id": "subnet-1"}, {})], [],
		{},
	)) == 0
	i := _i("aws_instance.gpu", {"subnet_id": "subnet-1"}, {"associate_public_ip_address": true})
	s := fixture.change("aws_subnet.private", "aws_subnet", {"id": "subnet-1", "map_public_ip_on_launch": false}, {})
	count(_eval([i, s], [], {})) == 0
}

test_allow_network_interface_attached if {
	i := _i("aws_instance.gpu", {"network_interface": [{"network_interface_id": "eni-1", "device_index": 0}]}, {
		"associate_public_ip_address": true,
	})
	count(_eval([i], [], {})) == 0
}

test_unknown_subnet_not_in_plan if {
	f := fixture.only(_eval(
		[_i(
			"aws_instance.gpu", {"subnet_id": "subnet-elsewhere"},
			{"associate_public_ip_address": true},
		)],
		[], {},
	))
	f.details.status == "unknown"
}

test_unknown_configured_value if {
	i := _i("aws_instance.gpu", {"subnet_id": "subnet-1"}, {"associate_public_ip_address": true})
	config := [fixture.config(
		"aws_instance.gpu", "aws_instance",
		{"associate_public_ip_address": {"references": ["var.public"]}},
	)]
	f := fixture.only(_eval([i], config, {}))
	f.details.status == "unknown"
}

test_parameters_do_not_matter if {
	count(_eval(
		[_i("aws_instance.gpu", {"associate_public_ip_address": true}, {})], [],
		{"aws_edge_gateway_names": ["gpu"]},
	)) == 1
}

# Real plans list the left-out subnet_id (Optional+Computed) in after_unknown: that is the
# provider's default placement, a default subnet, not a value pending on something else.
test_deny_subnet_left_out_listed_in_after_unknown if {
	i := _i("aws_instance.web", {"ami": "ami-1"}, {"associate_public_ip_address": true, "subnet_id": true})
	f := fixture.only(_eval([i], [fixture.config("aws_instance.web", "aws_instance", {"ami": {"constant_value": "ami-1"}})], {}))
	f.details.status == "fail"
	contains(f.msg, "default subnet")
}

test_unknown_subnet_written_from_a_reference_outside_the_plan if {
	i := _i("aws_instance.web", {}, {"associate_public_ip_address": true, "subnet_id": true})
	config := [fixture.config("aws_instance.web", "aws_instance", {"subnet_id": {"references": ["var.subnet_id"]}})]
	f := fixture.only(_eval([i], config, {}))
	f.details.status == "unknown"
}
