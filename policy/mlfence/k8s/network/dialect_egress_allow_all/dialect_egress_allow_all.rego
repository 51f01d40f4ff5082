# METADATA
# title: Calico or Cilium policy egress allows every destination
# description: >-
#   MLF-K8S-001 for the policy dialects users isolate with: a Calico NetworkPolicy or
#   GlobalNetworkPolicy `Allow` egress rule whose destination names no selector and no nets, or
#   nets of 0.0.0.0/0 or ::/0, and a CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy egress
#   rule to the entity `world` (or `all`), to toCIDR/toCIDRSet 0.0.0.0/0 or ::/0, with toPorts and
#   no peer, or to every domain (toFQDNs matchPattern "*"), let the selected pods reach any address
#   on the internet, whatever ports it lists. Blocks that together cover the internet
#   (open_share_threshold of the public space) count too. A compromised training or inference pod
#   can then exfiltrate data or model weights.
# related_resources:
#   - ref: https://docs.tigera.io/calico/latest/reference/resources/networkpolicy
#   - ref: https://docs.cilium.io/en/stable/security/policy/language/
# custom:
#   id: MLF-K8S-063
#   long_id: k8s-dialect-egress-allow-all
#   severity: high
#   target: kubernetes
#   kinds: [NetworkPolicy, GlobalNetworkPolicy, CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy]
#   recommended_action: >-
#     Replace the open rule with the destinations the workload needs: Calico `selector` /
#     `namespaceSelector` or Cilium `toEndpoints` for pods, internal `nets` / `toCIDR` for
#     addresses, and for internet services their names (Calico domain-based
#     GlobalNetworkSets, Cilium `toFQDNs` with matchName) or an egress gateway.
package mlfence.k8s.network.dialect_egress_allow_all

import data.lib.mlfence.config
import data.lib.mlfence.connectivity
import data.lib.mlfence.k8s
import data.lib.mlfence.net
import data.lib.mlfence.result

violation contains result.failure(rego.metadata.chain(), k8s.resource, msg) if {
	k8s.in_scope
	some msg in (_calico_messages | _cilium_messages)
}

# --- Calico (projectcalico.org/v3, crd.projectcalico.org/v1) -------------------------------------------

_calico_groups := {"projectcalico.org", "crd.projectcalico.org"}

_is_calico if {
	k8s.kind in {"NetworkPolicy", "GlobalNetworkPolicy"}
	k8s.api_group(k8s.review_object) in _calico_groups
}

_spec := k8s.object_or_empty(k8s.field(k8s.review_object, ["spec"], {}))

# Egress rules count only when the policy applies to egress (its `types`, with Calico's default).
_calico_messages contains sprintf("Calico %s %s egress rule %d (Allow) %s", [k8s.kind, _name, i, why]) if {
	_is_calico
	"Egress" in connectivity.calico_types(_spec)
	some i, rule in k8s.as_array(object.get(_spec, "egress", []))
	is_object(rule)
	rule.action == "Allow"
	destination := k8s.object_or_empty(object.get(rule, "destination", {}))
	some why in _calico_everywhere(destination)
}

_name := sprintf("%s/%s", [k8s.namespace, k8s.name]) if k8s.namespace != ""

else := k8s.name

# A selector or namespaceSelector limits the destination to endpoints (both must match, with
# nets too); serviceAccounts and services name in-cluster peers.
_calico_limited(destination) if {
	some key in ["selector", "namespaceSelector", "serviceAccounts", "services"]
	key in object.keys(destination)
}

_calico_everywhere(destination) := {_no_peer_text(destination)} if {
	not _calico_limited(destination)
	not "nets" in object.keys(destination)
} else := {sprintf("allows nets %s, i.e. every address%s", [cidr, _not_nets_text(destination)]) |
	some cidr in _nets(destination)
	net.is_everywhere(cidr)
} | _together("net", _nets(destination)) if {
	not _calico_limited(destination)
}

