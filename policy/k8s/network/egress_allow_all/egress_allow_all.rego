# METADATA
# title: NetworkPolicy egress allows every destination
# description: >-
#   An egress rule with no `to`, or with an ipBlock of 0.0.0.0/0 or ::/0, lets the selected pods
#   reach any address on the internet, whatever ports it lists. A compromised training or
#   inference pod can then exfiltrate data or model weights, or pull attacker tooling.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/services-networking/network-policies/
# custom:
#   id: MLF-K8S-001
#   long_id: k8s-netpol-egress-allow-all
#   severity: high
#   target: kubernetes
#   kinds: [NetworkPolicy]
#   recommended_action: >-
#     Replace the open rule with the destinations the workload needs: pods and namespaces by
#     selector, approved internal CIDRs, and for internet services a domain-based control
#     (egress gateway + ServiceEntry, FQDN policy or an allow-listing proxy).
package k8s.network.egress_allow_all

import data.lib.mlfence.k8s
import data.lib.mlfence.net
import data.lib.mlfence.result

violation contains result.violation(rego.metadata.chain(), k8s.resource, msg) if {
	k8s.in_scope
	k8s.kind == "NetworkPolicy"
	some i, rule in k8s.egress_rules(k8s.review_object)
	is_object(rule)
	some why in _reaches_everywhere(rule)
	msg := sprintf("NetworkPolicy %s egress rule %d %s", [k8s.resource, i, why])
}

# _reaches_everywhere(rule) is the set of reasons an egress rule admits every destination.
_reaches_everywhere(rule) := {"has no `to`, so it allows every destination" |
	k8s.size(k8s.field(rule, ["to"], [])) == 0
} | {sprintf("allows ipBlock %s, i.e. every address", [peer.ipBlock.cidr]) |
	some peer in k8s.field(rule, ["to"], [])
	net.is_everywhere(peer.ipBlock.cidr)
}
