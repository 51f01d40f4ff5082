# METADATA
# title: DestinationRule turns TLS off
# description: >-
#   tls.mode DISABLE makes the client proxy send plain text: for a mesh service it overrides
#   automatic mTLS, so requests and responses (prompts, features, predictions) cross the network
#   unencrypted and the server cannot verify the caller's identity. It applies wherever it is
#   set: the whole host, one port, or one subset.
# related_resources:
#   - ref: https://istio.io/latest/docs/reference/config/networking/destination-rule/#ClientTLSSettings
# custom:
#   id: MLF-K8S-048
#   long_id: k8s-istio-destination-rule-tls-disabled
#   severity: high
#   target: kubernetes
#   kinds: [DestinationRule]
#   recommended_action: >-
#     Use tls.mode ISTIO_MUTUAL (or remove the tls block to keep automatic mTLS) for mesh hosts,
#     and SIMPLE or MUTUAL with caCertificates and sni for external hosts.
package mlfence.k8s.istio.destination_rule_tls_disabled

import data.lib.mlfence.istio
import data.lib.mlfence.k8s
import data.lib.mlfence.result

violation contains result.with_severity(rego.metadata.chain(), k8s.resource, msg, severity) if {
	obj := k8s.review_object
	istio.is_kind(obj, "networking.istio.io", "DestinationRule")
	spec := k8s.field(obj, ["spec"], {})
	host := k8s.field(spec, ["host"], "")
	severity := _severity(host)
	some place in _disabled(spec)
	msg := sprintf("DestinationRule %s sets %s.tls.mode: DISABLE for host %v, so %s; %s", [
		k8s.resource, place, host, _effect[severity],
		"use ISTIO_MUTUAL (or no tls block) for mesh hosts and SIMPLE/MUTUAL for external ones",
	])
}

_effect := {
	"high": "mesh traffic to it is plain text",
	"medium": "the proxy originates no TLS and traffic is plain text unless the application encrypts it",
}

# The traffic policies of a DestinationRule: the top-level one and each subset's.
_policies(spec) := array.concat(
	[["spec.trafficPolicy", k8s.field(spec, ["trafficPolicy"], {})]],
	[[sprintf("spec.subsets[%d].trafficPolicy", [pair[0]]), pair[1].trafficPolicy] |
		some pair in istio.object_items(k8s.field(spec, ["subsets"], []))
		is_object(pair[1].trafficPolicy)
	],
)

_disabled(spec) := {entry[0] |
	some pair in _policies(spec)
	some entry in _tls_settings(pair[0], pair[1])
	_mode(entry[1]) == "DISABLE"
}

_tls_settings(path, policy) := array.concat([[path, k8s.field(policy, ["tls"], {})]], [[
	sprintf("%s.portLevelSettings[%d]", [path, pair[0]]),
	pair[1].tls,
] |
	some pair in istio.object_items(k8s.field(policy, ["portLevelSettings"], []))
	is_object(pair[1].tls)
])

default _mode(_) := ""

_mode(tls) := upper(tls.mode) if is_string(tls.mode)

# Mesh hosts (short names and cluster-local names) carry mesh traffic: high. External hosts
# may carry TLS the application originates itself: medium.
_severity(host) := "high" if {
	is_string(host)
	_mesh_host(lower(host))
} else := "medium"

_mesh_host(host) if not contains(host, ".")

_mesh_host(host) if {
	some suffix in [".svc.cluster.local", ".cluster.local", ".svc", ".local"]
	endswith(host, suffix)
}
