# Cilium's dialect over the core model: CiliumNetworkPolicy (namespaced) and
# CiliumClusterwideNetworkPolicy (cluster-wide), cilium.io/v2. Part of lib.mlfence.connectivity,
# kept in its own file for size.
# Semantics (Cilium's "default" enforcement mode): a rule (`spec`, or each of `specs`) selects the
# endpoints its endpointSelector matches, those of its own namespace for a CiliumNetworkPolicy,
# any namespace for a clusterwide one. An endpoint is isolated (default deny) in a direction when
# a selecting rule has a non-empty section for it (ingress/ingressDeny, egress/egressDeny), unless
# the rule sets enableDefaultDeny.<direction>: false; enableDefaultDeny true isolates even
# without rules. An empty section (`egress: []`) does not apply. Allow rules add to what the
# NetworkPolicies allow; deny rules (ingressDeny/egressDeny) win over every allow, NetworkPolicy
# ones included. A rule without any L3 peer admits every peer on its toPorts; a rule with neither
# (`ingress: [{}]`) admits nothing (Cilium's documented way to write a default deny).
# Decided: endpoint selectors (matchLabels/matchExpressions, the `k8s:` and `any:` sources, the
# namespace, namespace-label and service-account labels Cilium derives), the entities world,
# world-ipv4, world-ipv6, all and cluster, CIDRs and CIDR sets with except, toPorts (numbers,
# names, endPort, TCP/UDP/SCTP/ANY). Left `unknown`, with the reason: toFQDNs, toServices,
# toGroups, to/fromNodes, to/fromRequires, cidrGroupRef, the entities that are nodes or the
# control plane (host, remote-node, kube-apiserver, health, init, ingress, unmanaged) and
# selector keys of other sources (reserved:, cidr:, ...). L7 rules (toPorts.rules) let the port
# through for some requests only, which the deciding text says.
package lib.mlfence.connectivity

import data.lib.mlfence.k8s
import data.lib.mlfence.selector

# dialect_kinds are the policy kinds besides NetworkPolicy whose references (`by`) name their kind.
dialect_kinds := [
	"CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy",
	"AdminNetworkPolicy", "BaselineAdminNetworkPolicy", "ClusterNetworkPolicy",
	"Calico",
]

# object_text(by) names the object behind a deciding reference: dialect references carry their
# kind already, core NetworkPolicy references ("ns/name rule i") do not. A reference starts with
# "<kind> " exactly when its first space-separated word is the kind (no kind holds a space): one
# split per reference, not a sprintf and a startswith per dialect kind.
object_text(by) := by if {
	split(by, " ")[0] in _dialect_kind_set
} else := sprintf("NetworkPolicy %s", [by])

_dialect_kind_set := {kind | some kind in dialect_kinds}

# --- the policies ---------------------------------------------------------------------------------

_cilium_objects(groups, kind) := [p |
	some version, kinds in groups
	startswith(version, "cilium.io/")
	some p in k8s.object_or_empty(object.get(k8s.object_or_empty(kinds), kind, {}))
	is_object(p)
	is_string(p.metadata.name)
]

# _cilium_records is one entry per rule (`spec`, each of `specs`) of every Cilium policy:
# {"ref": the text deciding references start with, "namespace": the policy's namespace (null for a
# clusterwide one), "section": the rule}.
_cilium_records := array.concat(
	[r | some ns, _ in _policy_groups; some r in _cilium_namespaced(ns)],
	_cilium_cluster,
)

# _cilium_namespaced(ns) is the records of namespace ns's CiliumNetworkPolicies; _cilium_cluster
# those of the clusterwide ones, which may select endpoints of any namespace.
_cilium_namespaced(ns) := [_record(ref, ns, j, count(sections), s) |
	some p in _cilium_objects(_groups_of(ns), "CiliumNetworkPolicy")
	ref := sprintf("CiliumNetworkPolicy %s/%s", [ns, p.metadata.name])
	sections := _sections(p)
	some j, s in sections
]

