package mlfence

# METADATA
# title: Decision
# description: >-
#   The bundle's decision entrypoint for sidecars and callers:
#   data.mlfence.decision -> {"allowed", "input_kind", "findings"}. It fails closed: input that
#   is not a Kubernetes object, an AdmissionReview or a plan is not allowed. A List (`kind:
#   List`, `*List` with items) is judged item by item, as kubectl applies it.
# entrypoint: true
default decision := {"allowed": false, "input_kind": "unrecognised", "findings": []}

decision := object.union(
	{
		# An untrusted bundle (bundle_check.rego) allows nothing, whatever the findings.
		"allowed": (count(_failing) + count(bundle_problems)) == 0,
		"input_kind": _input_kind,
		"findings": _findings,
	},
	_bundle_note,
)

default _bundle_note := {}

_bundle_note := {"bundle_problems": sort(bundle_problems)} if count(bundle_problems) > 0

# A sidecar may be fed cluster state in Gatekeeper's inventory shape (e.g. by kube-mgmt) for
# the cross-object rules; without it they see an empty cluster. Fed, the rules read it in place
# (null: evaluate.rego's document_findings does not copy it into a `with`).
default _inventory := {}

_inventory := null if is_object(data.inventory)

_input_kind := "kubernetes_list" if is_list(input)

else := document_kind(input)

# A List is judged item by item; anything else is one document, judged without the unrolling.
# An AdmissionReview, what a sidecar answers most, goes straight to its request: document_findings
# would work out the input's kind twice more (about 100 allocations a decision, bench/README.md 3c).
_findings := sort(_k8s_findings(input.request, _inventory)) if {
	_input_kind == "admission_review"
} else := [f |
	some doc in flatten_lists(input)
	some f in flattened_findings(doc, _inventory)
] if {
	_input_kind == "kubernetes_list"
} else := document_findings(input, _inventory)

_failing := [f |
	some f in _findings
	is_failing(f)
]
