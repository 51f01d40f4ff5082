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
#     Istio 1.20-1.27 (PeerAuthentication precedence workload > namespace > mesh, mode UNSET
#     inherits, mesh default PERMISSIVE; injection by istio-injection=enabled or istio.io/rev)
#   verified_against:
#     - repo: istio/api
#       path: security/v1beta1/peer_authentication.proto
#       commit: 05a21bac
#       version: release not established (index commit)
#       facts: >-
#         MutualTLS.Mode UNSET: "Inherit from parent, if has one. Otherwise treated as PERMISSIVE"; a
#         PeerAuthentication without selector applies to every workload of its namespace
#     - repo: istio/istio
#       path: pilot/pkg/model/authentication.go
#       commit: 02262c5b
#       version: release not established (index commit)
#       facts: >-
#         addPeerAuthentication: with no mesh-level policy the default is MTLSPermissive; UNSET in the
#         root namespace is PERMISSIVE; of several selector-less policies in one namespace the oldest
#         wins
#     - repo: istio/istio
#       path: pkg/kube/inject/inject.go
#       commit: 00af2c55
#       version: release not established (index commit)
#       facts: injectRequired reads the label first, then the annotation
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