_cilium_cluster := [_record(ref, null, j, count(sections), s) |
	some p in _cilium_objects(_groups_of(""), "CiliumClusterwideNetworkPolicy")
	ref := sprintf("CiliumClusterwideNetworkPolicy %s", [p.metadata.name])
	sections := _sections(p)
	some j, s in sections
]

# _cilium_for(ns) is the records that may select endpoints of namespace ns.
_cilium_for(ns) := array.concat(_cilium_namespaced(ns), _cilium_cluster)

_sections(p) := [s |
	some s in array.concat([object.get(p, "spec", null)], k8s.as_array(object.get(p, "specs", [])))
	is_object(s)
]

_record(ref, ns, _, 1, s) := {"ref": ref, "namespace": ns, "section": s}

_record(ref, ns, j, n, s) := {"ref": sprintf("%s specs[%d]", [ref, j]), "namespace": ns, "section": s} if n > 1

# cilium_labels(w) is the label set Cilium matches endpoint selectors against: the pod's labels
# plus the namespace, the namespace's labels and the service account.
cilium_labels(w) := object.union_n([
	w.labels,
	{sprintf("io.cilium.k8s.namespace.labels.%s", [k]): v | some k, v in namespace_labels_of(w.namespace)},
	{"io.kubernetes.pod.namespace": w.namespace, "io.cilium.k8s.policy.serviceaccount": w.service_account},
])

# cilium_selector(sel) is an endpoint selector with Cilium's `k8s:`/`any:` sources stripped;
# undefined when a key names another source (reserved:, cidr:, ...), which the model cannot decide.
cilium_selector(sel) := {
	"matchLabels": object.union_n([{_cilium_key(k): v} | some k, v in labels]),
	"matchExpressions": [object.union(e, {"key": _cilium_key(e.key)}) | some e in expressions],
} if {
	is_object(sel)
	labels := k8s.object_or_empty(object.get(sel, "matchLabels", {}))
	expressions := k8s.as_array(object.get(sel, "matchExpressions", []))
	every k, _ in labels {
		_cilium_key(k)
	}
	every e in expressions {
		_cilium_key(e.key)
	}
}

# A key of another type (a matchExpressions entry with `key: {}`) leaves it undefined: startswith
# errors on a non-string, which without strict builtin errors would drop the whole selector.
_cilium_key(k) := _stripped_key(k) if is_string(k)

_stripped_key(k) := trim_prefix(k, "k8s:") if startswith(k, "k8s:")

else := trim_prefix(k, "any:") if startswith(k, "any:")

else := k if not contains(k, ":")

_undecidable_keys(sel) := {k |
	is_object(sel)
	some k in array.concat(
		[k | some k, _ in k8s.object_or_empty(object.get(sel, "matchLabels", {}))],
		[e.key | some e in k8s.as_array(object.get(sel, "matchExpressions", []))],
	)
	not _cilium_key(k)
}

_cilium_selects(rec, w) if {
	rec.namespace == null
	selector.matches(cilium_selector(rec.section.endpointSelector), cilium_labels(w))
}

_cilium_selects(rec, w) if {
	rec.namespace == w.namespace
	selector.matches(cilium_selector(rec.section.endpointSelector), cilium_labels(w))
}

# cilium_selecting(w) is the records of the Cilium rules that select workload w (only a
# workload's own namespace and the clusterwide policies are looked at).
cilium_selecting(w) := [rec |
	some rec in _cilium_for(w.namespace)
	_cilium_selects(rec, w)
]

# --- isolation ----------------------------------------------------------------------------------

_allow_key := {"Ingress": "ingress", "Egress": "egress"}

_deny_key := {"Ingress": "ingressDeny", "Egress": "egressDeny"}

_default_deny(section, direction) := object.get(
	k8s.object_or_empty(object.get(section, "enableDefaultDeny", {})),
	_allow_key[direction], null,
)

