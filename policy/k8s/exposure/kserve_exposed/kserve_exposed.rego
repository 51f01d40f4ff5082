# METADATA
# title: KServe InferenceService is published outside the cluster
# description: >-
#   The networking.kserve.io/visibility: exposed label (or annotation) makes KServe publish the
#   model through an external route or gateway host. The predictor then answers anyone who can
#   reach the ingress, which lets outsiders query, extract or abuse the model.
# related_resources:
#   - ref: https://kserve.github.io/website/latest/admin/kubernetes_deployment/
# custom:
#   id: MLF-K8S-034
#   long_id: k8s-kserve-exposed
#   severity: high
#   target: kubernetes
#   kinds: [InferenceService]
#   recommended_action: >-
#     Remove networking.kserve.io/visibility: exposed so the InferenceService stays cluster-local,
#     and publish it, if it must be public, through the approved edge gateway with authentication
#     (an AuthorizationPolicy requiring requestPrincipals).
package k8s.exposure.kserve_exposed

import data.lib.mlfence.k8s
import data.lib.mlfence.result

_key := "networking.kserve.io/visibility"

violation contains result.violation(rego.metadata.chain(), k8s.resource, msg) if {
	k8s.in_scope
	k8s.kind == "InferenceService"
	obj := k8s.review_object
	k8s.api_group(obj) == "serving.kserve.io"
	some where, values in {"label": k8s.labels(obj), "annotation": k8s.annotations(obj)}
	is_string(values[_key])
	lower(trim_space(values[_key])) == "exposed"
	msg := sprintf(
		"InferenceService %s carries the %s %s: exposed, which publishes the model outside the cluster; %s",
		[k8s.resource, where, _key, "remove it and serve through the approved edge gateway with authentication"],
	)
}
