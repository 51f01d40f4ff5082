# METADATA
# title: Istio Gateway accepts every host
# description: >-
#   A Gateway server with host `*` answers for any Host header and lets a VirtualService in any
#   namespace it exports to publish routes through it, so one team's test route or a notebook
#   service becomes reachable at the edge. Kubeflow's default gateway is set up this way.
# related_resources:
#   - ref: https://istio.io/latest/docs/reference/config/networking/gateway/
#   - ref: https://istio.io/latest/docs/ops/best-practices/security/#avoid-overly-broad-hosts-configurations
# custom:
#   id: MLF-K8S-049
#   long_id: k8s-istio-gateway-wildcard-host
#   severity: high
#   target: kubernetes
#   kinds: [Gateway]
#   recommended_action: >-
#     List the published names in servers[].hosts, qualified by the namespace of the
#     VirtualServices allowed to bind them (e.g. "ml-serving/inference.example.com").
package mlfence.k8s.istio.gateway_wildcard_host

import data.lib.mlfence.istio
import data.lib.mlfence.k8s
import data.lib.mlfence.result

violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	obj := k8s.review_object
	istio.is_kind(obj, "networking.istio.io", "Gateway")
	some pair in istio.object_items(k8s.field(obj, ["spec", "servers"], []))
	not _sni_or_tcp(pair[1])
	some host in istio.string_items(pair[1].hosts)
	_any_host(host)
	msg := sprintf(
		"Gateway %s servers[%d] accepts host %s, so any Host and any bound VirtualService is published; %s",
		[k8s.resource, pair[0], host, "list the published names, qualified by namespace"],
	)
}

# "*" or "namespace/*": every name.
_any_host(host) if {
	parts := split(trim_space(host), "/")
	parts[count(parts) - 1] == "*"
}

# TCP servers have no Host to match, and TLS passthrough routes on SNI only, where `*` is how
# Istio's own samples forward every name to the VirtualServices' tls.match.sniHosts: neither is
# a wildcard HTTP host.
_sni_or_tcp(server) if _upper(k8s.field(server, ["port", "protocol"], "")) in {"TCP", "MONGO", "MYSQL", "REDIS"}

_sni_or_tcp(server) if _upper(k8s.field(server, ["tls", "mode"], "")) in {"PASSTHROUGH", "AUTO_PASSTHROUGH"}

default _upper(_) := ""

_upper(x) := upper(x) if is_string(x)
