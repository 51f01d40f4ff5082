# METADATA
# title: Mesh namespace accepts plaintext (no STRICT PeerAuthentication)
# description: >-
#   Istio's default peer authentication is PERMISSIVE: a namespace whose pods get sidecars accepts
#   plaintext from any pod, inside the mesh or not, unless a PeerAuthentication with mode STRICT
#   covers it, mesh-wide in the root namespace or namespace-wide in the namespace. Callers
#   without an identity then bypass every AuthorizationPolicy on principals.
# related_resources:
#   - ref: https://istio.io/latest/docs/reference/config/security/peer_authentication/
#   - ref: https://istio.io/latest/docs/tasks/security/authentication/mtls-migration/
# custom:
#   id: MLF-K8S-052
#   long_id: k8s-istio-mesh-mtls-not-strict
#   severity: high
#   target: kubernetes
#   kinds: [Namespace]
#   gatekeeper_enforcement: dryrun
#   platform: >-
#     Istio PeerAuthentication, known to hold for Istio 1.29 (istio.io/api v1.29.1; Kubeflow's Istio
#     1.29.1 manifests) and an istiod copy from 2025 or later: precedence workload > namespace >
#     mesh, mode UNSET inherits, no mesh-wide policy means PERMISSIVE; injection by
#     istio-injection=enabled or istio.io/rev
#   verified_against:
#     - repo: istio/api
#       path: security/v1beta1/peer_authentication.proto
#       commit: >-
#         not recorded (module zip istio.io/api@v1.29.1 from the Go module proxy,
#         h1:dSure3CSur+mRZYvTYRUNgR/P+TYO5ItlPk1lUu4rU8=)
#       version: Istio 1.29.1 (istio.io/api v1.29.1; Kubeflow's manifests vendor Istio 1.29.1)
#       facts: >-
#         MutualTLS.Mode UNSET: "Inherit from parent, if has one. Otherwise treated as PERMISSIVE";
#         a PeerAuthentication without selector applies to all workloads of its namespace, in the
#         root namespace to all workloads of the mesh
#     - repo: istio/istio
#       path: pilot/pkg/model/authentication.go
#       commit: e4bf7614bcf6c05f892dfb592a60c1758634823a
#       version: >-
#         release not established: Makefile.core.mk is not stored at this commit and the Go module
#         proxy serves no tagged istio.io/istio version (1.29.1 refused), so no release tree of
#         istio/istio could be read; the copy names GODEBUG=fips140=only, a Go 1.24 (February 2025)
#         setting, so it is a 2025-or-later tree (the 02262c5b cited before is an abbreviated hash
#         the index cannot be read at)
#       facts: >-
#         addPeerAuthentication: with no mesh-level policy the default is MTLSPermissive; UNSET in
#         the root namespace is PERMISSIVE; of several selector-less policies in one namespace the
#         oldest wins
#     - repo: istio/istio
#       path: pkg/kube/inject/inject.go
#       commit: b0d2c6adcaa4e4d5ac27d9c0f4f03e348b1d924c
#       version: >-
#         release not established: Makefile.core.mk is not stored at this commit and the Go module
#         proxy serves no tagged istio.io/istio version (1.29.1 refused), so no release tree of
#         istio/istio could be read; a newer tree than 00af2c55 (native sidecars, the
#         ambient.istio.io/init label, compliance policy)
#       facts: injectRequired reads the label first, then the annotation (as the older copy)
#     - repo: kubeflow/manifests
#       path: common/istio/istio-install/base/install.yaml
#       commit: not recorded (the snapshot under /work/shared/realworld)
#       version: Istio 1.29.1 charts (helm.sh/chart istiod-1.29.1)
#       facts: >-
#         no PeerAuthentication with mode STRICT is shipped; the sidecar injector webhooks select
#         namespaces labelled istio-injection: enabled, or istio.io/rev: default without
#         istio-injection
#   recommended_action: >-
#     Add a mesh-wide PeerAuthentication in the Istio root namespace (`{apiVersion:
#     security.istio.io/v1, kind: PeerAuthentication, metadata: {name: default, namespace:
#     istio-system}, spec: {mtls: {mode: STRICT}}}`), or one without a selector in the namespace.
package mlfence.k8s.istio.mesh_mtls_not_strict

import data.lib.mlfence.config
import data.lib.mlfence.istio
import data.lib.mlfence.k8s
import data.lib.mlfence.result

# Audit only in Gatekeeper: a new Namespace cannot hold its policies yet. The inventory holds the
# PeerAuthentications Gatekeeper synced, or those scanned together with the Namespace.
violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	k8s.kind == "Namespace"
	k8s.api_group(k8s.review_object) == ""
	ns := k8s.name
	ns != ""
	ns != _root
	why := _mesh_member(k8s.labels(k8s.review_object))
	mode := _effective_mode(ns)
	mode != "STRICT"
	msg := sprintf("Namespace %s %s, and %s: its pods accept plaintext from any pod; %s", [
		ns, why, _reason(ns, mode), sprintf("add a PeerAuthentication with mtls.mode STRICT in %s or in %s", [_root, ns]),
	])
}

_root := config.value("istio_root_namespace")

# The labels that make Istio inject sidecars (or enrol the namespace in ambient mode).
_mesh_member(labels) := "has istio-injection=enabled" if {
	labels["istio-injection"] == "enabled"
} else := sprintf("has istio.io/rev=%v", [labels["istio.io/rev"]]) if {
	is_string(labels["istio.io/rev"])
	object.get(labels, "istio-injection", "") != "disabled"
} else := "has istio.io/dataplane-mode=ambient" if {
	labels["istio.io/dataplane-mode"] == "ambient"
}

_namespace_mode(ns) := istio.namespace_wide_mode(istio.peer_authentications(_inventory, ns))

default _mesh_mode := "PERMISSIVE"

_mesh_mode := mode if {
	mode := istio.namespace_wide_mode(istio.peer_authentications(_inventory, _root))
	mode != "UNSET"
}

_effective_mode(ns) := _namespace_mode(ns) if _namespace_mode(ns) != "UNSET"

else := _mesh_mode

_reason(ns, mode) := sprintf("its namespace-wide PeerAuthentication sets mode %s", [mode]) if {
	_namespace_mode(ns) != "UNSET"
} else := sprintf("the mesh-wide PeerAuthentication in %s sets mode %s", [_root, mode]) if {
	istio.namespace_wide_mode(istio.peer_authentications(_inventory, _root)) != "UNSET"
} else := sprintf(
	"no PeerAuthentication sets a mode for it or mesh-wide in %s, so Istio's default PERMISSIVE applies",
	[_root],
)

# Gatekeeper's synced objects; the CLI and conftest adapters build the same shape.
default _inventory := {}

_inventory := data.inventory
