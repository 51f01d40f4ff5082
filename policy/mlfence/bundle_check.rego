package mlfence

# OPA verifies a bundle's signature, not its age: an older, validly signed bundle served again
# (a compromised or misconfigured bundle server, a stale mirror or cache) is activated like a
# new one. bundle_problems lets a sidecar refuse to allow anything under such a bundle: every
# build records its commit time in data.mlfence.bundle_info.built_at (tools/mlfence/bundle.py),
# and the sidecar's OPA config may set, as labels (opa.runtime().config.labels):
#   mlfence-min-built-at: "<unix seconds>"  refuse bundles built before it (raise it with a fix)
#   mlfence-max-bundle-age-days: "<days>"   refuse bundles older than that (needs regular builds)
# A label that is not a whole number is itself a problem: a typo must not switch the check off.
# Without the labels nothing changes. Decisions under a problem are not allowed (fail closed).

# METADATA
# scope: document
# title: Bundle age check
# description: Why the active bundle must not be trusted (too old for this sidecar's labels).
bundle_problems contains sprintf(
	"the active bundle was built at %d, before this sidecar's mlfence-min-built-at %d: an older bundle was served",
	[_built_at, minimum],
) if {
	minimum := _label_number("mlfence-min-built-at")
	_built_at < minimum
}

bundle_problems contains sprintf(
	"the active bundle is %d days old, over this sidecar's mlfence-max-bundle-age-days %d",
	[age_days, days],
) if {
	days := _label_number("mlfence-max-bundle-age-days")
	age_days := floor(((time.now_ns() / 1000000000) - _built_at) / 86400)
	age_days > days
}

bundle_problems contains sprintf("label %s is %v, not a whole number", [key, value]) if {
	some key in _check_labels
	value := _labels[key]
	not _label_number(key)
}

bundle_problems contains "the active bundle records no build time (data.mlfence.bundle_info.built_at)" if {
	some key in _check_labels
	_labels[key]

	# Through a helper: a negated builtin call on an undefined reference is never true.
	not _has_build_time
}

_has_build_time if is_number(data.mlfence.bundle_info.built_at)

_check_labels := {"mlfence-min-built-at", "mlfence-max-bundle-age-days"}

default _labels := {}

# One opa.runtime() call per decision: in a server with a configuration, every call converts the
# whole runtime document (the process environment included) to Go values and back to purge the
# credentials (OPA's topdown/runtime.go), about 50-100 µs of CPU (bench/README.md section 3).
_labels := labels if {
	labels := opa.runtime().config.labels
	is_object(labels)
}

_label_number(key) := to_number(_labels[key]) if {
	is_string(_labels[key])
	regex.match(`^[0-9]{1,12}$`, _labels[key])
}

default _built_at := 0

_built_at := data.mlfence.bundle_info.built_at if is_number(data.mlfence.bundle_info.built_at)
