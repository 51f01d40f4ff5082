# The model over the inventory: namespaces, policies and workloads per namespace, flows between
# workloads and to address blocks. Part of lib.mlfence.connectivity, kept in its own file for size.
package lib.mlfence.connectivity

import data.lib.mlfence.k8s
import data.lib.mlfence.selector

# --- the inventory ----------------------------------------------------------------------------

# METADATA
# description: >-
#   The objects the model is computed over. Besides the kinds every cross-object rule reads, it
#   reads workloads and AuthorizationPolicies: `mlfence build` reads inventory_kinds here (from
#   OPA's parse tree) and makes every template that links this rule require those kinds synced.
# custom:
#   inventory_kinds: model
default _inventory := {}

_inventory := data.inventory if is_object(data.inventory)

# _groups[ns] is {apiVersion: {kind: {name: obj}}} of namespace ns; "" holds objects without one.
# (Iterated directly, not through k8s.object_or_empty: a function's argument is hashed for OPA's
# memo, which reads every object of a store-backed data.inventory; ~390k allocations per decision
# on bench/reach's 1x inventory wherever a rule asked for _groups[""] outside a `with`.) A lookup
# when ns is given: `some ns, groups in X` scans all of X even then, once per namespace asked.
_groups[ns] := groups if {
	is_object(_inventory.namespace)
	some ns
	groups := _inventory.namespace[ns] # regal ignore:prefer-some-in-iteration
	is_object(groups)
}

_groups[""] := _inventory.cluster if is_object(_inventory.cluster)

# _group_names is the keys of _groups. The rules holding a value per namespace are built from it in
# one comprehension each, not as partial objects: OPA builds a partial object's full extent in time
# quadratic in its keys (each key is checked against every key before it), ~1 s at bench/reach's
# 10x platform (2,000 namespaces). (Hence regal's prefer-set-or-object-rule is ignored on them.)
_group_names := {ns |
	is_object(_inventory.namespace)
	some ns, groups in _inventory.namespace
	is_object(groups)
} | {"" | is_object(_inventory.cluster)}

# namespaces[ns] is the labels of namespace ns: its Namespace object's labels when the input
# holds it, plus kubernetes.io/metadata.name, which the API server sets on every namespace.
# (One complete rule: lookups namespaces[name] then read it instead of re-running a body.)
# (The namespaces with objects are read from the inventory, not from _groups: the whole of that
# rule holds every namespace's objects, read from OPA's store, ~440k allocations on bench/reach's
# 1x inventory where a rule asks for the namespaces outside a `with`.)
# (The label sets are written out, selector.namespace_labels's without its calls: the label
# alone for a namespace known by its objects, the object's labels with it for a Namespace.)
namespaces := object.union(
	{ns: {"kubernetes.io/metadata.name": ns} |
		is_object(_inventory.namespace)
		some ns, groups in _inventory.namespace
		is_object(groups)
		ns != ""
	},
	{obj.metadata.name: object.union(_own_labels(obj), {"kubernetes.io/metadata.name": obj.metadata.name}) |
		# every cluster-scoped object, walked here: a list of them is not needed
		some kinds in _groups[""]
		is_object(kinds)
		some objs in kinds
		is_object(objs)
		some obj in objs
		is_object(obj)
		obj.kind == "Namespace"
		is_string(obj.metadata.name)
		obj.metadata.name != ""
	},
)

# policies[ns] is {name: NetworkPolicy} of namespace ns ("" for those without a namespace).
# regal ignore:prefer-set-or-object-rule
policies := {ns: {name: p |
	listed := _groups[ns]["networking.k8s.io/v1"].NetworkPolicy
	is_object(listed)
	some name, p in listed
	is_object(p)
} |
	some ns in _group_names
}

# workloads_in[ns] is the list of workloads of namespace ns: the entries of workload_refs' records
# (connectivity_refs.rego), in their order, so that the ids and labels selectors are matched
# against and the entries are read from one walk.
# regal ignore:prefer-set-or-object-rule
workloads_in := {ns: [w |
	some r in records
	some w in record_entries(r)
] |
	some ns, records in workload_refs
}

