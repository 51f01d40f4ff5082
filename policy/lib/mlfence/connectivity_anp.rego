# The cluster-scoped tiers of the Network Policy API (policy.networking.k8s.io) over the core
# model: AdminNetworkPolicy and BaselineAdminNetworkPolicy (v1alpha1) and their successor
# ClusterNetworkPolicy (v1alpha2 and later; spec.tier Admin or Baseline). Part of
# lib.mlfence.connectivity, kept in its own file for size.
# Precedence, per direction and port: the Admin tier first (policies by priority, lower first; a
# policy's rules in the order written); its first matching rule decides: Allow/Accept and Deny
# are final, Pass hands the traffic to the NetworkPolicy tier (NetworkPolicy and Cilium rules),
# which decides for a pod it isolates; for a pod it does not isolate the Baseline tier decides
# the same way (Pass there leaves the traffic to the default); what no tier decides is allowed.
# Decided: subjects and peers by namespaces and pods selectors (matchLabels, matchExpressions),
# networks (CIDRs; a network spanning the address family also holds every pod's address, as the
# API says), ports (numbers, ranges, named ports, TCP/UDP/SCTP). Left `unknown`, with the reason:
# nodes and domainNames peers, networks of the internal class (which may hold pod addresses the
# manifests do not tell), selectors with fields the model does not know (the early sameLabels /
# notSameLabels forms).
package lib.mlfence.connectivity

import data.lib.mlfence.k8s
import data.lib.mlfence.net as mlnet
import data.lib.mlfence.selector

_anp_kinds := {
	"AdminNetworkPolicy": "Admin",
	"BaselineAdminNetworkPolicy": "Baseline",
	"ClusterNetworkPolicy": "",
}

# _anp_records is one entry per policy: {"ref", "tier", "priority", "spec"}.
_anp_records := [{
	"ref": sprintf("%s %s", [p.kind, p.metadata.name]),
	"tier": _tier(p),
	"priority": _priority(p),
	"spec": p.spec,
} |
	some version, kinds in _groups_of("")
	startswith(version, "policy.networking.k8s.io/")
	some kind, _ in _anp_kinds
	some p in k8s.object_or_empty(object.get(k8s.object_or_empty(kinds), kind, {}))
	is_object(p)
	is_string(p.metadata.name)
	is_object(p.spec)
	_tier(p) in {"Admin", "Baseline"}
]

_tier(p) := _anp_kinds[p.kind] if _anp_kinds[p.kind] != ""

else := p.spec.tier

_priority(p) := p.spec.priority if is_number(p.spec.priority)

else := 0

# --- selection ----------------------------------------------------------------------------------

# _plain_selector(sel) holds for a LabelSelector the model can read (null or absent: every object).
_plain_selector(sel) if {
	is_object(sel)
	every key, _ in sel {
		key in {"matchLabels", "matchExpressions"}
	}
}

_matches_all(sel, labels) if {
	_plain_selector(sel)
	selector.matches(sel, labels)
}

# _pod_peer_matches(peer, w) holds when a subject or peer ({"namespaces"} or {"pods"}) picks w.
_pod_peer_matches(peer, w) if {
	not "pods" in object.keys(peer)
	_matches_all(peer.namespaces, _namespace_labels_of(w))
	w.namespace_known
}

_pod_peer_matches(peer, w) if {
	is_object(peer.pods)
	_matches_all(object.get(peer.pods, "namespaceSelector", {}), _namespace_labels_of(w))
	_matches_all(object.get(peer.pods, "podSelector", {}), w.labels)
	w.namespace_known
}

_namespace_labels_of(w) := namespace_labels_of(w.namespace)

# anp_selecting(w, tier) is the tier's policies whose subject selects w, in precedence order.
anp_selecting(w, tier) := [rec |
	some key in sort([[rec.priority, rec.ref] |
		some rec in _anp_records
		rec.tier == tier
		_pod_peer_matches(k8s.object_or_empty(rec.spec.subject), w)
	])
	some rec in _anp_records
	rec.ref == key[1]
]

# --- rules --------------------------------------------------------------------------------------

