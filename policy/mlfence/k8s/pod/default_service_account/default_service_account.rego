# METADATA
# title: Pod runs as the namespace's default service account
# description: >-
#   Pods without serviceAccountName run as "default", shared by everything in the namespace.
#   Mesh identities (SPIFFE), AuthorizationPolicies and workload identity bind to the service
#   account, so shared identities make it impossible to allow one component and not another.
# related_resources:
#   - ref: https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/
# custom:
#   id: MLF-K8S-014
#   long_id: k8s-pod-default-service-account
#   severity: low
#   target: kubernetes
#   kind_groups: [pod-workloads]
#   recommended_action: >-
#     Create a ServiceAccount per component (trainer, model server, notebook...) and set
#     serviceAccountName to it; set automountServiceAccountToken: false unless the component
#     calls the Kubernetes API.
package mlfence.k8s.pod.default_service_account

import data.lib.mlfence.k8s
import data.lib.mlfence.result

# A warning: the identity is shared, not exposed. Fragments (TrainJob overrides, serving
# runtimes, Argo patches) do not decide the account, so only complete pod specs are checked.
violation contains result.warning(rego.metadata.chain(), k8s.resource, msg) if {
	k8s.in_scope
	some pod in k8s.pod_templates(k8s.review_object)
	pod.partial == false
	account := _account(pod.spec)
	account in {"", "default"}
	msg := sprintf("%s runs %s as the default service account%s; give the component its own ServiceAccount", [
		_subject, pod.path, _how(account),
	])
}

# A cluster-wide template runs nothing itself: the pods made from it run in the namespace of
# each object that uses it, as that namespace's default account unless that object overrides it.
_subject := sprintf("%s (a cluster-wide template: pods made from it in any namespace)", [k8s.resource]) if {
	k8s.cluster_template(k8s.review_object)
} else := k8s.resource

_account(spec) := spec.serviceAccountName if is_string(spec.serviceAccountName)

else := spec.serviceAccount if is_string(spec.serviceAccount)

else := ""

_how("") := " (serviceAccountName is not set)"

_how("default") := ""
