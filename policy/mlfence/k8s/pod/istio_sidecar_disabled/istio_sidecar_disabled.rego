# METADATA
# title: Pod opts out of the Istio sidecar in a mesh namespace
# description: >-
#   sidecar.istio.io/inject "false" (or "no", "off", "0", "disabled": Istio's injector injects
#   only for y, yes, true or on, and the label wins over the annotation), or a Namespace label
#   istio-injection other than "enabled", removes the pod from the mesh: its traffic skips mTLS,
#   AuthorizationPolicies and the egress gateway, and STRICT peers can no longer tell who it
#   is. In a mesh namespace that is a hole in the perimeter, often added once to get a batch
#   job to finish and then forgotten.
# related_resources:
#   - ref: https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/#controlling-the-injection-policy
# custom:
#   id: MLF-K8S-012
#   long_id: k8s-pod-istio-sidecar-disabled
#   severity: medium
#   target: kubernetes
#   kind_groups: [pod-workloads]
#   platform: >-
#     Istio sidecar injector (label and annotation sidecar.istio.io/inject): the label wins over the
#     annotation and the exact value false opts out in every copy read and in Istio 1.29.1's
#     webhooks (Kubeflow's manifests); the other spellings (no, off, 0, disabled) opt out only in
#     the older injector copy, and the finding says so
#   verified_against:
#     - repo: istio/istio
#       path: pkg/kube/inject/inject.go
#       commit: 00af2c55
#       version: >-
#         release not established: an abbreviated hash from an earlier read (lib/mlfence/istio.rego
#         names 00af2c5549d5); the index now serves other versions of this file and cannot be read
#         at an abbreviated hash, so this copy could not be re-read or dated
#       facts: >-
#         injectRequired: the label, when present, wins over the annotation; lower-cased y, yes,
#         true, on inject, "" leaves the namespace default, anything else turns injection off
#     - repo: istio/istio
#       path: pkg/kube/inject/inject.go
#       commit: b0d2c6adcaa4e4d5ac27d9c0f4f03e348b1d924c
#       version: >-
#         release not established: Makefile.core.mk is not stored at this commit and the Go module
#         proxy serves no tagged istio.io/istio version (1.29.1 refused), so no release tree of
#         istio/istio could be read; a newer tree than 00af2c55 (native sidecars, the
#         ambient.istio.io/init label, compliance policy)
#       facts: >-
#         injectRequired: the label wins over the annotation; only "true" injects and "false" opts
#         out; "" and every other value (logged as invalid) fall back to the namespace default, so
#         "no" or "off" keep the sidecar in an injection-enabled namespace
#     - repo: kubeflow/manifests
#       path: common/istio/istio-install/base/install.yaml
#       commit: not recorded (the snapshot under /work/shared/realworld)
#       version: Istio 1.29.1 charts (helm.sh/chart istiod-1.29.1)
#       facts: >-
#         the sidecar injector webhooks select namespaces labelled istio-injection: enabled, or
#         istio.io/rev: default without istio-injection, and skip pods whose label
#         sidecar.istio.io/inject is exactly "false" (objectSelector NotIn [false]); other values
#         reach the injector
#   recommended_action: >-
#     Remove the sidecar.istio.io/inject label or annotation that turns injection off (or set it
#     to "true"), and label mesh namespaces istio-injection=enabled. For Jobs and training runs
#     that never finish because of the proxy, enable native sidecars (Istio 1.19+ on Kubernetes
#     1.28+, ENABLE_NATIVE_SIDECARS) instead of leaving the mesh. A workload that must stay
#     outside the mesh belongs in a namespace outside mesh_namespaces. A manifest without a namespace
#     is reported unknown: declare where it is applied (`namespaces:` in .mlfence.yaml).
package mlfence.k8s.pod.istio_sidecar_disabled

import data.lib.mlfence.istio
import data.lib.mlfence.k8s
import data.lib.mlfence.result

violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	_namespace_known
	k8s.in_scope
	k8s.mesh_namespace(k8s.namespace, _namespace_labels)
	some pod in k8s.pod_metadata(k8s.review_object)
	off := istio.sidecar_opt_out(pod.metadata)
	msg := sprintf(
		"%s disables the Istio sidecar (%s.%s sidecar.istio.io/inject: %v, %s) in mesh namespace %s",
		[k8s.resource, pod.path, off.where, off.value, _reading(off.value), _namespace_text],
	)
}

# A manifest without a namespace (a kustomize base, a file applied with -n) lands in a namespace
# known only after rendering: whether that one is in the mesh, or a system namespace, decides
# whether the opt-out is a hole. Unknown, never a claim about a namespace nobody named.
violation contains result.unknown(rego.metadata.chain(), k8s.resource, msg) if {
	not _namespace_known
	some pod in k8s.pod_metadata(k8s.review_object)
	off := istio.sidecar_opt_out(pod.metadata)
	msg := sprintf(
		"%s disables the Istio sidecar (%s.%s sidecar.istio.io/inject: %v) and has no namespace: %s",
		[k8s.resource, pod.path, off.where, off.value, _unknown_namespace],
	)
}

# A Namespace labelled istio-injection with any value but "enabled" matches none of Istio's
# injection webhooks (the namespace one wants "enabled", the revision and object ones want the
# label absent), so no pod in it gets a sidecar. Known when the inventory holds the Namespace.
violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	k8s.in_scope
	k8s.mesh_namespace(k8s.namespace, {})
	value := _namespace_labels["istio-injection"]
	value != "enabled"
	count(k8s.pod_metadata(k8s.review_object)) > 0
	msg := sprintf(
		"%s runs in mesh namespace %s, whose label istio-injection: %v turns sidecar injection off for all its pods",
		[k8s.resource, _namespace_text, value],
	)
}

default _namespace_text := ""

_namespace_text := k8s.namespace if k8s.namespace != ""

# A cluster-wide template has no namespace: its pods run in every namespace that uses it.
_namespace_text := "(each namespace whose objects use this cluster-wide template)" if {
	k8s.namespace == ""
	k8s.cluster_template(k8s.review_object)
}

# Labels of the namespace's Namespace object, when the inventory holds it.
default _namespace_labels := {}

_namespace_labels := k8s.labels(_inventory.cluster.v1.Namespace[k8s.namespace])

# Gatekeeper's synced objects; the CLI and conftest adapters build the same shape.
default _inventory := {}

_inventory := data.inventory

_unknown_namespace := concat("", [
	"whether the namespace it is applied to is a mesh namespace is known only after rendering ",
	"(declare it with `namespaces:` in .mlfence.yaml)",
])

# The namespace is given, or the object is a cluster-wide template (its pods run in the namespace
# of each object that uses it, which mesh_namespaces decides for all of them).
_namespace_known if k8s.namespace != ""

_namespace_known if k8s.cluster_template(k8s.review_object)

# Only the exact value "false" is off in every injector copy read; the copies disagree on other
# spellings (custom.verified_against), so the finding says which injectors read them as off.
_reading(value) := "which Istio's injector reads as off" if {
	value == "false"
} else := concat("", [
	"which Istio's injector reads as off where it lower-cases the value and injects only for y, yes, ",
	"true or on; injectors that accept only true and false fall back to the namespace default for it",
])
