# METADATA
# title: Knative Service is published outside the cluster
# description: >-
#   Knative Serving gives a Service (serving.knative.dev) a route on its external ingress gateway
#   unless the Service is labelled networking.knative.dev/visibility: cluster-local or
#   config-domain gives its labels the cluster domain (Knative 1.8+ does so for every route while
#   config-domain names no domain; installs that publish, such as Kubeflow's, name one). A model
#   server or notebook deployed as a Knative Service then answers anyone who reaches that
#   gateway. The scanned config-domain ConfigMap decides; without it, knative_default_visibility.
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
#     Knative Serving v1.8+, known to hold for Knative Serving 1.21.1 (knative.dev/serving v0.48.1
#     read; the version Kubeflow's manifests vendor): route visibility from the
#     networking.knative.dev/visibility label and config-domain's label selectors, the cluster
#     domain when it names no domain; serving.knative.dev/visibility removed in v0.21
#   verified_against:
#     - repo: knative/serving
#       path: pkg/reconciler/route/visibility/visibility.go
#       commit: >-
#         not recorded (module zip knative.dev/serving@v0.48.1 from the Go module proxy,
#         h1:Tm8s/KbtnGp/8srGa+r4ETyO+2+8FhG6qX/NPeRyTJo=)
#       version: Knative Serving 1.21.1 (knative.dev/serving v0.48.1)
#       facts: >-
#         routeVisibility is cluster-local when config-domain gives the Route's labels the domain
#         svc.<cluster domain>, else ExternalIP; a placeholder Service labelled
#         networking.knative.dev/visibility makes a tag local; the lower visibility wins
#     - repo: knative/serving
#       path: pkg/reconciler/route/config/domain.go
#       commit: >-
#         not recorded (module zip knative.dev/serving@v0.48.1 from the Go module proxy,
#         h1:Tm8s/KbtnGp/8srGa+r4ETyO+2+8FhG6qX/NPeRyTJo=)
#       version: Knative Serving 1.21.1 (knative.dev/serving v0.48.1)
#       facts: >-
#         LookupDomainForLabels: networking.knative.dev/visibility: cluster-local gives the cluster
#         domain; else the matching selector with most labels, ties to the alphabetically first;
#         NewDomainFromConfigMap skips _example, a key without selector is the default, and without
#         one the default is svc.<cluster domain>
#     - repo: knative/serving
#       path: pkg/reconciler/route/resources/labels/labels.go
#       commit: >-
#         not recorded (module zip knative.dev/serving@v0.48.1 from the Go module proxy,
#         h1:Tm8s/KbtnGp/8srGa+r4ETyO+2+8FhG6qX/NPeRyTJo=)
#       version: Knative Serving 1.21.1 (knative.dev/serving v0.48.1)
#       facts: IsObjectLocalVisibility reads networking.knative.dev/visibility only
#     - repo: knative/serving
#       path: pkg/apis/serving/v1/service_validation.go, pkg/apis/serving/metadata_validation.go
#       commit: >-
#         not recorded (module zip knative.dev/serving@v0.48.1 from the Go module proxy,
#         h1:Tm8s/KbtnGp/8srGa+r4ETyO+2+8FhG6qX/NPeRyTJo=)
#       version: Knative Serving 1.21.1 (knative.dev/serving v0.48.1)
#       facts: >-
#         Service.Validate checks object metadata and autoscaling annotations only: neither
#         visibility label is validated, so a Service carrying serving.knative.dev/visibility is
#         accepted and the label ignored (the older index copy 005b2822 refused it)
#     - repo: knative/serving
#       ref: https://github.com/knative/serving/pull/13259
#       version: Knative Serving v1.8 (knative/docs#5316 names release-1.8)
#       facts: >-
#         the default domain is the cluster domain svc.cluster.local: routes stay cluster-local
#         until config-domain names a domain
#     - repo: knative/serving
#       ref: https://github.com/knative/serving/pull/11253
#       version: >-
#         Knative Serving v0.21 (OpenShift Serverless 1.15 notes, openshift/openshift-docs#32700)
#       facts: >-
#         serving.knative.dev/visibility was replaced by networking.knative.dev/visibility in
#         e402e8ec and is no longer read
#     - repo: kubeflow/manifests
#       path: common/knative/knative-serving/base/upstream/serving-core.yaml, overlays/gateways
#       commit: not recorded (the snapshot under /work/shared/realworld)
#       version: Knative Serving 1.21.1 (app.kubernetes.io/version)
#       facts: >-
#         config-domain ships only _example (no domain: routes cluster-local); Kubeflow's gateways
#         overlay patches it to example.com: "" (every route external)
#   recommended_action: >-
#     Label the Service networking.knative.dev/visibility: cluster-local; publish it, if it must be
#     public, through the approved edge gateway with authentication. Scan the knative-serving
#     config-domain ConfigMap with the manifests, or, if it names no domain (or maps every route to
#     svc.cluster.local), set knative_default_visibility: cluster-local.
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

# The label Knative Serving read before v0.21 makes nothing cluster-local any more: say so, as
# the author meant the Service to be private. (Knative Serving 1.21.1's Service webhook accepts
# it: ValidateObjectMetadata checks no serving.knative.dev/ labels.)
_legacy(obj) := sprintf(" (its label %s was removed in Knative Serving 0.21: %s)", [
	serving.legacy_knative_visibility_label, "Knative ignores it",
]) if {
	serving.label_value(obj, serving.legacy_knative_visibility_label) != ""
} else := ""

_fix := "label it cluster-local, or serve it through the approved edge gateway with authentication"
