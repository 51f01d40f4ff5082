# METADATA
# title: Pod annotations route traffic around the Istio sidecar
# description: >-
#   The traffic.sidecar.istio.io annotations change which packets the sidecar captures.
#   Excluded outbound ranges or ports, or an includeOutboundIPRanges narrower than "*", send
#   traffic straight out, past the egress gateway and its allow-list; excluded inbound ports
#   accept plaintext callers that mTLS and AuthorizationPolicies never see.
#   sidecar.istio.io/interceptionMode NONE captures nothing at all.
# related_resources:
#   - ref: https://istio.io/latest/docs/reference/config/annotations/
# custom:
#   id: MLF-K8S-013
#   long_id: k8s-pod-istio-traffic-bypass
#   severity: medium
#   target: kubernetes
#   kind_groups: [pod-workloads]
#   recommended_action: >-
#     Remove the exclusion annotations and route the traffic through the mesh: a ServiceEntry
#     (via the egress gateway) for external destinations, a Service in the mesh for internal
#     ones. For a port that must skip the proxy (a node-local agent), restrict it with a
#     NetworkPolicy and record an exemption with its reason and owner. Leave
#     sidecar.istio.io/interceptionMode at REDIRECT or TPROXY.
package mlfence.k8s.pod.istio_traffic_bypass

import data.lib.mlfence.config
import data.lib.mlfence.k8s
import data.lib.mlfence.net
import data.lib.mlfence.result

violation contains result.with_severity(rego.metadata.chain(), k8s.resource, msg, severity) if {
	k8s.in_scope
	k8s.mesh_namespace(k8s.namespace, _namespace_labels)
	some pod in k8s.pod_metadata(k8s.review_object)
	some key, value in k8s.metadata_map(pod.metadata, "annotations")
	is_string(value)
	some why in _bypass(key, trim_space(value))
	severity := _severity(key, value)
	msg := sprintf("%s sets %s.annotations %s: %q, %s", [k8s.resource, pod.path, key, value, why])
}

# interceptionMode NONE installs no redirection: the proxy runs but sees only traffic an
# application sends it on purpose. Istio validates the value case-sensitively (REDIRECT,
# TPROXY, NONE; pkg/kube/inject/validate.go) and refuses to inject any other spelling, so only
# the exact "NONE" is a bypass.
violation contains result.with_severity(rego.metadata.chain(), k8s.resource, msg, "high") if {
	k8s.in_scope
	k8s.mesh_namespace(k8s.namespace, _namespace_labels)
	some pod in k8s.pod_metadata(k8s.review_object)
	k8s.metadata_map(pod.metadata, "annotations")["sidecar.istio.io/interceptionMode"] == "NONE"
	msg := sprintf(
		"%s sets %s.annotations sidecar.istio.io/interceptionMode: \"NONE\", so the sidecar captures no traffic at all: %s",
		[k8s.resource, pod.path, "every connection bypasses mTLS, authorization and the egress gateway"],
	)
}

_prefix := "traffic.sidecar.istio.io/"

_bypass(key, value) := (((({"so traffic to those ranges leaves without the sidecar (no egress gateway, no mTLS)" |
	key == concat("", [_prefix, "excludeOutboundIPRanges"])
	value != ""
} | {"so traffic to those ports leaves without the sidecar (no egress gateway, no mTLS)" |
	key == concat("", [_prefix, "excludeOutboundPorts"])
	value != ""
}) | {"so callers on those ports reach the container without mTLS or authorization" |
	key == concat("", [_prefix, "excludeInboundPorts"])
	value != ""
}) | {"so traffic on those interfaces skips the sidecar" |
	key == concat("", [_prefix, "excludeInterfaces"])
	value != ""
}) | {"so traffic to every other range leaves without the sidecar; use \"*\"" |
	key == concat("", [_prefix, "includeOutboundIPRanges"])
	value != "*"
}) | {"so callers on every other port reach the container without mTLS or authorization; use \"*\"" |
	key == concat("", [_prefix, "includeInboundPorts"])
	value != "*"
}

# Excluding every address, or ranges that together cover the internet (0.0.0.0/1,128.0.0.0/1),
# takes the pod out of the mesh for all outbound traffic.
_severity(key, value) := "high" if {
	key == concat("", [_prefix, "excludeOutboundIPRanges"])
	net.opens_share(split(value, ","), config.value("open_share_threshold"))
} else := "medium"

default _namespace_labels := {}

_namespace_labels := k8s.labels(_inventory.cluster.v1.Namespace[k8s.namespace])

# Gatekeeper's synced objects; the CLI and conftest adapters build the same shape.
default _inventory := {}

_inventory := data.inventory
