package mlfence

# METADATA
# title: Admission response
# description: >-
#   data.mlfence.admission answers an admission.k8s.io/v1 AdmissionReview with a complete
#   AdmissionReview response, so an OPA server can act as a validating webhook: the uid is
#   echoed, failing findings deny with a status message that lists them, warnings and unknown
#   values become admission warnings. Anything that is not an AdmissionReview is denied.
# entrypoint: true
admission := {
	"apiVersion": "admission.k8s.io/v1",
	"kind": "AdmissionReview",
	"response": object.union_n([{"uid": _uid, "allowed": _admitted}, _status, _warnings]),
}

default _uid := ""

_uid := input.request.uid if is_string(input.request.uid)

default _admitted := false

_admitted if {
	_input_kind == "admission_review"
	decision.allowed
}

default _status := {}

_status := {"status": {"code": 403, "reason": "Forbidden", "message": _denial_message}} if not _admitted

default _denial_message := "mlfence: the request is not an admission.k8s.io/v1 AdmissionReview"

_denial_message := concat("; ", array.concat(
	[sprintf("mlfence: %s", [problem]) | some problem in sort(bundle_problems)],
	[f.message |
		some f in decision.findings
		is_failing(f)
	],
)) if {
	_input_kind == "admission_review"
}

default _warnings := {}

_warnings := {"warnings": _warning_messages} if count(_warning_messages) > 0

_warning_messages := [f.message |
	some f in decision.findings
	not is_failing(f)
]
