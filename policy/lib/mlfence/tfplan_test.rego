package lib.mlfence.tfplan_test

import data.lib.mlfence.tfplan

_change(address, type, module_address, after, unknown, actions) := {
	"address": address,
	"module_address": module_address,
	"mode": "managed",
	"type": type,
	"name": regex.replace(split(address, ".")[count(split(address, ".")) - 1], `\[.*$`, ""),
	"change": {"actions": actions, "after": after, "after_unknown": unknown},
}

_vpc := _change(
	"module.net[0].aws_vpc.this[0]", "aws_vpc", "module.net[0]", {"cidr_block": "10.0.0.0/16"},
	{"id": true}, ["create"],
)

_log := _change("aws_flow_log.root", "aws_flow_log", "", {}, {"vpc_id": true}, ["create"])

_sm := _change(
	"module.ml.module.studio.aws_sagemaker_domain.this", "aws_sagemaker_domain", "module.ml.module.studio",
	{}, {"vpc_id": true}, ["create"],
)

# Root: a flow log on module.net's output; module.ml passes module.net.vpc_id down two levels
# of module variables to a SageMaker domain.
_configuration := {"root_module": {
	"resources": [{
		"address": "aws_flow_log.root", "mode": "managed", "type": "aws_flow_log", "name": "root",
		"expressions": {"vpc_id": {"references": ["module.net.vpc_id", "module.net"]}},
	}],
	"module_calls": {
		"net": {"module": {
			"outputs": {"vpc_id": {"expression": {"references": [
				"aws_vpc.this[0].id", "aws_vpc.this[0]",
				"aws_vpc.this",
			]}}},
			"resources": [],
		}},
		"ml": {
			"expressions": {"vpc": {"references": ["module.net.vpc_id", "module.net"]}},
			"module": {"module_calls": {"studio": {
				"expressions": {"vpc_id": {"references": ["var.vpc"]}},
				"module": {"resources": [{
					"address": "aws_sagemaker_domain.this", "mode": "managed",
					"type": "aws_sagemaker_domain", "name": "this",
					"expressions": {
						"vpc_id": {"references": ["var.vpc_id"]},
						"default_user_settings": [{"execution_role": {"references": [
							"local.role",
							"data.aws_iam_role.x",
						]}}],
					},
				}]},
			}}},
		},
	},
}}

_plan := {"format_version": "1.2", "resource_changes": [_vpc, _log, _sm], "configuration": _configuration}

_r(address) := r if {
	r := tfplan.existing[address] with input as {"plan": _plan}
}

test_is_plan if {
	tfplan.is_plan(_plan)
	tfplan.is_plan({"format_version": "0.1", "planned_values": {}})
	not tfplan.is_plan({"format_version": "1.2"})
	not tfplan.is_plan([])
}

test_module_path_and_config_address if {
	r := _r("module.net[0].aws_vpc.this[0]")
	tfplan.module_path(r) == ["net"]
	tfplan.config_address(r) == "module.net.aws_vpc.this"
	tfplan.module_path(_r("aws_flow_log.root")) == []
	tfplan.module_path({"module_address": `module.a["x.y"].module.b[2]`}) == ["a", "b"]
}

test_references_through_module_output if {
	refs := tfplan.references(_r("aws_flow_log.root"), "vpc_id") with input as {"plan": _plan}
	refs == {"module.net.aws_vpc.this[0]", "module.net.aws_vpc.this"}
	linked := tfplan.linked(_r("aws_flow_log.root"), "vpc_id", "aws_vpc") with input as {"plan": _plan}
	{v.address | some v in linked} == {"module.net[0].aws_vpc.this[0]"}
}

test_references_through_two_module_variables if {
	sm := _r("module.ml.module.studio.aws_sagemaker_domain.this")
	refs := tfplan.references(sm, "vpc_id") with input as {"plan": _plan}
	"module.net.aws_vpc.this" in refs
	tfplan.decided(sm, "vpc_id") with input as {"plan": _plan}
}

test_references_ignore_locals_and_data_and_missing if {
	sm := _r("module.ml.module.studio.aws_sagemaker_domain.this")
	tfplan.references(sm, ["default_user_settings", 0, "execution_role"]) == set() with input as {"plan": _plan}
	tfplan.references(sm, "nothing") == set() with input as {"plan": _plan}
	tfplan.configured(sm, ["default_user_settings"]) with input as {"plan": _plan}
	not tfplan.configured(sm, "nothing") with input as {"plan": _plan}
}

test_undecided_without_configuration if {
	plan := {"format_version": "1.2", "resource_changes": [_log]}
	r := tfplan.existing["aws_flow_log.root"] with input as {"plan": plan}
	not tfplan.decided(r, "vpc_id") with input as {"plan": plan}
}

