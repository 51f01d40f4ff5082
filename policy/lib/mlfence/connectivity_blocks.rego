# Deny rules over address blocks: how the deny rules of Cilium (ingressDeny/egressDeny) and of the
# Admin and Baseline tiers narrow the blocks a workload may reach or be reached from. Part of
# lib.mlfence.connectivity, kept in its own file for size.
package lib.mlfence.connectivity

import data.lib.mlfence.ranges

_deny_blocks(w, direction) := [{"cidr": block.cidr, "except": block.except, "ports": ports, "by": rule.by} |
	some rule in object.get(w[direction], "deny_rules", [])
	ports := port_ranges(rule.ports, {})
	count(ports) > 0
	some block in rule.blocks
]

_after_denies(raw, denies) := object.union(raw, {"denied": []}) if {
	count(denies) == 0
} else := {
	"block": object.union(raw.block, {"except": array.concat(raw.block.except, [d.cidr |
		some d in denies
		_whole(d, raw.block.cidr) == false
		_inside(d.cidr, raw.block.cidr)
		d.ports == all_ports
		count(d.except) == 0
	])}),
	"ports": _minus(raw.ports, [object.union(p, {"by": d.by}) |
		some d in denies
		_whole(d, raw.block.cidr)
		some p in d.ports
	]),
	"by": raw.by,
	"denied": [{"cidr": d.cidr, "ports": d.ports, "by": d.by} |
		some d in denies
		_overlaps(d.cidr, raw.block.cidr)
		not _spared(d, raw.block.cidr)
	],
}

# _whole(deny, cidr) is true when the deny block (without exceptions) holds all of cidr.
_whole(d, cidr) if {
	count(d.except) == 0
	_inside(cidr, d.cidr)
} else := false

# _spared(deny, cidr) holds when one of the deny's exceptions holds all of cidr.
_spared(d, cidr) if {
	some e in d.except
	_inside(cidr, e)
}

_inside(inner, outer) if {
	ranges.family(inner) == ranges.family(outer)
	net.cidr_contains(ranges.as_cidr(outer), ranges.as_cidr(inner))
}

_overlaps(a, b) if _inside(a, b)

_overlaps(a, b) if _inside(b, a)