# workloads is {id: workload} with each workload's isolation and its resolved rules:
# "ingress"/"egress": {"isolated", "policies": [names], "open_rules": [texts], "rules": [resolved]}.
workloads := object.union_n([{w.id: object.union(w, _directions(w, null))} |
	some ns, list in workloads_in
	some w in list
])

# bare_workloads is {id: workload} of workloads_in, without the isolation and rules (as in
# workloads, the last of two entries of one id wins).
bare_workloads := object.union_n([{w.id: w} |
	some list in workloads_in
	some w in list
])

# _peers(rule, direction) is k8s.as_array(object.get(k8s.object_or_empty(rule), key, [])), without
# the calls (connectivity_directions.rego's _typed_rules reads peers the same way).
_peers(rule, direction) := [p | is_array(rule[key]); some p in rule[key]] if key := _peer_key[direction]

# rule_pods(rule, direction, ns) is the ids of the workloads a rule of a policy of namespace ns
# admits in that direction ("Ingress" or "Egress"): "all" for a rule without peers.
# A rule without peers admits every pod and every address.
rule_pods(rule, direction, ns) := "all" if count(_peers(rule, direction)) == 0

else := {id |
	some peer in _peers(rule, direction)
	some id in peer_workloads(peer, ns)
}

_blocks_of_rule(rule, direction) := [{"cidr": "0.0.0.0/0", "except": []}, {"cidr": "::/0", "except": []}] if {
	count(_peers(rule, direction)) == 0
} else := [{"cidr": peer.ipBlock.cidr, "except": [e | some e in k8s.as_array(peer.ipBlock.except); is_string(e)]} |
	some peer in _peers(rule, direction)
	is_object(peer)
	is_string(peer.ipBlock.cidr)
	not _has_selector(peer)
]

_has_selector(peer) if "podSelector" in object.keys(peer)

_has_selector(peer) if "namespaceSelector" in object.keys(peer)

# peer_workloads(peer, ns) is the set of ids of the workloads a `from`/`to` entry of a policy
# of namespace ns selects: podSelector alone in ns; namespaceSelector (with or without a
# podSelector) in every known namespace whose labels it matches. A peer that also names an
# ipBlock is invalid (the API server rejects it) and selects nothing.
# (The two shapes exclude each other, by the namespaceSelector key: an else, not a union of two
# sets each testing the peer's shape again.)
# The workloads are read as workload_refs' records ([position, id, namespace, labels, object]):
# ids and labels are all a selector needs, and admission builds no entry of the workloads it only
# matches.
peer_workloads(peer, ns) := {r[1] |
	some r in object.get(workload_refs, ns, [])
	selector.matches(peer.podSelector, r[3])
} if {
	is_object(peer)
	object.keys(peer) & {"ipBlock", "namespaceSelector"} == set()
	is_object(peer.podSelector)
} else := {r[1] |
	pods := object.get(peer, "podSelector", {})
	some other in _candidate_namespaces(peer.namespaceSelector)
	selector.matches(peer.namespaceSelector, namespaces[other])
	some r in object.get(workload_refs, other, [])
	_pods_match(pods, r[3])
} if {
	is_object(peer)
	not "ipBlock" in object.keys(peer)
	is_object(peer.namespaceSelector)
} else := set()

# _candidate_namespaces(sel) is the namespaces a namespaceSelector may match: the one it names by
# kubernetes.io/metadata.name (the common form, found without a scan), else every known one.
# (A lookup: `{name} & object.keys(namespaces)` built the set of every namespace per peer, which
# made the model quadratic in the namespaces: bench/reach/README.md, 2026-12-07.)
_candidate_namespaces(sel) := {name} if {
	name := sel.matchLabels["kubernetes.io/metadata.name"]
	is_string(name)
	namespaces[name]
} else := set() if {
	is_string(sel.matchLabels["kubernetes.io/metadata.name"])
} else := object.keys(namespaces)

