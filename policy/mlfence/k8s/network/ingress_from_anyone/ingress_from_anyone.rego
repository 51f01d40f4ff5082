# METADATA
# title: NetworkPolicy ingress admits every source
# description: >-
#   An ingress rule with no `from`, an empty `from`, an ipBlock of 0.0.0.0/0 or ::/0, or ipBlocks
#   that together cover the internet (0.0.0.0/1 + 128.0.0.0/1, or at least open_share_threshold
#   of the public IPv4 or IPv6 space) lets any address reach the selected pods on the listed ports.
#   Model servers, notebooks and Ray dashboards rarely authenticate callers, so the policy is their
#   only gate. A rule that opens only the target ports of an admission webhook's Service (found
#   through a Validating/MutatingWebhookConfiguration in the inventory) admits the API server,
#   which is not a pod and cannot be selected: it is reported only when control_plane_cidrs says
#   which addresses the API server calls from, and then asks for those.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors
#   - ref: https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#service-reference
# custom:
#   id: MLF-K8S-003
#   long_id: k8s-netpol-ingress-from-anyone
#   severity: high
#   target: kubernetes
#   kinds: [NetworkPolicy]
#   recommended_action: >-
#     List the callers in `from`: the ingress gateway's pods (namespaceSelector + podSelector),
#     the client workloads by label, or internal CIDRs. Only approved edge gateways (parameter
#     edge_gateways: namespace + labels) may admit the internet.
package mlfence.k8s.network.ingress_from_anyone

import data.lib.mlfence.config
import data.lib.mlfence.k8s
import data.lib.mlfence.net
import data.lib.mlfence.result
import data.lib.mlfence.selector
import data.lib.mlfence.webhooks

violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	k8s.in_scope
	k8s.is_network_policy
	policy := k8s.review_object
	some i, rule in k8s.ingress_rules(policy)
	is_object(rule)
	some why in _from_anyone(rule) # first: most rules admit no one, then no gateway or webhook is looked up

	# regal ignore:non-loop-expression
	not _edge_gateway(policy) # in the loop on purpose: reached only for a rule that admits anyone
	not _webhook_rule(policy, rule)
	msg := sprintf(
		"NetworkPolicy %s ingress rule %d %s; admit only the callers that need it (selectors or internal CIDRs)",
		[k8s.resource, i, why],
	)
}

# A webhook backend's rule may admit the API server; when its addresses are declared
# (control_plane_cidrs), everyone else is one too many.
violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	k8s.in_scope
	k8s.is_network_policy
	policy := k8s.review_object
	control_plane := config.value("control_plane_cidrs")
	count(control_plane) > 0
	not _edge_gateway(policy)
	some i, rule in k8s.ingress_rules(policy)
	is_object(rule)
	some why in _from_anyone(rule)
	_webhook_rule(policy, rule)
	msg := sprintf(
		"NetworkPolicy %s ingress rule %d %s on the webhook port of %s; %s",
		[
			k8s.resource, i, why, concat(", ", _backend_names(policy)),
			sprintf("the API server calls from %s (control_plane_cidrs): admit only those", [concat(", ", control_plane)]),
		],
	)
}

# Rules add up: ipBlocks spread over several rules admit their union (on the ports the rules
# share), so when no rule alone admits everyone the union over all rules is judged as well.
violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	k8s.in_scope
	k8s.is_network_policy
	policy := k8s.review_object
	rules := [rule | some rule in k8s.ingress_rules(policy); is_object(rule)]
	count(rules) > 1
	not _edge_gateway(policy)
	every rule in rules {
		count(_from_anyone(rule)) == 0
	}
	cidrs := [block.cidr | some rule in rules; some block in k8s.ip_blocks(rule, "from")]
	net.opens_share(cidrs, config.value("open_share_threshold"))
	msg := sprintf(
		"NetworkPolicy %s ingress rules admit %s; admit only the callers that need it (selectors or internal CIDRs)",
		[k8s.resource, net.union_text("ipBlock", cidrs)],
	)
}

_from_anyone(rule) := ({"has no `from`, so it admits every source" |
	count(k8s.peers(rule, "from")) == 0
} | {sprintf("admits ipBlock %s, i.e. every address", [block.cidr]) |
	some block in k8s.ip_blocks(rule, "from")
	net.is_everywhere(block.cidr)
}) | _together(rule)

# _together(rule) judges the union of the rule's ipBlocks, none of which is everything alone.
# `except` entries are not subtracted: a rule that needs them to stay narrow is still judged
# by the blocks it names, as MLF-K8S-001 does for egress.
_together(rule) := {sprintf("admits %s", [net.union_text("ipBlock", cidrs)])} if {
	cidrs := [block.cidr | some block in k8s.ip_blocks(rule, "from")]
	count(cidrs) > 0 # no share without blocks; most rules name none (~400 allocations to find it out)
	every cidr in cidrs {
		not net.is_everywhere(cidr)
	}
	net.opens_share(cidrs, config.value("open_share_threshold"))
} else := set()

# The rule opens only target ports of admission webhooks whose Service pods the policy selects.
_webhook_rule(policy, rule) if webhooks.serves_only(rule, _backends(policy))

_backends(policy) := webhooks.backends(
	webhooks.review_inventory,
	k8s.namespace,
	k8s.field(policy, ["spec", "podSelector"], null),
)

_backend_names(policy) := sort({sprintf("Service %s (%s)", [b.service, b.webhook]) | some b in _backends(policy)})

# The policy selects only pods of an approved edge gateway: its namespace, and a podSelector
# that pins every label of the gateway entry.
_edge_gateway(policy) if {
	some gateway in config.value("edge_gateways")
	is_object(gateway)
	gateway.namespace == k8s.namespace
	selector.requires_all(k8s.field(policy, ["spec", "podSelector"], null), gateway.labels)
}
