# METADATA
# description: |
#   Ports in Terraform rules, for every provider: the one parser of port specs (a number, a
#   "low-high" range, "*" for all ports) that reads both rule ports and the `ml_ports` setting,
#   which open port ranges reach an ML service port, and the one way an open ML port raises a
#   finding to critical. AWS security group rules (protocol-aware ranges) live in
#   lib.mlfence.tfaws and hand their [low, high] ranges to this package.
package lib.mlfence.tfports

import data.lib.mlfence.config
import data.lib.mlfence.result

# all_ports is the range a rule without port restriction opens.
all_ports := [0, 65535]

# bounds(spec) is [low, high] for a port number, a "low-high" range or "*" (all ports); anything
# else (names, garbage, empty strings) has no range and is ignored rather than raising.
# Contract: bounds(number | string) -> [number, number] (undefined for anything else).
bounds(spec) := [spec, spec] if {
	is_number(spec)
} else := all_ports if {
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

# ml_ports is the `ml_ports` setting, parsed once: the [low, high] range of every entry that is
# a port or a range (other entries are ignored).
ml_ports contains b if {
	ports := config.value("ml_ports")
	is_array(ports)
	some p in ports
	b := bounds(p)
}

# label([low, high]) is "22", "8000-8002" or "all ports" for messages.
label(range) := "all ports" if range == all_ports

else := sprintf("%d", [range[0]]) if range[0] == range[1]

else := sprintf("%d-%d", [range[0], range[1]])

# ml_ports_in(ranges) is the numerically sorted list of ML ports (entries of the ml_ports
# setting, as labels) that one of the open [low, high] ranges reaches.
# Contract: ml_ports_in([[number, number]]) -> [string].
ml_ports_in(ranges) := [label(ml) |
	some ml in sort({ml |
		some ml in ml_ports
		some range in ranges
		count(range) == 2
		ml[0] <= range[1]
		range[0] <= ml[1]
	})
]

# ml_ports_hit(specs) is ml_ports_in for a list of port specs (bounds): an empty list means
# every port, as in a firewall rule with no ports; null means no ports at all (ICMP and other
# port-less protocols).
# Contract: ml_ports_hit([number | string] | null) -> [string].
ml_ports_hit(specs) := ml_ports_in([all_ports]) if {
	is_array(specs)
	count(specs) == 0
} else := ml_ports_in([b | some spec in specs; b := bounds(spec)]) if {
	is_array(specs)
} else := []

# describe_ports(specs) names the ports of a rule for messages.
describe_ports(specs) := "all ports" if {
	is_array(specs)
	count(specs) == 0
} else := concat(",", [sprintf("%v", [s]) | some s in specs]) if {
	is_array(specs)
} else := "port-less protocols"

# severity(hits, otherwise) is the one way open ML ports raise a finding: critical when an ML
# service port is reachable (hits non-empty), else the given severity.
severity(hits, otherwise) := "critical" if count(hits) > 0

else := otherwise

# exposure(chain, r, msg, specs) is the finding for a port exposure: the rule's own severity,
# raised to critical (with the ports named) when an ML service port is reachable.
exposure(chain, r, msg, specs) := result.with_severity(chain, r.address, full, severity(hit, "")) if {
	hit := ml_ports_hit(specs)
	count(hit) > 0
	full := sprintf("%s; ML service ports reachable: %s", [msg, concat(",", hit)])
} else := result.failure(chain, r.address, msg)