test_linked_by_known_id if {
	vpc := _change("aws_vpc.a", "aws_vpc", "", {"id": "vpc-1"}, {}, ["no-op"])
	ep := _change("aws_vpc_endpoint.s3", "aws_vpc_endpoint", "", {"vpc_id": "vpc-1"}, {}, ["create"])
	plan := {"format_version": "1.2", "resource_changes": [vpc, ep]}
	r := tfplan.resources["aws_vpc_endpoint.s3"] with input as {"plan": plan}
	{v.address | some v in tfplan.linked(r, "vpc_id", "aws_vpc")} == {"aws_vpc.a"} with input as {"plan": plan}

	# The unchanged VPC the new endpoint attaches to is judged with it; another is not.
	tfplan.resources["aws_vpc.a"] with input as {"plan": plan}
	other := _change("aws_vpc.b", "aws_vpc", "", {"id": "vpc-2"}, {}, ["no-op"])
	with_other := {"format_version": "1.2", "resource_changes": [vpc, ep, other]}
	not tfplan.resources["aws_vpc.b"] with input as {"plan": with_other}
	tfplan.existing["aws_vpc.b"] with input as {"plan": with_other}
	tfplan.unchanged_not_judged == 1 with input as {"plan": with_other}
	tfplan.resources["aws_vpc.b"] with input as {"plan": with_other, "parameters": {"all_resources": true}}
	tfplan.unchanged_not_judged == 0 with input as {"plan": with_other, "parameters": {"all_resources": true}}
}

# An unchanged security group that a new instance uses through a configuration reference is
# judged (an MLflow server created on an old group open to the internet must not pass).
test_unchanged_dependency_through_reference if {
	sg := _change("aws_security_group.old", "aws_security_group", "", {"name": "old"}, {}, ["no-op"])
	vm := _change("aws_instance.mlflow", "aws_instance", "", {}, {"vpc_security_group_ids": true}, ["create"])
	config := {"root_module": {"resources": [{
		"address": "aws_instance.mlflow", "mode": "managed", "type": "aws_instance", "name": "mlflow",
		"expressions": {"vpc_security_group_ids": {"references": ["aws_security_group.old.id", "aws_security_group.old"]}},
	}]}}
	plan := {"format_version": "1.2", "resource_changes": [sg, vm], "configuration": config}
	tfplan.resources["aws_security_group.old"] with input as {"plan": plan}
}

# A state (`terraform show -json` without a plan) is read as posture: every resource judged.
test_state_is_posture if {
	state := {"format_version": "1.0", "values": {"root_module": {"resources": [{
		"address": "aws_security_group.a", "mode": "managed", "type": "aws_security_group", "name": "a",
		"values": {"name": "a"},
	}]}}}
	tfplan.is_plan(state)
	tfplan.posture with input as {"plan": state}
	object.keys(tfplan.resources) == {"aws_security_group.a"} with input as {"plan": state}
	tfplan.unchanged_not_judged == 0 with input as {"plan": state}
}

test_actions_and_odd_changes if {
	changes := [
		_change("aws_vpc.gone", "aws_vpc", "", {}, {}, ["delete"]),
		_change("aws_vpc.replaced", "aws_vpc", "", {"cidr_block": "10.0.0.0/16"}, {}, ["delete", "create"]),
		_change("aws_vpc.replaced", "aws_vpc", "", {"cidr_block": "10.9.0.0/16"}, {}, ["create"]),
		object.union(_change("aws_vpc.old", "aws_vpc", "", {}, {}, ["delete"]), {"deposed": "abc"}),
		{"address": "data.aws_region.r", "mode": "data", "type": "aws_region", "change": {"actions": ["read"]}},
		{"address": "x", "mode": "managed", "type": "aws_vpc", "change": {"actions": "create"}},
		"junk",
	]
	res := tfplan.resources with input as {"plan": {"format_version": "1.2", "resource_changes": changes}}
	object.keys(res) == {"aws_vpc.replaced"}
	res["aws_vpc.replaced"].values.cidr_block == "10.0.0.0/16"
}

test_planned_values_fallback_walks_child_modules if {
	plan := {"format_version": "0.1", "planned_values": {"root_module": {
		"resources": [{
			"address": "aws_vpc.a", "mode": "managed", "type": "aws_vpc", "name": "a",
			"values": {"cidr_block": "10.0.0.0/16"},
		}],
		"child_modules": [{
			"address": "module.x",
			"resources": [{"address": "module.x.data.aws_ami.a", "mode": "data", "type": "aws_ami", "name": "a"}],
			"child_modules": [{"address": "module.x.module.y", "resources": [{
				"address": "module.x.module.y.aws_subnet.s[0]", "mode": "managed",
				"type": "aws_subnet", "name": "s", "values": null,
			}]}],
		}],
	}}}
	res := tfplan.resources with input as {"plan": plan}
	object.keys(res) == {"aws_vpc.a", "module.x.module.y.aws_subnet.s[0]"}
	res["module.x.module.y.aws_subnet.s[0]"].module_address == "module.x.module.y"
	res["module.x.module.y.aws_subnet.s[0]"].values == {}
	res["aws_vpc.a"].module_address == ""
}

