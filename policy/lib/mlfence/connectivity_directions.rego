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
_directions(w, among) := _np_directions(w, among) if {
	_np_only(w.namespace)
} else := _dialect_directions(w, among)

# _selecting(w) is {name: NetworkPolicy} of the policies of w's namespace that select it.
_selecting(w) := {name: p |
	some name, p in object.get(policies, w.namespace, {})
	selects(p, w.labels)
}

_np_directions(w, among) := {_direction_key[d]: {
	"isolated": count(listing) > 0,
	"np_isolated": count(listing) > 0,
	"policies": sort(listing),
	"open_rules": sort(_open_rules_of(selecting, d)),
	"rules": _resolved_rules(w.namespace, selecting, d, among),
	"deny_rules": [],
	"admin_rules": [],
	"baseline_rules": [],
	"calico_rules": [],
	"unknown": [],
} |
	selecting := _selecting(w)
	some d in ["Ingress", "Egress"]
	listing := {name | some name, p in selecting; d in policy_types(p)}
}

_dialect_directions(w, among) := {_direction_key[d]: {
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
	some d in ["Ingress", "Egress"]
	np_rules := array.concat(_resolved_rules(w.namespace, selecting, d, among), cilium[d].allow)
	np_listing := union({
		{name | some name, p in selecting; d in policy_types(p)},
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
# fast paths of cilium_directions, anp_directions and calico_directions all apply.
_np_only(ns) if {
	count(_cilium_for(ns)) == 0
	count(_anp_records) == 0
	count(_calico_default_for(ns)) == 0
}

# _resolved_rules(ns, selecting, direction, among) is every rule of the selecting policies that
# lists the direction, with its peers resolved (among the workloads `among` names, when it is a
# set): {"policy": "ns/name", "index", "pods": {ids} | "all", "blocks": [{"cidr", "except"}],
# "ports": the rule's port entries}.
_resolved_rules(ns, selecting, direction, among) := [{
	"policy": sprintf("%s/%s", [ns, name]),
	"index": i,
	"by": sprintf("%s/%s rule %d", [ns, name, i]),
	"pods": _pods_among(ns, name, direction, i, rule, among),
	"blocks": _blocks_of_rule(rule, direction),
	"ports": k8s.as_array(object.get(k8s.object_or_empty(rule), "ports", [])),
} |
	some name, p in selecting
	some i, rule in rules_of(p, direction)
]

# _pods_among(ns, name, direction, i, rule, among) is the pods of rule i of policy ns/name:
# _rule_pods's, or, when `among` is a set of ids, those of its workloads the rule's peers admit,
# each tested on its own (peer_admits) rather than every workload of the peers' namespaces.
_pods_among(ns, name, direction, i, _, null) := _rule_pods[ns][name][direction][i]

_pods_among(ns, _, direction, _, rule, among) := _pods_of_rule_among(rule, direction, ns, among) if is_set(among)

# _rule_pods[ns][name][direction] is, per rule of that policy, the workloads its peers select.
# (The policy is looked up: `some ns, list in policies` scanned every namespace per lookup.)
_rule_pods[ns][name][direction] := [_pods_of_rule(rule, direction, ns) | some rule in rules_of(p, direction)] if {
	some ns, name
	p := policies[ns][name]
	some direction in ["Ingress", "Egress"]
}

# --- admission: one workload, its rules' peers resolved among a few --------------------------

# workload_among(id, ids) is workloads[id] computed for that one workload, its NetworkPolicy rules'
# pods resolved among the workloads of the set ids only: an admission decision on one
# NetworkPolicy judges the flows between the workloads it selects and their peers, so it needs
# neither the isolation and resolved rules of every workload of the namespaces in scope nor which
# other workloads a rule admits (rule.pods & ids is what it reads). OPA memoises the call.
workload_among(id, ids) := object.union(w, _directions(w, ids)) if {
	w := bare_workloads[id]
}

# _pods_of_rule_among(rule, direction, ns, ids) is _pods_of_rule(rule, direction, ns) & ids.
_pods_of_rule_among(rule, direction, ns, ids) := "all" if count(_peers(rule, direction)) == 0

else := {id |
	some peer in _peers(rule, direction)
	some id in peer_workloads_among(peer, ns, ids)
}

# peer_workloads_among(peer, ns, ids) is peer_workloads(peer, ns) & ids: the same tests, on the
# workloads of ids instead of those of the peer's namespaces (connectivity_test.rego compares them).
peer_workloads_among(peer, ns, ids) := {id |
	is_object(peer)
	not "ipBlock" in object.keys(peer)
	not "namespaceSelector" in object.keys(peer)
	is_object(peer.podSelector)
	some id in ids
	w := bare_workloads[id]
	w.namespace == ns
	selector.matches(peer.podSelector, w.labels)
} | {id |
	is_object(peer)
	not "ipBlock" in object.keys(peer)
	is_object(peer.namespaceSelector)
	pods := object.get(peer, "podSelector", {})
	candidates := _candidate_namespaces(peer.namespaceSelector)
	some id in ids
	w := bare_workloads[id]
	w.namespace in candidates
	selector.matches(peer.namespaceSelector, namespaces[w.namespace])
	_pods_match(pods, w.labels)
}
