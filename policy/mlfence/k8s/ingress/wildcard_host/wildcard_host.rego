# METADATA
# title: Ingress rule matches any host or a wildcard host
# description: >-
#   A rule without host answers for every Host header, so anyone who finds the load balancer's
#   address (scanners sweep cloud ranges) reaches the backend without knowing its name. A
#   wildcard host routes every subdomain, including ones nobody reviewed, to the same backend.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/services-networking/ingress/#hostname-wildcards
# custom:
#   id: MLF-K8S-038
#   long_id: k8s-ingress-wildcard-host
#   severity: high
#   target: kubernetes
#   kinds: [Ingress]
#   recommended_action: >-
#     Give every rule the fully qualified name clients use (spec.rules[].host:
#     inference.example.com), one rule per published name, and cover it with TLS.
package mlfence.k8s.ingress.wildcard_host

import data.lib.mlfence.exposure
import data.lib.mlfence.k8s
import data.lib.mlfence.result

# A rule without host is a catch-all: high.
violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	exposure.is_ingress(k8s.review_object)
	some pair in exposure.ingress_rules(k8s.review_object)
	not _named(pair[1])
	msg := sprintf(
		"Ingress %s spec.rules[%d] has no host, so it answers requests for any Host header; %s",
		[k8s.resource, pair[0], "set host to the fully qualified name clients use"],
	)
}

# A wildcard host is bounded by its domain: medium.
violation contains result.with_severity(rego.metadata.chain(), k8s.resource, msg, "medium") if {
	exposure.is_ingress(k8s.review_object)
	some pair in exposure.ingress_rules(k8s.review_object)
	_named(pair[1])
	host := pair[1].host
	startswith(host, "*")
	msg := sprintf(
		"Ingress %s spec.rules[%d] uses the wildcard host %s, which routes every matching subdomain to the backend; %s",
		[k8s.resource, pair[0], host, "list the fully qualified names instead"],
	)
}

_named(rule) if {
	is_string(rule.host)
	trim_space(rule.host) != ""
}
