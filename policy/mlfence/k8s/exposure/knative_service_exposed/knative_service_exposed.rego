# METADATA
# title: Knative Service is published outside the cluster
# description: >-
#   Knative Serving gives every Service (serving.knative.dev) a route on its external ingress
#   gateway unless the Service is labelled networking.knative.dev/visibility: cluster-local or
#   the platform's config-domain makes every route cluster-local. A model server or notebook
#   deployed as a Knative Service then answers anyone who reaches that gateway.
# related_resources:
#   - ref: https://knative.dev/docs/serving/services/private-services/
#   - ref: https://github.com/knative/serving/blob/main/pkg/reconciler/route/visibility/visibility.go
# custom:
#   id: MLF-K8S-051
#   long_id: k8s-knative-service-exposed
#   severity: high
#   target: kubernetes
#   kinds: [Service]
#   platform: >-
#     Knative Serving v1.12-v1.19 (route visibility from the networking.knative.dev/visibility
#     label, legacy serving.knative.dev/visibility, config-domain svc.cluster.local)
#   verified_against: >-
#     knative/serving pkg/reconciler/route/visibility/visibility.go at 55ecfb61 (routeVisibility:
#     ExternalIP unless config-domain maps the Route's labels to svc.<cluster domain>; a
#     placeholder Service with local visibility makes a tag cluster-local; the lower visibility
#     wins) and knative networking's VisibilityLabelKey = "networking.knative.dev/visibility".
#     Not verified here: the legacy serving.knative.dev/visibility key and the exact release range.
#   recommended_action: >-
#     Label the Service networking.knative.dev/visibility: cluster-local; publish it, if it must be
#     public, through the approved edge gateway with authentication. If config-domain maps every
#     route to svc.cluster.local, set knative_default_visibility: cluster-local.
package mlfence.k8s.exposure.knative_service_exposed

import data.lib.mlfence.k8s
import data.lib.mlfence.result
import data.lib.mlfence.serving

# Knative Services created by KServe carry ownerReferences: MLF-K8S-034 judges their owner.
violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	k8s.kind == "Service"
	obj := k8s.review_object
	k8s.api_group(obj) == "serving.knative.dev"
	count(k8s.as_array(k8s.field(obj, ["metadata", "ownerReferences"], []))) == 0
	not serving.knative_cluster_local(obj)
	msg := sprintf(
		"Knative Service %s has no label %s: %s%s, so Knative routes it through its external ingress gateway%s; %s",
		[
			k8s.resource, serving.knative_visibility_label, serving.cluster_local, _legacy(obj),
			serving.knative_domain_note(obj), _fix,
		],
	)
}

# The label Knative Serving read before v0.21 makes nothing cluster-local any more, and the
# Service webhook refuses it: say so, as the author meant the Service to be private.
_legacy(obj) := sprintf(" (its label %s was removed in Knative Serving 0.21: Knative ignores it and refuses it on a Service)", [
	serving.legacy_knative_visibility_label,
]) if {
	serving.label_value(obj, serving.legacy_knative_visibility_label) != ""
} else := ""

_fix := "label it cluster-local, or serve it through the approved edge gateway with authentication"
