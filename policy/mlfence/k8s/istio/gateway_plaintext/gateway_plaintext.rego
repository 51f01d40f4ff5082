# METADATA
# title: Istio Gateway serves plain HTTP
# description: >-
#   A Gateway server on protocol HTTP without tls.httpsRedirect serves the published routes
#   unencrypted at the edge: prompts, predictions, tokens and notebook sessions can be read and
#   altered on the way, and clients are never sent to HTTPS.
# related_resources:
#   - ref: https://istio.io/latest/docs/reference/config/networking/gateway/#ServerTLSSettings
# custom:
#   id: MLF-K8S-050
#   long_id: k8s-istio-gateway-plaintext
#   severity: medium
#   target: kubernetes
#   kinds: [Gateway]
#   recommended_action: >-
#     Serve HTTPS (protocol HTTPS with tls.mode SIMPLE and a credentialName) and keep port 80 only
#     with tls.httpsRedirect: true.
package mlfence.k8s.istio.gateway_plaintext

import data.lib.mlfence.istio
import data.lib.mlfence.k8s
import data.lib.mlfence.result

violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	obj := k8s.review_object
	istio.is_kind(obj, "networking.istio.io", "Gateway")
	some pair in istio.object_items(k8s.field(obj, ["spec", "servers"], []))
	server := pair[1]
	protocol := k8s.field(server, ["port", "protocol"], "")
	is_string(protocol)
	upper(protocol) in {"HTTP", "HTTP2", "GRPC"}
	k8s.field(server, ["tls", "httpsRedirect"], false) != true
	msg := sprintf(
		"Gateway %s servers[%d] serves %s on port %v without TLS or an HTTPS redirect; %s",
		[k8s.resource, pair[0], upper(protocol), k8s.field(server, ["port", "number"], "?"), _fix],
	)
}

_fix := "serve HTTPS with a credentialName, or set tls.httpsRedirect: true"