# cilium_isolates(section, direction) holds when the rule puts the endpoints it selects into
# default deny for the direction.
cilium_isolates(section, direction) if _default_deny(section, direction) == true

cilium_isolates(section, direction) if {
	_default_deny(section, direction) == null
	_has_rules(section, direction)
}

_has_rules(section, direction) if count(k8s.as_array(object.get(section, _allow_key[direction], []))) > 0

_has_rules(section, direction) if count(k8s.as_array(object.get(section, _deny_key[direction], []))) > 0

# cilium_isolating(w, direction) is the set of refs of Cilium rules isolating w in the direction.
cilium_isolating(w, direction) := {rec.ref | some rec in cilium_selecting(w); cilium_isolates(rec.section, direction)}

# cilium_open(w, direction) is the set of deciding texts of selecting allow rules that admit every
# peer on every port (fromEntities/toEntities `all` without toPorts): as open as no policy. Read
# from the rules themselves, without resolving any peer (cheap at admission).
cilium_open(w, direction) := {sprintf("%s %s rule %d", [rec.ref, _allow_key[direction], i]) |
	some rec in cilium_selecting(w)
	some i, rule in k8s.as_array(object.get(rec.section, _allow_key[direction], []))
	_everyone(rule, direction)
}

# cilium_undecided(ns) is the refs of the Cilium rules that may select pods of namespace ns but
# whose endpointSelector the model cannot read: whether they isolate those pods is unknown.
cilium_undecided(ns) := {rec.ref |
	some rec in _cilium_for(ns)
	count(_undecidable_keys(rec.section.endpointSelector)) > 0
}

# --- rules --------------------------------------------------------------------------------------

# _cilium_rules[ref][direction] is {"allow": [resolved rules], "deny": [resolved rules]} of one
# Cilium rule: each {"policy", "index", "by", "pods": ids | "all", "blocks", "ports",
# "unknown": [reasons], "everyone"}, peers resolved once however many endpoints it selects.
_cilium_rules[rec.ref] := {d: {
	"allow": [_resolve(rec, rule, d, i, false) |
		some i, rule in k8s.as_array(object.get(rec.section, _allow_key[d], []))
	],
	"deny": [_resolve(rec, rule, d, i, true) |
		some i, rule in k8s.as_array(object.get(rec.section, _deny_key[d], []))
	],
} |
	some d in ["Ingress", "Egress"]
} if {
	some rec in _cilium_records
}

_peer_keys := {
	"Ingress": {"endpoints": "fromEndpoints", "entities": "fromEntities", "cidr": "fromCIDR", "cidr_set": "fromCIDRSet"},
	"Egress": {"endpoints": "toEndpoints", "entities": "toEntities", "cidr": "toCIDR", "cidr_set": "toCIDRSet"},
}

# Peers decided by objects or state outside the manifests.
_undecided_keys := {
	"Ingress": {"fromRequires", "fromGroups", "fromNodes"},
	"Egress": {"toFQDNs", "toServices", "toGroups", "toNodes", "toRequires"},
}

_world := {
	"world": ["0.0.0.0/0", "::/0"], "all": ["0.0.0.0/0", "::/0"],
	"world-ipv4": ["0.0.0.0/0"], "world-ipv6": ["::/0"],
}

_pod_entities := {"all", "cluster"}

_list(rule, key) := k8s.as_array(object.get(k8s.object_or_empty(rule), key, []))

_has_l3(rule, d) if {
	some key in array.concat([k | some k in _peer_keys[d]], [k | some k in _undecided_keys[d]])
	count(_list(rule, key)) > 0
}

_resolve(rec, rule, d, i, deny) := {
	"policy": rec.ref,
	"index": i,
	"by": sprintf("%s %s rule %d%s", [rec.ref, _rule_kind(d, deny), i, _l7_text(rule)]),
	"pods": _cilium_pods(rec, rule, d),
	"blocks": _cilium_blocks(rule, d),
	"ports": _cilium_ports(rule),
	"unknown": _cilium_unknown(rule, d),
	"everyone": _everyone(rule, d),
}

