# The per-workload half of the model: which policies select a workload and what each direction's
# rules admit. Part of lib.mlfence.connectivity, kept in its own file for size.
package lib.mlfence.connectivity

import data.lib.mlfence.k8s
import data.lib.mlfence.selector

# The selecting policies are found once per workload; each policy rule's peers are resolved once
# (_rule_pods), however many workloads the policy selects. Cilium's rules (connectivity_cilium.rego)
# isolate and allow alongside the NetworkPolicies; their deny rules ("deny_rules") win over both.
# "unknown" lists the reasons a rule's peers cannot be decided statically.
# Where no Cilium, tier or Calico policy can select the workload (the common case), only its
# NetworkPolicies decide: _np_directions is what _dialect_directions gives then, without asking
# each dialect for its (empty) share per workload and direction.
# `among` is null, or a set of workload ids: the NetworkPolicy rules' peers are then resolved among
# those workloads only (workload_among).
_directions(w, among) := _directions_of(w, among, ["Ingress", "Egress"], {})

# _directions_of(w, among, directions, only) is _directions(w, among) with only the keys of these
# directions ("Ingress", "Egress"), and where only NetworkPolicies decide, the resolved rules
# ("rules") of a direction `only` names ({direction: policy name}) those of that policy alone: at
# admission a reviewed policy's decision reads one direction of most workloads it judges, and of
# those it selects, only its own rules' pieces (workload_among).
_directions_of(w, among, directions, only) := _np_directions(w, among, directions, only) if {
	_np_only(w.namespace)
} else := _dialect_directions(w, among, directions)

# _selecting(w) is {name: NetworkPolicy} of the policies of w's namespace that select it.
_selecting(w) := {name: p |
	some name, p in object.get(policies, w.namespace, {})
	selects(p, w.labels)
}

_np_directions(w, among, directions, only) := {_direction_key[d]: {
	"isolated": count(typed) > 0,
	"np_isolated": count(typed) > 0,
	"policies": sort({t[0] | some t in typed}),
	"open_rules": sort({sprintf("%s rule %d", [_name(t[1]), i]) |
		some t in typed
		some i, rule in t[2]
		not rule.ports[0] # a rule with a port admits not every port: most rules, turned down here
		_admits_everyone(rule, d)
	}),
	"rules": _typed_rules(w.namespace, [t | some t in typed; object.get(only, d, t[0]) == t[0]], d, among),
	"deny_rules": [],
	"admin_rules": [],
	"baseline_rules": [],
	"calico_rules": [],
	"unknown": [],
} |
	some d in directions
	typed := _typed_of(w, d, only)
}

# _typed_of(w, direction, only) is, of the policies selecting w that list the direction, one
# [name, policy, rules of the direction] each, in the order of their names; where `only` names a
# policy for the direction and that policy selects w and lists it, that policy's alone: then
# "rules" (only its rules) and the isolation are the model's without matching every other policy
# of the namespace against w, and "policies" and "open_rules" name that policy only (at admission
# the reviewed policy's own direction of a workload it selects, where nothing reads them).
_typed_of(w, direction, only) := [[name, p, [r | is_array(p.spec[key]); some r in p.spec[key]]]] if {
	name := only[direction]
	p := policies[w.namespace][name]
	is_object(p.spec)
	pod_selector := object.get(p.spec, "podSelector", null)
	selector.matches(object.get({"null": {}}, type_name(pod_selector), pod_selector), w.labels)
	direction in k8s.policy_types(p)
	key := _direction_key[direction]
} else := [[s[0], s[1], [r | is_array(s[1].spec[key]); some r in s[1].spec[key]]] |
	key := _direction_key[direction]
	some s in _selecting_types(w)
	direction in s[2]
]

# _selecting_types(w) is _selecting(w) as a list of [name, policy, types] in the order of the
# names, each policy's types read once for both directions (a triple, not an object: cheaper to
# build, ~50 allocations per admission decision). The podSelector is pod_selector's
# without its call: an object as it is, null or absent (with a spec) the empty selector, any other
# value passed as it is, which selector.matches turns down as pod_selector's undefined was. (A
# lookup in a constant object: one built per policy around the selector cost ~60 allocations per
# admission decision.)
_selecting_types(w) := [[name, p, k8s.policy_types(p)] |
	some name, p in object.get(policies, w.namespace, {})
	is_object(p.spec)
	pod_selector := object.get(p.spec, "podSelector", null)
	selector.matches(object.get({"null": {}}, type_name(pod_selector), pod_selector), w.labels)
]

