package lib.mlfence.tfcloud_test

import data.lib.mlfence.tfcloud

test_string_booleans if {
	tfcloud.is_true("true")
	tfcloud.is_false("false")
	not tfcloud.is_true(object.get({}, "k", null))
	not tfcloud.is_false(object.get({}, "k", null))
}

test_setting_on_odd_values if {
	tfcloud.setting({"values": {"a": [{"b": 1}]}}, ["a", 0, "b"]) == 1
	tfcloud.setting({"values": "x"}, ["a"]) == null
}

test_port_ranges if {
	tfcloud.port_range(22) == [22, 22]
	tfcloud.port_range(" * ") == [0, 65535]
	tfcloud.port_range("8000-8002") == [8000, 8002]
	not tfcloud.port_range("http")
	tfcloud.ml_ports_hit(["8000-8002"]) == ["8000", "8001", "8002"] with input.parameters as {}
	tfcloud.ml_ports_hit(null) == [] with input.parameters as {}
	tfcloud.describe_ports(null) == "port-less protocols"
}