_rule_kind(d, false) := _allow_key[d]

_rule_kind(d, true) := _deny_key[d]

_l7_text(rule) := " (L7 rules: some requests only)" if {
	some tp in _list(rule, "toPorts")
	count(k8s.object_or_empty(object.get(k8s.object_or_empty(tp), "rules", {}))) > 0
} else := ""

_everyone(rule, d) if {
	"all" in _list(rule, _peer_keys[d].entities)
	count(_list(rule, "toPorts")) == 0
}

else := false

# A rule with ports and no L3 peer admits every pod; {} admits none.
_cilium_pods(rec, rule, d) := "all" if {
	not _has_l3(rule, d)
	count(_list(rule, "toPorts")) > 0
} else := "all" if {
	some e in _list(rule, _peer_keys[d].entities)
	e in _pod_entities
} else := {id |
	some sel in _list(rule, _peer_keys[d].endpoints)
	some id in _endpoint_ids(rec, sel)
}

# _endpoint_ids(rec, sel) is the workloads a from/toEndpoints selector picks: in a
# CiliumNetworkPolicy, those of its own namespace unless the selector names the namespace or a
# namespace label.
_endpoint_ids(rec, sel) := {w.id |
	normal := cilium_selector(sel)
	some ns in _endpoint_namespaces(rec, normal)
	some w in object.get(workloads_in, ns, [])
	selector.matches(normal, cilium_labels(w))
}

_endpoint_namespaces(rec, normal) := {rec.namespace} if {
	rec.namespace != null
	not _names_namespace(normal)
} else := {ns} if {
	ns := normal.matchLabels["io.kubernetes.pod.namespace"]
} else := object.keys(workloads_in)

# A selector naming the namespace or a namespace label looks beyond the policy's namespace
# (Cilium adds the policy's namespace to the others).
_names_namespace(normal) if {
	some key in (object.keys(normal.matchLabels) | {e.key | some e in normal.matchExpressions})
	_namespace_key(key)
}

_namespace_key("io.kubernetes.pod.namespace")

_namespace_key(key) if startswith(key, "io.cilium.k8s.namespace.labels.")

_cilium_blocks(rule, d) := [{"cidr": c, "except": []} | some c in ["0.0.0.0/0", "::/0"]] if {
	not _has_l3(rule, d)
	count(_list(rule, "toPorts")) > 0
} else := array.flatten([
	[{"cidr": c, "except": []} | some c in {c | some e in _list(rule, _peer_keys[d].entities); some c in _world[e]}],
	[{"cidr": c, "except": []} | some c in _list(rule, _peer_keys[d].cidr); is_string(c)],
	[{"cidr": s.cidr, "except": [e | some e in k8s.as_array(object.get(s, "except", [])); is_string(e)]} |
		some s in _list(rule, _peer_keys[d].cidr_set)
		is_string(s.cidr)
	],
])

# _cilium_ports(rule) is the rule's toPorts as NetworkPolicy port entries (port_ranges reads
# them): a port given as a number string becomes a number, "0" or none every port, a name stays
# a name; protocol ANY (Cilium's default) is each of TCP, UDP and SCTP; ICMP rules admit no port.
_cilium_ports(rule) := [] if {
	count(_list(rule, "toPorts")) == 0
} else := [entry |
	some tp in _list(rule, "toPorts")
	some pe in _port_list(tp)
	some protocol in _protocols(pe)
	entry := object.union({"protocol": protocol}, _port_fields(pe))
]

# A toPorts entry without ports (L7 rules only) stands for every port.
_port_list(tp) := [{}] if count(_list(tp, "ports")) == 0

else := [k8s.object_or_empty(pe) | some pe in _list(tp, "ports")]

