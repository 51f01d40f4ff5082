# The per-workload half of the model: which policies select a workload and what each direction's
# rules admit. Part of lib.mlfence.connectivity, kept in its own file for size.
package lib.mlfence.connectivity

import data.lib.mlfence.k8s

# The selecting policies are found once per workload; each policy rule's peers are resolved once
# (_rule_pods), however many workloads the policy selects. Cilium's rules (connectivity_cilium.rego)
# isolate and allow alongside the NetworkPolicies; their deny rules ("deny_rules") win over both.
# "unknown" lists the reasons a rule's peers cannot be decided statically.
# Where no Cilium, tier or Calico policy can select the workload (the common case), only its
# NetworkPolicies decide: _np_directions is what _dialect_directions gives then, without asking
# each dialect for its (empty) share per workload and direction.
_directions(w) := _np_directions(w) if {
	_np_only(w.namespace)
} else := _dialect_directions(w)

# _selecting(w) is {name: NetworkPolicy} of the policies of w's namespace that select it.
_selecting(w) := {name: p |
	some name, p in object.get(policies, w.namespace, {})
	selects(p, w.labels)
}

_np_directions(w) := {_direction_key[d]: {
	"isolated": count(listing) > 0,
	"np_isolated": count(listing) > 0,
	"policies": sort(listing),
	"open_rules": sort(_open_rules_of(selecting, d)),
	"rules": _resolved_rules(w.namespace, selecting, d),
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

_dialect_directions(w) := {_direction_key[d]: {
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
	np_rules := array.concat(_resolved_rules(w.namespace, selecting, d), cilium[d].allow)
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

# _resolved_rules(ns, selecting, direction) is every rule of the selecting policies that lists
# the direction, with its peers resolved: {"policy": "ns/name", "index", "pods": {ids} | "all",
# "blocks": [{"cidr", "except"}], "ports": the rule's port entries}.
_resolved_rules(ns, selecting, direction) := [{
	"policy": sprintf("%s/%s", [ns, name]),
	"index": i,
	"by": sprintf("%s/%s rule %d", [ns, name, i]),
	"pods": _rule_pods[ns][name][direction][i],
	"blocks": _blocks_of_rule(rule, direction),
	"ports": k8s.as_array(object.get(k8s.object_or_empty(rule), "ports", [])),
} |
	some name, p in selecting
	some i, rule in rules_of(p, direction)
]

# _rule_pods[ns][name][direction] is, per rule of that policy, the workloads its peers select.
# (The policy is looked up: `some ns, list in policies` scanned every namespace per lookup.)
_rule_pods[ns][name][direction] := [_pods_of_rule(rule, direction, ns) | some rule in rules_of(p, direction)] if {
	some ns, name
	p := policies[ns][name]
	some direction in ["Ingress", "Egress"]
}