_pods_match(pods, labels) if {
	pods == null
} else if selector.matches(pods, labels)

# --- ports ------------------------------------------------------------------------------------

# port_ranges(entries, named) is the list of {"protocol", "from", "to"} a rule's `ports` admit,
# named ports resolved against `named` ({name: {"port", "protocol"}}, the destination pod's);
# a name the pod does not declare admits nothing.
port_ranges(entries, named) := all_ports if count(entries) == 0

else := [r |
	some p in entries
	is_object(p)
	some r in _entry_ranges(p, named)
]

_entry_ranges(p, named) := [{"protocol": _protocol(p), "from": 1, "to": 65535}] if {
	object.get(p, "port", null) == null
} else := [{"protocol": _protocol(p), "from": p.port, "to": _end(p)}] if {
	is_number(p.port)
	floor(p.port) == p.port # a whole number: the API server rejects any other (and gaps need whole ones)
} else := [{"protocol": _protocol(p), "from": named[p.port].port, "to": named[p.port].port}] if {
	is_string(p.port)
	named[p.port].protocol == _protocol(p)
} else := []

_end(p) := p.endPort if {
	is_number(p.endPort)
	floor(p.endPort) == p.endPort
	p.endPort >= p.port
} else := p.port

# grants(w, direction, peer_id, named) is the list of {"protocol", "from", "to", "by"} that w's
# rules in the direction admit for the peer workload, ports resolved against `named` (the
# destination's); everything, by "not isolated", when no policy isolates the direction; minus
# what a deny rule (Cilium's ingressDeny/egressDeny) takes away.
grants(w, direction, peer_id, named) := allowed_grants(w, direction, peer_id, named) if {
	_np_alone(w[direction]) # the common case: what _np_tier gives then, without its calls
} else := _np_tier(w, direction, peer_id, named) if {
	not _tiered(w[direction])
} else := tiered(w, direction, peer_id, named, _np_tier(w, direction, peer_id, named))

# _np_alone(d) holds when no tier, Calico or deny rule acts on the direction: its grants are its
# allowed_grants.
_np_alone(d) if {
	d.deny_rules == []
	d.admin_rules == []
	d.baseline_rules == []
	d.calico_rules == []
}

# The NetworkPolicy tier: NetworkPolicy and Cilium allow rules, or, when Calico policies select
# the pod, Calico's ordered default tier with them at order 1000; then Cilium's deny rules.
_np_tier(w, direction, peer_id, named) := _minus(
	allowed_grants(w, direction, peer_id, named),
	denials(w, direction, peer_id, named),
) if {
	count(w[direction].calico_rules) == 0
} else := _minus(calico_tier(w, direction, peer_id, named), denials(w, direction, peer_id, named))

_tiered(d) if count(d.admin_rules) + count(d.baseline_rules) > 0

_calico_rules_of(calico, np_rules) := [] if count(calico.selecting) == 0

else := calico_ordered(calico, np_rules)

# allowed_grants is grants before the deny rules.
allowed_grants(w, direction, peer_id, named) := [object.union(r, {"by": "not isolated"}) | some r in all_ports] if {
	not w[direction].np_isolated
} else := [object.union(r, {"by": rule.by}) |
	some rule in w[direction].rules
	_rule_has_peer(rule.pods, peer_id)
	some r in port_ranges(rule.ports, named)
]

# denials(w, direction, peer_id, named) is the list of {"protocol", "from", "to", "by"} that w's
# deny rules in the direction take away for the peer.
denials(w, direction, peer_id, named) := [object.union(r, {"by": rule.by}) |
	some rule in object.get(w[direction], "deny_rules", [])
	_rule_has_peer(rule.pods, peer_id)
	some r in port_ranges(rule.ports, named)
]

_minus(pieces, denied) := pieces if count(denied) == 0

else := [object.union(p, gap) |
	some p in pieces
	some gap in uncovered(p.from, p.to, [d | some d in denied; d.protocol == p.protocol])
]