_anp_actions := {"Allow": "Allow", "Accept": "Allow", "Deny": "Deny", "Pass": "Pass"}

# _anp_rules[ref][direction] is the policy's rules in the order written, peers resolved once:
# {"policy", "index", "by", "action", "pods", "blocks", "ports", "unknown"}.
_anp_rules[rec.ref] := {d: [_anp_resolve(rec, rule, d, i) |
	some i, rule in k8s.as_array(object.get(rec.spec, _allow_key[d], []))
	is_object(rule)
	_anp_actions[rule.action]
] |
	some d in ["Ingress", "Egress"]
} if {
	some rec in _anp_records
}

_anp_resolve(rec, rule, d, i) := {
	"policy": rec.ref,
	"index": i,
	"by": sprintf("%s %s rule %d%s (%s)", [rec.ref, _allow_key[d], i, _rule_name(rule), rule.action]),
	"action": _anp_actions[rule.action],
	"pods": _anp_pods(peers),
	"blocks": [{"cidr": c, "except": []} |
		some peer in peers
		some c in k8s.as_array(object.get(peer, "networks", []))
		is_string(c)
	],
	"ports": _anp_ports(rule),
	"unknown": _anp_unknown(peers),
} if {
	peers := [k8s.object_or_empty(p) | some p in k8s.as_array(object.get(rule, _peer_key[d], []))]
}

_rule_name(rule) := sprintf(" %q", [rule.name]) if is_string(rule.name)

else := ""

# A network spanning an address family holds every pod's address.
_anp_pods(peers) := "all" if {
	some peer in peers
	some c in k8s.as_array(object.get(peer, "networks", []))
	mlnet.is_everywhere(c)
} else := {w.id |
	some peer in peers
	_is_pod_peer(peer)
	some list in workloads_in
	some w in list
	_pod_peer_matches(peer, w)
}

_is_pod_peer(peer) if "namespaces" in object.keys(peer)

_is_pod_peer(peer) if "pods" in object.keys(peer)

_anp_unknown(peers) := array.flatten([
	[sprintf("%s peer: %s", [key, _not_modelled]) |
		some peer in peers
		some key in ["nodes", "domainNames"]
		key in object.keys(peer)
	],
	[sprintf("networks %s: may hold pod addresses the manifests do not tell", [c]) |
		some peer in peers
		some c in k8s.as_array(object.get(peer, "networks", []))
		not mlnet.is_everywhere(c)
		block_class(c) == "internal"
	],
	[sprintf("%s selector with fields the model does not know", [key]) |
		some peer in peers
		some key in ["namespaces", "pods"]
		not _readable_peer(peer, key)
	],
])

_readable_peer(peer, key) if not key in object.keys(peer)

_readable_peer(peer, "namespaces") if _plain_selector(peer.namespaces)

# A `pods` peer of another type (null, a list) is unreadable: object.get would error on it.
_readable_peer(peer, "pods") if {
	is_object(peer.pods)
	_plain_selector(object.get(peer.pods, "namespaceSelector", {}))
	_plain_selector(object.get(peer.pods, "podSelector", {}))
}

# _anp_ports(rule) is the rule's ports (v1alpha1 `ports`: portNumber, portRange, namedPort;
# ClusterNetworkPolicy `protocols`: tcp/udp/sctp destinationPort number or range,
# destinationNamedPort) as NetworkPolicy port entries; none: every port.
_anp_ports(rule) := array.flatten([
	[{"protocol": _upper(p.portNumber.protocol), "port": p.portNumber.port} |
		some p in k8s.as_array(object.get(rule, "ports", []))
		is_object(p.portNumber)
	],
	[{"protocol": _upper(p.portRange.protocol), "port": p.portRange.start, "endPort": p.portRange.end} |
		some p in k8s.as_array(object.get(rule, "ports", []))
		is_object(p.portRange)
	],
	[{"protocol": proto, "port": p.namedPort} |
		some p in k8s.as_array(object.get(rule, "ports", []))
		is_string(p.namedPort)
		some proto in protocols
	],
	[_protocol_entry(upper(key), k8s.object_or_empty(object.get(k8s.object_or_empty(body), "destinationPort", {}))) |
		some p in k8s.as_array(object.get(rule, "protocols", []))
		some key, body in k8s.object_or_empty(p)
		key in {"tcp", "udp", "sctp"}
	],
	[{"protocol": proto, "port": p.destinationNamedPort} |
		some p in k8s.as_array(object.get(rule, "protocols", []))
		is_string(p.destinationNamedPort)
		some proto in protocols
	],
])