test_value_block_unknown_helpers if {
	r := {
		"values": {"vpc_config": [{"subnet_ids": ["a", null, 3]}], "tags": {"a": "1"}, "tags_all": {
			"a": "0",
			"b": "2",
		}},
		"unknown": {
			"vpc_config": [{"public_access_cidrs": true}],
			"egress": true,
		},
	}
	tfplan.value(r, ["vpc_config", 0, "subnet_ids"], []) == ["a", null, 3]
	tfplan.value(r, "missing", "fallback") == "fallback"
	tfplan.block(r, "vpc_config") == {"subnet_ids": ["a", null, 3]}
	tfplan.block(r, "tags") == {}
	tfplan.string_list(tfplan.value(r, ["vpc_config", 0, "subnet_ids"], [])) == ["a"]
	tfplan.string_values("x") == {"x"}
	tfplan.string_values(["x", 1]) == {"x"}
	tfplan.string_values(null) == set()
	tfplan.is_unknown(r, ["vpc_config", 0, "public_access_cidrs"])
	tfplan.is_unknown(r, ["egress", 0, "cidr_blocks"])
	not tfplan.is_unknown(r, ["vpc_config", 0, "subnet_ids"])
	tfplan.tags(r) == {"a": "1", "b": "2"}
	tfplan.tags({"values": {"tags": null}}) == {}
	tfplan.truthy(true)
	tfplan.truthy("True")
	not tfplan.truthy("false")
	not tfplan.truthy(1)
}

test_missing_plan if {
	tfplan.plan == {} with input as {}
	count(tfplan.resources) == 0 with input as {"plan": {"resource_changes": "x"}}
}

# tfplan.attribute: the one decision about an attribute, on each shape a real plan gives.
test_attribute_known_unknown_default if {
	lb := {
		"address": "aws_lb.api", "mode": "managed", "type": "aws_lb", "name": "api",
		"change": {"actions": ["create"], "after": {"name": "api"}, "after_unknown": {"internal": true, "subnets": true}},
	}
	config := {"root_module": {"resources": [{
		"address": "aws_lb.api", "mode": "managed", "type": "aws_lb", "name": "api",
		"expressions": {"name": {"constant_value": "api"}, "subnets": {"references": ["var.subnets"]}},
	}]}}
	plan := {"format_version": "1.2", "resource_changes": [lb], "configuration": config}
	r := tfplan.resources["aws_lb.api"] with input as {"plan": plan}

	# Written constant: known. Left out but listed unknown: the provider default (false).
	tfplan.attribute(r, "name") == {"state": "known", "value": "api"} with input as {"plan": plan}
	tfplan.attribute(r, "internal") == {"state": "default", "value": false} with input as {"plan": plan}
	tfplan.effective(r, "internal") == false with input as {"plan": plan}

	# Written from a variable and listed unknown: pending.
	tfplan.attribute(r, "subnets") == {"state": "unknown", "value": null} with input as {"plan": plan}
	tfplan.pending(r, "subnets") with input as {"plan": plan}

	# Without any configuration nothing tells a default from a pending value: unknown.
	bare := {"format_version": "1.2", "resource_changes": [lb]}
	tfplan.attribute(r, "internal").state == "unknown" with input as {"plan": bare}
}

test_attribute_nested_block_written_whole_or_left_out if {
	eks := {
		"address": "aws_eks_cluster.c", "mode": "managed", "type": "aws_eks_cluster", "name": "c",
		"change": {
			"actions": ["create"], "after": {"vpc_config": [{"subnet_ids": ["s-1"]}]},
			"after_unknown": {"vpc_config": [{"public_access_cidrs": true}]},
		},
	}
	config := {"root_module": {"resources": [{
		"address": "aws_eks_cluster.c", "mode": "managed", "type": "aws_eks_cluster", "name": "c",
		"expressions": {"vpc_config": [{"subnet_ids": {"constant_value": ["s-1"]}}]},
	}]}}
	plan := {"format_version": "1.2", "resource_changes": [eks], "configuration": config}
	r := tfplan.resources["aws_eks_cluster.c"] with input as {"plan": plan}

	# A computed leaf left out of a written block is the default, not pending.
	path := ["vpc_config", 0, "public_access_cidrs"]
	tfplan.attribute(r, path) == {"state": "default", "value": ["0.0.0.0/0"]} with input as {"plan": plan}
}

# is_unknown looks below the first key only when after_unknown lists it as something other than
# known: an absent or false first key means nothing below it is unknown.
test_is_unknown_reads_every_prefix_of_a_listed_first_key if {
	r := {"unknown": {"a": false, "b": {"c": [false, {"d": true}]}, "e": true}}
	not tfplan.is_unknown(r, ["a", "x"])
	not tfplan.is_unknown(r, "missing")
	not tfplan.is_unknown(r, ["b", "c", 0])
	tfplan.is_unknown(r, ["b", "c", 1, "d"])
	tfplan.is_unknown(r, ["e", 0, "f"])
	tfplan.is_unknown(r, "e")
	not tfplan.is_unknown({"unknown": {}}, "e")
}
