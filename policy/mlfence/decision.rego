package mlfence

# METADATA
# title: Decision
# description: >-
#   The bundle's decision entrypoint for sidecars and callers:
#   data.mlfence.decision -> {"allowed", "input_kind", "findings"}. It fails closed: input that
#   is not a Kubernetes object, an AdmissionReview or a plan is not allowed.
# entrypoint: true
default decision := {"allowed": false, "input_kind": "unrecognised", "findings": []}

decision := {
	"allowed": count(_failing) == 0,
	"input_kind": document_kind(input),
	"findings": _findings,
}

_findings := document_findings(input, {})

_failing := [f |
	some f in _findings
	is_failing(f)
]
