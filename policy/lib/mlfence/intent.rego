# METADATA
# description: |
#   Declared flows (the `flows` parameter, from the `flows:` section of .mlfence.yaml): named
#   components (namespaces and/or a namespaceSelector, and a pod selector), the flows allowed
#   between them (from, to, ports) and each component's allowed traffic with the outside (none,
#   approved cloud services by name, through an egress-gateway component, or the internet for an
#   edge or egress gateway). Checked against the connectivity model (lib.mlfence.connectivity)
#   of the reviewed object together with the inventory, so a scan, conftest --combine, the bundle
#   and Gatekeeper (data.inventory) reach the same verdict on the same object.
#   Scope: a flow is judged when its source or its destination belongs to a component; flows
#   within one component, DNS queries to the cluster DNS (parameter cluster_dns, port 53) and a
#   component's flows to the egress gateway it names (`egress.via`) are always allowed; address
#   blocks of the internal class (private space, which holds pods whose addresses the manifests
#   do not tell) are not judged. Workloads whose namespace is known only after rendering are
#   left out: which components they join is unknown.
package lib.mlfence.intent

import data.lib.mlfence.config
import data.lib.mlfence.connectivity
import data.lib.mlfence.k8s
import data.lib.mlfence.ranges
import data.lib.mlfence.selector

# --- the declaration --------------------------------------------------------------------------

default declared := {}

declared := d if {
	d := config.value("flows")
	is_object(d)
}

components := [c |
	some c in k8s.as_array(object.get(declared, "components", []))
	is_object(c)
	is_string(c.name)
]

allow_entries := [a |
	some a in k8s.as_array(object.get(declared, "allow", []))
	is_object(a)
	is_string(a.from)
	is_string(a.to)
]

# enabled holds when the settings declare at least one component: without one, nothing is judged.
enabled if count(components) > 0

# in_component(c, w) holds when workload w (of the connectivity model) belongs to component c.
in_component(c, w) if {
	w.namespace_known
	_namespace_in(c, w.namespace)
	_pods_in(c, w.labels)
}

# (Its keys walked: object.keys built a set of them, twice, for each component and workload.)
_names_namespaces(c) if {
	some key, _ in c
	key in {"namespaces", "namespace_selector"}
}

_namespace_in(c, _) if not _names_namespaces(c)

_namespace_in(c, ns) if ns in k8s.as_array(c.namespaces)

_namespace_in(c, ns) if {
	is_object(c.namespace_selector)
	selector.matches(c.namespace_selector, _namespace_labels(ns))
}

# (Not object.get(namespaces, ns, namespace_labels(...)), whose default is computed every call.)
_namespace_labels(ns) := labels if {
	labels := connectivity.namespaces[ns]
} else := selector.namespace_labels(ns, {})

_pods_in(c, _) if not is_object(object.get(c, "pods", null))

_pods_in(c, labels) if selector.matches(c.pods, labels)

# memberships is {workload id: {component names}} over the model's workloads (read from
# workloads_in, which has the same ids and labels without the policies' resolved rules: a
# component's members do not depend on them). One comprehension, not a partial object, whose full
# extent OPA builds in time quadratic in its keys (connectivity_model.rego's _group_names).
# regal ignore:prefer-set-or-object-rule
memberships := {w.id: {c.name | some c in components; in_component(c, w)} |
	some list in connectivity.workloads_in
	some w in list
}

# _members_of(id) is memberships[id], found for that workload alone (OPA memoises the call): at
# admission only the workloads of the flows judged are asked about. (in_component written out:
# the namespace part is decided once per namespace, not per component and workload.)
_members_of(id) := {c.name |
	some i in _components_of_namespace(ns)
	c := components[i]
	_pods_in(c, labels)
} if {
	[ns, labels] := _placed_workload(id)
	ns != "" # the workload's namespace_known
} else := set()

# _components_of_namespace(ns) is the positions in `components` of those whose namespace part
# holds ns: the components sorted into _namespace_in's three cases once, not each asked in turn.
_components_of_namespace(ns) := (_anywhere | object.get(_listing, ns, set())) | {i |
	some [i, sel] in _selecting
	selector.matches(sel, _namespace_labels(ns))
}

_anywhere contains i if {
	some i, c in components
	not _names_namespaces(c)
}

_listing[ns] := {i | some i, c in components; ns in k8s.as_array(c.namespaces)} if {
	some c in components
	some ns in k8s.as_array(c.namespaces)
}

_selecting := [[i, c.namespace_selector] | some i, c in components; is_object(c.namespace_selector)]

# _vias_of(id) is the `egress.via` of the components workload id belongs to: found once per
# workload, not once per pair of workloads (_implicit).
_vias_of(id) := {object.get(k8s.object_or_empty(object.get(c, "egress", {})), "via", "") |
	some c in components
	c.name in _members_of(id)
}