# A protocol of another type (a number, a list) names none: upper errors on it.
_protocols(pe) := protocols if _protocol_text(pe) == "ANY"

else := [p] if {
	p := _protocol_text(pe)
	p in protocols
} else := []

_protocol_text(pe) := upper(p) if {
	p := object.get(pe, "protocol", "ANY")
	is_string(p)
}

_port_fields(pe) := {} if object.get(pe, "port", "0") in {"0", 0, ""}

else := {"port": to_number(pe.port), "endPort": _end_port(pe)} if {
	is_string(pe.port)
	regex.match(`^[0-9]{1,5}$`, pe.port)
} else := {"port": pe.port, "endPort": _end_port(pe)} if is_number(pe.port)

else := {"port": pe.port}

_end_port(pe) := pe.endPort if is_number(pe.endPort)

else := to_number(pe.port) if is_string(pe.port)

else := pe.port

_cilium_unknown(rule, d) := array.flatten([
	[sprintf("%s: decided by objects or state outside the manifests", [key]) |
		some key in _undecided_keys[d]
		key != "toFQDNs"
		count(_list(rule, key)) > 0
	],
	[sprintf("toFQDNs %s: its addresses are known only when the name is resolved", [_fqdn_text(f)]) |
		some f in _list(rule, "toFQDNs")
	],
	[sprintf("entity %s: %s", [e, _not_modelled]) |
		some e in _list(rule, _peer_keys[d].entities)
		not e in object.keys(_world)
		not e in _pod_entities
	],
	[sprintf("cidrGroupRef %v: a CiliumCIDRGroup outside the model", [s.cidrGroupRef]) |
		some s in _list(rule, _peer_keys[d].cidr_set)
		[1 | is_string(s.cidr)] == [] # (not `not is_string(s.cidr)`: undefined, never true, without a cidr)
	],
	[sprintf("selector key %s: not a label the model knows", [k]) |
		some sel in _list(rule, _peer_keys[d].endpoints)
		some k in _undecidable_keys(sel)
	],
])

_not_modelled := "a node or the control plane, not a workload or an address the manifests name"

_fqdn_text(f) := sprintf("matchName %s", [f.matchName]) if is_string(f.matchName)

else := sprintf("matchPattern %s", [f.matchPattern]) if is_string(f.matchPattern)

else := sprintf("%v", [f])

# cilium_unknown_selectors is the list of {"policy", "reason"} of Cilium rules whose
# endpointSelector cannot be decided: the endpoints they isolate are unknown.
cilium_unknown_selectors := [{
	"policy": rec.ref,
	"reason": sprintf("endpointSelector key %s: not a label the model knows", [k]),
} |
	some rec in _cilium_records
	some k in _undecidable_keys(rec.section.endpointSelector)
]

# cilium_directions(w) is, per direction ("Ingress", "Egress"), what the Cilium rules selecting w
# add to the model: {"isolating": {refs}, "open": {texts}, "allow": [rules], "deny": [rules]}.
# Without a Cilium policy that may select w (the common case), nothing is looked up per workload.
cilium_directions(w) := {d: _no_cilium | some d in ["Ingress", "Egress"]} if count(_cilium_for(w.namespace)) == 0

else := {d: _cilium_direction(selecting, d) |
	selecting := cilium_selecting(w)
	some d in ["Ingress", "Egress"]
}

_no_cilium := {"isolating": set(), "open": set(), "allow": [], "deny": []}

_cilium_direction(selecting, d) := {
	"isolating": {rec.ref | some rec in selecting; cilium_isolates(rec.section, d)},
	"open": {rule.by | some rule in allow; rule.everyone},
	"allow": allow,
	"deny": [rule | some rec in selecting; some rule in _cilium_rules[rec.ref][d].deny],
} if {
	allow := [rule | some rec in selecting; some rule in _cilium_rules[rec.ref][d].allow]
}
