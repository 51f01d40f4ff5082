# Calico's dialect over the core model: projectcalico.org/v3 NetworkPolicy and GlobalNetworkPolicy
# (and their crd.projectcalico.org/v1 spellings), in Calico's default tier. Part of
# lib.mlfence.connectivity, kept in its own file for size.
# Semantics: a policy selects, with its `selector` (Calico's expression language; absent: all()),
# the pods of its namespace (NetworkPolicy) or of the namespaces its `namespaceSelector` matches
# (GlobalNetworkPolicy; absent: every namespace). Its `types` default to Ingress, plus Egress when
# it has egress rules. In the default tier the policies selecting a pod are evaluated by `order`
# (lower first; none: last), Kubernetes NetworkPolicies among them at order 1000; within a policy
# the rules in the order written. The first rule that matches decides: Allow and Deny are final,
# Pass leaves the default tier (with no later tier, the namespace's profile allows), Log goes on.
# A pod that a policy of the tier selects for a direction and no rule matches is denied there.
# Decided: selector expressions `k == 'v'`, `k != 'v'`, `has(k)`, `!has(k)`, `k in {...}`,
# `k not in {...}`, `all()`, `global()`, joined by `&&` or by `||` (not mixed with parentheses);
# rule peers `selector`, `namespaceSelector`, `nets`; `ports` (numbers, "lo:hi", names) and
# `protocol` (TCP, UDP, SCTP; none: all three). Left `unknown`, with the reason: other selector
# syntax (parentheses, `contains`, `starts with`, ...), `notNets`, `notSelector`, `notPorts`,
# `serviceAccounts`, `services`, `http`, `serviceAccountSelector`, and policies of other tiers.
package lib.mlfence.connectivity

import data.lib.mlfence.k8s

_calico_kinds := {"NetworkPolicy", "GlobalNetworkPolicy"}

_calico_groups := {"projectcalico.org", "crd.projectcalico.org"}

# --- selector expressions ------------------------------------------------------------------------

_key := `[A-Za-z0-9_./-]+`

_quoted := `(?:'[^']*'|"[^"]*")`

# calico_atom(atom, labels) evaluates one term of a selector; undefined when it cannot be read.
calico_term(atom, _) if atom in {"all()", "global()"}

calico_term(atom, labels) := parts[0][1] in object.keys(labels) if {
	parts := regex.find_all_string_submatch_n(sprintf(`^has\((%s)\)$`, [_key]), atom, 1)
}

calico_term(atom, labels) := _absent(labels, parts[0][1]) if {
	parts := regex.find_all_string_submatch_n(sprintf(`^!\s*has\((%s)\)$`, [_key]), atom, 1)
}

calico_term(atom, labels) := _same(object.get(labels, parts[0][1], null), _unquote(parts[0][2])) if {
	parts := regex.find_all_string_submatch_n(sprintf(`^(%s)\s*==\s*(%s)$`, [_key, _quoted]), atom, 1)
}

calico_term(atom, labels) := _outside(object.get(labels, parts[0][1], null), {_unquote(parts[0][2])}) if {
	parts := regex.find_all_string_submatch_n(sprintf(`^(%s)\s*!=\s*(%s)$`, [_key, _quoted]), atom, 1)
}

calico_term(atom, labels) := object.get(labels, parts[0][1], null) in _set_values(parts[0][2]) if {
	parts := regex.find_all_string_submatch_n(sprintf(`^(%s)\s+in\s*\{(.*)\}$`, [_key]), atom, 1)
	_set_values(parts[0][2])
}

calico_term(atom, labels) := _outside(object.get(labels, parts[0][1], null), _set_values(parts[0][2])) if {
	parts := regex.find_all_string_submatch_n(sprintf(`^(%s)\s+not\s+in\s*\{(.*)\}$`, [_key]), atom, 1)
	_set_values(parts[0][2])
}

_same(a, b) if a == b

else := false

_absent(labels, key) := false if key in object.keys(labels)

else := true

_outside(value, values) := false if value in values

else := true

_unquote(q) := substring(q, 1, count(q) - 2)

_set_values(body) := {_unquote(v) | some v in values} if {
	values := [trim_space(v) | some v in split(body, ","); trim_space(v) != ""]
	every v in values {
		regex.match(sprintf(`^%s$`, [_quoted]), v)
	}
}

