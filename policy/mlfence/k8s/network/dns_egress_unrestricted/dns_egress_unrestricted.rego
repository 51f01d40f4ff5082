# METADATA
# title: NetworkPolicy allows DNS to a server other than the cluster DNS
# description: >-
#   DNS is the classic exfiltration channel: queries to a resolver the attacker controls carry
#   data out in the names themselves, and a rogue resolver can redirect model and package
#   downloads. Egress on port 53 belongs to the cluster DNS only, which forwards and logs.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/
# custom:
#   id: MLF-K8S-005
#   long_id: k8s-netpol-dns-egress-unrestricted
#   severity: medium
#   target: kubernetes
#   kinds: [NetworkPolicy]
#   recommended_action: >-
#     Allow port 53 (UDP and TCP) only to the cluster DNS: `to: [{namespaceSelector:
#     {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels:
#     {k8s-app: kube-dns}}}]` (parameter cluster_dns; node-local caches in cluster_dns_cidrs).
package mlfence.k8s.network.dns_egress_unrestricted

import data.lib.mlfence.config
import data.lib.mlfence.k8s
import data.lib.mlfence.result
import data.lib.mlfence.selector

# Rules that name port 53 (or a DNS port name). Rules without ports allow DNS with everything
# else; their destinations are judged by MLF-K8S-001 and MLF-K8S-004.
violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	k8s.in_scope
	k8s.is_network_policy
	some i, rule in k8s.egress_rules(k8s.review_object)
	is_object(rule)
	k8s.allows_port_explicitly(rule, 53, {"dns", "dns-tcp", "domain"})
	some why in _not_cluster_dns(rule)
	msg := sprintf("NetworkPolicy %s egress rule %d allows DNS (port 53) %s; allow DNS only to %s", [
		k8s.resource, i, why, _dns_text,
	])
}

_not_cluster_dns(rule) := {"to every destination" |
	count(k8s.peers(rule, "to")) == 0
} | {sprintf("to peer %d, which is not the cluster DNS", [j]) |
	some j, peer in k8s.peers(rule, "to")
	not _is_cluster_dns(peer)
}

_dns := config.value("cluster_dns")

default _dns_namespace := "kube-system"

_dns_namespace := _dns.namespace if is_string(_dns.namespace)

default _dns_labels := {}

_dns_labels := _dns.labels if is_object(_dns.labels)

_dns_text := sprintf("the cluster DNS (namespace %s, pods %v)", [_dns_namespace, _dns_labels])

# A namespaceSelector that pins the DNS namespace by name, with no podSelector or one that
# selects the DNS pods. (Only the DNS pods listen on 53 there; the namespace is the platform's.)
_is_cluster_dns(peer) if {
	selector.requires(peer.namespaceSelector, "kubernetes.io/metadata.name", _dns_namespace)
	_selects_dns_pods(peer)
}

# A podSelector alone, in a policy of the DNS namespace itself.
_is_cluster_dns(peer) if {
	is_object(peer)
	not "namespaceSelector" in object.keys(peer)
	k8s.namespace == _dns_namespace
	selector.matches(peer.podSelector, _dns_labels)
}

# An ipBlock inside a configured node-local DNS range.
_is_cluster_dns(peer) if {
	is_string(peer.ipBlock.cidr)
	some allowed in config.value("cluster_dns_cidrs")
	_same_family(allowed, peer.ipBlock.cidr)
	net.cidr_contains(allowed, peer.ipBlock.cidr)
}

_selects_dns_pods(peer) if not "podSelector" in object.keys(peer)

_selects_dns_pods(peer) if selector.matches(peer.podSelector, _dns_labels)

_same_family(a, b) if contains(a, ":") == contains(b, ":")
