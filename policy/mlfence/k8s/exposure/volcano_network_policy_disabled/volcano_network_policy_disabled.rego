# METADATA
# title: Volcano job turns off the svc plugin's NetworkPolicy
# description: >-
#   Volcano's svc plugin creates a NetworkPolicy that lets a job's pods talk only to each other.
#   --disable-network-policy=true drops it, so the training pods accept connections from every
#   pod in the cluster on every port (parameter servers, MPI, NCCL and debug endpoints).
# related_resources:
#   - ref: https://volcano.sh/en/docs/job_plugins/
# custom:
#   id: MLF-K8S-035
#   long_id: k8s-volcano-network-policy-disabled
#   severity: medium
#   target: kubernetes
#   kinds: [Job]
#   recommended_action: >-
#     Remove --disable-network-policy from spec.plugins.svc (or set it to false) so the job keeps
#     the NetworkPolicy that confines its pods to each other; add explicit NetworkPolicies for any
#     other peer the job needs.
package mlfence.k8s.exposure.volcano_network_policy_disabled

import data.lib.mlfence.exposure
import data.lib.mlfence.k8s
import data.lib.mlfence.result

violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	k8s.in_scope
	k8s.kind == "Job"
	obj := k8s.review_object
	k8s.api_group(obj) == "batch.volcano.sh"
	some arg in exposure.string_items(obj.spec.plugins.svc)
	_disables_network_policy(arg)
	msg := sprintf(
		"Volcano Job %s passes %s to the svc plugin, which removes the NetworkPolicy isolating the job's pods; %s",
		[k8s.resource, arg, "remove the argument from spec.plugins.svc"],
	)
}

# Go's flag package accepts -flag and --flag, a bare boolean flag means true, and
# strconv.ParseBool spells true as 1, t, T, true, TRUE or True.
_disables_network_policy(arg) if {
	name := trim_left(trim_space(arg), "-")
	name == "disable-network-policy"
}

_disables_network_policy(arg) if {
	parts := split(trim_left(trim_space(arg), "-"), "=")
	count(parts) == 2
	parts[0] == "disable-network-policy"
	lower(trim_space(parts[1])) in {"1", "t", "true"}
}