_rule_has_peer(pods, id) if {
	pods == "all"
} else if id in pods

# connection(src, dst) is the list of {"protocol", "from", "to", "egress_by", "ingress_by"} on
# which src may open connections to dst: what src's egress admits to dst, intersected with what
# dst's ingress admits from src, each piece naming the rules that decided it.
connection(src, dst) := [{
	"protocol": e.protocol,
	"from": low,
	"to": high,
	"egress_by": e.by,
	"ingress_by": i.by,
} |
	some e in grants(src, "egress", dst.id, dst.ports)
	some i in grants(dst, "ingress", src.id, dst.ports)
	e.protocol == i.protocol
	low := max([e.from, i.from])
	high := min([e.to, i.to])
	low <= high
]

# --- flows ------------------------------------------------------------------------------------

# open_egress and open_ingress are the ids of workloads not isolated in that direction (and
# without deny rules there): between such a source and such a destination every port is open.
# flows leaves those pairs out (there are |sources| x |destinations| of them) and reports them
# once as this summary.
open_egress := sort([id | some id, w in workloads; _open_direction(w.egress)])

open_ingress := sort([id | some id, w in workloads; _open_direction(w.ingress)])

_open_direction(d) if {
	not d.isolated
	count(d.deny_rules) == 0
	not _tiered(d)
}

# flows is the list of {"from", "to", "ports", "denied"} between workloads where at least one
# side's policies decide: the source is egress-isolated or the destination ingress-isolated.
# "ports" is what the NetworkPolicies and the destination's Istio AuthorizationPolicies allow
# (connectivity_authz.rego); "denied" what the NetworkPolicies allow and an AuthorizationPolicy
# denies, each piece naming the policy that decided it.
flows := [{"from": pair[0], "to": pair[1], "ports": ports, "denied": denied} |
	some pair in _candidate_pairs
	ports := mesh_connection(workloads[pair[0]], workloads[pair[1]])
	denied := array.concat(
		l4_denied(workloads[pair[0]], workloads[pair[1]]),
		mesh_denied(workloads[pair[0]], workloads[pair[1]]),
	)
	count(ports) + count(denied) > 0
]

_candidate_pairs := {[src, dst] |
	some src, w in workloads
	not _open_direction(w.egress)
	some dst in _targets(w.egress)
} | {[src, dst] |
	some dst, w in workloads
	not _open_direction(w.ingress)
	some src in _targets(w.ingress)
}

# A direction open but for its deny rules reaches every workload; so does one a tier decides on:
# what its rules leave undecided falls to the tiers below.
_targets(d) := object.keys(workloads) if not d.np_isolated

else := object.keys(workloads) if _tiered(d)

else := object.keys(workloads) if count(d.calico_rules) > 0

else := _rule_targets(d.rules)

_rule_targets(rules) := object.keys(workloads) if {
	some rule in rules
	rule.pods == "all"
} else := {id |
	some rule in rules
	some id in rule.pods
}

# external is the list of {"workload", "direction", "cidr", "except", "class", "metadata",
# "ports", "by"}: the address blocks a workload may send to (egress) or receive from (ingress).
# An unisolated direction is the whole address space, by "not isolated". Named ports cannot be
# resolved against an address and admit nothing there.
external := [entry |
	some id, w in workloads
	some direction in ["egress", "ingress"]
	some entry in external_of(id, w, direction)
]