_nets(destination) := [c | some c in k8s.as_array(object.get(destination, "nets", [])); is_string(c)]

_no_peer_text(destination) := sprintf("has no destination selector or nets, so it allows every destination%s", [
	_not_nets_text(destination),
])

_not_nets_text(destination) := sprintf(" (its notNets %s do not change this: the rule still reaches the rest)", [
	concat(", ", nets),
]) if {
	nets := [c | some c in k8s.as_array(object.get(destination, "notNets", [])); is_string(c)]
	count(nets) > 0
} else := ""

# --- Cilium (cilium.io/v2) ----------------------------------------------------------------------------

_is_cilium if {
	k8s.kind in {"CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy"}
	k8s.api_group(k8s.review_object) == "cilium.io"
}

# Each rule of `spec` and of `specs`, named as the connectivity model names it.
_sections contains [where, s] if {
	s := k8s.field(k8s.review_object, ["spec"], null)
	is_object(s)
	where := ""
}

_sections contains [where, s] if {
	some j, s in k8s.as_array(k8s.field(k8s.review_object, ["specs"], []))
	is_object(s)
	where := sprintf(" specs[%d]", [j])
}

_cilium_messages contains sprintf("%s %s%s egress rule %d %s", [k8s.kind, _name, where, i, why]) if {
	_is_cilium
	some [where, section] in _sections
	some i, rule in k8s.as_array(object.get(section, "egress", []))
	is_object(rule)
	some why in _cilium_everywhere(rule)
}

_cilium_list(rule, key) := k8s.as_array(object.get(rule, key, []))

_world_entities := {"world", "world-ipv4", "world-ipv6", "all"}

_cilium_peers := {
	"toEndpoints", "toEntities", "toCIDR", "toCIDRSet", "toFQDNs", "toServices",
	"toGroups", "toNodes", "toRequires",
}

_cilium_everywhere(rule) := ((({"has toPorts and no peer, so it allows every destination on those ports" |
	count(_cilium_list(rule, "toPorts")) > 0
	every key in _cilium_peers {
		count(_cilium_list(rule, key)) == 0
	}
} | {sprintf("allows toEntities %s, i.e. every address outside the cluster", [e]) |
	some e in _cilium_list(rule, "toEntities")
	e in _world_entities
}) | {sprintf("allows %s %s, i.e. every address%s", [key, block.cidr, _except_text(block)]) |
	some [key, block] in _cilium_blocks(rule)
	net.is_everywhere(block.cidr)
}) | _together("toCIDR/toCIDRSet block", [b.cidr | some [_, b] in _cilium_blocks(rule)])) | {
"allows toFQDNs matchPattern \"*\", i.e. every domain name" |
	some f in _cilium_list(rule, "toFQDNs")
	k8s.object_or_empty(f).matchPattern == "*"
}

_cilium_blocks(rule) := array.concat(
	[["toCIDR", {"cidr": c, "except": []}] | some c in _cilium_list(rule, "toCIDR"); is_string(c)],
	[["toCIDRSet", {"cidr": s.cidr, "except": [e | some e in k8s.as_array(object.get(s, "except", [])); is_string(e)]}] |
		some s in _cilium_list(rule, "toCIDRSet")
		is_string(s.cidr)
	],
)

_except_text(block) := sprintf(" (its except %s does not change this: the rule still reaches the rest)", [
	concat(", ", block.except),
]) if {
	count(block.except) > 0
} else := ""

# --- both -----------------------------------------------------------------------------------------------

# _together(noun, cidrs) judges the union of blocks none of which is everything alone (0.0.0.0/1 +
# 128.0.0.0/1) against open_share_threshold of the public space, as MLF-K8S-001 does.
_together(noun, cidrs) := {sprintf("allows %s", [net.union_text(noun, cidrs)])} if {
	every cidr in cidrs {
		not net.is_everywhere(cidr)
	}
	net.opens_share(cidrs, config.value("open_share_threshold"))
} else := set()
