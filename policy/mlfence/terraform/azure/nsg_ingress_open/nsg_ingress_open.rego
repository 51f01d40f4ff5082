# METADATA
# title: Network security group allows inbound traffic from the internet
# description: >-
#   An inbound Allow rule whose source is *, Any, Internet or 0.0.0.0/0 exposes everything in
#   the subnets and NICs the NSG is attached to: compute instances, AKS nodes, Databricks
#   clusters and VMs running notebooks, Ray, MLflow or model servers are scanned within hours.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/network_security_rule
#   - ref: https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview
# custom:
#   id: MLF-TF-060
#   long_id: tf-azure-nsg-ingress-open
#   severity: high
#   target: terraform
#   kinds: [azurerm_network_security_rule, azurerm_network_security_group]
#   recommended_action: >-
#     Set source_address_prefix(es) to the networks that must connect (VirtualNetwork, your VPN
#     range, AzureLoadBalancer for probes) or an application security group, and reach admin
#     ports through Azure Bastion or a private endpoint instead of opening them.
package mlfence.terraform.azure.nsg_ingress_open

import data.lib.mlfence.net
import data.lib.mlfence.result
import data.lib.mlfence.tfplan
import data.lib.mlfence.tfports

violation contains tfports.exposure(rego.metadata.chain(), hit.resource, msg, specs) if {
	some hit in _rules
	_inbound_allow(hit.rule)
	some source in _open_sources(hit.rule)
	specs := _port_specs(hit.rule)
	msg := sprintf("%s: %s allows inbound from %s to %s; restrict the source", [
		hit.resource.address, hit.where, source, tfports.describe_ports(specs),
	])
}

violation contains result.unknown(rego.metadata.chain(), r.address, msg) if {
	some r in tfplan.of_type("azurerm_network_security_rule")
	_inbound_allow(r.values)
	count(_open_sources(r.values)) == 0
	some attribute in ["source_address_prefix", "source_address_prefixes"]
	tfplan.pending(r, [attribute])
	msg := sprintf("%s: %s is known only after apply; mlfence cannot prove the rule is not open", [r.address, attribute])
}

# security_rule is Optional+Computed on the NSG: it is unknown whenever the configuration leaves
# it out (separate azurerm_network_security_rule resources are judged on their own), so only a
# security_rule the configuration writes is reported as unknown.
violation contains f if {
	some f in tfplan.pending_because(
		rego.metadata.chain(), tfplan.of_type("azurerm_network_security_group"), [["security_rule"]],
		"; mlfence cannot prove no rule is open",
	)
}

# Standalone rules and the NSG's inline security_rule blocks, with where they sit.
_rules contains {"resource": r, "rule": r.values, "where": sprintf("rule %v", [r.values.name])} if {
	some r in tfplan.of_type("azurerm_network_security_rule")
}

_rules contains {"resource": r, "rule": rule, "where": sprintf("security_rule %v", [rule.name])} if {
	some r in tfplan.of_type("azurerm_network_security_group")
	some rule in tfplan.blocks(r, "security_rule")
	is_object(rule)
}

_inbound_allow(rule) if {
	lower(sprintf("%v", [object.get(rule, "direction", "")])) == "inbound"
	lower(sprintf("%v", [object.get(rule, "access", "")])) == "allow"
}

_open_sources(rule) := {s |
	some s in _one_and_many(rule, "source_address_prefix", "source_address_prefixes")
	net.is_internet_source(s)
} | _union_open(_one_and_many(rule, "source_address_prefix", "source_address_prefixes"))

# Prefixes are judged together: 0.0.0.0/1 and 128.0.0.0/1 are the internet.
_union_open(prefixes) := {sprintf("%s (together the internet)", [concat(", ", cidrs)])} if {
	cidrs := [p | some p in prefixes; is_string(p); not net.is_internet_source(p)]
	count(cidrs) > 1
	net.opens_internet(cidrs)
} else := set()

# "*" and port-less protocols: see tfports.ml_ports_hit. Both attributes empty is treated as all
# ports, the widest reading of a rule the API would reject anyway.
_port_specs(rule) := null if {
	lower(sprintf("%v", [object.get(rule, "protocol", "")])) in {"icmp", "esp", "ah"}
} else := [] if {
	some spec in _ports(rule)
	trim_space(spec) == "*"
} else := _ports(rule)

_ports(rule) := [p |
	some p in _one_and_many(rule, "destination_port_range", "destination_port_ranges")
	is_string(p)
	trim_space(p) != ""
]

# _one_and_many(rule, one, many) is the single-value attribute and the list attribute together.
_one_and_many(rule, one, many) := array.concat(
	[object.get(rule, one, null)],
	tfplan.string_list(object.get(rule, many, null)),
)