# external_of(id, w, direction) is workload w's entries of `external` for one direction, after
# its deny rules (connectivity_cilium.rego): a deny block that holds the whole entry block takes
# its ports away, one inside it on every port becomes an `except`, and any other overlapping deny
# is listed under "denied" ({"cidr", "ports", "by"}).
# The Admin and Baseline tiers' network rules (connectivity_anp.rego) come first: their Allow
# entries are final (only Cilium's deny rules apply to them); their Deny blocks apply to the
# NetworkPolicy tier's blocks, which the exceptions an earlier Allow or Pass carved narrow to those.
external_of(id, w, direction) := [_block_entry(id, direction, raw.block, raw.ports, raw.by, []) |
	# The common case first: without tier, Calico or deny rules there is nothing to narrow or take
	# away (the general form below gives the same entries for it, at several times the cost).
	some raw in _raw_blocks(w, direction)
	count(raw.ports) > 0
] if {
	count(w[direction].admin_rules) + count(w[direction].baseline_rules) == 0 # not _tiered, without a negated call
	count(w[direction].calico_rules) == 0
	count(object.get(w[direction], "deny_rules", [])) == 0
} else := [_block_entry(id, direction, b.block, b.ports, b.by, b.denied) |
	tiers := _tier_blocks(w, direction)
	cilium_denies := _deny_blocks(w, direction)
	some pair in array.concat(
		[[raw, cilium_denies] | some raw in tiers.allow],
		[[raw, array.concat(cilium_denies, tiers.deny)] |
			some wide in _raw_blocks(w, direction)
			some raw in _narrow(wide, tiers.deny)
		],
	)
	b := _after_denies(pair[0], pair[1])
	count(b.ports) > 0
]

# _narrow(raw, denies) is the raw block narrowed to the exceptions of a deny on every port that
# holds it: only those stay open.
_narrow(raw, denies) := [object.union(raw, {"block": {"cidr": e, "except": []}}) |
	some e in carving.except
	_inside(e, raw.block.cidr)
] if {
	carving := [d |
		some d in denies
		count(d.except) > 0
		d.ports == all_ports
		_inside(raw.block.cidr, d.cidr)
	][0]
} else := [raw]

_tier_blocks(w, direction) := {"allow": [], "deny": []} if {
	not _tiered(w[direction])
	count(w[direction].calico_rules) == 0
}

else := tier_blocks(w, direction)

# With Calico, the NetworkPolicy tier's blocks come in order with Calico's (tier_blocks).
_raw_blocks(w, direction) := [] if {
	w[direction].np_isolated
	count(w[direction].calico_rules) > 0
} else := [{"block": block, "ports": all_ports, "by": "not isolated"} |
	some block in [{"cidr": "0.0.0.0/0", "except": []}, {"cidr": "::/0", "except": []}]
] if {
	not w[direction].np_isolated
} else := [{"block": block, "ports": ports, "by": rule.by} |
	some rule in w[direction].rules
	count(rule.blocks) > 0 # most rules name workloads only: their ports are not read
	ports := port_ranges(rule.ports, {})
	count(ports) > 0
	some block in rule.blocks
]

_block_entry(id, direction, block, ports, by, denied) := object.union(block, {
	"denied": denied,
	"workload": id,
	"direction": direction,
	"class": block_class(block.cidr),
	"metadata": _metadata_flag(direction, block),
	"ports": ports,
	"by": by,
})

# unknown is the list of {"workload", "direction", "policy", "reason"} the model cannot decide
# statically: a rule's peers named by DNS, services, nodes or the control plane, and
# (with workload "") a policy whose selector it cannot read. Such flows are neither allowed nor
# denied in `flows`/`external`; they are listed here with the reason.
unknown := array.concat(
	[{"workload": id, "direction": direction, "policy": rule.by, "reason": reason} |
		some id, w in workloads
		some direction in ["ingress", "egress"]
		some rule in array.flatten([
			w[direction].rules, w[direction].deny_rules,
			w[direction].admin_rules, w[direction].baseline_rules,
			[r | some r in w[direction].calico_rules; startswith(r.by, "Calico ")],
		])
		some reason in object.get(rule, "unknown", [])
	],
	[object.union(u, {"workload": "", "direction": ""}) |
		some u in array.concat(cilium_unknown_selectors, calico_unknown)
	],
)

# model is the whole answer, for `mlfence reach` and the bundle.
model := {
	"unknown": unknown,
	"workloads": workloads,
	"flows": flows,
	"external": external,
	"open_egress": open_egress,
	"open_ingress": open_ingress,
}