# _typed(selecting, direction) is, of the selecting policies that list the direction, one
# [name, policy, rules] each (in the order of their names): the policy types and each
# policy's rules of the direction read once, for the isolation, the open rules and the resolved
# rules alike. (rules_of's `is_object(policy.spec)` holds: a selecting policy has a spec.)
_typed(selecting, direction) := [[name, p, k8s.as_array(object.get(p.spec, _direction_key[direction], []))] |
	some name, p in selecting
	direction in k8s.policy_types(p)
]

_dialect_directions(w, among, directions) := {_direction_key[d]: {
	"isolated": count(listing) > 0,
	"np_isolated": count(np_listing) > 0,
	"policies": sort(listing),
	"open_rules": sort(_open_rules_of(selecting, d) | cilium[d].open),
	"rules": np_rules,
	"deny_rules": cilium[d].deny,
	"admin_rules": tiers[d].admin,
	"baseline_rules": tiers[d].baseline,
	"calico_rules": _calico_rules_of(calico[d], np_rules),
	"unknown": sort({sprintf("%s: %s", [rule.by, reason]) |
		some rule in array.flatten([cilium[d].allow, cilium[d].deny, tiers[d].admin, tiers[d].baseline, calico[d].rules])
		some reason in rule.unknown
	}),
} |
	selecting := _selecting(w)
	cilium := cilium_directions(w)
	tiers := anp_directions(w)
	calico := calico_directions(w)
	some d in directions
	np_rules := array.concat(_resolved_rules(w.namespace, selecting, d, among), cilium[d].allow)
	np_listing := union({
		{name | some name, p in selecting; d in k8s.policy_types(p)},
		cilium[d].isolating,
		{ref | some ref in calico[d].selecting},
	})
	listing := np_listing | tiers[d].isolating
}

# _open_rules_of(selecting, direction) is open_rules for policies already known to select the
# workload (_selecting): without matching each one's podSelector against its labels again.
_open_rules_of(selecting, direction) := {sprintf("%s rule %d", [_name(p), i]) |
	some p in selecting
	some i, rule in rules_of(p, direction)
	_admits_everyone(rule, direction)
}

# _np_only(ns) holds when no Cilium, tier or Calico policy may select pods of namespace ns: the
# fast paths of cilium_directions, anp_directions and calico_directions all apply. Where neither
# ns nor the cluster scope holds an object of a dialect's API group (dialects_absent, read from
# _dialect_namespaces), there is none of their policies to build records of: not three record
# lookups (~500 allocations per namespace at admission).
_np_only(ns) if {
	count(_dialect_namespaces) == 0 # no dialect anywhere (the common case), without the negations
} else if {
	not ns in _dialect_namespaces
	not "" in _dialect_namespaces
} else if {
	count(_cilium_for(ns)) == 0
	count(_anp_records) == 0
	count(_calico_default_for(ns)) == 0
}

# _dialect_namespaces is the namespaces ("" the cluster scope) holding an object of a dialect's API
# group: dialects_absent(ns) is `not ns in _dialect_namespaces; not "" in _dialect_namespaces`,
# walked once per evaluation instead of once per namespace asked (at admission, the few
# namespaces of the scoped inventory).
_dialect_namespaces contains ns if {
	# _policy_groups's namespaces, walked without building that table
	is_object(_raw_inventory.namespace)
	some ns, groups in _raw_inventory.namespace
	is_object(groups)
	some version, _ in groups # _dialect_group_in(groups), without a call per namespace
	split(version, "/")[0] in _dialect_groups
}

_dialect_namespaces contains "" if {
	is_object(_raw_inventory.cluster)
	some version, _ in _raw_inventory.cluster
	split(version, "/")[0] in _dialect_groups
}

# _resolved_rules(ns, selecting, direction, among) is every rule of the selecting policies that
# lists the direction, with its peers resolved (among the workloads `among` names, when it is a
# set): {"policy": "ns/name", "index", "pods": {ids} | "all", "blocks": [{"cidr", "except"}],
# "ports": the rule's port entries}.
_resolved_rules(ns, selecting, direction, among) := _typed_rules(ns, _typed(selecting, direction), direction, among)

# _typed_rules(ns, typed, direction, among) is _resolved_rules of the policies _typed gives. Each
# rule's peers are read once, for its pods and its blocks alike, and its policy's reference is
# built once per policy. Two definitions, one per kind of `among`, so that which pods a rule has
# is not decided per rule: without `among` they are _rule_pods's, resolved once per policy for
# every workload it selects; with it, those of the workloads `among` names that the peers admit.
_typed_rules(ns, typed, direction, null) := [{
	"policy": ref,
	"index": i,
	"by": sprintf("%s rule %d", [ref, i]),
	"pods": _rule_pods[ns][t[0]][direction][i],
	"blocks": _blocks_of_peers(peers),
	"ports": [p | is_array(rule.ports); some p in rule.ports],
} |
	peer_key := _peer_key[direction]
	some t in typed
	ref := concat("/", [ns, t[0]])
	some i, rule in t[2]
	peers := [p | is_array(rule[peer_key]); some p in rule[peer_key]]
]

