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

# A sidecar may be fed cluster state in Gatekeeper's inventory shape (e.g. by kube-mgmt) for
# the cross-object rules; without it they see an empty cluster.
default _inventory := {}

_inventory := data.inventory if is_object(data.inventory)

_findings := document_findings(input, _inventory)

_failing := [f |
	some f in _findings
	is_failing(f)
]
