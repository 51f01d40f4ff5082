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
#     Knative Serving v1.8+ (route visibility from the networking.knative.dev/visibility label and
#     config-domain's label selectors, the cluster domain when it names no domain;
#     serving.knative.dev/visibility removed in v0.21)
#   verified_against:
#     - repo: knative/serving
#       path: pkg/reconciler/route/visibility/visibility.go
#       commit: 55ecfb61861e09f7de0414d4b20847febb13b37c
#       version: >-
#         a mid-2020 tree, older than the platform range (go.mod at this commit pins knative.dev/pkg
#         of 2020-06-06); the domain lookup it calls is the part that changed since (entries below)
#       facts: >-
#         routeVisibility is cluster-local when config-domain gives the Route's labels the domain
#         svc.<cluster domain>, else ExternalIP; a cluster-local placeholder Service makes a tag local;
#         the lower visibility wins
#     - repo: knative/serving
#       path: pkg/reconciler/route/config/domain.go
#       commit: 0424bef5a0ebb5e94b69801314e2f0d8bad4b6b8
#       version: release not established (index commit)
#       facts: >-
#         LookupDomainForLabels: networking.knative.dev/visibility: cluster-local gives the cluster
#         domain; else the matching selector with most labels, ties to the alphabetically first; only
#         the networking key is read
#     - repo: knative/serving
#       ref: https://github.com/knative/serving/pull/13259
#       version: Knative Serving v1.8 (knative/docs#5316 names release-1.8)
#       facts: >-
#         the default domain is the cluster domain svc.cluster.local: routes stay cluster-local until
#         config-domain names a domain
#     - repo: knative/serving
#       path: pkg/reconciler/route/resources/labels/labels.go
#       commit: 0424bef5a0ebb5e94b69801314e2f0d8bad4b6b8
#       version: release not established (index commit)
#       facts: IsObjectLocalVisibility reads networking.knative.dev/visibility only
#     - repo: knative/serving
#       path: pkg/apis/serving/v1/service_validation.go
#       commit: 005b2822731cd19861fcfc04900e9c020054e0e5
#       version: release not established (index commit)
#       facts: >-
#         a Service's networking.knative.dev/visibility must be cluster-local and any other
#         serving.knative.dev/ label is refused (ErrInvalidKeyName)
#     - repo: knative/serving
#       ref: https://github.com/knative/serving/pull/11253
#       version: Knative Serving v0.21 (OpenShift Serverless 1.15 notes, openshift/openshift-docs#32700)
#       facts: >-
#         serving.knative.dev/visibility was replaced by networking.knative.dev/visibility in e402e8ec
#         and is no longer read
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