# _disjuncts(expr) is the expression split on `||`, each split on `&&`.
_disjuncts(expr) := [[trim_space(t) | some t in split(d, "&&")] | some d in split(expr, "||")] if is_string(expr)

# _strip_calls(expr) removes the calls the grammar knows, so that a parenthesis left is grouping.
_strip_calls(expr) := regex.replace(expr, sprintf(`(?:has\(%s\)|all\(\)|global\(\))`, [_key]), "X")

# calico_readable(expr) holds when every term of the expression can be read.
# A selector of another type (a number, a list) is unreadable: regex.replace errors on it.
calico_readable(expr) if {
	is_string(expr)
	not contains(_strip_calls(expr), "(")
	parts := _disjuncts(expr)
	every conj in parts {
		every t in conj {
			is_boolean(calico_term(t, {}))
		}
	}
}

# calico_matches(expr, labels) holds when the labels satisfy a readable expression ("" or absent:
# all()).
calico_matches(expr, labels) if {
	calico_readable(expr)
	some conj in _disjuncts(expr)
	every t in conj {
		calico_term(t, labels) == true
	}
}

# --- the policies ------------------------------------------------------------------------------------

# _calico_all is one entry per Calico policy: {"ref", "namespace" (null for a
# GlobalNetworkPolicy), "order", "tier", "spec"}; _calico_records those of the default tier.
_calico_all := [r | some ns, _ in _policy_groups; some r in _calico_in(ns)]

# _calico_in(ns) is the records of the Calico policies stored under namespace ns ("": the
# GlobalNetworkPolicies), looked up rather than found by walking every namespace.
_calico_in(ns) := [{
	"ref": sprintf("Calico %s %s", [p.kind, _calico_name(ns, p)]),
	"namespace": _calico_ns(ns, p.kind),
	"order": _order(p.spec),
	"tier": object.get(p.spec, "tier", "default"),
	"spec": p.spec,
} |
	some version, kinds in _groups_of(ns)
	split(version, "/")[0] in _calico_groups
	some kind in _calico_kinds
	some p in k8s.object_or_empty(object.get(k8s.object_or_empty(kinds), kind, {}))
	is_object(p)
	is_string(p.metadata.name)
	is_object(p.spec)
]

# _calico_default_for(ns) is the default-tier records that may select pods of namespace ns: its
# own namespace's policies and the global ones.
_calico_default_for(ns) := [r | some r in _calico_candidates(ns); r.tier == "default"]

_calico_candidates("") := _calico_in("")

_calico_candidates(ns) := array.concat(_calico_in(ns), _calico_in("")) if ns != ""

_calico_records := [r | some r in _calico_all; r.tier == "default"]

_calico_name(ns, p) := sprintf("%s/%s", [ns, p.metadata.name]) if p.kind == "NetworkPolicy"

else := p.metadata.name

_calico_ns(ns, "NetworkPolicy") := ns

_calico_ns(_, "GlobalNetworkPolicy") := null

# Kubernetes NetworkPolicies sit at order 1000 of the default tier; a policy without an order last.
_order(spec) := spec.order if is_number(spec.order)

else := 1000000000

_calico_selects(rec, w) if {
	rec.namespace != null
	rec.namespace == w.namespace
	calico_matches(object.get(rec.spec, "selector", "all()"), w.labels)
}

_calico_selects(rec, w) if {
	rec.namespace == null
	w.namespace_known
	calico_matches(object.get(rec.spec, "namespaceSelector", "all()"), _calico_namespace_labels(w.namespace))
	calico_matches(object.get(rec.spec, "selector", "all()"), w.labels)
}

_calico_namespace_labels(ns) := object.union(namespace_labels_of(ns), {"projectcalico.org/name": ns})

calico_types(spec) := {t | some t in k8s.as_array(spec.types)} if is_array(spec.types)

else := {"Ingress", "Egress"} if count(k8s.as_array(object.get(spec, "egress", []))) > 0

else := {"Ingress"}

# calico_selecting(w, direction) is the default-tier Calico policies selecting w for the direction.
calico_selecting(w, direction) := [rec |
	some rec in _calico_default_for(w.namespace)
	direction in calico_types(rec.spec)
	_calico_selects(rec, w)
]

# --- rules ---------------------------------------------------------------------------------------

_calico_actions := {"Allow": "Allow", "Deny": "Deny", "Pass": "Pass"}

_peer_side := {"Ingress": "source", "Egress": "destination"}

_own_side := {"Ingress": "destination", "Egress": "source"}