_upper(x) := upper(x) if is_string(x)

else := "TCP"

_protocol_entry(proto, port) := {"protocol": proto, "port": port.number} if is_number(port.number)

else := {"protocol": proto, "port": port.range.start, "endPort": port.range.end} if is_object(port.range)

else := {"protocol": proto}

# --- the tiers for one workload ----------------------------------------------------------------------

# anp_directions(w) is, per direction, the rules of the tiers selecting w in precedence order:
# {"admin": [rules], "baseline": [rules], "isolating": {refs}}.
# Without any tier policy in the input (the common case), nothing is looked up per workload.
anp_directions(w) := {d: {"admin": [], "baseline": [], "isolating": set()} | some d in ["Ingress", "Egress"]} if {
	count(_anp_records) == 0
} else := {d: _anp_direction(admin, baseline, d) |
	admin := anp_selecting(w, "Admin")
	baseline := anp_selecting(w, "Baseline")
	some d in ["Ingress", "Egress"]
}

_anp_direction(admin, baseline, d) := {
	"admin": [rule | some rec in admin; some rule in _anp_rules[rec.ref][d]],
	"baseline": [rule | some rec in baseline; some rule in _anp_rules[rec.ref][d]],
	"isolating": {rec.ref | some rec in array.concat(admin, baseline); anp_isolates(rec.spec, d)},
}

# anp_isolates(spec, direction) holds when the policy has a Deny rule on every port toward every
# pod (ingress: namespaces {} or pods {} peers) or every address (egress: a network spanning
# the address family): what its rules before it do not allow is denied, as under a default deny.
anp_isolates(spec, direction) if {
	some rule in k8s.as_array(object.get(spec, _allow_key[direction], []))
	rule.action == "Deny"
	count(_anp_ports(rule)) == 0
	some peer in k8s.as_array(object.get(rule, _peer_key[direction], []))
	_covers_everything(k8s.object_or_empty(peer), direction)
}

_covers_everything(peer, "Ingress") if selector.is_empty(peer.namespaces)

_covers_everything(peer, "Ingress") if {
	is_object(peer.pods)
	selector.is_empty(object.get(peer.pods, "namespaceSelector", {}))
	selector.is_empty(object.get(peer.pods, "podSelector", {}))
}

_covers_everything(peer, "Egress") if {
	some c in k8s.as_array(object.get(peer, "networks", []))
	mlnet.is_everywhere(c)
}

# anp_isolating(w, direction) is the refs of the Admin and Baseline policies isolating w.
anp_isolating(w, direction) := {rec.ref |
	some tier in ["Admin", "Baseline"]
	some rec in anp_selecting(w, tier)
	anp_isolates(rec.spec, direction)
}

# --- ordered evaluation --------------------------------------------------------------------------

# first_match(rules, peer_id, named) is the list of {"protocol", "from", "to", "action", "by"}
# each rule decides for the peer: its port ranges minus those an earlier rule matched.
first_match(rules, peer_id, named) := [object.union(gap, {
	"protocol": r.protocol,
	"action": rule.action,
	"by": rule.by,
}) |
	some k, rule in rules
	_rule_has_peer(rule.pods, peer_id)
	some r in port_ranges(rule.ports, named)
	earlier := [e |
		some j, prev in rules
		j < k
		_rule_has_peer(prev.pods, peer_id)
		some e in port_ranges(prev.ports, named)
		e.protocol == r.protocol
	]
	some gap in uncovered(r.from, r.to, earlier)
]

# _remaining(decided) is the list of {"protocol", "from", "to"} no Allow or Deny decision covers.
_remaining(decided) := [{"protocol": p, "from": g.from, "to": g.to} |
	some p in protocols
	some g in uncovered(1, 65535, [d | some d in decided; d.protocol == p; d.action != "Pass"])
]

