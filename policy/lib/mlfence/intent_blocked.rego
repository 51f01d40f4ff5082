# MLF-K8S-061's findings: the declared flows the reviewed workloads cannot use. Part of
# lib.mlfence.intent, kept in its own file for size.
package lib.mlfence.intent

import data.lib.mlfence.connectivity
import data.lib.mlfence.k8s

# _blocked_pairs is every declared flow a reviewed workload cannot use, per destination:
# [source id, declared flow, destination id, the declared ports missing].
_blocked_pairs contains [id, a, dst_id, missing] if {
	not _is_policy_kind
	some id in review_ids
	src := connectivity.workloads[id]
	src.namespace_known
	some a in allow_entries
	a.from in _members_of(id)
	some dst_id, dst in connectivity.workloads
	dst_id != id
	dst.namespace_known
	a.to in _members_of(dst_id)
	missing := _missing(a, connectivity.mesh_connection(src, dst))
	count(missing) > 0
}

# One finding per source workload and declared flow, not one per destination: a declaration
# naming whole tiers made one per pair (bench/reach's 1x platform: ~112k warnings from 335 x 335
# workloads). A single blocked destination is named with both sides' isolation; several are
# counted, the first few (by id) named with their ports and ingress isolation.
_blocked_messages contains msg if {
	some [id, a] in {[p[0], p[1]] | some p in _blocked_pairs}
	blocked := [[p[2], p[3]] | some p in _blocked_pairs; p[0] == id; p[1] == a]
	msg := _blocked_text(connectivity.workloads[id], a, blocked)
}

_blocked_text(src, a, blocked) := msg if {
	count(blocked) == 1
	[[dst_id, missing]] := blocked
	dst := connectivity.workloads[dst_id]
	msg := sprintf("%s (%s) cannot reach %s (%s) on %s, which the declared flow %s -> %s allows; %s", [
		workload_text(src), component_text(src), workload_text(dst), component_text(dst),
		ports_text(missing), a.from, a.to, _isolation_text(src, dst),
	])
} else := sprintf(
	concat("", [
		"%s (%s) cannot reach %d workloads of component %s, which the declared flow %s -> %s allows: %s; ",
		"the source's egress is %s",
	]),
	[
		workload_text(src), component_text(src), count(blocked), a.to, a.from, a.to,
		_destinations_text(blocked), _policies_text(src.egress),
	],
)

# How many blocked destinations a finding names: the rest are counted.
_named_destinations := 3

_destinations_text(blocked) := concat("; ", [_destination_text(b) | some b in blocked]) if {
	count(blocked) <= _named_destinations
} else := sprintf("%s; and %d more", [
	concat("; ", [_destination_text(b) | some b in array.slice(blocked, 0, _named_destinations)]),
	count(blocked) - _named_destinations,
])

_destination_text([dst_id, missing]) := sprintf("%s on %s (its ingress %s)", [
	workload_text(dst), ports_text(missing), _policies_text(dst.ingress),
]) if {
	dst := connectivity.workloads[dst_id]
}

# Without declared ports the flow is blocked only when nothing gets through.
_missing(a, got) := [{"protocol": "any", "from": 1, "to": 65535}] if {
	not _has_ports(a)
	count(got) == 0
} else := [object.union(r, g) |
	some r in declared_ranges(a)
	spans := [p | some p in got; p.protocol == r.protocol]
	some g in gaps(r.from, r.to, spans)
] if {
	_has_ports(a)
} else := []

_has_ports(a) if count(k8s.as_array(a.ports)) > 0

_isolation_text(src, dst) := sprintf("the source's egress is %s, the destination's ingress %s", [
	_policies_text(src.egress), _policies_text(dst.ingress),
])

_policies_text(direction) := sprintf("isolated by %s", [concat(", ", direction.policies)]) if {
	count(direction.policies) > 0
} else := "not isolated"

# blocked_messages is MLF-K8S-061's findings on the reviewed object (see _judged).
blocked_messages := _judged.blocked