_calico_unknown_keys := {"notNets", "notSelector", "notPorts", "serviceAccounts", "services"}

# _calico_rules[ref][direction] is the policy's rules in the order written (Log rules decide
# nothing and are left out), resolved once: {"policy", "index", "by", "action", "pods", "blocks",
# "ports", "unknown", "own_selector"}.
_calico_rules[rec.ref] := {d: [_calico_resolve(rec, rule, d, i) |
	some i, rule in k8s.as_array(object.get(rec.spec, _allow_key[d], []))
	is_object(rule)
	_calico_actions[rule.action]
] |
	some d in ["Ingress", "Egress"]
} if {
	some rec in _calico_records
}

_calico_resolve(rec, rule, d, i) := {
	"policy": rec.ref,
	"index": i,
	"by": sprintf("%s %s rule %d (%s)", [rec.ref, _allow_key[d], i, rule.action]),
	"action": rule.action,
	"pods": _calico_pods(rec, peer),
	"blocks": _calico_blocks(peer),
	"ports": _calico_ports(rule, own_ports),
	"unknown": _calico_rule_unknown(rule, peer, own),
	"own_selector": object.get(own, "selector", "all()"),
} if {
	peer := k8s.object_or_empty(object.get(rule, _peer_side[d], {}))
	own := k8s.object_or_empty(object.get(rule, _own_side[d], {}))

	# ports always name the destination: the peer's on egress, the pod's own on ingress
	own_ports := _dest_ports(d, peer, own)
}

_dest_ports("Ingress", _, own) := k8s.as_array(object.get(own, "ports", []))

_dest_ports("Egress", peer, _) := k8s.as_array(object.get(peer, "ports", []))

_calico_has_l3(peer) if "selector" in object.keys(peer)

_calico_has_l3(peer) if "namespaceSelector" in object.keys(peer)

_calico_has_l3(peer) if "nets" in object.keys(peer)

# No selector, namespaceSelector or nets: every pod and every address.
_calico_pods(rec, peer) := "all" if not _calico_has_l3(peer)

else := set() if {
	not "selector" in object.keys(peer)
	not "namespaceSelector" in object.keys(peer)
} else := {w.id |
	some ns in _calico_peer_namespaces(rec, peer)
	some w in object.get(workloads_in, ns, [])
	calico_matches(object.get(peer, "selector", "all()"), w.labels)
}

# A peer selector alone looks in the policy's namespace (every namespace for a global policy);
# with a namespaceSelector, in the namespaces it matches.
_calico_peer_namespaces(rec, peer) := {ns |
	some ns, _ in workloads_in
	ns != ""
	calico_matches(peer.namespaceSelector, _calico_namespace_labels(ns))
} if {
	"namespaceSelector" in object.keys(peer)
} else := {rec.namespace} if rec.namespace != null

else := {ns | some ns, _ in workloads_in; ns != ""}

_calico_blocks(peer) := [{"cidr": c, "except": []} | some c in ["0.0.0.0/0", "::/0"]] if not _calico_has_l3(peer)

else := [{"cidr": c, "except": []} | some c in k8s.as_array(object.get(peer, "nets", [])); is_string(c)]

# ICMP and protocol numbers match no TCP, UDP or SCTP port.
_calico_protocols(rule) := protocols if not "protocol" in object.keys(rule)

else := [upper(rule.protocol)] if is_string(rule.protocol)

else := ["OTHER"]

# _calico_ports(rule, ports) is the rule's destination ports as NetworkPolicy port entries:
# numbers, "lo:hi" ranges and names, per protocol of the rule; none: every port of them.
_calico_ports(rule, ports) := [{"protocol": p} | some p in _calico_protocols(rule)] if count(ports) == 0

else := [object.union({"protocol": proto}, entry) |
	some proto in _calico_protocols(rule)
	some port in ports
	some entry in _calico_port(port)
]

_calico_port(port) := [{"port": port, "endPort": port}] if is_number(port)

else := [{"port": to_number(parts[0]), "endPort": to_number(parts[1])}] if {
	is_string(port) # regex.match errors on a list or an object
	regex.match(`^[0-9]{1,5}:[0-9]{1,5}$`, port)
	parts := split(port, ":")
} else := [{"port": to_number(port)}] if {
	is_string(port)
	regex.match(`^[0-9]{1,5}$`, port)
} else := [{"port": port}] if is_string(port)

