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

_judged_on_scope := {
	"undeclared": (_review_flow_messages | _review_external_messages),
	"blocked": _blocked_messages,
}

_review_flow_messages contains flow_message(object.union(f, {"pieces": pieces})) if {
	some f in _undeclared_pairs(review_ids, _is_core_policy_value)
	pieces := [p |
		some p in f.pieces
		_decides_piece(p)
	]
	count(pieces) > 0
}

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
