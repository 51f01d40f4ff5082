# METADATA
# title: NetworkPolicy egress reaches the cloud metadata endpoint
# description: >-
#   The instance metadata service (169.254.169.254, fd00:ec2::254) hands out the node's cloud
#   credentials. An egress rule whose ipBlock contains it, with no `except` for it, or a rule
#   with no `to`, lets a compromised pod take the node's identity and everything it can reach.
# related_resources:
#   - ref: https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html
# custom:
#   id: MLF-K8S-006
#   long_id: k8s-netpol-egress-metadata-endpoint
#   severity: high
#   target: kubernetes
#   kinds: [NetworkPolicy]
#   recommended_action: >-
#     Add the metadata address to the ipBlock's `except` (169.254.169.254/32, and
#     fd00:ec2::254/128 for IPv6), or narrow the cidr so it does not contain it; give pods cloud
#     access through workload identity instead of the node's role.
package mlfence.k8s.network.egress_metadata_endpoint

import data.lib.mlfence.config
import data.lib.mlfence.k8s
import data.lib.mlfence.result

# The metadata services answer HTTP on port 80: a rule limited to other ports cannot reach them.
violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	k8s.in_scope
	k8s.is_network_policy
	some i, rule in k8s.egress_rules(k8s.review_object)
	is_object(rule)
	k8s.allows_port(rule, 80, {"http"})
	some why in _reaches_metadata(rule)
	msg := sprintf("NetworkPolicy %s egress rule %d %s; add it to the ipBlock's `except`", [k8s.resource, i, why])
}

_endpoints := [e | some e in config.value("metadata_endpoints"); net.cidr_is_valid(e)]

_reaches_metadata(rule) := {"has no `to`, so it reaches the cloud metadata endpoint" |
	count(k8s.peers(rule, "to")) == 0
} | {sprintf("allows ipBlock %s, which contains the cloud metadata endpoint %s", [block.cidr, endpoint]) |
	some block in k8s.ip_blocks(rule, "to")
	net.cidr_is_valid(block.cidr)
	some endpoint in _endpoints
	_same_family(block.cidr, endpoint)
	net.cidr_contains(block.cidr, endpoint)
	not _excepted(block, endpoint)
}

_excepted(block, endpoint) if {
	some excluded in block.except
	net.cidr_is_valid(excluded)
	_same_family(excluded, endpoint)
	net.cidr_contains(excluded, endpoint)
}

_same_family(a, b) if contains(a, ":") == contains(b, ":")