# _clip(pieces, spans) is the pieces restricted to the spans of their protocol.
_clip(pieces, spans) := [object.union(p, {"from": max([p.from, s.from]), "to": min([p.to, s.to])}) |
	some p in pieces
	some s in spans
	s.protocol == p.protocol
	max([p.from, s.from]) <= min([p.to, s.to])
]

# tiered(w, direction, peer_id, named, np_tier) is the allowed pieces after the Admin tier, the
# NetworkPolicy tier (np_tier: what NetworkPolicy and Cilium allow) and the Baseline tier.
tiered(w, direction, peer_id, named, np_tier) := array.concat(
	[object.union(p, {"by": p.by}) | some p in admin; p.action == "Allow"],
	_clip(_below_admin(w, direction, peer_id, named, np_tier), _remaining(admin)),
) if {
	admin := first_match(w[direction].admin_rules, peer_id, named)
}

_below_admin(w, direction, peer_id, named, np_tier) := np_tier if w[direction].np_isolated

else := array.concat(
	[{"protocol": p.protocol, "from": p.from, "to": p.to, "by": p.by} | some p in baseline; p.action == "Allow"],
	[object.union(r, {"by": "not isolated"}) | some r in _remaining(baseline)],
) if {
	baseline := first_match(w[direction].baseline_rules, peer_id, named)
}

# tier_denials(w, direction, peer_id, named) is the pieces the Admin tier, or the Baseline tier
# for a pod no NetworkPolicy isolates, denies: {"protocol", "from", "to", "by"}.
tier_denials(w, direction, peer_id, named) := array.concat(
	[{"protocol": p.protocol, "from": p.from, "to": p.to, "by": p.by} | some p in admin; p.action == "Deny"],
	_baseline_denials(w, direction, peer_id, named, _remaining(admin)),
) if {
	admin := first_match(w[direction].admin_rules, peer_id, named)
}

_baseline_denials(w, direction, peer_id, named, rest) := [] if w[direction].np_isolated

else := _clip(
	[{"protocol": p.protocol, "from": p.from, "to": p.to, "by": p.by} | some p in baseline; p.action == "Deny"],
	rest,
) if {
	baseline := first_match(w[direction].baseline_rules, peer_id, named)
}

# --- address blocks --------------------------------------------------------------------------------

# tier_blocks(w, direction) is {"allow": [{"block", "ports", "by"}], "deny": [deny blocks]} of the
# tiers' network rules: an Admin Allow whose block no earlier Deny (on every port) holds, an Admin
# Deny (or, for a pod no NetworkPolicy isolates, a Baseline Deny) with the blocks of earlier
# Allow and Pass rules inside it as exceptions.
tier_blocks(w, direction) := {
	"allow": [{"block": block, "ports": ports, "by": rule.by} |
		some k, rule in rules
		rule.action == "Allow"
		ports := port_ranges(rule.ports, {})
		count(ports) > 0
		some block in rule.blocks
		not _shadowed(rules, k, block.cidr)
	],
	"deny": [{
		"cidr": block.cidr,
		"except": _carved(rules, k, block.cidr),
		"ports": port_ranges(rule.ports, {}),
		"by": rule.by,
	} |
		some k, rule in rules
		rule.action == "Deny"
		some block in rule.blocks
	],
} if {
	rules := array.flatten([w[direction].admin_rules, w[direction].calico_rules, _baseline_if_open(w, direction)])
}

_baseline_if_open(w, direction) := [] if w[direction].np_isolated

else := w[direction].baseline_rules

_shadowed(rules, k, cidr) if {
	some j, prev in rules
	j < k
	prev.action == "Deny"
	count(prev.ports) == 0
	some b in prev.blocks
	_inside(cidr, b.cidr)
}

# Only an earlier rule on every port carves its block out of a later Deny (one on some ports
# decides those ports only, which its own entry or the deny's ports say).
_carved(rules, k, cidr) := [b.cidr |
	some j, prev in rules
	j < k
	prev.action in {"Allow", "Pass"}
	count(prev.ports) == 0
	some b in prev.blocks
	_inside(b.cidr, cidr)
	b.cidr != cidr
]
