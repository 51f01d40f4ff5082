# Deny rules: what the deny rules of Cilium (ingressDeny/egressDeny), of the Admin and Baseline
# tiers and of Calico's default tier take away from a flow (l4_denied), and how they narrow the
# blocks a workload may reach or be reached from; and the class of a block (block_class,
# reaches_metadata). Part of lib.mlfence.connectivity, kept in its own file for size.
package lib.mlfence.connectivity

import data.lib.mlfence.config
import data.lib.mlfence.net as mlnet
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

# A block that is not a CIDR (a Cilium toCIDR "x") holds and is held by nothing: net.cidr_contains
# raises an error on it.
_inside(inner, outer) if {
	_is_cidr(inner)
	_is_cidr(outer)
	ranges.family(inner) == ranges.family(outer)
	net.cidr_contains(ranges.as_cidr(outer), ranges.as_cidr(inner))
}

_is_cidr(text) if {
	is_string(text)
	net.cidr_is_valid(ranges.as_cidr(text))
}

_overlaps(a, b) if _inside(a, b)

_overlaps(a, b) if _inside(b, a)

# l4_denied(src, dst) is the list of {"protocol", "from", "to", "denied_by"} of the connection the
# allow rules of both sides admit and a deny rule of either side takes away.
l4_denied(src, dst) := array.concat(_cilium_denied(src, dst), _tier_denied(src, dst))

_tier_denied(src, dst) := [{"protocol": d.protocol, "from": d.from, "to": d.to, "denied_by": d.by} |
	some d in array.flatten([
		_tier_denials(src, "egress", dst.id, dst.ports),
		_tier_denials(dst, "ingress", src.id, dst.ports),
		calico_denials(src, "egress", dst.id, dst.ports),
		calico_denials(dst, "ingress", src.id, dst.ports),
	])
]

_tier_denials(w, direction, peer_id, named) := [] if not _tiered(w[direction])

else := tier_denials(w, direction, peer_id, named)

_cilium_denied(src, dst) := [] if {
	count(src.egress.deny_rules) + count(dst.ingress.deny_rules) == 0
} else := [{"protocol": e.protocol, "from": max([lo, d.from]), "to": min([hi, d.to]), "denied_by": d.by} |
	some e in allowed_grants(src, "egress", dst.id, dst.ports)
	some i in allowed_grants(dst, "ingress", src.id, dst.ports)
	e.protocol == i.protocol
	lo := max([e.from, i.from])
	hi := min([e.to, i.to])
	lo <= hi
	some d in array.concat(denials(src, "egress", dst.id, dst.ports), denials(dst, "ingress", src.id, dst.ports))
	d.protocol == e.protocol
	max([lo, d.from]) <= min([hi, d.to])
]

# --- the class of a block ---------------------------------------------------------------------

# block_class(cidr) is "internet" for a block spanning an address family, else the range class
# of lib.mlfence.ranges (internal, approved, partial, cdn, cloud, public, invalid).
block_class(cidr) := "internet" if mlnet.is_everywhere(cidr)

else := ranges.egress_class(cidr).class

_metadata_flag(direction, block) if {
	direction == "egress"
	reaches_metadata(block)
}

else := false

# reaches_metadata(block) holds when the block (minus its exceptions) holds an instance
# metadata endpoint: egress there hands out the node's cloud credentials.
# A block that is not a CIDR (a dialect's toCIDR "x": only NetworkPolicy ipBlocks are validated
# upstream) reaches no endpoint; net.cidr_contains raised an error on it.
reaches_metadata(block) if {
	_is_cidr(block.cidr)
	some endpoint in config.value("metadata_endpoints")
	ranges.family(endpoint) == ranges.family(block.cidr)
	net.cidr_contains(ranges.as_cidr(block.cidr), endpoint)
	not _excepted(block, endpoint)
}

_excepted(block, endpoint) if {
	some e in block.except
	_is_cidr(e)
	ranges.family(e) == ranges.family(endpoint)
	net.cidr_contains(ranges.as_cidr(e), endpoint)
}