_typed_rules(ns, typed, direction, among) := [{
	"policy": ref,
	"index": i,
	"by": sprintf("%s rule %d", [ref, i]),
	# rule_pods(rule, direction, ns) & among, without a call per rule: the lookup picks "all"
	# for a rule without peers, else the candidates its peers admit
	"pods": object.get({true: "all"}, peers == [], {id |
		some peer in peers
		some id in peer_workloads_among(peer, ns, among)
	}),
	"blocks": _blocks_of_peers(peers),
	"ports": [p | is_array(rule.ports); some p in rule.ports],
} |
	peer_key := _peer_key[direction]
	some t in typed
	ref := concat("/", [ns, t[0]])
	some i, rule in t[2]
	peers := [p | is_array(rule[peer_key]); some p in rule[peer_key]]
] if {
	is_set(among)
}

# [x | is_array(obj[key]); some x in obj[key]] is k8s.as_array(object.get(k8s.object_or_empty(obj),
# key, [])), written inline where it is read per rule: a reference into a non-object is undefined,
# as is a missing key, and give [] as the calls did, without their cost (~50 allocations per rule).

# _blocks_of_peers(peers) is _blocks_of_rule for a rule with these peers.
_blocks_of_peers(peers) := [{"cidr": "0.0.0.0/0", "except": []}, {"cidr": "::/0", "except": []}] if {
	peers == []
} else := [{
	"cidr": peer.ipBlock.cidr,
	"except": [e | some e in k8s.as_array(peer.ipBlock.except); is_string(e)],
} |
	some peer in peers
	is_object(peer)
	is_string(peer.ipBlock.cidr)
	not _has_selector(peer)
]

# _rule_pods[ns][name][direction] is, per rule of that policy, the workloads its peers select.
# (The policy is looked up: `some ns, list in policies` scanned every namespace per lookup.)
_rule_pods[ns][name][direction] := [rule_pods(rule, direction, ns) | some rule in rules_of(p, direction)] if {
	some ns, name
	p := policies[ns][name]
	some direction in ["Ingress", "Egress"]
}

# --- admission: one workload, its rules' peers resolved among a few --------------------------

# workload_among(id, ids, directions, only) is workloads[id] computed for that one workload, its
# NetworkPolicy rules' pods resolved among the workloads of the set ids only, and only the
# directions listed ("Ingress", "Egress": the keys "ingress", "egress"; both give every key of
# workloads[id]); `only` ({direction: policy name}, {} for none) cuts a direction's "rules" to
# the named policy's where only NetworkPolicies decide; where that policy selects the workload
# and lists the direction, "policies" and "open_rules" are its own too (_typed_of), the other
# fields stay the model's. An
# admission decision on one NetworkPolicy judges the flows between the workloads it selects and
# their peers, so it needs neither the isolation and resolved rules of every workload of the
# namespaces in scope nor which other workloads a rule admits (rule.pods & ids is what it reads),
# nor a direction none of its pieces is decided in, nor, in a direction where only its own rules
# decide the pieces it answers for, the other policies' rules. OPA memoises the call.
workload_among(id, ids, directions, only) := object.union(w, _directions_of(w, ids, directions, only)) if {
	w := bare_workload(id)
}

# peer_workloads_among(peer, ns, ids) is peer_workloads(peer, ns) & ids: the same tests, on the
# workloads of ids instead of those of the peer's namespaces (connectivity_test.rego compares them).
# The peer's shape is decided once (a podSelector alone, or a namespaceSelector with or without
# one; else nothing), before the candidates are tested.
peer_workloads_among(peer, ns, ids) := {id |
	some id in ids
	r := workload_index[id] # [position, id, namespace, labels, object]: the entry is not needed
	r[2] == ns
	selector.matches(peer.podSelector, r[3])
} if {
	is_object(peer)
	object.keys(peer) & {"ipBlock", "namespaceSelector"} == set()
	is_object(peer.podSelector)
} else := {id |
	pods := object.get(peer, "podSelector", {})
	candidates := _candidate_namespaces(peer.namespaceSelector)
	some id in ids
	r := workload_index[id]
	r[2] in candidates
	selector.matches(peer.namespaceSelector, namespaces[r[2]])
	_pods_match(pods, r[3])
} if {
	is_object(peer)
	not "ipBlock" in object.keys(peer)
	is_object(peer.namespaceSelector)
} else := set()
