# METADATA
# title: Azure VM with a public IP on an ML subnet
# description: >-
#   Subnets that host Azure ML compute clusters and instances carry training data, notebooks
#   and model servers. A virtual machine with a public IP address in such a subnet is a way in
#   from the internet beside the workspace's own controls, and a way out for data.
# related_resources:
#   - ref: https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/network_interface
#   - ref: https://learn.microsoft.com/azure/machine-learning/how-to-secure-training-vnet
# custom:
#   id: MLF-TF-069
#   long_id: tf-azure-vm-public-ip-ml-subnet
#   severity: high
#   target: terraform
#   kinds: [azurerm_network_interface, azurerm_linux_virtual_machine, azurerm_windows_virtual_machine,
#     azurerm_virtual_machine]
#   recommended_action: >-
#     Remove public_ip_address_id from the network interface; reach the VM through Azure Bastion
#     or a VPN, and let outbound traffic leave through the platform's NAT gateway or firewall.
package mlfence.terraform.azure.vm_public_ip_ml_subnet

import data.lib.mlfence.config
import data.lib.mlfence.result
import data.lib.mlfence.tfplan

_vm_types := ["azurerm_linux_virtual_machine", "azurerm_windows_virtual_machine", "azurerm_virtual_machine"]

violation contains result.failure(rego.metadata.chain(), vm.address, msg) if {
	some type in _vm_types
	some vm in tfplan.of_type(type)
	not tfplan.allowlisted(vm)
	some nic in tfplan.linked(vm, "network_interface_ids", "azurerm_network_interface")
	some i, ipc in tfplan.blocks(nic, "ip_configuration")
	_public_ip(nic, i, ipc)
	some subnet in tfplan.linked(nic, ["ip_configuration", i, "subnet_id"], "azurerm_subnet")
	why := _ml_subnet(subnet)
	msg := sprintf("%s has a public IP (%s ip_configuration %v) on %s, %s; remove public_ip_address_id", [
		vm.address, nic.address, object.get(ipc, "name", i), subnet.address, why,
	])
}

# A public IP written from a resource created in the same plan is known only after apply, but it
# is set: that is the public address.
_public_ip(_, _, ipc) if {
	is_string(ipc.public_ip_address_id)
	ipc.public_ip_address_id != ""
}

_public_ip(nic, i, _) if tfplan.pending(nic, ["ip_configuration", i, "public_ip_address_id"])

# An ML subnet: Azure ML compute runs in it, or its name says so (parameter azure_ml_subnet_names,
# substrings matched case-insensitively).
_ml_subnet(subnet) := sprintf("the subnet of Azure ML compute %s", [concat(", ", sort(users))]) if {
	users := {c.address |
		some type in ["azurerm_machine_learning_compute_cluster", "azurerm_machine_learning_compute_instance"]
		some c in tfplan.existing_of_type(type)
		subnet in tfplan.linked(c, "subnet_resource_id", "azurerm_subnet")
	}
	count(users) > 0
} else := sprintf("an ML subnet by name (%v)", [subnet.values.name]) if {
	some part in config.value("azure_ml_subnet_names")
	contains(lower(sprintf("%v", [subnet.values.name])), lower(part))
}
