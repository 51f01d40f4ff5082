# METADATA
# title: Azure ML compute has public IPs or no VNet subnet
# description: >-
#   Compute instances and clusters get a public IP by default and then accept the Azure ML
#   service's inbound management traffic and egress straight to the internet, outside the
#   workspace's private endpoints and firewall. No public IP requires a subnet in the
#   customer's VNet (or the workspace's managed network).
# related_resources:
#   - ref: https://learn.microsoft.com/azure/machine-learning/how-to-create-compute-instance
#   - ref: https://learn.microsoft.com/azure/machine-learning/how-to-secure-training-vnet
# custom:
#   id: MLF-TF-064
#   long_id: tf-azure-aml-compute-public-ip
#   severity: high
#   target: terraform
#   kinds: [azurerm_machine_learning_compute_instance, azurerm_machine_learning_compute_cluster]
#   recommended_action: >-
#     Set node_public_ip_enabled = false and subnet_resource_id to a subnet of the ML VNet (or
#     rely on the workspace's managed network), with a NAT gateway or firewall for egress.
package mlfence.terraform.azure.aml_compute_public_ip

import data.lib.mlfence.result
import data.lib.mlfence.tfplan

violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some r in _computes
	not tfplan.is_false(tfplan.setting(r, ["node_public_ip_enabled"]))
	not tfplan.pending(r, ["node_public_ip_enabled"])
	msg := sprintf("%s: nodes get public IPs; set node_public_ip_enabled = false with subnet_resource_id", [r.address])
}

violation contains result.failure(rego.metadata.chain(), r.address, msg) if {
	some r in _computes
	tfplan.is_false(tfplan.setting(r, ["node_public_ip_enabled"]))
	not _has_subnet(r)
	msg := sprintf("%s: node_public_ip_enabled = false without subnet_resource_id; place it in the ML VNet", [r.address])
}

violation contains f if {
	some f in tfplan.pending_because(rego.metadata.chain(), _computes, [["node_public_ip_enabled"]], "")
}

_computes contains r if {
	some type in ["azurerm_machine_learning_compute_instance", "azurerm_machine_learning_compute_cluster"]
	some r in tfplan.of_type(type)
	not tfplan.allowlisted(r)
}

# A subnet ID known only after apply (a reference to a new subnet) is still a subnet.
_has_subnet(r) if {
	subnet := tfplan.setting(r, ["subnet_resource_id"])
	is_string(subnet)
	subnet != ""
}

_has_subnet(r) if tfplan.pending(r, ["subnet_resource_id"])
