# METADATA
# description: |
#   Helpers shared by the Google Cloud and Azure Terraform rules: nested-block access that never
#   raises on odd plans, "known only after apply" checks along a nested path, port ranges and the
#   ML-port severity bump, and the reviewed allowlist of deliberately public resources.
#   Pure functions over tfplan resources; rules read the plan only through lib.mlfence.tfplan.
package lib.mlfence.tfcloud

import data.lib.mlfence.config
import data.lib.mlfence.result
import data.lib.mlfence.tfplan

# block(obj, key) is the first element of a nested block list (Terraform renders every nested
# block as a list), or {} when it is absent, empty, null or of another type.
block(obj, key) := value if {
	is_object(obj)
	is_array(obj[key])
	value := obj[key][0]
	is_object(value)
} else := {}

# blocks_of(obj, key) is a nested block list of any object (tfplan.blocks works on resources).
blocks_of(obj, key) := [b |
	is_object(obj)
	is_array(obj[key])
	some b in obj[key]
	is_object(b)
]

# setting(r, path) is the planned value at path (block lists are indexed by 0), or null.
setting(r, path) := value if {
	value := object.get(r.values, path, null)
} else := null

# is_true(value) accepts the boolean and the string Terraform may carry through a variable.
is_true(true)

is_true("true")

# is_false(value) is the explicit opposite; null (omitted) is neither true nor false.
is_false(false)

is_false("false")

# allowlisted(r) holds for resources the platform team has reviewed and deliberately exposed
# (parameter public_resource_allowlist: full addresses or globs with "." as the separator,
# e.g. "module.demo.**"). Only exposure rules consult it; isolation defaults stay on.
allowlisted(r) if {
	some pattern in _strings(config.value("public_resource_allowlist"))
	_address_matches(pattern, r.address)
}

_address_matches(pattern, address) if pattern == address

_address_matches(pattern, address) if glob.match(pattern, ["."], address)

_strings(value) := [s |
	is_array(value)
	some s in value
	is_string(s)
]

# port_range(spec) is [low, high] for a port, "low-high" range, or "*" (all ports); anything
# else (names, garbage, empty strings) has no range and is ignored rather than raising.
port_range(spec) := [spec, spec] if {
	is_number(spec)
} else := [0, 65535] if {
	is_string(spec)
	trim_space(spec) == "*"
} else := [to_number(s), to_number(s)] if {
	is_string(spec)
	s := trim_space(spec)
	regex.match(`^[0-9]{1,5}$`, s)
} else := [to_number(parts[0]), to_number(parts[1])] if {
	is_string(spec)
	regex.match(`^[0-9]{1,5}-[0-9]{1,5}$`, trim_space(spec))
	parts := split(trim_space(spec), "-")
}

# ml_ports_hit(specs) is the sorted list of configured ML ports (entries may be ranges) that
# the port specs reach. An empty spec list means every port, as in a firewall rule with no ports;
# null means no ports at all (ICMP and other port-less protocols).
ml_ports_hit(specs) := [sprintf("%v", [ml]) |
	some ml in sort({ml |
		some ml in _ml_port_specs
		_reaches_ml_port(specs, ml)
	})
]

_ml_port_specs := [p |
	ports := config.value("ml_ports")
	is_array(ports)
	some p in ports
]

_reaches_ml_port(specs, _) if {
	is_array(specs)
	count(specs) == 0
}

_reaches_ml_port(specs, ml) if {
	[ml_low, ml_high] := port_range(ml)
	some spec in specs
	[low, high] := port_range(spec)
	low <= ml_high
	ml_low <= high
}

# describe_ports(specs) names the ports of a rule for messages.
describe_ports(specs) := "all ports" if {
	is_array(specs)
	count(specs) == 0
} else := concat(",", [sprintf("%v", [s]) | some s in specs]) if {
	is_array(specs)
} else := "port-less protocols"

# exposure(chain, r, msg, specs) is the finding for a port exposure: the rule's own severity,
# raised to critical when an ML service port is reachable.
exposure(chain, r, msg, specs) := result.with_severity(chain, r.address, full, "critical") if {
	hit := ml_ports_hit(specs)
	count(hit) > 0
	full := sprintf("%s; ML service ports reachable: %s", [msg, concat(",", hit)])
} else := result.violation(chain, r.address, msg)

# firewall_egress_allow is every enabled google_compute_firewall EGRESS rule with allow blocks.
firewall_egress_allow contains r if {
	some r in tfplan.of_type("google_compute_firewall")
	not is_true(setting(r, ["disabled"]))
	upper(sprintf("%v", [setting(r, ["direction"])])) == "EGRESS"
	count(tfplan.blocks(r, "allow")) > 0
}

# firewall_destinations(r) is the destination CIDRs of an EGRESS rule; an EGRESS rule without
# destination_ranges applies to every destination (the API default 0.0.0.0/0), unless the
# value is still unknown.
firewall_destinations(r) := ranges if {
	ranges := tfplan.string_list(setting(r, ["destination_ranges"]))
	count(ranges) > 0
} else := [] if {
	tfplan.pending(r, ["destination_ranges"])
} else := ["0.0.0.0/0"]
