# METADATA
# title: Ingress serves a host without TLS
# description: >-
#   A host in spec.rules that no spec.tls entry covers is served over plain HTTP: prompts,
#   predictions, API tokens and session cookies cross the network readable and modifiable by
#   anyone on the path.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/services-networking/ingress/#tls
# custom:
#   id: MLF-K8S-037
#   long_id: k8s-ingress-tls-missing
#   severity: medium
#   target: kubernetes
#   kinds: [Ingress]
#   recommended_action: >-
#     Add a spec.tls entry whose hosts list the rule's host (a wildcard such as *.example.com
#     covers one label below it) and whose secretName holds the certificate, e.g. issued by
#     cert-manager.
package mlfence.k8s.ingress.tls_missing

import data.lib.mlfence.exposure
import data.lib.mlfence.k8s
import data.lib.mlfence.result

violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	exposure.is_ingress(k8s.review_object)
	obj := k8s.review_object
	not _ssl_passthrough(obj)
	some pair in exposure.ingress_rules(obj)
	host := pair[1].host
	is_string(host)
	host != ""
	not _covered(obj, host)
	msg := sprintf(
		"Ingress %s serves host %s (spec.rules[%d]) without TLS; add a spec.tls entry with hosts: [%s] and a secretName",
		[k8s.resource, host, pair[0], host],
	)
}

default _tls_entries(_) := []

_tls_entries(obj) := [entry |
	some entry in obj.spec.tls
	is_object(entry)
] if {
	is_array(obj.spec.tls)
}

# An entry without hosts takes the controller's default certificate for every host (the
# Ingress API's documented default), so it covers all of them.
_covered(obj, _) if {
	some entry in _tls_entries(obj)
	count(exposure.string_items(object.get(entry, "hosts", []))) == 0
}

# A TLS host covers the same name (a wildcard rule host is covered by the same wildcard)...
_covered(obj, host) if lower(host) in _tls_hosts(obj)

# ...and a wildcard covers exactly one label in its place, as in certificate matching. Plain
# string operations, not glob.match: the pattern comes from the object and must never error.
_covered(obj, host) if {
	labels := split(lower(host), ".")
	count(labels) > 1
	labels[0] != ""
	concat(".", ["*", concat(".", array.slice(labels, 1, count(labels)))]) in _tls_hosts(obj)
}

_tls_hosts(obj) := {lower(h) |
	some entry in _tls_entries(obj)
	some h in exposure.string_items(object.get(entry, "hosts", []))
}

# ingress-nginx's ssl-passthrough hands the TLS connection to the backend, which terminates it
# (the controller routes on SNI and ignores spec.tls for such hosts): TLS is there, not missing.
_ssl_passthrough(obj) if lower(exposure.annotation(obj, "nginx.ingress.kubernetes.io/ssl-passthrough")) == "true"
