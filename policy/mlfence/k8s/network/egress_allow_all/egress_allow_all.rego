# METADATA
# title: NetworkPolicy egress allows every destination
# description: >-
#   An egress rule with no `to`, with an ipBlock of 0.0.0.0/0 or ::/0, or with ipBlocks that
#   together cover the internet (0.0.0.0/1 + 128.0.0.0/1, or at least open_share_threshold of the
#   public IPv4 or IPv6 space), lets the selected pods reach any address on the internet,
#   whatever ports it lists. A compromised training or
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
package mlfence.k8s.network.egress_allow_all

import data.lib.mlfence.config
import data.lib.mlfence.k8s
import data.lib.mlfence.net
import data.lib.mlfence.result

violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	k8s.in_scope
	k8s.is_network_policy
	some i, rule in k8s.egress_rules(k8s.review_object)
	is_object(rule)
	some why in _reaches_everywhere(rule)
	msg := sprintf("NetworkPolicy %s egress rule %d %s", [k8s.resource, i, why])
}

# _reaches_everywhere(rule) is the set of reasons an egress rule admits every destination.
_reaches_everywhere(rule) := ({"has no `to`, so it allows every destination" |
	k8s.size(k8s.field(rule, ["to"], [])) == 0
} | {sprintf("allows ipBlock %s, i.e. every address", [peer.ipBlock.cidr]) |
	some peer in k8s.field(rule, ["to"], [])
	net.is_everywhere(peer.ipBlock.cidr)
}) | _together(rule)

# _together(rule) judges the union of the rule's ipBlocks, none of which is everything alone
# (0.0.0.0/1 + 128.0.0.0/1), against open_share_threshold of the public space: the same helper
# as ingress, Services and Ingresses. MLF-K8S-004 still names each block's own class.
_together(rule) := {sprintf("allows %s", [net.union_text("ipBlock", cidrs)])} if {
	cidrs := [block.cidr | some block in k8s.ip_blocks(rule, "to")]
	count(cidrs) > 0 # no share without blocks; most rules name none (~400 allocations to find it out)
	every cidr in cidrs {
		not net.is_everywhere(cidr)
	}
	net.opens_share(cidrs, config.value("open_share_threshold"))
} else := set()
