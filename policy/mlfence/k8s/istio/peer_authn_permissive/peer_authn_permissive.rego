# METADATA
# title: PeerAuthentication accepts plaintext traffic
# description: >-
#   mTLS mode PERMISSIVE accepts plaintext next to mTLS and DISABLE accepts only plaintext, so
#   any pod, including ones outside the mesh, reaches the workloads without an identity and
#   AuthorizationPolicies on principals cannot apply. A mesh-wide policy (root namespace, no
#   selector) left UNSET falls back to Istio's default, PERMISSIVE.
# related_resources:
#   - ref: https://istio.io/latest/docs/reference/config/security/peer_authentication/
#   - ref: https://istio.io/latest/docs/tasks/security/authentication/mtls-migration/
# custom:
#   id: MLF-K8S-040
#   long_id: k8s-istio-peer-authn-permissive
#   severity: high
#   target: kubernetes
#   kinds: [PeerAuthentication]
#   recommended_action: >-
#     Set spec.mtls.mode: STRICT (and STRICT or UNSET in portLevelMtls); in the root namespace
#     keep a selector-less PeerAuthentication with mode STRICT as the mesh default.
package mlfence.k8s.istio.peer_authn_permissive

import data.lib.mlfence.config
import data.lib.mlfence.istio
import data.lib.mlfence.k8s
import data.lib.mlfence.result
import data.lib.mlfence.webhooks

_weak := {"PERMISSIVE", "DISABLE"}

_severity := {"PERMISSIVE": "medium", "DISABLE": "high"}

violation contains result.with_severity(rego.metadata.chain(), k8s.resource, msg, _severity[finding.mode]) if {
	_checked
	some finding in _findings(k8s.field(k8s.review_object, ["spec"], {}))
	msg := sprintf("PeerAuthentication %s %s; %s", [k8s.resource, finding.why, "set mode STRICT"])
}

# Judged in every namespace, system ones included: mesh settings apply wherever they are.
_checked if istio.is_kind(k8s.review_object, "security.istio.io", "PeerAuthentication")

# The mesh-wide policy: in the root namespace and without a (non-empty) selector.
_mesh_wide if {
	k8s.namespace == config.value("istio_root_namespace")
	istio.empty(k8s.field(k8s.review_object, ["spec", "selector"], null))
}

default _mode(_) := "UNSET"

_mode(x) := upper(x.mode) if is_string(x.mode)

_findings(spec) := ({{"mode": mode, "why": sprintf("sets spec.mtls.mode: %s", [mode])} |
	mode := _mode(spec.mtls)
	mode in _weak
} | {{"mode": "PERMISSIVE", "why": "is mesh-wide with mtls mode UNSET, so Istio's default PERMISSIVE applies"} |
	_mesh_wide
	_mode(k8s.field(spec, ["mtls"], {})) == "UNSET"
}) | {{"mode": mode, "why": sprintf("sets portLevelMtls[%v].mode: %s", [port, mode])} |
	some port, setting in spec.portLevelMtls
	mode := _mode(setting)
	mode in _weak
	not _webhook_port(spec, port, mode)
}

# The API server calls admission webhooks from outside the mesh, without a client certificate:
# PERMISSIVE on a webhook backend's target port (Knative's own PeerAuthentications) is how it
# gets in. Webhook backends come from the inventory (lib.mlfence.webhooks).
_webhook_port(spec, port, "PERMISSIVE") if {
	workload := spec.selector
	is_object(workload.matchLabels)
	some backend in webhooks.backends(webhooks.review_inventory, k8s.namespace, workload)
	webhooks.opens(to_number(port), backend.ports)
}
