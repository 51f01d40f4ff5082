package lib.mlfence.tfports_test

import data.lib.mlfence.tfports

test_port_specs if {
	tfports.bounds(22) == [22, 22]
	tfports.bounds(" * ") == [0, 65535]
	tfports.bounds("8000-8002") == [8000, 8002]
	not tfports.bounds("http")
	not tfports.bounds("123456")
}

test_ml_ports_from_the_setting if {
	tfports.ml_ports_hit(["8000-8002"]) == ["8000", "8001", "8002"] with input.parameters as {}
	tfports.ml_ports_hit(null) == [] with input.parameters as {}
	tfports.ml_ports_in([[20, 23]]) == ["22"] with input.parameters as {}

	# Ranges in the setting are matched and named as ranges, sorted with the numbers.
	tfports.ml_ports_in([[0, 65535]]) == ["22", "8000-8002", "9000"] with input.parameters as {"ml_ports": [9000, "8000-8002", 22, "http"]}
	tfports.ml_ports_hit([]) == ["22", "8000-8002", "9000"] with input.parameters as {"ml_ports": [9000, "8000-8002", 22]}
}

test_describe_ports if {
	tfports.describe_ports(null) == "port-less protocols"
	tfports.describe_ports([]) == "all ports"
	tfports.describe_ports([22, "80-90"]) == "22,80-90"
}

test_open_ml_ports_raise_to_critical if {
	tfports.severity(["22"], "high") == "critical"
	tfports.severity([], "high") == "high"
}