else := []

_calico_rule_unknown(rule, peer, own) := array.flatten([
	[sprintf("%s.%s: %s", [side, key, "not decided by the model"]) |
		some side in ["source", "destination"]
		part := k8s.object_or_empty(object.get(rule, side, {}))
		some key in _calico_unknown_keys
		key in object.keys(part)
	],
	[sprintf("http: some requests only", []) | "http" in object.keys(rule)],
	[sprintf("selector %q: syntax the model does not read", [e]) |
		some e in [
			object.get(peer, "selector", "all()"),
			object.get(peer, "namespaceSelector", "all()"),
			object.get(own, "selector", "all()"),
		]
		not calico_readable(e)
	],
])

# calico_directions(w) is, per direction, what the default tier's Calico policies selecting w say:
# {"selecting": [refs], "rules": [rules in order, each with its policy's order]}.
# Without a Calico policy that may select w (the common case), nothing is looked up per workload.
calico_directions(w) := {d: {"selecting": [], "rules": []} | some d in ["Ingress", "Egress"]} if {
	count(_calico_default_for(w.namespace)) == 0
} else := {d: _calico_direction(w, d) | some d in ["Ingress", "Egress"]}

_calico_direction(w, d) := {
	"selecting": [rec.ref | some rec in selecting],
	"rules": [object.union(rule, {"order": rec.order}) |
		some rec in selecting
		some rule in _calico_rules[rec.ref][d]
		calico_matches(rule.own_selector, w.labels)
	],
} if {
	selecting := sort_by_order(calico_selecting(w, d))
}

# calico_ordered(calico, np_rules) is the default tier's rules for one pod and direction in
# evaluation order: Calico rules of order below 1000, the Kubernetes NetworkPolicy (and Cilium)
# allow rules at 1000, then the other Calico rules.
calico_ordered(calico, np_rules) := array.flatten([
	[r | some r in calico.rules; r.order < 1000],
	[object.union(r, {"action": "Allow"}) | some r in np_rules],
	[r | some r in calico.rules; r.order >= 1000],
])

# calico_tier(w, direction, peer_id, named) is what the default tier allows: Allow rules, Pass
# rules (left to the profile, which allows), and, for a pod no policy of the tier selects, the
# rest.
calico_tier(w, direction, peer_id, named) := array.concat(
	[{"protocol": p.protocol, "from": p.from, "to": p.to, "by": p.by} | some p in decided; p.action in {"Allow", "Pass"}],
	_calico_rest(w[direction].np_isolated, decided),
) if {
	decided := first_match(w[direction].calico_rules, peer_id, named)
}

_calico_rest(true, _) := []

_calico_rest(false, decided) := [{"protocol": p, "from": g.from, "to": g.to, "by": "not isolated"} |
	some p in protocols
	some g in uncovered(1, 65535, [d | some d in decided; d.protocol == p])
]

# calico_denials(w, direction, peer_id, named) is what a Deny rule of the default tier decides.
calico_denials(w, direction, peer_id, named) := [{"protocol": p.protocol, "from": p.from, "to": p.to, "by": p.by} |
	some p in first_match(w[direction].calico_rules, peer_id, named)
	p.action == "Deny"
]

sort_by_order(records) := [rec |
	some key in sort([[rec.order, rec.ref] | some rec in records])
	some rec in records
	rec.ref == key[1]
]

# calico_unknown is the list of {"policy", "reason"} of Calico policies the model cannot place:
# another tier, a selector it cannot read, a serviceAccountSelector.
calico_unknown := array.flatten([
	[{"policy": r.ref, "reason": sprintf("tier %v: only the default tier is modelled", [r.tier])} |
		some r in _calico_all
		r.tier != "default"
	],
	[{"policy": r.ref, "reason": sprintf("selector %q: syntax the model does not read", [e])} |
		some r in _calico_records
		some e in [object.get(r.spec, "selector", "all()"), object.get(r.spec, "namespaceSelector", "all()")]
		not calico_readable(e)
	],
	[{"policy": r.ref, "reason": "serviceAccountSelector: not decided by the model"} |
		some r in _calico_records
		"serviceAccountSelector" in object.keys(r.spec)
	],
])

# calico_isolating(w, direction) is the refs of the default-tier Calico policies selecting w for
# the direction: what no rule of the tier allows is denied.
calico_isolating(w, direction) := {rec.ref | some rec in calico_selecting(w, direction)}
