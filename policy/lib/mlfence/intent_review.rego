# The reviewed object's MLF-K8S-060 findings: the undeclared flows and address blocks its own
# rules decide. Part of lib.mlfence.intent, kept in its own file for size.
package lib.mlfence.intent

import data.lib.mlfence.connectivity
import data.lib.mlfence.k8s

# undeclared_messages is MLF-K8S-060's findings on the reviewed object (see _judged).
undeclared_messages := _judged.undeclared

# _judged is MLF-K8S-060's and 061's findings on the inventory with the reviewed object in it (at
# admission it is not in data.inventory yet), cut to the namespaces the verdicts can involve
# (scoped_inventory, intent_scope.rego). One `with` naming one rule: every `with` starts an empty
# cache, and OPA gives each operand it extracts from an expression a `with` of its own (`A | B
# with ...` computed the model twice, a `with` per rule once more).
default _judged := {"undeclared": set(), "blocked": set()}

_judged := found if {
	enabled

	# The `with`'s empty cache would work out again what depends on the input alone and is known
	# here already (the reviewed object, its namespace, kind and name, the declaration): handed in,
	# ~100 allocations fewer per decision. Only rules that are always defined: an undefined value
	# would leave the whole expression undefined. (The reviewed policy's prefix and types, asked
	# for only inside, cost more handed in than worked out there.)
	# regal ignore:with-outside-test-context
	found := _judged_on_scope with data.inventory as scoped_inventory
		with k8s.review_object as k8s.review_object # regal ignore:with-outside-test-context
		with k8s.namespace as k8s.namespace # regal ignore:with-outside-test-context
		with k8s.kind as k8s.kind # regal ignore:with-outside-test-context
		with k8s.name as k8s.name # regal ignore:with-outside-test-context
		with components as components # regal ignore:with-outside-test-context
		with allow_entries as allow_entries # regal ignore:with-outside-test-context
}

_judged_on_scope := {"undeclared": _checked_flow_messages, "blocked": _blocked_messages} if {
	_checkable
} else := {
	"undeclared": (_review_flow_messages | _review_external_messages),
	"blocked": _blocked_messages,
}

# _checkable holds for a reviewed core NetworkPolicy whose every rule has peers and no address
# block: the flows its rules can let through are then _review_candidates, each a pair of the
# model's workloads, and its verdicts are on those of them the declaration does not allow on every
# port (_undeclared_candidates) and on nothing else. Only those pairs' part of the model is
# computed: when the declaration allows them all (a compliant change, the common admission), none
# (which policies select the workloads, what those admit, the connections; ~40% of a decision).
# Every piece a rule decides lies within that rule's ports (connectivity.connection intersects
# the grants, the mesh and deny rules only narrow them), and undeclared() reports what of a piece
# the allowed ranges leave uncovered: covered ports leave nothing. A pair is decided by the model
# where the records alone cannot tell (a named port, whose number depends on the destination's
# containers). (tests/test_admission_declared.py compares these verdicts with the whole model's
# on random platforms; intent_scope_test.rego on the cases it names.)
_checkable if {
	peers_narrowed
	is_set(_judged_ids) # no rule without peers
	not _review_opens_blocks
}

# The messages of the candidate pairs not declared on every port whose connection carries pieces
# the declaration does not allow and the reviewed policy's rules decide: _review_flow_messages on
# those pairs (a workload is never its own peer: _review_candidates leaves such pairs out).
_checked_flow_messages contains flow_message({"src": src, "dst": dst, "pieces": pieces}) if {
	some [src_id, dst_id] in _undeclared_candidates
	src := _model_workload(src_id)
	dst := _model_workload(dst_id)
	pieces := _decided_pieces(undeclared(src, dst))
	count(pieces) > 0
}

_undeclared_candidates contains [c[0], c[1]] if {
	some c in _review_candidates
	not _candidate_declared(c)
}