# --- ports ------------------------------------------------------------------------------------

# declared_ranges(a) is the list of {"protocol", "from", "to"} an allow entry's `ports` name:
# numbers and "low-high" strings are TCP; {port, endPort, protocol} as in a NetworkPolicy. No
# ports: every port.
declared_ranges(a) := [r | some p in a.ports; some r in _range(p)] if {
	is_array(a.ports)
	count(a.ports) > 0
} else := connectivity.all_ports

_range(p) := [{"protocol": "TCP", "from": p, "to": p}] if is_number(p)

_range(p) := [{"protocol": "TCP", "from": to_number(parts[0]), "to": to_number(parts[1])}] if {
	is_string(p)
	regex.match(`^[0-9]{1,5}-[0-9]{1,5}$`, p)
	parts := split(p, "-")
}

_range(p) := [{"protocol": "TCP", "from": to_number(p), "to": to_number(p)}] if {
	is_string(p)
	regex.match(`^[0-9]{1,5}$`, p)
}

_range(p) := [{
	"protocol": _port_protocol(p),
	"from": p.port,
	"to": _end_port(p),
}] if {
	is_object(p)
	is_number(p.port)
}

_port_protocol(p) := upper(p.protocol) if is_string(p.protocol)

else := "TCP"

_end_port(p) := p.endPort if is_number(p.endPort)

else := p.port

_dns_ports := [{"protocol": "UDP", "from": 53, "to": 53}, {"protocol": "TCP", "from": 53, "to": 53}]

# allowed_ranges(src_id, dst_id) is every port range the declaration allows from workload src_id
# to workload dst_id. (By ids, the destination placed by _placed_workload: a reviewed
# NetworkPolicy's check of its candidate flows (intent_review.rego _candidate_declared) and
# undeclared() then share one memoised call.)
allowed_ranges(src_id, dst_id) := array.concat(
	[r |
		some a in allow_entries
		a.from in _members_of(src_id)
		a.to in _members_of(dst_id)
		some r in declared_ranges(a)
	],
	_implicit(src_id, dst_id),
)

_implicit(src_id, dst_id) := connectivity.all_ports if {
	count(_members_of(src_id) & _members_of(dst_id)) > 0
} else := connectivity.all_ports if {
	count(_vias_of(src_id) & _members_of(dst_id)) > 0
} else := _dns_ports if {
	_is_cluster_dns(dst_id)
} else := []

_is_cluster_dns(id) if {
	dns := config.value("cluster_dns")
	[ns, labels] := _placed_workload(id)
	ns == dns.namespace
	selector.matches({"matchLabels": dns.labels}, labels)
}

# gaps(lo, hi, spans) is the sub-ranges of [lo, hi] that no span ({"from", "to"}) covers.
gaps(lo, hi, spans) := connectivity.uncovered(lo, hi, spans)

# --- flows ------------------------------------------------------------------------------------

_in_scope(src, dst) if count(_members_of(src.id) | _members_of(dst.id)) > 0

# undeclared(src, dst) is the pieces of the connection from src to dst the declaration does not
# allow: {"protocol", "from", "to", "egress_by", "ingress_by"}.
undeclared(src, dst) := [object.union(piece, gap) |
	src.id != dst.id
	src.namespace_known
	dst.namespace_known
	_in_scope(src, dst)
	pieces := connectivity.mesh_connection(src, dst)
	count(pieces) > 0 # what the declaration allows matters only where a connection is open
	allowed := allowed_ranges(src.id, dst.id)
	some piece in pieces
	spans := [r | some r in allowed; r.protocol == piece.protocol]
	some gap in gaps(piece.from, piece.to, spans)
]

# component_text(w) names the components of a workload for messages.
component_text(w) := sprintf("component %s", [concat(", ", sort(_members_of(w.id)))]) if {
	count(_members_of(w.id)) > 0
} else := "no component"

# workload_text(w) is "namespace/name", with what else the id holds in parentheses: the kind and
# its API group where another group's object shares the kind and name (connectivity_refs.rego's
# _distinct), the role of a multi-template object.
workload_text(w) := sprintf("%s/%s", [w.namespace, w.name]) if {
	not contains(w.id, "#")
	not contains(w.id, ".") # most ids; a name or namespace with a dot takes the general case
} else := sprintf("%s/%s (%s)", [w.namespace, w.name, concat(", ", notes)]) if {
	kind := split(w.id, "/")[1]
	notes := array.concat([kind | contains(kind, ".")], [split(w.id, "#")[1] | contains(w.id, "#")])
	count(notes) > 0
} else := sprintf("%s/%s", [w.namespace, w.name])

