package lib.mlfence.tfplan_values_test

import data.lib.mlfence.tfplan

test_string_booleans if {
	tfplan.is_true("true")
	tfplan.is_false("false")
	not tfplan.is_true(object.get({}, "k", null))
	not tfplan.is_false(object.get({}, "k", null))
}

test_setting_on_odd_values if {
	tfplan.setting({"values": {"a": [{"b": 1}]}}, ["a", 0, "b"]) == 1
	tfplan.setting({"values": "x"}, ["a"]) == null
	tfplan.first_block({"a": "x"}, "a") == {}
	tfplan.blocks_of({"a": [{"b": 1}, 2]}, "a") == [{"b": 1}]
}

test_allowlist_by_address_and_glob if {
	tfplan.allowlisted({"address": "module.demo.aws_lb.x"}) with input.parameters as {"public_resource_allowlist": ["module.demo.**"]}
	not tfplan.allowlisted({"address": "aws_lb.x"}) with input.parameters as {"public_resource_allowlist": ["module.demo.**", 3]}
}