# _review_opens_blocks holds when a rule of the reviewed policy names an ipBlock peer: the model
# judges its address blocks (undeclared_external). (`peer.ipBlock` is defined for every peer that
# gives a block; where it holds without one, the decision only takes the model's path.)
_review_opens_blocks if {
	some direction in ["Ingress", "Egress"]
	some rule in connectivity.rules_of(k8s.review_object, direction)
	rule[_peer_key[direction]][_].ipBlock
}

# _review_candidates is [source id, destination id, rule] for each flow a rule of the reviewed
# policy can let through (rule_pods: the pods its peers resolve to, as _judged_ids has them).
_review_candidates contains [ends[0], ends[1], rule] if {
	some direction in ["Ingress", "Egress"]
	some rule in connectivity.rules_of(k8s.review_object, direction)
	some peer_id in connectivity.rule_pods(rule, direction, k8s.namespace)
	some id in review_ids
	peer_id != id
	ends := {"Ingress": [peer_id, id], "Egress": [id, peer_id]}[direction]
}

# A pair no component holds is judged by no declared flow (undeclared() reports nothing); else
# the declaration must allow every range of the rule's ports, each numbered.
_candidate_declared([src_id, dst_id, _]) if {
	count(_members_of(src_id) | _members_of(dst_id)) == 0
}

_candidate_declared([src_id, dst_id, rule]) if {
	entries := [p | is_array(rule.ports); some p in rule.ports]
	every p in entries {
		not is_string(object.get(k8s.object_or_empty(p), "port", null)) # a named port
	}
	allowed := allowed_ranges(src_id, dst_id)
	every r in connectivity.port_ranges(entries, {}) {
		spans := [a | some a in allowed; a.protocol == r.protocol]
		_whole_bounds(spans) # gaps() counts whole ports (port_ranges gives only whole ones)
		gaps(r.from, r.to, spans) == set()
	}
}

# (A declaration's ports are whole numbers when its settings are validated; Gatekeeper parameters
# written by hand may hold others, which only the model's reading decides.)
_whole_bounds(spans) if {
	every a in spans {
		floor(a.from) == a.from
		floor(a.to) == a.to
	}
}

_review_flow_messages contains flow_message(object.union(f, {"pieces": pieces})) if {
	some f in _undeclared_pairs(review_ids, _is_core_policy_value)
	pieces := _decided_pieces(f.pieces)
	count(pieces) > 0
}

# _decided_pieces(pieces) is those of the pieces the reviewed policy's own rules decide.
_decided_pieces(pieces) := [p | some p in pieces; _decides_piece(p)]

_decides_piece(p) if _decided_by_review(p.egress_by)

_decides_piece(p) if _decided_by_review(p.ingress_by)

_review_external_messages contains external_message(w, e) if {
	some id in review_ids
	w := _model_workload(id)
	some e in undeclared_external(id)
	_decided_by_review(e.by)
}

# _may_carry_review_rules(src, dst, narrowed) holds for every pair unless `narrowed`; then when the
# reviewed core NetworkPolicy's rules can be among the pair's deciders: those of the source's
# egress if it selects the source (review_ids) and lists Egress, those of the destination's
# ingress if it selects the destination and lists Ingress (_undeclared_pairs).
_may_carry_review_rules(_, _, false)

_may_carry_review_rules(src, _, true) if {
	src.id in review_ids
	"Egress" in _review_types
}

_may_carry_review_rules(_, dst, true) if {
	dst.id in review_ids
	"Ingress" in _review_types
}

default _is_core_policy_value := false

_is_core_policy_value if _is_core_policy

# _placed_workload(id) is [namespace, labels] of the model's workload id: read from
# connectivity.workload_index when the peers are narrowed (intent_scope.rego), where the decision
# builds the entries of the workloads it judges only; from bare_workloads, built with the model,
# otherwise.
_placed_workload(id) := [r[2], r[3]] if {
	peers_narrowed
	r := connectivity.workload_index[id]
} else := [w.namespace, w.labels] if {
	w := connectivity.bare_workloads[id]
}