ports_text(pieces) := "all ports" if {
	{p.protocol | some p in pieces; p.from == 1; p.to == 65535} == {"TCP", "UDP", "SCTP"}
} else := concat(", ", sort({_port_text(p) | some p in pieces}))

_port_text(p) := sprintf("%s %d", [p.protocol, p.from]) if p.from == p.to

else := sprintf("%s all", [p.protocol]) if {
	p.from == 1
	p.to == 65535
}

else := sprintf("%s %d-%d", [p.protocol, p.from, p.to])

# by_text(pieces) names the objects that let the pieces through.
by_text(pieces) := concat("; ", sort({t |
	some p in pieces
	some t in array.concat(
		[_decider("egress", p.egress_by), _decider("ingress", p.ingress_by)],
		[p.authz_by | is_string(p.authz_by)], # (inline: a call costs ~50 allocations)
	)
}))

# One function with an else, not two clauses: OPA evaluates every clause of a function.
_decider(direction, by) := sprintf("%s not isolated by any network policy", [direction]) if {
	by == "not isolated"
} else := sprintf("%s: %s", [direction, connectivity.object_text(by)])

# undeclared_pairs(ids) is, for the workloads with these ids, every flow to or from them that the
# declaration does not allow: {"src", "dst", "pieces"} with src and dst workloads of the model.
undeclared_pairs(ids) := _undeclared_pairs(ids, false)

# _undeclared_pairs(ids, narrowed) is undeclared_pairs(ids), but when `narrowed` (a reviewed core
# NetworkPolicy) without the pairs none of whose pieces its rules can decide: a piece's egress_by
# names a rule of the source's egress, its ingress_by one of the destination's ingress, and the
# reviewed policy's rules are among those only where it selects the workload (review_ids) and
# lists the direction. _decides_piece would keep no piece of the other pairs; their connection,
# authorization and declared ranges are not computed.
_undeclared_pairs(ids, narrowed) := {{"src": src, "dst": dst, "pieces": pieces} |
	some id in ids
	w := _model_workload(id)
	some peer in _peer_pool
	some pair in [[w, peer], [peer, w]]
	src := pair[0]
	dst := pair[1]
	_may_carry_review_rules(src, dst, narrowed)
	pieces := undeclared(src, dst)
	count(pieces) > 0
}

flow_message(f) := sprintf("%s (%s) can reach %s (%s) on %s, which no declared flow allows; allowed by %s", [
	workload_text(f.src), component_text(f.src), workload_text(f.dst), component_text(f.dst),
	ports_text(f.pieces), by_text(f.pieces),
])

# --- the outside -------------------------------------------------------------------------------

# undeclared_external(id) is the address-block entries (connectivity.external_of) of a
# component's workload that its declaration does not allow.
undeclared_external(id) := [e |
	w := _model_workload(id)
	w.namespace_known
	mine := [c | some c in components; c.name in _members_of(id)]
	count(mine) > 0
	some direction in ["egress", "ingress"]
	is_object(w[direction]) # one a narrowed decision reads no piece in is not built (_read_directions)
	some e in connectivity.external_of(id, w, direction)
	not e.class == "internal"
	not _outside_allowed(mine, direction, e)
]

_outside_allowed(mine, direction, _) if {
	some c in mine
	k8s.object_or_empty(object.get(c, direction, {})).internet == true
}

_outside_allowed(mine, "egress", e) if {
	e.class == "approved"
	service := ranges.egress_class(e.cidr).service
	some c in mine
	some name in k8s.as_array(k8s.object_or_empty(object.get(c, "egress", {})).approved)
	is_string(name)
	_service_named(service, name)
}

_service_named(service, name) if service == name

_service_named(service, name) if startswith(service, sprintf("%s/", [name]))

external_message(w, e) := sprintf("%s (%s) %s %s (%s, %s) on %s, which its component does not allow; allowed by %s", [
	workload_text(w), component_text(w), _external_verb[e.direction], e.cidr, e.class,
	concat(", ", ["except", concat(",", e.except)]), ports_text(e.ports), _external_by(e),
]) if {
	count(e.except) > 0
} else := sprintf("%s (%s) %s %s (%s) on %s, which its component does not allow; allowed by %s", [
	workload_text(w), component_text(w), _external_verb[e.direction], e.cidr, e.class,
	ports_text(e.ports), _external_by(e),
])

_external_verb := {"egress": "can reach", "ingress": "can be reached from"}

_external_by(e) := _decider(e.direction, e.by)

# --- the reviewed object ------------------------------------------------------------------------

