# The reviewed object's MLF-K8S-060 findings: the undeclared flows and address blocks its own
# rules decide. Part of lib.mlfence.intent, kept in its own file for size.
package lib.mlfence.intent

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
