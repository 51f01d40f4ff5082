package mlfence_test

import data.mlfence

_bc_pod := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "ml"}, "spec": {"containers": [{"name": "c", "image": "registry.internal/c:1"}]}}

_bc_runtime(labels) := {"config": {"labels": labels}}

_bc_decide(labels, info) := d if {
	d := mlfence.decision with input as _bc_pod
		with opa.runtime as _bc_runtime(labels)
		with mlfence.bundle_info as info
}

# Without the labels (the default) nothing changes, whatever the bundle records.
test_no_labels_no_check if {
	d := _bc_decide({}, {})
	not d.bundle_problems
	count(mlfence.bundle_problems) == 0 with opa.runtime as {}
}

# A bundle built before the sidecar's floor (an older signed bundle served again) allows nothing.
test_replayed_bundle_below_floor_denies if {
	ok := _bc_decide({"mlfence-min-built-at": "1700000000"}, {"built_at": 1700000000})
	not ok.bundle_problems
	d := _bc_decide({"mlfence-min-built-at": "1800000000"}, {"built_at": 1700000000})
	d.allowed == false
	some problem in d.bundle_problems
	contains(problem, "before this sidecar's mlfence-min-built-at 1800000000")
}

test_too_old_bundle_denies if {
	d := _bc_decide({"mlfence-max-bundle-age-days": "30"}, {"built_at": 1000})
	d.allowed == false
	fresh := mlfence.decision with input as _bc_pod
		with opa.runtime as _bc_runtime({"mlfence-max-bundle-age-days": "30"})
		with mlfence.bundle_info as {"built_at": 2000000000}
		with time.now_ns as 2000000000 * 1000000000
	not fresh.bundle_problems
}

# A typo in a label, or a bundle without a build time, fails closed.
test_bad_label_or_missing_build_time_denies if {
	typo := _bc_decide({"mlfence-min-built-at": "17e8"}, {"built_at": 1800000000})
	typo.allowed == false
	missing := _bc_decide({"mlfence-min-built-at": "1"}, {})
	some problem in missing.bundle_problems
	contains(problem, "records no build time")
}

# The admission response names the problem.
test_admission_names_the_bundle_problem if {
	review := {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"uid": "u", "object": _bc_pod}}
	a := mlfence.admission with input as review
		with opa.runtime as _bc_runtime({"mlfence-min-built-at": "1800000000"})
		with mlfence.bundle_info as {"built_at": 1}
	a.response.allowed == false
	contains(a.response.status.message, "an older bundle was served")
}