# review_ids is the ids of the model's workloads the reviewed object runs, or, for a
# NetworkPolicy, those it selects.
review_ids contains w.id if {
	not _is_policy_kind
	count(k8s.as_array(k8s.field(k8s.review_object, ["metadata", "ownerReferences"], []))) == 0
	some e in connectivity.workload_entries(k8s.review_object, k8s.namespace)
	w := connectivity.workloads[connectivity.id_of(k8s.namespace, k8s.review_object, e.id)]
}

review_ids contains r[1] if {
	_is_core_policy
	pod_selector := connectivity.pod_selector(k8s.review_object) # connectivity.selects, read once
	some r in object.get(connectivity.workload_refs, k8s.namespace, []) # [position, id, namespace, labels, object]
	selector.matches(pod_selector, r[3])
}

review_ids contains w.id if {
	k8s.kind in _cilium_kinds
	k8s.api_group(k8s.review_object) == "cilium.io"
	some w in _reviewed_cilium_selects
}

# An Admin or Baseline tier policy answers for the workloads its subject selects.
review_ids contains id if {
	k8s.kind in _tier_kinds
	k8s.api_group(k8s.review_object) == "policy.networking.k8s.io"
	some id, w in connectivity.workloads
	some direction in ["ingress", "egress"]
	some rule in array.concat(w[direction].admin_rules, w[direction].baseline_rules)
	rule.policy == _tier_ref
}

# A Calico policy of the default tier answers for the workloads it selects (named as the model names it).
review_ids contains w.id if {
	_is_calico_review
	some w in connectivity.workloads
	some direction in ["Ingress", "Egress"]
	_calico_ref in connectivity.calico_isolating(w, direction)
}

_cilium_kinds := {"CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy"}

_is_calico_review if {
	k8s.kind in {"NetworkPolicy", "GlobalNetworkPolicy"}
	k8s.api_group(k8s.review_object) in {"projectcalico.org", "crd.projectcalico.org"}
}

_calico_ref := concat(" ", ["Calico", k8s.kind, trim_prefix(sprintf("%s/%s", [k8s.namespace, k8s.name]), "/")])

_tier_kinds := {"AdminNetworkPolicy", "BaselineAdminNetworkPolicy", "ClusterNetworkPolicy"}

_tier_ref := sprintf("%s %s", [k8s.kind, k8s.name])

# The workloads the reviewed Cilium policy isolates, read from the model (which the rules compute
# with the reviewed object in the inventory; its rules are named by _cilium_ref).
_reviewed_cilium_selects contains w if {
	some w in connectivity.workloads
	some direction in ["ingress", "egress"]
	some p in w[direction].policies
	_is_review_ref(p)
}

_cilium_ref := sprintf("CiliumNetworkPolicy %s/%s", [k8s.namespace, k8s.name]) if k8s.kind == "CiliumNetworkPolicy"

else := sprintf("CiliumClusterwideNetworkPolicy %s", [k8s.name])

_is_review_ref(p) if p == _cilium_ref

_is_review_ref(p) if startswith(p, sprintf("%s specs[", [_cilium_ref]))

_is_policy_kind if k8s.kind in {"NetworkPolicy", "GlobalNetworkPolicy"} # GlobalNetworkPolicy: Calico's

_is_policy_kind if k8s.kind in _cilium_kinds

_is_policy_kind if k8s.kind in _tier_kinds

# A policy answers for the flows it lets through: its rules are among the deciders.
_decided_by_review(_) if not _is_policy_kind

_decided_by_review(by) if {
	k8s.is_network_policy # not Calico's NetworkPolicy, whose rules are named below
	startswith(by, _review_rule_prefix)
}

_decided_by_review(by) if {
	k8s.kind in _cilium_kinds
	startswith(by, sprintf("%s ", [_cilium_ref]))
}

_decided_by_review(by) if {
	k8s.kind in _tier_kinds
	startswith(by, sprintf("%s ", [_tier_ref]))
}

_decided_by_review(by) if {
	_is_calico_review
	startswith(by, sprintf("%s ", [_calico_ref]))
}

# --- components without workloads -----------------------------------------------------------------

_empty_components contains c.name if {
	k8s.kind == "Namespace"
	k8s.api_group(k8s.review_object) == "" # the core Namespace only
	some c in components
	_names_namespaces(c)
	_namespace_in(c, k8s.name)
	count([id | some id, members in memberships; c.name in members]) == 0
}

# empty_components is MLF-K8S-062's findings on a reviewed Namespace: components that name it and
# match no workload at all.
default empty_components := set()

# The model is computed on the inventory with the reviewed object in it: at admission the object
# is not in data.inventory yet (the CLI, conftest and bundle inventories hold it already). Only
# the namespaces the verdicts can involve are kept (scoped_inventory, intent_scope.rego).
empty_components := found if {
	enabled

	# regal ignore:with-outside-test-context
	found := _empty_components with data.inventory as scoped_inventory
}
